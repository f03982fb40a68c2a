"""The classroom connector's rostering: the OneRoster 1.2 CSV export of one school, checked
against the specification's headers and required fields (written out here from the 1EdTech
OneRoster v1.2 CSV binding as the open-source `meibo` library encodes it, not from gov3's
code), stable sourcedIds, minimal data; and the REST endpoint for a classroom system holding a
client-credentials token, which reads its own school only."""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from oauth2_provider.models import Application

from gov3.accounts.services import do_create_citizen_account
from gov3.core.models import AccessLogEntry, AccessPurpose
from gov3.schools.classroom import (
    ROSTER_SCOPE,
    do_assign_class,
    do_register_classroom_client,
    do_register_teacher,
)
from gov3.schools.installed import schools_data
from gov3.schools.models import School
from gov3.schools.services import do_enrol, do_register_learner
from tests.conftest import PASSWORD
from tests.schools.conftest import ACTOR, TODAY, _adult

#: OneRoster v1.2 CSV binding: each file's columns in order, and the required ones
#: (1EdTech OneRoster 1.2 CSV tables; hanachin/meibo lib/meibo/{organization,academic_session,
#: course,classroom,user,role,enrollment}.rb).
SPEC: dict[str, tuple[list[str], set[str]]] = {
    "orgs.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ],
        {"sourcedId", "name", "type"},
    ),
    "academicSessions.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
    ),
    "courses.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ],
        {"sourcedId", "title", "orgSourcedId"},
    ),
    "classes.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        {"sourcedId", "title", "classType", "courseSourcedId", "termSourcedIds", "schoolSourcedId"},
    ),
    "users.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
            "userMasterIdentifier",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ],
        {"sourcedId", "enabledUser", "username", "givenName", "familyName"},
    ),
    "roles.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ],
        {"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"},
    ),
    "enrollments.csv": (
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
    ),
}
SCHOOL, OTHER = "KR-S-0001", "KR-S-0002"


@pytest.fixture
def classroom(world: dict[str, Any]) -> dict[str, Any]:
    """Two first-graders at Cheongun (classes 1 and 2), one at Maedong, and a teacher of
    Cheongun's class 1."""
    data = schools_data("kr")
    school, other = School.objects.get(code=SCHOOL), School.objects.get(code=OTHER)
    pupils = {}
    for key, where, class_name in (("jan1", school, "1"), ("feb29", school, "2"),
                                   ("dec31", other, "1")):  # fmt: skip
        learner = do_register_learner(ACTOR, world[key], data)
        do_enrol(ACTOR, learner, where, school_year=2027, grade=1, class_name=class_name,
                 on=TODAY)  # fmt: skip
        pupils[key] = learner
    teacher_person = _adult("정선생")
    account = do_create_citizen_account(
        ACTOR, person=teacher_person, username="teacher1", password=PASSWORD
    )
    teacher = do_register_teacher(ACTOR, account, school)
    do_assign_class(ACTOR, teacher, school_year=2027, grade=1, class_name="1")
    return {**world, "pupils": pupils, "teacher": teacher, "school": school}


def _read(archive: bytes) -> dict[str, list[dict[str, str]]]:
    files = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        for name in zipped.namelist():
            text = zipped.read(name).decode("utf-8")
            reader = csv.reader(io.StringIO(text))
            header = next(reader)
            if name != "manifest.csv":
                assert header == SPEC[name][0], name  # exactly the binding's columns, in order
            files[name] = [dict(zip(header, row, strict=True)) for row in reader]
    return files


