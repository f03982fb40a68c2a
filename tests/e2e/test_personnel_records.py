"""Click through the real pages: an HR officer adds a training entry to a record and ends an
open disciplinary measure on the record page, opens the batch orders page and drafts a batch
with a refused line; the civil servant sees the entries and the certificates section of their
own record on a 375 px phone. Every page is axe-clean."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gov3.accounts.models import User
from gov3.personnel.records import DetailDraft, do_add_detail
from tests.conftest import PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.personnel.conftest import Organisation, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def _officer_page(browser: Browser, base: str, account: tuple[User, Any]) -> Page:
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


def test_record_details_batches_and_the_certificates_section(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    base = live_server.url
    record = org.records["welfare"]
    do_add_detail(
        org.accounts["district-hr"][0],
        record,
        DetailDraft(
            kind="discipline", title="견책", issuer="종로구 인사위원회", starts_on=date(2025, 1, 10)
        ),
    )
    hr = _officer_page(browser, base, org.accounts["district-hr"])
    hr.goto(base + reverse("personnel:staff_record", args=[record.pk]))
    hr.get_by_label("Kind of detail").select_option("training")
    hr.locator("#id_detail-title").fill("사회복지 실무과정")
    hr.locator("#id_detail-issuer").fill("지방자치인재개발원")
    hr.locator("#id_detail-starts_on").fill("2024-05-01")
    hr.locator("#id_detail-ends_on").fill("2024-05-03")
    hr.get_by_label("Training hours").fill("21")
    hr.get_by_role("button", name="Add the detail").click()
    expect(hr.get_by_text("The detail is added to the record.")).to_be_visible()
    expect(hr.get_by_text("Training hours in total: 21")).to_be_visible()
    hr.get_by_label("Reason for ending it").fill("기간 만료")
    hr.get_by_role("button", name="End 견책").click()
    expect(hr.get_by_text("it stays in the history")).to_be_visible()
    expect(hr.get_by_text("(기간 만료)")).to_be_visible()
    assert_accessible(hr)

    hr.goto(base + reverse("personnel:batches"))
    expect(hr.get_by_role("heading", level=1)).to_have_text("Batch orders")
    assert_accessible(hr)
    hr.locator("textarea").first.fill(
        f"employee_number,position,effective_on\n{record.employee_number},no-such-post,2030-01-01"
    )
    hr.get_by_role("button", name="Check and draft the batch").click()
    expect(hr.get_by_role("heading", name="Refused lines")).to_be_visible()
    assert_accessible(hr)
    hr.set_viewport_size(PHONE)
    assert_fits_the_screen(hr)

    own = _officer_page(browser, base, org.accounts["welfare"])
    own.set_viewport_size(PHONE)
    own.goto(base + reverse("personnel:my_record"))
    expect(own.get_by_role("heading", name="Certificates")).to_be_visible()
    expect(own.get_by_role("button", name="Issue a career certificate")).to_be_visible()
    expect(own.get_by_role("rowheader", name="사회복지 실무과정")).to_be_visible()
    expect(own.get_by_role("rowheader", name="견책")).to_be_visible()
    assert_fits_the_screen(own)
    assert_accessible(own)
