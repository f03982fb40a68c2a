"""The OneRoster 1.2 Rostering Service REST/JSON binding's read endpoints over a school's roster
(the same records as the CSV set of `oneroster.py`, ADR 0040): collections
``orgs``, ``users``, ``courses``, ``classes``, ``enrollments`` and ``academicSessions`` and one
record of each
by sourcedId, paged with ``limit`` and ``offset``.

Pure mapping and paging (no Django): the views (`oneroster_views.py`) authenticate the client,
read its school's roster and write the access log of the people on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gov3.schools.oneroster import Roster

#: The binding's base path.
BASE = "/ims/oneroster/rostering/v1p2"
#: collection → (CSV file of the records, the single record's envelope key, GUIDRef type).
COLLECTIONS: dict[str, tuple[str, str, str]] = {
    "orgs": ("orgs.csv", "org", "org"),
    "users": ("users.csv", "user", "user"),
    "courses": ("courses.csv", "course", "course"),
    "classes": ("classes.csv", "class", "class"),
    "enrollments": ("enrollments.csv", "enrollment", "enrollment"),
    "academicSessions": ("academicSessions.csv", "academicSession", "academicSession"),
}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: Query parameters of the binding gov3 does not implement: refused rather than ignored, so
#: that a client never takes an unfiltered answer for a filtered one.
UNSUPPORTED = {
    "filter": "invalid_filter_field",
    "sort": "invalid_sort_field",
    "orderBy": "invalid_sort_field",
    "fields": "invalid_selection_field",
}


class RestError(Exception):
    """A request the binding answers with an error status and an imsx_StatusInfo payload."""

    def __init__(self, status: int, code_minor: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description

    def payload(self) -> dict[str, Any]:
        return status_info(self.code_minor, self.description)


def status_info(code_minor: str, description: str) -> dict[str, Any]:
    """The binding's error payload (imsx_StatusInfo)."""
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(query: Mapping[str, str]) -> Paging:
    """``limit`` (1 to MAX_LIMIT, default DEFAULT_LIMIT) and ``offset`` (0 or more, default 0);
    anything else is a `RestError` 400."""
    for name, code in UNSUPPORTED.items():
        if name in query:
            raise RestError(400, code, f"The query parameter {name!r} is not supported.")
    values = {}
    for name, default, low, high in (
        ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        ("offset", 0, 0, None),
    ):
        text = query.get(name)
        if text is None:
            values[name] = default
            continue
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise RestError(400, "invalid_data", f"{name} must be a whole number.")
        value = int(text)
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise RestError(400, "invalid_data", f"{name} must be {bound}.")
        values[name] = value
    return Paging(limit=values["limit"], offset=values["offset"])


@dataclass(frozen=True)
class Page:
    key: str
    records: list[dict[str, Any]]
    #: the register ids of the people on the page (for the access log)
    person_ids: list[int]
    total: int
    links: list[tuple[int, int, str]]  # (limit, offset, rel)