def _check_against_spec(files: dict[str, list[dict[str, str]]], classroom: dict[str, Any]) -> None:
    manifest = {row["propertyName"]: row["value"] for row in files["manifest.csv"]}
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["manifest.version"] == "1.0"
    for name, (_columns, required) in SPEC.items():
        assert manifest[f"file.{name.removesuffix('.csv')}"] == "bulk"
        assert files[name], f"{name} is empty"
        for row in files[name]:
            missing = [field for field in required if not row[field]]
            assert missing == [], (name, row)
            # A bulk file leaves status and dateLastModified blank (they mark a delta's changes).
            assert (row["status"], row["dateLastModified"]) == ("", "")
    # References resolve within the files.
    ids = {name: {row["sourcedId"] for row in files[name]} for name in SPEC}
    for row in files["enrollments.csv"]:
        assert row["classSourcedId"] in ids["classes.csv"]
        assert row["userSourcedId"] in ids["users.csv"]
        assert row["schoolSourcedId"] in ids["orgs.csv"]
    for row in files["classes.csv"]:
        assert row["courseSourcedId"] in ids["courses.csv"]
        assert row["termSourcedIds"] in ids["academicSessions.csv"]
    # Who is in it: the school's two pupils and its teacher, not Maedong's pupil.
    users = {row["username"]: row for row in files["users.csv"]}
    pupils = classroom["pupils"]
    assert set(users) == {pupils["jan1"].number, pupils["feb29"].number, "teacher1"}
    assert (users[pupils["jan1"].number]["familyName"], users[pupils["jan1"].number]["givenName"]) \
        == ("김", "일월")  # fmt: skip
    assert {(r["role"], r["primary"]) for r in files["enrollments.csv"]} == {
        ("student", "false"),
        ("teacher", "true"),
    }
    assert sorted(row["title"] for row in files["classes.csv"]) == ["1-1", "1-2"]
    # Minimal data: no national id number, birth date or address anywhere.
    text = repr(files)
    for key in ("jan1", "feb29"):
        person = classroom[key]
        assert person.national_id not in text
        assert person.birth_date.isoformat() not in text
    assert "사직로" not in text


