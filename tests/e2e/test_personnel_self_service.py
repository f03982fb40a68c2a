"""Self-service on a 375 px phone: a civil servant requests annual leave, sees it waiting
with the balance, the head of their unit approves it on their phone, and the requester sees it
approved. Axe finds nothing on either page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.e2e.test_personnel import PHONE, _officer_page
from tests.personnel.conftest import Organisation, build_evaluation, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(areas: None, welfare_agency: Any) -> Organisation:
    return build_organisation(welfare_agency)


def test_leave_requested_on_a_phone_and_approved_by_the_head(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    ev = build_evaluation(org)  # the welfare unit gets its head
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    if (monday + timedelta(days=1)).year != monday.year:
        monday += timedelta(days=7)
    requests_url = live_server.url + reverse("personnel:my_requests")

    staff = _officer_page(browser, live_server.url, org.accounts["welfare"])
    staff.set_viewport_size(PHONE)
    staff.goto(requests_url)
    expect(staff.get_by_role("heading", level=1)).to_have_text("My leave and overtime")
    staff.get_by_label("Kind of leave").select_option("annual")
    staff.get_by_label("First day").fill(monday.isoformat())
    staff.get_by_label("Last day").fill((monday + timedelta(days=1)).isoformat())
    staff.get_by_role("button", name="Request the leave").click()
    expect(staff.get_by_text("Your request is sent for approval.")).to_be_visible()
    expect(staff.get_by_text("Status: Requested")).to_be_visible()
    balance = staff.get_by_role("table")
    expect(balance.get_by_role("row", name="Annual leave 21 0 2 19")).to_be_visible()
    assert_fits_the_screen(staff)
    assert_accessible(staff)

    head = _officer_page(browser, live_server.url, ev.head)
    head.set_viewport_size(PHONE)
    head.goto(live_server.url + reverse("personnel:approvals"))
    expect(head.get_by_role("heading", level=1)).to_have_text("Leave and overtime to approve")
    assert_fits_the_screen(head)
    assert_accessible(head)
    head.get_by_label("Note (optional)").fill("Have a good rest")
    head.get_by_role("button", name="Approve the request of 정복지").click()
    expect(head.get_by_text("Decision recorded: the request is now Approved.")).to_be_visible()
    expect(head.get_by_text("No request is waiting for your decision.")).to_be_visible()

    staff.reload()
    expect(staff.get_by_text("Status: Approved")).to_be_visible()
    expect(staff.get_by_text("Have a good rest")).to_be_visible()
    expect(balance.get_by_role("row", name="Annual leave 21 2 0 19")).to_be_visible()
    assert_accessible(staff)


def test_open_position_pages_are_accessible(
    *, browser: Browser, live_server: Any, org: Organisation
) -> None:
    from gov3.personnel import open_positions as op  # noqa: PLC0415
    from tests.personnel.test_open_positions import committee, draft, scs_posts  # noqa: PLC0415

    hr_user = org.accounts["district-hr"][0]
    post = op.do_designate_open_position(hr_user, scs_posts(org)[0].pk)
    posting = op.do_publish_posting(hr_user, post.pk, draft())
    op.do_form_committee(hr_user, posting.pk, committee())

    public = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    public.set_viewport_size(PHONE)
    public.goto(live_server.url + reverse("personnel:public_postings"))
    public.get_by_role("link", name="Director-General for Digital Government").click()
    expect(public.get_by_role("link", name="Sign in to apply")).to_be_visible()
    assert_fits_the_screen(public)
    assert_accessible(public)

    hr = _officer_page(browser, live_server.url, org.accounts["district-hr"])
    hr.goto(live_server.url + reverse("personnel:open_positions"))
    expect(hr.get_by_role("heading", level=1)).to_have_text("Open positions")
    assert_accessible(hr)
    hr.goto(live_server.url + reverse("personnel:posting_admin", args=[posting.pk]))
    expect(hr.get_by_text("Korea University (external) — chair")).to_be_visible()
    assert_accessible(hr)
