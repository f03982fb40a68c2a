"""Click through the real pages: an officer's read shows up in the citizen's access log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from gov3.accounts.models import User
from gov3.core.models import AccessLogEntry
from gov3.registry.models import Person
from tests.conftest import PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer_signs_in(page: Page, base: str, officer: tuple[User, Any]) -> None:
    user, device = officer
    page.goto(f"{base}/officer/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")


def _citizen_signs_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill("younghee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My information")


def test_citizen_sees_the_officers_earlier_read(
    page: Page,
    live_server: Any,
    family: dict[str, Person],
    citizen: User,
    officer: tuple[User, Any],
) -> None:
    base = live_server.url
    page.goto(base + "/")
    assert_accessible(page)

    _officer_signs_in(page, base, officer)
    page.get_by_label("National id number or name").fill("김영")
    page.get_by_label("Purpose").select_option("citizen_request")
    page.get_by_label("Case or request reference (optional)").fill("case 2026-17")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("button", name="Open the record of 김영희").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("김영희")
    expect(page.get_by_text(family["mother"].national_id)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    _citizen_signs_in(page, base)
    expect(page.get_by_text("KIM YOUNGHEE")).to_be_visible()
    expect(page.get_by_role("cell", name="이민준").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Who looked at my data").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at my data")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Registry officer")
    expect(rows.first).not_to_contain_text("officer1")
    expect(rows.first).to_contain_text("Jongno-gu Office")  # 종로구청, in the page's language
    expect(rows.first).to_contain_text("Serving the citizen's own request")
    expect(rows.first).to_contain_text("case 2026-17")
    assert_accessible(page)


def test_officer_without_a_purpose_cannot_open_a_record(
    page: Page, live_server: Any, family: dict[str, Person], officer: tuple[User, Any]
) -> None:
    base = live_server.url
    _officer_signs_in(page, base, officer)
    page.goto(f"{base}/officer/people/{family['stranger'].public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("State your purpose")
    expect(page.get_by_text(family["stranger"].national_id)).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Open the record").click()  # no purpose chosen
    expect(page.get_by_role("heading", level=1)).to_have_text("State your purpose")
    expect(page.get_by_text(family["stranger"].national_id)).to_have_count(0)
    assert AccessLogEntry.objects.count() == 0

    page.get_by_label("Purpose").select_option("registry_correction")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_text(family["stranger"].national_id)).to_be_visible()
    assert AccessLogEntry.objects.filter(subject_id=family["stranger"].pk).count() == 1


def test_another_persons_id_in_the_url_is_404_and_not_logged(
    page: Page, live_server: Any, family: dict[str, Person], citizen: User
) -> None:
    base = live_server.url
    _citizen_signs_in(page, base)
    response = page.goto(f"{base}/me/people/{family['stranger'].public_id}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(family["stranger"].national_id)).to_have_count(0)
    expect(page.get_by_text(re.compile("박철수"))).to_have_count(0)
    assert_accessible(page)
    assert AccessLogEntry.objects.count() == 0
