"""A citizen applies to an exam on a 375 px phone (eligibility explained from the register,
one button); the HR officer enters the interview scores, closes the last stage and reads the
merit list, ties ordered by the pack's rule. Axe finds nothing on the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from gov3.personnel import recruitment
from gov3.personnel.models import Application
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.e2e.test_personnel import PHONE, _officer_page
from tests.personnel.conftest import Organisation, build_organisation
from tests.personnel.recruitment_fixtures import citizen, close_applications, open_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def test_a_citizen_applies_and_the_officer_makes_the_merit_list(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    base = live_server.url
    notice = open_notice(org, posts=1)
    applicant = citizen("김지원")
    page = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(applicant.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + reverse("personnel:citizen_exams"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Civil service exams")
    expect(page.get_by_text("Korean nationality (as the register holds it)")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("is received")).to_be_visible()
    expect(page.get_by_text("You have applied.")).to_be_visible()
    assert_accessible(page)

    other = recruitment.do_apply(citizen("박지원"), notice.pk)
    mine = Application.objects.get(person=applicant.person)
    close_applications(notice)
    hr = org.accounts["district-hr"][0]
    for stage in ("aptitude", "subjects"):
        for application in (mine, other):
            recruitment.do_enter_score(hr, application.pk, stage, 80)  # tied so far
        recruitment.do_close_stage(hr, notice.pk)

    officer = _officer_page(browser, base, org.accounts["district-hr"])
    officer.goto(base + reverse("personnel:recruitment_notice", args=[notice.pk]))
    officer.get_by_label("Interview score of 김지원").fill("90")
    officer.get_by_label("Interview score of 박지원").fill("70")
    officer.get_by_role("button", name="Save the scores").click()
    expect(officer.get_by_text("The scores are saved.")).to_be_visible()
    assert_accessible(officer)
    officer.get_by_role("button", name="Close the stage").click()
    officer.get_by_role("link", name="Merit list").first.click()
    rows = officer.locator("table tbody tr")
    # Equal totals (subjects 80 each): the better interview comes first.
    expect(rows.nth(0)).to_contain_text("김지원")
    expect(rows.nth(0)).to_contain_text("On the merit list for appointment")
    expect(rows.nth(1)).to_contain_text("박지원")
    expect(rows.nth(1)).to_contain_text("Passed, not within the posts")
    assert_accessible(officer)
