"""The HR analytics page in a browser, on a 375 px phone: charts with their tables, the
numbers per locale; axe finds nothing on the page, nor on the import and export page."""

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


def test_the_hr_officer_reads_the_analytics_page(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    ev = build_evaluation(org)
    for record, rating in zip(ev.staff, "SAAABBC", strict=True):
        evaluation.do_rate(ev.head[0], ev.period.pk, record.pk, rating)
    page = _officer_page(browser, live_server.url, org.accounts["district-hr"])
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("personnel:analytics"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnel analytics")
    expect(page.get_by_role("img", name="Headcount by grade")).to_be_visible()
    table = page.get_by_role("table", name="Headcount by agency")
    expect(table.get_by_role("row", name="종로구청 7 10 1 1")).to_be_visible()
    ratings = page.get_by_role("table", name="Ratings given and the most the quota allows")
    expect(ratings.get_by_role("row").filter(has_text="S").first).to_be_visible()
    assert_fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("link", name="Import and export the organisation and records").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import and export")
    assert_fits_the_screen(page)
    assert_accessible(page)
