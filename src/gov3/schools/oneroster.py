"""A school's roster as OneRoster 1.2 CSV (1EdTech OneRoster v1.2 CSV binding, bulk files):
the school, its school year, one course per grade, one homeroom class per grade and class, the
learners enrolled now and the teachers with the classes they teach, and who is in which class.

Minimal data (ADR 0040): names, the learner number and grades; never a national id number, a
birth date, an address or a guardian. sourcedIds are name-based UUIDs (RFC 9562 version 5) of
gov3's own stable keys, so a second export names every record the same way.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.schools.models import Enrolment, School, SchoolLevel, Teacher, TeachingAssignment

#: The OneRoster 1.2 CSV headers of each file gov3 writes, in the binding's column order.
HEADERS: dict[str, tuple[str, ...]] = {
    "orgs.csv": (
        "sourcedId", "status", "dateLastModified", "name", "type", "identifier",
        "parentSourcedId",
    ),
    "academicSessions.csv": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ),
    "courses.csv": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
        "grades", "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
        "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
        "subjectCodes", "periods",
    ),
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
        "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
        "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName",
        "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ),
    "roles.csv": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
        "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId",
    ),
    "enrollments.csv": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
        "userSourcedId", "role", "primary", "beginDate", "endDate",
    ),
}  # fmt: skip
#: The manifest's file entries: "bulk" for the files above, "absent" for the others.
ABSENT_FILES = (
    "categories", "classResources", "courseResources", "demographics", "lineItems",
    "resources", "results", "userProfiles",
)  # fmt: skip
#: `status` and `dateLastModified` of every row: blank, as the CSV binding requires of a bulk
#: file (they carry the change of a delta file only).
BULK = ""
#: gov3's namespace for the name-based sourcedIds (fixed: changing it renames every record).
NAMESPACE = uuid.UUID("6f1d3c2e-9a41-5b0e-8c77-0e0a5c0f2026")
#: CEDS grade codes ("01".."12") start after the grades of the levels below (kr's; a pack's
#: own ``grades`` when it has schools data: vn middle school starts at grade 6, high at 10).
GRADE_OFFSET = {SchoolLevel.PRIMARY: 0, SchoolLevel.MIDDLE: 6, SchoolLevel.HIGH: 9}


def grade_offset(country: str, level: str) -> int:
    from gov3.schools.installed import schools_data  # noqa: PLC0415 - reads the pack once

    try:
        return schools_data(country).grade_offset(level)
    except ValidationFailedError:
        return GRADE_OFFSET[SchoolLevel(level)]


def year_start(country: str) -> tuple[int, int]:
    """(month, day) a school year starts: the pack's ``school_year.starts`` (kr 1 March, vn
    5 September), 1 January for a pack without schools data."""
    from gov3.schools.installed import schools_data  # noqa: PLC0415 - reads the pack once

    try:
        return schools_data(country).year_start
    except ValidationFailedError:
        return (1, 1)


def sourced_id(*key: object) -> str:
    """The stable sourcedId of a record named by gov3's key (e.g. "class", code, year, ...)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in key)))


def split_name(name: str) -> tuple[str, str]:
    """(family name, given name) of a name written family name first (Korean, Vietnamese):
    the first word, or the first syllable of a name written without spaces."""
    name = name.strip()
    family, space, given = name.partition(" ")
    if space:
        return family, given.strip()
    return name[:1], name[1:]


