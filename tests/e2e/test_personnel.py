"""Click through the real pages: an HR officer issues a transfer effective tomorrow and the head
approves it; today the officer still works the old agency's queue, tomorrow (the clock moved)
the new agency's and not the old one, and the citizen still sees the earlier read under the
old agency in "who looked at my data". The self-service record fits a 375 px phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gov3.accounts import posts
from gov3.accounts.models import User
from gov3.cases.models import Case
from gov3.cases.services import do_apply
from gov3.registry.models import Person
from tests.conftest import PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.personnel.conftest import Organisation, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def _officer_page(browser: Browser, base: str, account: tuple[User, Any]) -> Page:
    """A browser of its own, signed in as this officer (each signs in once: a TOTP code
    works once)."""
    context: BrowserContext = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    user, device = account
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")
    return page


def _case_link(page: Page, case: Case) -> Any:
    return page.locator(f'a[href="{reverse("cases:officer_case", args=[case.public_id])}"]')


def test_a_transfer_changes_the_officers_queue_from_its_effective_date(
    *,
    browser: Browser,
    live_server: Any,
    org: Organisation,
    family: dict[str, Person],
    citizen: User,
    register_birth: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 1  # every case waits in its agency's queue
    city_case = do_apply(citizen, family["son"], "child_allowance")  # Seoul City Hall's
    district_case = do_apply(citizen, register_birth(), "first_meeting_voucher")  # Jongno-gu's
    assert city_case is not None
    assert district_case is not None
    base = live_server.url

    officer = _officer_page(browser, base, org.accounts["welfare"])
    officer.goto(base + reverse("cases:queue"))
    expect(_case_link(officer, district_case)).to_be_visible()
    expect(_case_link(officer, city_case)).to_have_count(0)
    assert_accessible(officer)

    hr = _officer_page(browser, base, org.accounts["district-hr"])
    hr.get_by_role("link", name="Personnel", exact=True).first.click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text("Personnel")
    assert_accessible(hr)
    hr.get_by_role("link", name="정복지").click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text("정복지")
    tomorrow = timezone.localdate() + timedelta(days=1)
    hr.get_by_label("Kind of order").select_option("transfer")
    hr.get_by_label("Position").select_option(label=_label(org, "city-welfare"))
    hr.get_by_label("Takes effect on").fill(tomorrow.isoformat())
    hr.get_by_role("button", name="Issue the order").click()
    expect(hr.get_by_text("is waiting for approval")).to_be_visible()
    assert_accessible(hr)

    head = _officer_page(browser, base, org.accounts["district-head"])
    head.goto(base + reverse("personnel:organisation"))
    head.get_by_role("button", name="Approve order").click()
    expect(head.get_by_text("is approved")).to_be_visible()
    assert_accessible(head)

    officer.reload()  # today: still Jongno-gu's queue
    expect(_case_link(officer, district_case)).to_be_visible()
    expect(_case_link(officer, city_case)).to_have_count(0)

    monkeypatch.setattr(posts, "today", lambda: tomorrow)
    officer.reload()  # tomorrow: Seoul's queue, not Jongno-gu's
    expect(_case_link(officer, city_case)).to_be_visible()
    expect(_case_link(officer, district_case)).to_have_count(0)

    officer.set_viewport_size(PHONE)
    officer.goto(base + reverse("personnel:my_record"))
    expect(officer.get_by_role("heading", level=1)).to_have_text("My personnel record")
    expect(officer.get_by_role("cell", name="서울특별시청")).to_be_visible()
    assert_fits_the_screen(officer)
    assert_accessible(officer)

    citizen_page = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    citizen_page.goto(f"{base}/login/")
    citizen_page.get_by_label("Username").fill("younghee")
    citizen_page.get_by_label("Password").fill(PASSWORD)
    citizen_page.get_by_role("button", name="Sign in").click()
    citizen_page.get_by_role("link", name="Who looked at my data").first.click()
    rows = citizen_page.locator("table tbody tr")
    expect(rows.filter(has_text="Jongno-gu Office").first).to_be_visible()  # the earlier read
    expect(rows.filter(has_text="Seoul City Hall").first).to_be_visible()  # tomorrow's
    assert_accessible(citizen_page)


def _label(org: Organisation, key: str) -> str:
    position = org.positions[key]
    unit = position.unit
    return (
        f"{unit.agency.name_local} / {unit.name_local} / {position.title_local} ({position.code})"
    )
