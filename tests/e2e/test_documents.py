"""Documents in a real browser: the paperless passport from the renewal offer to a signed PDF
that a stranger verifies, then revokes; certificates on a phone; bad uploads and garbage."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.cases.models import Case, CaseStatus
from gov3.documents.models import DocumentStatus, DocumentType, IssuedDocument
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.registry.models import Passport, PassportStatus, Person
from gov3.registry.services import do_record_passport_issued
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.documents.test_passport import portrait_jpeg
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_PASSPORT = "M001A0001"
PHONE = {"width": 375, "height": 740}


def passport_expiring_soon(mother: Person) -> Offer:
    """Her passport expires in four months: the register's life event makes the offer.

    The tests run outside a test transaction, so what happens on commit (the offer sweep)
    runs for real when the command commits."""
    today = timezone.localdate()
    do_record_passport_issued(
        ACTOR,
        mother,
        number=OLD_PASSPORT,
        issued_on=today - timedelta(days=3530),
        expires_on=today + timedelta(days=120),
    )
    return Offer.objects.get(service_id="passport_renewal", recipient=mother)


@pytest.fixture
def awaiting_case(
    citizen: User, family: dict[str, Person], welfare_agency: Agency, settings: Any
) -> Case:
    """The renewal confirmed through the services: the case waits for the photo and fee."""
    settings.GOV3_QC_SAMPLE_RATE = 0
    offer = passport_expiring_soon(family["mother"])
    do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
    case = Case.objects.get(offer=offer)
    assert case.status == CaseStatus.AWAITING
    return case


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My information")


def tick_the_fee(page: Page) -> None:
    """Tick the fee box as a finger would: KRDS hides the native checkbox and draws the box on
    its label, so the box must be drawn there (a bare checkbox would be invisible)."""
    label = page.locator("label", has_text="I pay the fee of")
    drawn = label.evaluate(
        "l => { const s = getComputedStyle(l, '::before');"
        " return s.content !== 'none' && parseFloat(s.width) > 0; }"
    )
    assert drawn, "the fee checkbox is invisible: no box is drawn on its label"
    label.click()
    expect(page.get_by_label("I pay the fee of 50,000 KRW")).to_be_checked()


def verify_pdf(context: BrowserContext, base: str, pdf: Path) -> Page:
    """A stranger's browser: the public page, no sign-in, the PDF uploaded."""
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_role("link", name="Verify a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a document")
    page.get_by_label("The document as a PDF file").set_input_files(pdf)
    page.get_by_role("button", name="Verify").click()
    return page


