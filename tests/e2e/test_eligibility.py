"""Click through the catalogue: a parent checks a benefit for their child and reads why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from gov3.accounts.models import User
from gov3.registry.models import Person
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_checks_the_child_allowance_for_their_son(
    page: Page, live_server: Any, family: dict[str, Person], citizen: User
) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("younghee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Service catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service catalogue")
    assert_accessible(page)
    page.get_by_role("link", name="Child allowance", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child allowance")
    expect(page.get_by_role("heading", name="Legal basis")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Check for 이민준").click()  # 6 years old
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility of 이민준")
    expect(page.get_by_role("status").first).to_contain_text("Eligible")
    expect(page.get_by_role("status").first).to_contain_text("KRW")
    born = family["son"].birth_date.isoformat()
    expect(
        page.get_by_text(re.compile(r"이민준's age in months is \d+; it must be less than"))
    ).to_be_visible()
    expect(page.get_by_text(f"birth date {born}").first).to_be_hidden()  # behind the toggle
    page.get_by_text("Show the rule as written, checked step by step").click()
    expect(page.get_by_text(f"birth date {born}").first).to_be_visible()
    expect(page.get_by_role("heading", name="The data used and where it came from")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/services/child_allowance/check/")  # for herself, born 1975
    expect(page.get_by_role("status").first).to_contain_text("Not eligible")
    expect(page.get_by_role("note")).to_contain_text("This service is for children")
    assert_accessible(page)