@dataclass(frozen=True)
class Roster:
    """The rows of each file (header order), and the people in it (for the access log)."""

    school: School
    files: dict[str, list[tuple[str, ...]]]
    person_ids: list[int]

    def as_dicts(self) -> dict[str, list[dict[str, str]]]:
        """Each file's rows as header → value (the REST answer)."""
        return {
            name.removesuffix(".csv"): [dict(zip(HEADERS[name], row, strict=True)) for row in rows]
            for name, rows in self.files.items()
        }

    def manifest(self) -> list[tuple[str, str]]:
        entries = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
        present = {name.removesuffix(".csv") for name in self.files}
        names = sorted(present | set(ABSENT_FILES))
        entries += [(f"file.{n}", "bulk" if n in present else "absent") for n in names]
        entries += [("source.systemName", "gov3"), ("source.systemCode", self.school.code)]
        return entries

    def zip_bytes(self) -> bytes:
        """The files and manifest.csv in one zip (UTF-8, CRLF line ends as RFC 4180)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.csv", _csv([("propertyName", "value"), *self.manifest()]))
            for name, rows in self.files.items():
                archive.writestr(name, _csv([HEADERS[name], *rows]))
        return buffer.getvalue()


def _csv(rows: Iterable[tuple[str, ...]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _year_bounds(country: str, year: int) -> tuple[date, date]:
    month, day = year_start(country)
    start = date(year, month, day)
    following = date(year + 1, month, day)
    return start, date.fromordinal(following.toordinal() - 1)


def school_roster(code: str) -> Roster:
    """The school's roster now: its open enrolments and this year's teaching assignments.
    An unknown school code is a `NotFoundError`."""
    school = School.objects.filter(code=code).first()
    if school is None:
        raise NotFoundError(f"No school has the code {code!r}.")
    org = sourced_id("org", school.code)
    offset = grade_offset(school.country, school.level)
    enrolments = list(
        Enrolment.objects.filter(school=school, ended_on__isnull=True)
        .select_related("learner__person")
        .only(
            "school_year", "grade", "class_name", "started_on", "learner__number",
            "learner__public_id", "learner__person__name_local",
        )
        .order_by("school_year", "grade", "class_name", "learner__number")
    )  # fmt: skip
    teachers = list(
        Teacher.objects.filter(school=school)
        .select_related("user__person")
        .prefetch_related(
            Prefetch("assignments", queryset=TeachingAssignment.objects.order_by("pk"))
        )
        .order_by("pk")
    )
    years = sorted({e.school_year for e in enrolments})
    if not years:
        years = sorted({a.school_year for t in teachers for a in t.assignments.all()})
    classes: dict[tuple[int, int, str], str] = {}
    for e in enrolments:
        classes.setdefault((e.school_year, e.grade, e.class_name), "")
    for t in teachers:
        for a in t.assignments.all():
            if a.school_year in years:
                classes.setdefault((a.school_year, a.grade, a.class_name), "")

    files: dict[str, list[tuple[str, ...]]] = {name: [] for name in HEADERS}
    files["orgs.csv"].append((org, BULK, BULK, school.name_local, "school", school.code, ""))
    for year in years:
        start, end = _year_bounds(school.country, year)
        files["academicSessions.csv"].append(
            (
                sourced_id("year", school.code, year), BULK, BULK, str(year), "schoolYear",
                start.isoformat(), end.isoformat(), "", str(year),
            )
        )  # fmt: skip
    for year, grade in sorted({(y, g) for y, g, _c in classes}):
        ceds = f"{grade + offset:02d}"
        files["courses.csv"].append(
            (
                sourced_id("course", school.code, year, grade), BULK, BULK,
                sourced_id("year", school.code, year), f"{school.name_local} {grade} ({year})",
                f"{school.code}-{year}-{grade}", ceds, org, "", "",
            )
        )  # fmt: skip
    for (year, grade, name), _unused in sorted(classes.items()):
        class_id = sourced_id("class", school.code, year, grade, name)
        classes[(year, grade, name)] = class_id
        files["classes.csv"].append(
            (
                class_id, BULK, BULK, f"{grade}-{name}" if name else str(grade),
                f"{grade + offset:02d}", sourced_id("course", school.code, year, grade),
                f"{school.code}-{year}-{grade}-{name}", "homeroom", "", org,
                sourced_id("year", school.code, year), "", "", "",
            )
        )  # fmt: skip

    person_ids: list[int] = []
    for e in enrolments:
        learner, person = e.learner, e.learner.person
        person_ids.append(person.pk)
        user = learner.public_id.hex
        family, given = split_name(person.name_local)
        files["users.csv"].append(
            (
                user, BULK, BULK, "true", learner.number, "", given, family, "",
                learner.number, "", "", "", "", f"{e.grade + offset:02d}", "", "", "", "", "",
                org, "",
            )
        )  # fmt: skip
        files["roles.csv"].append(
            (
                sourced_id("role", user, org, "student"), BULK, BULK, user, "primary",
                "student", e.started_on.isoformat(), "", org, "",
            )
        )  # fmt: skip
        files["enrollments.csv"].append(
            (
                sourced_id("enrollment", user, classes[(e.school_year, e.grade, e.class_name)]),
                BULK, BULK, classes[(e.school_year, e.grade, e.class_name)], org, user,
                "student", "false", e.started_on.isoformat(), "",
            )
        )  # fmt: skip
    for t in teachers:
        _teacher_rows(t, files, person_ids, classes, org=org)
    return Roster(school=school, files=files, person_ids=person_ids)


def _teacher_rows(
    t: Teacher,
    files: dict[str, list[tuple[str, ...]]],
    person_ids: list[int],
    classes: dict[tuple[int, int, str], str],
    *,
    org: str,
) -> None:
    """A teacher's user and role rows, and an enrollment in each class they teach."""
    teacher_person = t.user.person
    if teacher_person is None:  # pragma: no cover - do_register_teacher refuses such accounts
        return
    person_ids.append(teacher_person.pk)
    user = t.public_id.hex
    family, given = split_name(teacher_person.name_local)
    files["users.csv"].append(
        (
            user, BULK, BULK, "true", t.user.username, "", given, family, "", "", "",
            "", "", "", "", "", "", "", "", "", org, "",
        )
    )  # fmt: skip
    files["roles.csv"].append(
        (
            sourced_id("role", user, org, "teacher"), BULK, BULK, user, "primary",
            "teacher", "", "", org, "",
        )
    )  # fmt: skip
    for a in t.assignments.all():
        found = classes.get((a.school_year, a.grade, a.class_name))
        if found is None:
            continue
        class_id = found
        files["enrollments.csv"].append(
            (
                sourced_id("enrollment", user, class_id), BULK, BULK, class_id, org,
                user, "teacher", "true", "", "",
            )
        )  # fmt: skip
