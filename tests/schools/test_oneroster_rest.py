"""The OneRoster 1.2 Rostering REST binding (read) for a school's classroom system: the
collections and single records in the binding's envelopes, paged with limit and offset (the
X-Total-Count and Link headers), errors as imsx_StatusInfo, and a client that reads its own
school only; the people on each page are written to the access log."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gov3.core.models import AccessLogEntry, AccessPurpose
from gov3.registry.models import Person
from gov3.schools.classroom import ROSTER_SCOPE
from gov3.schools.models import Enrolment, Learner, School
from gov3.schools.oneroster import sourced_id
from tests.schools.test_oneroster import SCHOOL, _lms, _token, classroom

__all__ = ["classroom"]

BASE = "/ims/oneroster/rostering/v1p2"


def _client(school: School) -> Client:
    _lms(school, [ROSTER_SCOPE])
    status, token = _token("cheongun-lms", ROSTER_SCOPE)
    assert status == 200, token
    return Client(headers={"authorization": f"Bearer {token['access_token']}"})


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def _logged() -> list[int]:
    return list(
        AccessLogEntry.objects.filter(purpose=AccessPurpose.CLASSROOM).values_list(
            "subject_id", flat=True
        )
    )


@pytest.mark.django_db
def test_the_collections_and_records_come_in_the_bindings_envelopes(
    classroom: dict[str, Any],
) -> None:
    lms = _client(classroom["school"])
    answer = lms.get(f"{BASE}/users", {"limit": 1})
    assert answer.status_code == 200
    assert answer["X-Total-Count"] == "3"  # two learners and their teacher
    links = _links(answer["Link"])
    assert links["next"].endswith(f"{BASE}/users?limit=1&offset=1")
    assert links["last"].endswith(f"{BASE}/users?limit=1&offset=2")
    assert "prev" not in links
    (first,) = answer.json()["users"]
    assert first["status"] == "active"
    assert first["dateLastModified"].endswith("Z")
    # The last page: no next, a previous one.
    last = lms.get(links["last"])
    assert "next" not in _links(last["Link"])
    assert "prev" in _links(last["Link"])
    users = lms.get(f"{BASE}/users").json()["users"]
    assert [u["sourcedId"] for u in users] == sorted(u["sourcedId"] for u in users)
    pupil = classroom["pupils"]["jan1"]
    one = lms.get(f"{BASE}/users/{pupil.public_id.hex}")
    assert one.status_code == 200
    user = one.json()["user"]
    assert user["username"] == pupil.number
    assert user["identifier"] == pupil.number
    assert user["enabledUser"] is True
    assert user["grades"] == ["01"]
    assert user["roles"][0]["role"] == "student"
    assert user["roles"][0]["roleType"] == "primary"
    org = sourced_id("org", SCHOOL)
    assert user["primaryOrg"]["sourcedId"] == org
    assert user["primaryOrg"]["type"] == "org"
    # Nothing personal beyond the name and the learner number.
    assert not {"email", "phone", "sms", "birthDate", "demographics"} & set(user)

    orgs = lms.get(f"{BASE}/orgs").json()["orgs"]
    assert [(o["sourcedId"], o["type"], o["identifier"]) for o in orgs] == [(org, "school", SCHOOL)]
    assert lms.get(f"{BASE}/orgs/{org}").json()["org"]["name"] == classroom["school"].name_local
    sessions = lms.get(f"{BASE}/academicSessions").json()["academicSessions"]
    assert [(s["schoolYear"], s["startDate"]) for s in sessions] == [("2027", "2027-03-01")]
    classes = lms.get(f"{BASE}/classes").json()["classes"]
    assert {c["title"] for c in classes} == {"1-1", "1-2"}
    assert all(c["school"]["sourcedId"] == org for c in classes)
    klass = lms.get(f"{BASE}/classes/{classes[0]['sourcedId']}").json()["class"]
    assert klass["terms"][0]["type"] == "academicSession"
    enrollments = lms.get(f"{BASE}/enrollments", {"limit": 1000}).json()["enrollments"]
    assert sorted((e["role"], e["primary"]) for e in enrollments) == [
        ("student", False), ("student", False), ("teacher", True),
    ]  # fmt: skip
    one_enrollment = lms.get(f"{BASE}/enrollments/{enrollments[0]['sourcedId']}")
    assert set(one_enrollment.json()) == {"enrollment"}

    # Each page wrote the access log of the people on it (orgs, classes, sessions: no one).
    logged = _logged()
    assert logged.count(pupil.person_id) >= 3
    assert set(logged) == {
        classroom["jan1"].pk, classroom["feb29"].pk, classroom["teacher"].user.person_id,
    }  # fmt: skip
    before = AccessLogEntry.objects.count()
    lms.get(f"{BASE}/orgs")
    lms.get(f"{BASE}/classes")
    assert AccessLogEntry.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "code_minor"),
    [
        ({"limit": "0"}, "invalid_data"),
        ({"limit": "1001"}, "invalid_data"),
        ({"limit": "ten"}, "invalid_data"),
        ({"offset": "-1"}, "invalid_data"),
        ({"offset": "1.5"}, "invalid_data"),
        ({"filter": "role='student'"}, "invalid_filter_field"),
        ({"sort": "familyName"}, "invalid_sort_field"),
    ],
)
def test_bad_paging_is_a_400_with_the_bindings_status_and_nothing_is_logged(
    classroom: dict[str, Any], query: dict[str, str], code_minor: str
) -> None:
    lms = _client(classroom["school"])
    answer = lms.get(f"{BASE}/users", query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_severity"] == "error"
    field = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == code_minor
    assert body["imsx_description"]
    assert _logged() == []


@pytest.mark.django_db
def test_another_schools_record_is_not_found_and_a_client_without_a_token_is_refused(
    classroom: dict[str, Any],
) -> None:
    lms = _client(classroom["school"])
    before = AccessLogEntry.objects.count()
    other = classroom["pupils"]["dec31"]  # a learner of Maedong, not this client's school
    answer = lms.get(f"{BASE}/users/{other.public_id.hex}")
    assert answer.status_code == 404
    assert (
        answer.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unknownobject"
    )
    maedong = sourced_id("org", "KR-S-0002")
    assert lms.get(f"{BASE}/orgs/{maedong}").status_code == 404
    assert AccessLogEntry.objects.count() == before
    ids = {u["sourcedId"] for u in lms.get(f"{BASE}/users", {"limit": 1000}).json()["users"]}
    assert other.public_id.hex not in ids
    assert lms.get(f"{BASE}/demographics").status_code == 404  # not a collection gov3 serves
    before = AccessLogEntry.objects.count()
    assert lms.get(f"{BASE}/enrollments/{sourced_id('enrollment', other.public_id.hex, 'x')}")\
        .status_code == 404  # fmt: skip
    unauthorised = Client().get(f"{BASE}/users")
    assert unauthorised.status_code == 401
    assert unauthorised["WWW-Authenticate"].startswith("Bearer")
    assert Client(headers={"authorization": "Bearer forged"}).get(f"{BASE}/orgs").status_code == 401
    assert AccessLogEntry.objects.count() == before


@pytest.mark.django_db
def test_courses_one_a_grade_paged_named_by_the_classes_and_another_schools_is_not_found(
    classroom: dict[str, Any],
) -> None:
    lms = _client(classroom["school"])
    before = AccessLogEntry.objects.count()
    answer = lms.get(f"{BASE}/courses", {"limit": 1})
    assert answer.status_code == 200
    assert answer["X-Total-Count"] == "1"  # grade 1 in 2027: classes 1-1 and 1-2 share it
    links = _links(answer["Link"])
    assert "next" not in links
    assert links["last"].endswith(f"{BASE}/courses?limit=1&offset=0")
    (course,) = answer.json()["courses"]
    # The binding's required fields: sourcedId, status, dateLastModified, title, org.
    org = sourced_id("org", SCHOOL)
    assert course["sourcedId"] == sourced_id("course", SCHOOL, 2027, 1)
    assert course["status"] == "active"
    assert course["dateLastModified"].endswith("Z")
    assert course["title"] == f"{classroom['school'].name_local} 1 (2027)"
    assert course["org"] == {
        "href": f"http://testserver{BASE}/orgs/{org}", "sourcedId": org, "type": "org",
    }  # fmt: skip
    assert course["grades"] == ["01"]
    assert course["courseCode"] == f"{SCHOOL}-2027-1"
    assert course["schoolYear"]["sourcedId"] == sourced_id("year", SCHOOL, 2027)
    assert course["schoolYear"]["type"] == "academicSession"
    # Each class names an existing course, and its href reads it.
    classes = lms.get(f"{BASE}/classes").json()["classes"]
    assert {c["course"]["sourcedId"] for c in classes} == {course["sourcedId"]}
    assert all(c["course"]["type"] == "course" for c in classes)
    one = lms.get(classes[0]["course"]["href"])
    assert one.status_code == 200
    read = one.json()["course"]
    assert read == {**course, "dateLastModified": read["dateLastModified"]}
    # Beyond the end: an empty page; bad paging: 400.
    beyond = lms.get(f"{BASE}/courses", {"offset": 1})
    assert beyond.json() == {"courses": []}
    assert beyond["X-Total-Count"] == "1"
    assert lms.get(f"{BASE}/courses", {"limit": "0"}).status_code == 400
    # Courses show no one: nothing is logged.
    assert AccessLogEntry.objects.count() == before
    # Maedong's grade-1 course (its pupil is enrolled there) is not this client's: 404.
    maedong = classroom["pupils"]["dec31"].enrolments.get()
    other = sourced_id("course", maedong.school.code, maedong.school_year, maedong.grade)
    assert maedong.school.code != SCHOOL
    missing = lms.get(f"{BASE}/courses/{other}")
    assert missing.status_code == 404
    field = missing.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "unknownobject"
    assert AccessLogEntry.objects.count() == before


def _many_learners(school: School, count: int) -> set[str]:
    now = timezone.now()
    people = Person.objects.bulk_create(
        Person(
            country="kr",
            national_id=f"150101-3{n:06d}",
            name_local=f"김학생{n}",
            name_latin=f"KIM STUDENT {n}",
            birth_date=date(2015 + n % 6, 1 + n % 12, 1 + n % 28),
            sex="M" if n % 2 else "F",
            nationality="KOR",
        )
        for n in range(count)
    )
    learners = Learner.objects.bulk_create(
        Learner(country="kr", number=f"{n:010d}", person=p, registered_at=now)
        for n, p in enumerate(people)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner, school=school, school_year=2027, grade=1 + n % 6,
            class_name=str(1 + n // 180), started_on=date(2027, 3, 2),
        )
        for n, learner in enumerate(learners)
    )  # fmt: skip
    return {learner.public_id.hex for learner in learners}


@pytest.mark.django_db
def test_paging_through_2000_learners_gives_each_exactly_once(world: dict[str, Any]) -> None:
    school = School.objects.get(code=SCHOOL)
    expected = _many_learners(school, 2000)
    lms = _client(school)
    seen: list[str] = []
    url: str | None = f"{BASE}/users?limit=1000"
    pages = 0
    while url:
        answer = lms.get(url)
        assert answer.status_code == 200
        assert answer["X-Total-Count"] == "2000"
        seen += [u["sourcedId"] for u in answer.json()["users"]]
        url = _links(answer["Link"]).get("next")
        pages += 1
    assert pages == 2
    assert len(seen) == len(set(seen)) == 2000
    assert set(seen) == expected
    # With the default limit (100): twenty pages; by offset, the same learners in order.
    first = lms.get(f"{BASE}/users")
    assert len(first.json()["users"]) == 100
    assert _links(first["Link"])["last"].endswith("limit=100&offset=1900")
    again: list[str] = []
    for offset in range(0, 2000, 500):
        page = lms.get(f"{BASE}/users?limit=500&offset={offset}").json()["users"]
        again += [u["sourcedId"] for u in page]
    assert again == seen
    # Past the end: an empty page, the total still given.
    beyond = lms.get(f"{BASE}/users?offset=2000")
    assert beyond.json() == {"users": []}
    assert beyond["X-Total-Count"] == "2000"
