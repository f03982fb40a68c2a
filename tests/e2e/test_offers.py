"""The whole loop in a real browser: an officer registers a birth → the parent signs in and
sees the three birth offers with explanations → confirms one → the case is approved
automatically → the parent receives the e-mail (read from a real SMTP server on loopback) and
sees the decision."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gov3.accounts.models import Agency, OfficerRole
from gov3.accounts.services import do_create_citizen_account, do_create_officer_account
from gov3.cases.models import Case, CaseStatus, PaymentInstruction
from gov3.notifications.services import do_set_preferences
from gov3.offers.models import ConsentReceipt, Offer
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, SmtpServer, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen, open_the_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH_SERVICES = ("Child allowance", "Parent benefit", "First Meeting Voucher")


def test_a_birth_becomes_offers_a_confirmation_an_approval_and_an_email(
    page: Page,
    live_server: Any,
    *,
    family: dict[str, Person],
    agency: Agency,
    welfare_agency: Agency,
    smtp_server: SmtpServer,
    settings: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0  # this service is approved automatically, no sample
    base = live_server.url
    mother = family["mother"]
    do_create_citizen_account(
        ACTOR, person=mother, username="younghee", password=PASSWORD, email="younghee@example.kr"
    )
    # e-mail at any hour of the day the test runs (no quiet hours), in English
    do_set_preferences(
        ACTOR, mother, digest="immediate", quiet_start=time(0), quiet_end=time(0), language="en"
    )
    officer, device = do_create_officer_account(
        ACTOR,
        username="registrar",
        password=PASSWORD,
        agency=agency,  # the mother's district office (registry officers read its residents)
        role=OfficerRole.REGISTRY_OFFICER,
    )

    # 1. the officer registers the birth on the back-office page
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Register a birth").click()
    assert_accessible(page)
    page.get_by_label("Mother's national id number").fill(mother.national_id)
    page.get_by_label("Child's name in the national script").fill("이하늘")
    page.get_by_label("Child's name in Latin letters").fill("LEE HANEUL")
    page.get_by_label("Date of birth").fill(timezone.localdate().isoformat())
    page.get_by_label("Sex").select_option("F")
    page.get_by_role("button", name="Register the birth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Birth registered")
    page.context.clear_cookies()

    # 2. the parent signs in and finds the three birth offers
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("younghee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Offers for you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offers for you")
    waiting = page.locator("section[aria-labelledby=waiting-heading]")
    baby_card = waiting.locator("li", has_text="For 이하늘")
    for name in BIRTH_SERVICES:
        expect(baby_card.get_by_role("link", name=name)).to_have_count(1)
    assert_accessible(page)

    # 3. she opens the First Meeting Voucher: why, the data used, the amount, the law
    page.get_by_role("link", name="First Meeting Voucher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First Meeting Voucher")
    expect(page.get_by_text("An offer for your child 이하늘")).to_be_visible()
    expect(page.get_by_role("heading", name="Why")).to_be_visible()
    expect(page.get_by_role("heading", name="The data used and where it came from")).to_be_visible()
    expect(page.get_by_role("heading", name="Legal basis")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    # 4. confirmed → a case, approved automatically, paid in the sandbox
    expect(page.get_by_text("You confirmed this offer.")).to_be_visible()
    page.get_by_role("link", name="See your case and its decision").click()
    expect(page.get_by_text("Approved", exact=True).first).to_be_visible()
    expect(page.get_by_text("automatically, by the published rules")).to_be_visible()
    expect(page.get_by_text("SANDBOX: no money moves")).to_be_visible()
    assert_accessible(page)

    offer = Offer.objects.get(subject__name_local="이하늘", service_id="first_meeting_voucher")
    case = Case.objects.get(offer=offer)
    assert case.status == CaseStatus.APPROVED
    assert ConsentReceipt.objects.get(offer=offer).acting_for == offer.subject
    assert PaymentInstruction.objects.filter(case=case).count() == 1

    # 5. the e-mail of the decision arrived at the real SMTP server
    decisions = [m for m in smtp_server.to("younghee@example.kr") if "Approved" in m.subject]
    assert len(decisions) == 1
    assert "First Meeting Voucher" in decisions[0].subject
    assert f"/me/cases/{case.public_id}/" in decisions[0].text


def test_a_citizen_cannot_open_someone_elses_offer(
    page: Page,
    live_server: Any,
    family: dict[str, Person],
    register_birth: Any,
    welfare_agency: Agency,
) -> None:
    baby = register_birth()
    offer = Offer.objects.filter(subject=baby).first()
    assert offer is not None
    do_create_citizen_account(
        ACTOR, person=family["stranger"], username="stranger", password=PASSWORD
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("stranger")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    response = page.goto(f"{live_server.url}/me/offers/{offer.public_id}/")
    assert response is not None
    assert response.status == 404
    offer.refresh_from_db()
    assert offer.viewed_at is None


def test_offers_cases_and_the_officer_pages_work_on_a_phone(
    *,
    browser: Browser,
    live_server: Any,
    register_birth: Any,
    citizen: Any,
    welfare_agency: Agency,
    settings: Any,
) -> None:
    """A parent on a 375px phone: inbox, offer, case; an officer: queue, case, take-up."""
    settings.GOV3_QC_SAMPLE_RATE = 1  # the case waits for an officer
    baby = register_birth()
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    officer, device = do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    try:
        page = context.new_page()
        base = live_server.url
        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill(citizen.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        for path in (
            "/me/offers/",
            f"/me/offers/{offer.public_id}/",
            "/services/child_allowance/apply/",
        ):
            page.goto(base + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_fits_the_screen(page)
            assert_accessible(page)
        page.goto(f"{base}/me/offers/{offer.public_id}/")
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="See your case and its decision").click()
        expect(page.get_by_text("Waiting for an officer")).to_be_visible()
        assert_fits_the_screen(page)
        assert_accessible(page)
        case = Case.objects.get(offer=offer)
        context.clear_cookies()

        page.goto(f"{base}/officer/login/")
        page.get_by_label("Username").fill(officer.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Authenticator code").fill(current_totp(device))
        page.get_by_role("button", name="Sign in").click()
        open_the_menu(page)  # one row with a Menu button on a phone
        page.get_by_role("link", name="Work queue").click()
        assert_fits_the_screen(page)
        assert_accessible(page)
        page.get_by_role("link", name="Child allowance").click()
        expect(page.get_by_text("sampled for quality control")).to_be_visible()
        assert_fits_the_screen(page)
        assert_accessible(page)
        page.get_by_text("Approve", exact=True).click()  # the label, as a finger would
        expect(page.get_by_label("Approve")).to_be_checked()
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("Approved", exact=True).first).to_be_visible()
        case.refresh_from_db()
        assert case.status == CaseStatus.APPROVED
        page.goto(f"{base}/officer/take-up/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Take-up of services")
        assert_fits_the_screen(page)
        assert_accessible(page)
    finally:
        context.close()
