"""Click through the real pages: an HR officer drafts a split of a division on the
reorganisations page, the head of the HR unit approves it, and the old unit's history shows
the act with its number and the new units; the tree of the day before still shows the old
unit. Every page is axe-clean."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gov3.personnel.models import Unit
from gov3.personnel.reorganisation_models import Reorganisation
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_personnel_records import _officer_page
from tests.personnel.conftest import Organisation, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def _draft_split(hr: Page, day: str) -> None:
    hr.get_by_label("Kind of reorganisation").select_option("split")
    hr.get_by_label("Takes effect on").fill(day)
    hr.get_by_label("Units reorganised").fill("d-welfare")
    hr.get_by_label("New units").fill(
        "d-benefits; 급여팀; Benefits Team; 2\nd-care; 돌봄팀; Care Team; 3"
    )
    hr.get_by_role("button", name="Check and draft the reorganisation").click()


def test_an_hr_officer_drafts_a_split_and_the_head_approves_it(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    base = live_server.url
    today = timezone.localdate()
    hr = _officer_page(browser, base, org.accounts["district-hr"])
    hr.goto(base + reverse("personnel:organisation"))
    hr.get_by_role("link", name="Reorganisations").click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text("Reorganisations")
    assert_accessible(hr)

    _draft_split(hr, today.isoformat())  # the held post is not mapped: refused
    expect(hr.get_by_role("alert")).to_contain_text("Position d-welfare is held on or after")
    assert_accessible(hr)
    assert not Reorganisation.objects.exists()
    hr.get_by_label("Where the positions go").fill("d-welfare = d-benefits\nd-welfare-2 = d-care")
    hr.get_by_role("button", name="Check and draft the reorganisation").click()
    act = Reorganisation.objects.get()
    expect(hr.get_by_text(f"Reorganisation {act.number} is waiting for approval.")).to_be_visible()
    expect(hr.get_by_role("button", name=f"Approve reorganisation {act.number}")).to_have_count(0)

    head = _officer_page(browser, base, org.accounts["district-head"])
    head.goto(base + reverse("personnel:reorganisations"))
    head.get_by_role("button", name=f"Approve reorganisation {act.number}").click()
    expect(head.get_by_text(f"Reorganisation {act.number} is approved")).to_be_visible()
    expect(head.get_by_role("link", name="급여팀")).to_be_visible()
    expect(head.get_by_role("link", name="복지정책과")).to_have_count(0)

    yesterday = (today - timedelta(days=1)).isoformat()
    head.get_by_label("Show the units as they were on").fill(yesterday)
    head.get_by_role("button", name="Show", exact=True).click()
    head.get_by_role("link", name="복지정책과").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("복지정책과")
    history = head.get_by_role("region", name="History")
    expect(history).to_contain_text(act.number)
    expect(history).to_contain_text("d-benefits")
    expect(history).to_contain_text("d-care")
    expect(head.get_by_role("region", name="Positions moved")).to_contain_text("d-welfare-2")
    assert_accessible(head)
    head.get_by_role("link", name="d-care").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("돌봄팀")
    assert_accessible(head)
    assert Unit.objects.get(code="d-welfare").closed_on == today
