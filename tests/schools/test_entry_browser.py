"""The school-entry journey in a real browser (axe on every page; the guardian's pages at
375 px): the roster is built → a guardian sees the notice under "Offers for you" with the
school and why → confirms → the school's list shows the child; a second guardian asks for a
deferral → the education office's queue → decision → the notice of the decision."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gov3.accounts.models import OfficerRole
from gov3.accounts.services import do_create_officer_account
from gov3.schools.entry import do_build_entry_round
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.schools.conftest import citizen_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB", has_touch=True)
    return context.new_page()


def _sign_in_citizen(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _checked(page: Page) -> None:
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_school_entry_confirmed_online_and_a_deferral_decided(
    browser: Browser, page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    do_build_entry_round(ACTOR, "kr", 2027)
    citizen_client(world["first"], "first")
    citizen_client(world["second"], "second")
    officer, device = do_create_officer_account(
        ACTOR,
        username="edu",
        password=PASSWORD,
        agency=world["office"],
        role=OfficerRole.WELFARE_OFFICER,
    )

    # 1. the first guardian, on a phone: the notice with the school and why; she confirms
    guardian = _phone(browser)
    _sign_in_citizen(guardian, base, "first")
    guardian.goto(f"{base}/me/offers/")
    guardian.get_by_role("link", name="Primary school enrolment notice").click()
    expect(guardian.get_by_role("heading", name="What is proposed")).to_be_visible()
    expect(guardian.get_by_text("Maedong Elementary School").first).to_be_visible()
    expect(guardian.get_by_text("first school of the school district")).to_be_visible()
    _checked(guardian)
    guardian.get_by_role("button", name="Confirm").click()
    expect(guardian.get_by_text("You confirmed this offer.")).to_be_visible()
    guardian.goto(f"{base}/me/schools/")
    expect(guardian.get_by_text("김일월").first).to_be_visible()
    _checked(guardian)

    # 2. the education office: the school's list shows the child
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/officer/schools/KR-S-0002/entrants/2027/")
    row = page.get_by_role("row", name="김일월")
    expect(row).to_contain_text("Confirmed by the guardian")
    assert_accessible(page)

    # 3. the second guardian (not head of her household) asks for a deferral
    second = _phone(browser)
    _sign_in_citizen(second, base, "second")
    second.goto(f"{base}/me/offers/")
    second.get_by_role("link", name="Primary school enrolment notice").click()
    second.get_by_role("link", name="Ask for a deferral").click()
    _checked(second)
    second.get_by_text("Defer entry by a year", exact=True).click()  # the label, as a finger would
    second.get_by_label("Why?").fill("Born on 31 December; the kindergarten advises a year more.")
    second.get_by_role("button", name="Send the request").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("School entry")
    _checked(second)

    # 4. the office decides from its queue; the guardian reads the decision
    page.goto(f"{base}/officer/cases/")
    page.get_by_role("link", name="School entry: deferral, early entry or another school").click()
    expect(page.get_by_text("Defer entry by a year")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Approve", exact=True).click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Approved").first).to_be_visible()
    second.goto(f"{base}/me/notifications/")
    expect(
        second.get_by_text("School entry: deferral, early entry or another school").first
    ).to_be_visible()
    _checked(second)
