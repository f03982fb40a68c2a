"""The pages that register teachers (a school officer, for their schools) and classroom
systems' clients (an administrator): clear errors that change nothing, another school's teacher
is not found and nothing is logged, the secret shown once, a disabled client gets no token."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken, Application

from gov3.accounts.models import Agency, OfficerRole
from gov3.accounts.services import (
    do_create_administrator,
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.schools.classroom import (
    ROSTER_SCOPE,
    do_register_teacher,
    school_claims,
    school_of,
)
from gov3.schools.models import ClassroomClient, Teacher, TeachingAssignment
from gov3.schools.work.classes import teacher_for
from tests.api.test_offers_cases_api import sign_in_officer
from tests.conftest import PASSWORD
from tests.schools.conftest import ACTOR

SCHOOL, OTHER = "KR-S-0001", "KR-S-0002"


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _officer(username: str, agency: Agency, role: str = OfficerRole.SCHOOL_OFFICER) -> Client:
    user, device = do_create_officer_account(
        ACTOR, username=username, password=PASSWORD, agency=agency, role=role
    )
    return sign_in_officer(user, device)


def _school_office(code: str = SCHOOL) -> Agency:
    return do_create_agency(
        ACTOR, code=code, name_local=code, name_en=code, country="kr", services=[]
    )


def test_a_school_officer_registers_a_teacher_adds_a_class_and_ends_the_assignment(
    world: dict[str, Any],
) -> None:
    person = world["first"]
    teacher_user = do_create_citizen_account(
        ACTOR, person=person, username="teacher1", password=PASSWORD
    )
    no_account = world["third"]
    officer = _officer("cheongun-office", _school_office())
    index = officer.get(reverse("schools:officer_teachers"))
    assert index.status_code == 200
    assert SCHOOL in index.content.decode()
    assert OTHER not in index.content.decode()
    new = reverse("schools:officer_register_teacher")
    assert officer.get(new).status_code == 200
    form = {"school": SCHOOL, "school_year": "2026", "classes": "1-2, 2-1"}
    audits = AuditEntry.objects.count()

    def refused(data: dict[str, Any], message: str) -> None:
        answer = _post(officer, new, data)
        assert answer.status_code == 400
        assert message in answer.content.decode().replace("&#x27;", "'")
        assert not Teacher.all_teachers.exists()
        assert not TeachingAssignment.objects.exists()
        assert AuditEntry.objects.count() == audits

    refused({**form, "id_number": "000101-0000000"}, "No living resident has this id number.")
    refused({**form, "id_number": no_account.national_id}, "This person has no gov3 account yet")
    refused({**form, "id_number": person.national_id, "classes": "1x"}, "Give each class as")
    refused({**form, "id_number": person.national_id, "classes": "1-2 9-1"}, "grades 1 to 6")
    refused({**form, "id_number": person.national_id, "school": OTHER}, "Select a valid choice")

    number = f"{person.national_id[:6]}-{person.national_id[6:]}"  # as printed on the card
    done = _post(officer, new, {**form, "id_number": number})
    assert done.status_code == 302
    teacher = Teacher.objects.get(user=teacher_user)
    assert done["Location"] == reverse("schools:officer_teacher", args=[teacher.public_id])
    classes = set(teacher.assignments.values_list("school_year", "grade", "class_name"))
    assert classes == {(2026, 1, "2"), (2026, 2, "1")}
    assert school_claims(teacher_user)["role"] == "teacher"
    audits = AuditEntry.objects.count()
    again = _post(officer, new, {**form, "id_number": person.national_id})
    assert again.status_code == 400
    assert "already a teacher at this school" in again.content.decode()
    assert Teacher.all_teachers.count() == 1
    assert AuditEntry.objects.count() == audits

    # The school's list and the teacher's page show the name, and are logged.
    logged = AccessLogEntry.objects.filter(actor_label="cheongun-office", subject_id=person.pk)
    listing = officer.get(reverse("schools:officer_school_teachers", args=[SCHOOL]))
    assert listing.status_code == 200
    assert person.name_local in listing.content.decode()
    assert logged.count() == 1
    assert logged.get().what == f"teachers of {SCHOOL}: name, classes taught"
    page = reverse("schools:officer_teacher", args=[teacher.public_id])
    assert person.name_local in officer.get(page).content.decode()
    assert logged.count() == 2

    # Another school's teacher, list or an unknown id: not found, nothing logged.
    other_user = do_create_citizen_account(
        ACTOR, person=world["second"], username="teacher2", password=PASSWORD
    )
    other = do_register_teacher(ACTOR, other_user, school_of(OTHER))
    before = AccessLogEntry.objects.count()
    assert (
        officer.get(reverse("schools:officer_teacher", args=[other.public_id])).status_code == 404
    )
    assert officer.get(reverse("schools:officer_school_teachers", args=[OTHER])).status_code == 404
    assert AccessLogEntry.objects.count() == before
    # Another role, even of the education office: not found.
    welfare = _officer("welfare", world["office"], OfficerRole.WELFARE_OFFICER)
    assert welfare.get(reverse("schools:officer_teachers")).status_code == 404
    assert welfare.get(page).status_code == 404

    # Add a class; a bad one changes nothing.
    bad = _post(officer, page, {"action": "classes", "school_year": "2026", "classes": "7-1"})
    assert bad.status_code == 400
    assert teacher.assignments.count() == 2
    added = _post(officer, page, {"action": "classes", "school_year": "2026", "classes": "3-1"})
    assert added.status_code == 302
    assert teacher.assignments.count() == 3

    # End the assignment: no teacher's pages, no school claims; the record is kept.
    ended = _post(officer, page, {"action": "end"})
    assert ended.status_code == 302
    teacher = Teacher.all_teachers.get(pk=teacher.pk)
    assert teacher.ended_at is not None
    assert not Teacher.objects.filter(user=teacher_user).exists()
    with pytest.raises(Exception, match="no such class"):
        teacher_for(teacher_user)
    assert school_claims(teacher_user) == {}
    listing = officer.get(reverse("schools:officer_school_teachers", args=[SCHOOL])).content
    assert 'id="ended-teachers"' in listing.decode()
    assert _post(officer, page, {"action": "end"}).status_code == 400
    # ... and they can be registered again later.
    assert _post(officer, new, {**form, "id_number": person.national_id}).status_code == 302
    assert Teacher.objects.get(user=teacher_user).pk != teacher.pk


def _token(client_id: str, secret: str, scope: str) -> tuple[int, dict[str, Any]]:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        headers={"authorization": f"Basic {basic}"},
    )
    return answer.status_code, answer.json()


def _administrator() -> Client:
    user, device = do_create_administrator(ACTOR, username="admin1", password=PASSWORD)
    return sign_in_officer(user, device)


def test_an_administrator_registers_classroom_clients_and_disables_one(
    world: dict[str, Any],
) -> None:
    admin = _administrator()
    listing = reverse("schools:officer_clients")
    assert admin.get(listing).status_code == 200
    new = reverse("schools:officer_register_client")
    assert admin.get(new).status_code == 200
    # A school officer, anyone signed out: not theirs.
    assert _officer("office", _school_office()).get(new).status_code == 404
    assert Client().get(new).status_code == 302
    form = {
        "school": SCHOOL,
        "name": "Cheongun Moodle",
        "kind": "sign_in",
        "redirect_uris": "https://lms.example.org/auth/oidc/",
        "scopes": ["openid", "profile", "school"],
    }
    audits = AuditEntry.objects.count()

    def refused(data: dict[str, Any], message: str) -> None:
        answer = _post(admin, new, data)
        assert answer.status_code == 400
        assert message in answer.content.decode().replace("&#x27;", "'")
        assert not Application.objects.exists()
        assert not ClassroomClient.objects.exists()
        assert AuditEntry.objects.count() == audits

    refused({**form, "redirect_uris": "http://lms.example.org/cb"}, "is not a usable redirect")
    refused({**form, "redirect_uris": "https://lms.example.org/cb#x"}, "is not a usable redirect")
    refused({**form, "redirect_uris": ""}, "needs at least one redirect address")
    refused({**form, "scopes": ["openid", "national_id"]}, "cannot be granted national_id")
    refused({**form, "scopes": ["openid", ROSTER_SCOPE]}, "register a second client")
    refused({**form, "kind": "roster", "scopes": ["openid"]}, "class-list scope only")
    refused({**form, "school": "KR-S-9999"}, "No school has the code KR-S-9999")

    local = {**form, "redirect_uris": "http://127.0.0.1:8765/cb\nhttps://lms.example.org/cb"}
    created = _post(admin, new, local)
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    app = Application.objects.get()
    page = created.content.decode()
    assert app.client_id in page
    assert app.redirect_uris == "http://127.0.0.1:8765/cb https://lms.example.org/cb"
    assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert app.classroom.school.code == SCHOOL

    roster = _post(
        admin,
        new,
        {"school": SCHOOL, "name": "Cheongun roster", "kind": "roster", "scopes": [ROSTER_SCOPE]},
    )
    assert roster.status_code == 201
    client = ClassroomClient.objects.get(application__name="Cheongun roster")
    app = client.application
    secret = roster.context["secret"]
    assert secret in roster.content.decode()
    assert check_password(secret, app.client_secret)  # kept only hashed
    assert secret not in admin.get(listing).content.decode()  # shown that once
    status, token = _token(app.client_id, secret, ROSTER_SCOPE)
    assert status == 200, token
    lms = Client(headers={"authorization": f"Bearer {token['access_token']}"})
    assert lms.get(f"/oneroster/v1p2/schools/{SCHOOL}/").status_code == 200

    disable = reverse("schools:officer_disable_client", args=[client.pk])
    assert admin.get(disable).status_code == 200
    assert _post(admin, disable, {}).status_code == 302
    client.refresh_from_db()
    assert client.disabled_at is not None
    assert not AccessToken.objects.filter(application=app).exists()
    assert lms.get(f"/oneroster/v1p2/schools/{SCHOOL}/").status_code == 401
    status, answer = _token(app.client_id, secret, ROSTER_SCOPE)
    assert (status, answer["error"]) == (400, "invalid_scope")
    assert "Disabled on" in admin.get(listing).content.decode()
    assert _post(admin, disable, {}).status_code == 400