class RestRoster:
    """A roster's records in the REST binding's JSON form, ordered by sourcedId (so that paging
    is stable between requests)."""

    def __init__(self, roster: Roster, *, base_url: str, modified: str) -> None:
        self.roster = roster
        self.base_url = base_url.rstrip("/")
        self.modified = modified
        rows = roster.as_dicts()
        users = rows["users"]
        if len(users) != len(roster.person_ids):  # pragma: no cover - school_roster's invariant
            raise AssertionError("each user row must name one person")
        self.person_of = {
            u["sourcedId"]: pid for u, pid in zip(users, roster.person_ids, strict=True)
        }
        self.roles: dict[str, list[dict[str, Any]]] = {}
        for r in rows["roles"]:
            role: dict[str, Any] = {
                "roleType": r["roleType"],
                "role": r["role"],
                "org": self.ref("orgs", r["orgSourcedId"]),
            }
            if r["beginDate"]:
                role["beginDate"] = r["beginDate"]
            self.roles.setdefault(r["userSourcedId"], []).append(role)
        makers: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "orgs": self._org,
            "users": self._user,
            "courses": self._course,
            "classes": self._class,
            "enrollments": self._enrollment,
            "academicSessions": self._session,
        }
        self.records = {
            name: sorted(
                (makers[name](r) for r in rows[file.removesuffix(".csv")]),
                key=lambda record: str(record["sourcedId"]),
            )
            for name, (file, _key, _type) in COLLECTIONS.items()
        }

    # The records.

    def ref(self, collection: str, sourced_id: str) -> dict[str, str] | None:
        if not sourced_id:
            return None
        return {
            "href": f"{self.base_url}{BASE}/{collection}/{sourced_id}",
            "sourcedId": sourced_id,
            "type": COLLECTIONS[collection][2],
        }

    def _base(self, row: dict[str, str]) -> dict[str, Any]:
        return {
            "sourcedId": row["sourcedId"],
            "status": "active",
            "dateLastModified": self.modified,
        }

    def _org(self, row: dict[str, str]) -> dict[str, Any]:
        record = {
            **self._base(row),
            "name": row["name"],
            "type": row["type"],
            "identifier": row["identifier"],
        }
        parent = self.ref("orgs", row["parentSourcedId"])
        if parent:
            record["parent"] = parent
        return record

    def _session(self, row: dict[str, str]) -> dict[str, Any]:
        return {
            **self._base(row),
            "title": row["title"],
            "type": row["type"],
            "startDate": row["startDate"],
            "endDate": row["endDate"],
            "schoolYear": row["schoolYear"],
        }

    def _course(self, row: dict[str, str]) -> dict[str, Any]:
        record: dict[str, Any] = {
            **self._base(row),
            "title": row["title"],
            "courseCode": row["courseCode"],
            "grades": [g for g in row["grades"].split(",") if g],
            "subjects": [s for s in row["subjects"].split(",") if s],
            "subjectCodes": [s for s in row["subjectCodes"].split(",") if s],
            "org": self.ref("orgs", row["orgSourcedId"]),
        }
        year = self.ref("academicSessions", row["schoolYearSourcedId"])
        if year:
            record["schoolYear"] = year
        return record

    def _class(self, row: dict[str, str]) -> dict[str, Any]:
        return {
            **self._base(row),
            "title": row["title"],
            "classCode": row["classCode"],
            "classType": row["classType"],
            "grades": [g for g in row["grades"].split(",") if g],
            "course": self.ref("courses", row["courseSourcedId"]),
            "school": self.ref("orgs", row["schoolSourcedId"]),
            "terms": [
                self.ref("academicSessions", t) for t in row["termSourcedIds"].split(",") if t
            ],
        }

    def _user(self, row: dict[str, str]) -> dict[str, Any]:
        roles = self.roles.get(row["sourcedId"], [])
        record: dict[str, Any] = {
            **self._base(row),
            "enabledUser": row["enabledUser"] == "true",
            "username": row["username"],
            "userIds": [],
            "givenName": row["givenName"],
            "familyName": row["familyName"],
            "roles": roles,
            "primaryOrg": self.ref("orgs", row["primaryOrgSourcedId"]),
            "grades": [g for g in row["grades"].split(",") if g],
            "agents": [],
        }
        if row["identifier"]:
            record["identifier"] = row["identifier"]
        return record

    def _enrollment(self, row: dict[str, str]) -> dict[str, Any]:
        record: dict[str, Any] = {
            **self._base(row),
            "role": row["role"],
            "primary": row["primary"] == "true",
            "user": self.ref("users", row["userSourcedId"]),
            "class": self.ref("classes", row["classSourcedId"]),
            "school": self.ref("orgs", row["schoolSourcedId"]),
        }
        if row["beginDate"]:
            record["beginDate"] = row["beginDate"]
        return record

    # Reading.

    def people(self, collection: str, records: list[dict[str, Any]]) -> list[int]:
        """The register ids of the people whose data the records show: the users themselves,
        and the user of each enrollment; none for orgs, courses, classes and sessions."""
        if collection == "users":
            ids = [self.person_of[r["sourcedId"]] for r in records]
        elif collection == "enrollments":
            ids = [self.person_of[r["user"]["sourcedId"]] for r in records]
        else:
            return []
        return sorted(set(ids))

    def page(self, collection: str, at: Paging) -> Page:
        everything = self.records[collection]
        total = len(everything)
        records = everything[at.offset : at.offset + at.limit]
        links: list[tuple[int, int, str]] = []
        last = max(0, (total - 1) // at.limit * at.limit)
        if at.offset + at.limit < total:
            links.append((at.limit, at.offset + at.limit, "next"))
        if at.offset > 0:
            links.append((at.limit, max(0, at.offset - at.limit), "prev"))
        links += [(at.limit, 0, "first"), (at.limit, last, "last")]
        return Page(collection, records, self.people(collection, records), total, links)

    def one(self, collection: str, sourced_id: str) -> tuple[dict[str, Any], list[int]]:
        for record in self.records[collection]:
            if record["sourcedId"] == sourced_id:
                return record, self.people(collection, [record])
        raise RestError(
            404, "unknownobject", f"No {COLLECTIONS[collection][1]} has this sourcedId."
        )
