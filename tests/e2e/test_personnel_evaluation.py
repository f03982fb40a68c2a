"""The rater's page on a 375 px phone: the head of a unit rates the last of their staff and
sees the distribution so far against the quota (numbers, chart and table) say which grade is
over and by how much; locking is refused. Axe finds nothing on the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from gov3.personnel import evaluation
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.e2e.test_personnel import PHONE, _officer_page
from tests.personnel.conftest import Organisation, build_evaluation, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def test_the_rater_sees_the_quota_live_and_cannot_lock_over_it(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    ev = build_evaluation(org)
    head = ev.head[0]
    for record, rating in zip(ev.staff[1:], "SSAABB", strict=True):
        evaluation.do_rate(head, ev.period.pk, record.pk, rating)
    page = _officer_page(browser, live_server.url, ev.head)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("personnel:rating_sheet", args=[ev.period.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rate your unit")
    expect(page.get_by_text("6 of 7 rated.")).to_be_visible()
    page.get_by_label("Rating of 정복지").select_option("C")
    page.get_by_role("button", name="Save the rating of 정복지").click()
    expect(page.get_by_text("The rating is saved.")).to_be_visible()
    expect(page.get_by_text("7 of 7 rated.")).to_be_visible()
    expect(page.get_by_text("S: 2 given, at most 1 allowed: 1 over")).to_be_visible()
    table = page.get_by_role("table", name="Ratings given so far against the quota")
    expect(table.get_by_role("row", name="S 2 1")).to_be_visible()
    expect(page.get_by_role("img", name="Ratings given so far against the quota")).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Lock my unit's ratings").click()
    expect(page.get_by_role("alert")).to_contain_text("it cannot be locked")


def test_the_committee_sees_its_heads_against_the_quota_and_cannot_confirm_over_it(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    """Two division heads with nobody above: the HR officer rates both A on the calibration
    page and sees the agency-wide group over the quota (S+A at most 1); the head of HR's
    confirmation is refused saying by how much. Axe finds nothing on the page."""
    ev = build_evaluation(org)
    period = evaluation.do_open_period(
        org.accounts["district-hr"][0],
        kind="agreement",
        year=ev.period.year,
        half=0,
        reference_day=ev.period.reference_day,
    )
    url = live_server.url + reverse("personnel:calibration", args=[period.pk])
    page = _officer_page(browser, live_server.url, org.accounts["district-hr"])
    page.goto(url)
    heads = [a.record.person.name_local for a in evaluation.committee_heads(period)]
    for name in heads:
        page.get_by_label(f"Rating of {name}").select_option("A")
        page.get_by_role("button", name=f"Save the rating of {name}").click()
        expect(page.get_by_text("The rating is saved.")).to_be_visible()
    expect(
        page.get_by_role(
            "heading", name="Heads rated by the committee (agency-wide): General grades"
        )
    ).to_be_visible()
    expect(page.get_by_text("2 of 2 rated.")).to_be_visible()
    expect(page.get_by_text("Over the quota:")).to_be_visible()
    assert_accessible(page)
    head = _officer_page(browser, live_server.url, org.accounts["district-head"])
    head.goto(url)
    head.get_by_role("button", name="Confirm the period").click()
    expect(head.get_by_role("alert")).to_contain_text(
        "The ratings of the heads rated by the committee are over the quota"
    )
    expect(head.get_by_role("alert")).to_contain_text("1 over")
