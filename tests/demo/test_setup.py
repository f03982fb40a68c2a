"""`make demo` run twice changes nothing — even after the demo citizen renewed her passport."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from gov3.accounts.models import OfficerPost, OfficerRole, User
from gov3.cases.models import Case, CaseStatus
from gov3.demo.setup import DemoLogin, set_up_demo
from gov3.documents.core import verify
from gov3.documents.models import DocumentStatus, DocumentType, IssuedDocument
from gov3.documents.verification import check
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.personnel.models import Application, ExamNotice
from gov3.registry.models import Household, LifeEvent, Passport, Person, Vaccination
from gov3.schools.entry import proposed_for
from tests.documents.test_passport import provide_photo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SIZE = 800
SEED = 2014


def state() -> dict[str, Any]:
    """What a second `make demo` must leave as it was."""
    return {
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "life_events": LifeEvent.objects.count(),
        "passports": set(Passport.objects.values_list("number", "status", "expires_on")),
        "offers": set(Offer.objects.values_list("public_id", "status")),
        "cases": set(Case.objects.values_list("public_id", "status")),
        "documents": set(IssuedDocument.objects.values_list("number", "status")),
        "users": set(User.objects.values_list("username", "kind")),
        "vaccinations": Vaccination.objects.count(),
        "applications": set(Application.objects.values_list("number", "status")),
    }


def _the_school_officer_signs_in_and_sees_the_teachers(logins: list[DemoLogin]) -> None:
    """The printed school-officer login works as printed: password and a code of the printed
    authenticator secret on the officer sign-in, then the printed page lists the school's
    teachers (the demo teacher among them)."""
    (login,) = [
        x for x in logins if x.role.startswith("school officer (") and "education" not in x.role
    ]
    officer = User.objects.get(username=login.username)
    assert officer.role == OfficerRole.SCHOOL_OFFICER
    post = OfficerPost.objects.get(user=officer)
    assert (post.role, post.ends_on) == (OfficerRole.SCHOOL_OFFICER, None)
    browser = Client(headers={"accept-language": "en"})
    browser.get(reverse("backoffice:login"))
    code = totp(base64.b32decode(login.totp_secret))
    signed_in = browser.post(
        reverse("backoffice:login"),
        {"username": login.username, "password": login.password, "otp_token": f"{code:06d}"},
    )
    assert signed_in.status_code == 302, signed_in.content
    page = browser.get(login.url.removeprefix("http://testserver"))
    assert page.status_code == 200
    teacher = User.objects.get(username="teacher")
    assert teacher.person is not None
    assert teacher.person.name_local in page.content.decode()
    assert f"/officer/schools/{post.agency.code}/teachers/" in login.url


def test_make_demo_twice_keeps_the_passport_the_citizen_renewed(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEBUG = True  # the demo's published passwords are refused otherwise
    settings.GOV3_QC_SAMPLE_RATE = 0
    with django_capture_on_commit_callbacks(execute=True):
        logins = set_up_demo("kr", SIZE, SEED, "http://testserver")
    _the_school_officer_signs_in_and_sees_the_teachers(logins)
    citizen = User.objects.get(username="citizen")
    assert citizen.person is not None
    assert citizen.person.sex == "F"  # the README's walk-through registers a birth to her
    # the vaccination register has doses, so the influenza reminder skips the vaccinated
    assert Vaccination.objects.exists()
    # this year's school-entry round: her child's notice names the school and why
    notice = Offer.objects.get(service_id="school_enrolment_notice", recipient=citizen.person)
    assert notice.status == "notified"
    proposed = proposed_for(notice)
    assert proposed is not None
    assert proposed["en"]["rows"][0][0] == "School assigned"
    assert User.objects.filter(username="school", agency__code="kr-education-office").exists()
    # one recruitment round taking applications, with applicants from the register
    exam = ExamNotice.objects.get()
    assert exam.status == "open"
    assert exam.applications.count() >= 3
    renewal = Offer.objects.get(service_id="passport_renewal", recipient=citizen.person)
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(citizen, renewal, expected_version=renewal.version, language="en")
    case = Case.objects.get(offer=renewal)
    provide_photo(citizen, case, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    renewed = IssuedDocument.objects.get(case=case, document_type=DocumentType.PASSPORT)
    assert check(bytes(renewed.pdf)).outcome == verify.VALID
    before = state()

    with django_capture_on_commit_callbacks(execute=True):
        set_up_demo("kr", SIZE, SEED, "http://testserver")

    assert state() == before
    renewed.refresh_from_db()
    assert renewed.status == DocumentStatus.VALID
    assert check(bytes(renewed.pdf)).outcome == verify.VALID
    valid = Passport.objects.get(person=citizen.person, status="valid")
    assert valid.number == renewed.claims["passport_number"]
