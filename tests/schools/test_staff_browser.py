"""A school officer registers a teacher, and an administrator a classroom system, in a real
browser (axe on every page): a wrong id number or redirect address is a clear error, the teacher
then has their class, the client's secret is shown once, the client is disabled."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gov3.accounts.models import OfficerRole
from gov3.accounts.services import (
    do_create_administrator,
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.schools.models import ClassroomClient, Teacher
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser: Browser, base: str, user: Any, device: Any) -> Page:
    page = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")
    return page


def test_a_school_officer_registers_a_teacher(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    person = world["first"]
    do_create_citizen_account(ACTOR, person=person, username="kim-teacher", password=PASSWORD)
    office = do_create_agency(
        ACTOR, code="KR-S-0001", name_local="청운초 행정실", name_en="Cheongun", country="kr"
    )
    officer, device = do_create_officer_account(
        ACTOR,
        username="cheongun",
        password=PASSWORD,
        agency=office,
        role=OfficerRole.SCHOOL_OFFICER,
    )
    page = _sign_in(browser, base, officer, device)
    page.goto(f"{base}/officer/schools/teachers/")
    expect(page.get_by_role("heading", name="Teachers", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Register a teacher").click()
    assert_accessible(page)
    page.get_by_label("National id number").fill("000101-0000000")
    page.get_by_label("Classes taught").fill("1-2")
    page.get_by_role("button", name="Register the teacher").click()
    expect(page.get_by_role("alert")).to_contain_text("No living resident has this id number.")
    assert_accessible(page)
    assert not Teacher.all_teachers.exists()
    page.get_by_label("National id number").fill(person.national_id)
    page.get_by_role("combobox", name="School").select_option("KR-S-0001")
    page.get_by_role("button", name="Register the teacher").click()
    expect(page.get_by_role("heading", name=f"Teacher: {person.name_local}")).to_be_visible()
    expect(page.get_by_text("The teacher is registered.")).to_be_visible()
    expect(page.locator("#teacher-classes").get_by_role("row", name="2026")).to_contain_text("2")
    assert_accessible(page)
    page.get_by_role("link", name="Teachers of this school").click()
    expect(page.locator("#current-teachers")).to_contain_text(person.name_local)
    assert_accessible(page)
    page.get_by_role("link", name=person.name_local).click()
    page.get_by_role("button", name="End the assignment").click()
    expect(page.get_by_text("The teacher's assignment has ended.")).to_be_visible()
    assert_accessible(page)
    assert Teacher.all_teachers.get().ended_at is not None


def test_an_administrator_registers_a_classroom_system_and_disables_it(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    admin, device = do_create_administrator(ACTOR, username="admin1", password=PASSWORD)
    page = _sign_in(browser, base, admin, device)
    page.goto(f"{base}/officer/schools/clients/")
    expect(page.get_by_text("No classroom system is registered.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Register a classroom system").click()
    assert_accessible(page)
    page.get_by_label("School code").fill("KR-S-0001")
    page.get_by_label("Name of the classroom system").fill("Cheongun Moodle")
    page.get_by_text("Sign-in of learners and teachers").click()  # the label, as a finger would
    page.get_by_label("Redirect addresses").fill("http://lms.example.org/cb")
    page.get_by_text("openid: sign-in with gov3").click()
    page.get_by_text("school: learner number").click()
    page.get_by_role("button", name="Register the classroom system").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a usable redirect address")
    assert_accessible(page)
    assert not ClassroomClient.objects.exists()
    page.get_by_label("Redirect addresses").fill("https://lms.example.org/cb")
    page.get_by_role("button", name="Register the classroom system").click()
    expect(page.get_by_role("heading", name="Classroom system registered")).to_be_visible()
    client = ClassroomClient.objects.select_related("application").get()
    expect(page.locator("#client-id")).to_have_text(client.application.client_id)
    secret = page.locator("#client-secret").inner_text()
    assert len(secret) >= 40
    assert secret != client.application.client_secret  # stored hashed
    assert client.scopes == "openid school"
    assert_accessible(page)
    page.get_by_role("link", name="Classroom systems").last.click()
    expect(page.locator("#classroom-clients")).to_contain_text("Cheongun Moodle")
    assert secret not in page.content()
    page.get_by_role("link", name="Disable Cheongun Moodle").click()
    assert_accessible(page)
    page.get_by_role("button", name="Disable the client").click()
    expect(page.get_by_text("Cheongun Moodle is disabled")).to_be_visible()
    expect(page.locator("#classroom-clients")).to_contain_text("Disabled on")
    assert_accessible(page)
    client.refresh_from_db()
    assert client.disabled_at is not None