def test_the_paperless_passport_from_offer_to_revocation(
    *,
    page: Page,
    browser: Browser,
    live_server: Any,
    citizen: User,
    family: dict[str, Person],
    welfare_agency: Agency,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0  # approved at once, no quality-control sample
    base = live_server.url
    mother = family["mother"]
    passport_expiring_soon(mother)
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(portrait_jpeg())

    # 1. the offer, confirmed with one click
    sign_in(page, base, citizen.username)
    page.get_by_role("link", name="Offers for you").click()
    waiting = page.locator("section[aria-labelledby=waiting-heading]")
    waiting.get_by_role("link", name="Passport renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passport renewal")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You confirmed this offer.")).to_be_visible()
    page.get_by_role("link", name="See your case and its decision").click()

    # 2. the case waits for what only she can give: the photo and the fee
    expect(page.get_by_role("status")).to_contain_text("Waiting for you")
    expect(page.get_by_role("heading", name="What we need from you")).to_be_visible()
    page.get_by_role("link", name="Upload your photo and pay the fee").click()

    # 3. the provide page: the register's fields read-only, the fee, the photo
    expect(page.get_by_role("heading", level=1)).to_have_text("Passport renewal")
    record = page.locator("dl.gov3-record")
    expect(record).to_contain_text("KIM YOUNGHEE")
    expect(record).to_contain_text("1975-05-01")
    expect(record).to_contain_text("50,000 KRW")
    assert_accessible(page)
    page.get_by_label("Your photo (JPEG or PNG)").set_input_files(photo)
    tick_the_fee(page)
    page.get_by_role("button", name="Send photo and pay").click()

    # 4. approved at once; the passport is in "My documents"
    expect(page.get_by_role("status")).to_contain_text("Approved")
    case = Case.objects.get(offer__service_id="passport_renewal", subject=mother)
    assert case.status == CaseStatus.APPROVED
    document = IssuedDocument.objects.get(case=case)
    passport_number = document.claims["passport_number"]
    page.get_by_role("link", name="My documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My documents")
    card = page.locator("section[aria-labelledby=issued-heading] li")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(document.number)
    expect(card).to_contain_text("Valid")
    assert_accessible(page)
    card.get_by_role("link", name="Passport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passport")
    expect(page.get_by_role("status")).to_contain_text("Valid")
    expect(page.locator("dl.gov3-record")).to_contain_text(passport_number)
    assert_accessible(page)

    # 5. the signed PDF, downloaded
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Signed PDF").click()
    pdf = tmp_path / "passport.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename == f"passport-{document.number}.pdf"

    # 6. anyone, signed in nowhere, verifies it
    stranger = browser.new_context(bypass_csp=True, locale="en-GB")
    try:
        checker = verify_pdf(stranger, base, pdf)
        expect(checker.locator("#verdict")).to_contain_text("Valid: this document is genuine")
        shown = checker.get_by_role("definition").filter(has_text=passport_number)
        expect(shown).to_have_count(1)
        assert_accessible(checker)
    finally:
        stranger.close()

    # 7. an officer of the handling agency finds it by its number and revokes it
    officer, device = do_create_officer_account(
        ACTOR,
        username="passports",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )
    page.context.clear_cookies()
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    page.get_by_label("Document number").fill(document.number)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passport")
    expect(page.locator("dl.gov3-record")).to_contain_text("KIM YOUNGHEE")
    expect(page.get_by_role("status")).to_contain_text("Valid")
    assert_accessible(page)
    page.get_by_label("Reason for revoking").fill("Reported stolen on 3 March.")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked — Reported stolen on 3 March.")
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    assert_accessible(page)
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED
    # a revoked passport (reported stolen) is cancelled in the register too
    assert Passport.objects.get(number=passport_number).status == PassportStatus.CANCELLED

    # 8. the same PDF now says revoked, to anyone
    stranger = browser.new_context(bypass_csp=True, locale="en-GB")
    try:
        checker = verify_pdf(stranger, base, pdf)
        expect(checker.locator("#verdict")).to_contain_text("Revoked: this document was genuine")
        assert_accessible(checker)
    finally:
        stranger.close()

    # 9. the holder was told, with the reason
    page.context.clear_cookies()
    sign_in(page, base, citizen.username)
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    notice = page.get_by_role("listitem").filter(has_text="Document revoked: Passport")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(document.number)
    expect(notice).to_contain_text("Reported stolen on 3 March.")


def test_the_document_pages_fit_a_phone(
    *,
    browser: Browser,
    live_server: Any,
    citizen: User,
    awaiting_case: Case,
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB", has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, base, citizen.username)
        page.goto(f"{base}/me/cases/{awaiting_case.public_id}/provide/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Passport renewal")
        assert_fits_the_screen(page)
        assert_accessible(page)

        page.goto(f"{base}/me/documents/")
        expect(page.get_by_role("heading", level=1)).to_have_text("My documents")
        assert_fits_the_screen(page)
        assert_accessible(page)
        page.get_by_role("combobox", name="Certificate").select_option(
            label="Family relations certificate"
        )
        page.get_by_role("button", name="Issue the certificate").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Family relations certificate")
        certificate = IssuedDocument.objects.get(
            holder=citizen.person, document_type=DocumentType.FAMILY_RELATIONS
        )
        expect(page.locator("dl.gov3-record")).to_contain_text(certificate.number)
        assert_fits_the_screen(page)
        assert_accessible(page)

        page.get_by_role("link", name="My documents").first.click()
        expect(page.locator("section[aria-labelledby=issued-heading] li")).to_contain_text(
            certificate.number
        )
        assert_fits_the_screen(page)
        # a parent asks for their child's certificate: the radio button is drawn and tappable
        son = Person.objects.get(name_local="이민준")
        page.locator("label", has_text="이민준").click()
        expect(page.get_by_role("radio", name="이민준")).to_be_checked()
        page.get_by_role("button", name="Issue the certificate").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert IssuedDocument.objects.filter(holder=son).count() == 1
        page.get_by_role("link", name="My documents").first.click()

        page.goto(f"{base}/verify/")
        page.get_by_label(re.compile("^Or: the document number")).fill(certificate.number)
        page.get_by_role("button", name="Verify").click()
        expect(page.locator("#verdict")).to_contain_text("Valid: this document is genuine")
        assert_fits_the_screen(page)
        assert_accessible(page)
    finally:
        context.close()


def test_a_file_that_is_no_image_and_garbage_to_verify(
    *,
    page: Page,
    live_server: Any,
    citizen: User,
    awaiting_case: Case,
    tmp_path: Path,
) -> None:
    base = live_server.url
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is a letter, not a photo\n")
    sign_in(page, base, citizen.username)
    page.goto(f"{base}/me/cases/{awaiting_case.public_id}/")
    page.get_by_role("link", name="Upload your photo and pay the fee").click()
    page.get_by_label("Your photo (JPEG or PNG)").set_input_files(fake)
    tick_the_fee(page)
    page.get_by_role("button", name="Send photo and pay").click()
    expect(page.get_by_role("alert")).to_have_text("The file is not an image.")
    assert_accessible(page)

    # nothing changed: the case still waits for the photo
    page.goto(f"{base}/me/cases/{awaiting_case.public_id}/")
    expect(page.get_by_role("link", name="Upload your photo and pay the fee")).to_be_visible()
    awaiting_case.refresh_from_db()
    assert awaiting_case.status == CaseStatus.AWAITING
    assert not IssuedDocument.objects.filter(case=awaiting_case).exists()

    page.goto(f"{base}/verify/")
    page.get_by_label(re.compile("^Or: the document number")).fill("eyJhbGciOi.garbage~~")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verdict")).to_contain_text("Not valid: do not accept this document.")
    expect(page.get_by_role("definition")).to_have_count(0)