@pytest.mark.django_db
def test_the_command_writes_the_spec_files_with_stable_ids_and_logs_the_read(
    classroom: dict[str, Any], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    out = io.StringIO()
    call_command("schools", "oneroster", SCHOOL, str(first), stdout=out)
    assert "3 users" in out.getvalue()
    files = _read(first.read_bytes())
    _check_against_spec(files, classroom)
    call_command("schools", "oneroster", SCHOOL, str(second), stdout=io.StringIO())
    again = _read(second.read_bytes())
    for name in SPEC:  # the same records, named the same way, in the same order
        assert [r["sourcedId"] for r in again[name]] == [r["sourcedId"] for r in files[name]]
    # Each export is in the pupils' and the teacher's "who looked at my data".
    logged = AccessLogEntry.objects.filter(purpose=AccessPurpose.CLASSROOM)
    subjects = set(logged.values_list("subject_id", flat=True))
    assert subjects == {
        classroom["jan1"].pk,
        classroom["feb29"].pk,
        classroom["teacher"].user.person_id,
    }
    assert logged.count() == 6  # three people, two exports


@pytest.mark.django_db
def test_an_unknown_school_code_is_refused(classroom: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No school has the code 'KR-S-9999'"):
        call_command("schools", "oneroster", "KR-S-9999", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()
    assert not AccessLogEntry.objects.filter(purpose=AccessPurpose.CLASSROOM).exists()


def _lms(school: School, scopes: list[str], client_id: str = "cheongun-lms") -> Application:
    app = Application.objects.create(
        name="Cheongun LMS",
        client_id=client_id,
        client_secret="a-long-secret-for-the-rostering-client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    do_register_classroom_client(ACTOR, app, school, scopes)
    return app


def _token(client_id: str, scope: str) -> tuple[int, dict[str, Any]]:
    basic = base64.b64encode(f"{client_id}:a-long-secret-for-the-rostering-client".encode())
    answer = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        headers={"authorization": f"Basic {basic.decode()}"},
    )
    return answer.status_code, answer.json()


@pytest.mark.django_db
def test_a_classroom_system_reads_its_own_school_only(classroom: dict[str, Any]) -> None:
    _lms(classroom["school"], [ROSTER_SCOPE])
    status, token = _token("cheongun-lms", ROSTER_SCOPE)
    assert status == 200, token
    lms = Client(headers={"authorization": f"Bearer {token['access_token']}"})
    answer = lms.get(f"/oneroster/v1p2/schools/{SCHOOL}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["manifest"]["oneroster.version"] == "1.2"
    assert len(body["users"]) == 3
    assert set(body["users"][0]) == set(SPEC["users.csv"][0])
    zipped = lms.get(f"/oneroster/v1p2/schools/{SCHOOL}/export.zip")
    assert zipped.status_code == 200
    _check_against_spec(_read(zipped.content), classroom)
    logged = AccessLogEntry.objects.filter(actor_label="Cheongun LMS")
    assert set(logged.values_list("subject_id", flat=True)) == {
        classroom["jan1"].pk,
        classroom["feb29"].pk,
        classroom["teacher"].user.person_id,
    }
    before = AccessLogEntry.objects.count()
    # Another school, an unknown code: not found, nothing logged.
    assert lms.get(f"/oneroster/v1p2/schools/{OTHER}/").status_code == 404
    assert lms.get(f"/oneroster/v1p2/schools/{OTHER}/export.zip").status_code == 404
    assert lms.get("/oneroster/v1p2/schools/KR-S-9999/").status_code == 404
    # No token, or a wrong one: refused.
    assert Client().get(f"/oneroster/v1p2/schools/{SCHOOL}/").status_code == 401
    forged = Client(headers={"authorization": "Bearer forged"})
    assert forged.get(f"/oneroster/v1p2/schools/{SCHOOL}/").status_code == 401
    assert AccessLogEntry.objects.count() == before


@pytest.mark.django_db
def test_a_client_gets_no_scope_it_was_not_granted(classroom: dict[str, Any]) -> None:
    _lms(classroom["school"], ["openid"], client_id="sign-in-only")
    status, answer = _token("sign-in-only", ROSTER_SCOPE)
    assert (status, answer["error"]) == (400, "invalid_scope")
    plain = Application.objects.create(
        name="Some client",
        client_id="not-a-classroom",
        client_secret="a-long-secret-for-the-rostering-client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    status, answer = _token(plain.client_id, ROSTER_SCOPE)
    assert (status, answer["error"]) == (400, "invalid_scope")
    assert not AccessLogEntry.objects.filter(purpose=AccessPurpose.CLASSROOM).exists()


@pytest.mark.django_db
def test_the_commands_register_a_teacher_and_a_classroom_client(world: dict[str, Any]) -> None:
    do_create_citizen_account(
        ACTOR, person=_adult("한선생"), username="teacher2", password=PASSWORD
    )
    out = io.StringIO()
    call_command("schools", "teacher", "teacher2", SCHOOL, "--class", "2027:2:3", stdout=out)
    assert "1 class(es) added" in out.getvalue()
    teacher = School.objects.get(code=SCHOOL).teachers.get()
    assert [(a.school_year, a.grade, a.class_name) for a in teacher.assignments.all()] == [
        (2027, 2, "3")
    ]
    for args, message in (
        (["teacher", "teacher2", SCHOOL, "--class", "2027-2-3"], "YEAR:GRADE:CLASS"),
        (["teacher", "teacher2", SCHOOL, "--class", "2027:7:1"], "grades 1 to 6"),
        (["teacher", "nobody", SCHOOL], "No account has the username 'nobody'"),
        (["teacher", "teacher2", "KR-S-9999"], "No school has the code KR-S-9999"),
        (["classroom-client", SCHOOL, "unknown", "openid"], "No OAuth client has the id"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("schools", *args, stdout=io.StringIO())
    assert teacher.assignments.count() == 1
    Application.objects.create(
        name="Cheongun LMS",
        client_id="lms",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    with pytest.raises(CommandError, match="Grant one or more of these scopes"):
        call_command("schools", "classroom-client", SCHOOL, "lms", "national_id")
    call_command("schools", "classroom-client", SCHOOL, "lms", ROSTER_SCOPE, stdout=out)
    client = Application.objects.get(client_id="lms").classroom
    assert (client.school.code, client.scopes) == (SCHOOL, ROSTER_SCOPE)
