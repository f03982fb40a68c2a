"""A graduation certificate end to end (issue 20's test list): a guardian downloads the
certificate of graduation in a real browser on a phone, a signed-out browser verifies the PDF
on /verify/ (axe, 375 px), and the independent SD-JWT library accepts the credential."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from gov3.accounts.services import do_create_citizen_account
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.schools.installed import schools_data
from gov3.schools.models import School
from gov3.schools.services import do_enrol, do_graduate, do_register_learner
from tests.conftest import ACTOR, PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.schools.test_year_end_and_dashboards import _independently

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def test_a_graduation_certificate_downloaded_verified_signed_out_and_by_the_sd_jwt_library(
    browser: Browser, live_server: Any, world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    base = live_server.url
    settings.GOV3_SITE_URL = "http://testserver"  # the status list the library fetches
    learner = do_register_learner(ACTOR, world["jan1"], schools_data("kr"))
    school = School.objects.get(code="KR-S-0001")
    do_enrol(ACTOR, learner, school, school_year=2026, grade=6, on=date(2026, 3, 2))
    do_graduate(ACTOR, learner, on=date(2027, 2, 14))
    do_create_citizen_account(ACTOR, person=world["first"], username="mum", password=PASSWORD)

    guardian = browser.new_context(
        viewport=PHONE, bypass_csp=True, locale="en-GB", accept_downloads=True
    )
    stranger = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB")
    try:
        page = guardian.new_page()
        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill("mum")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("domcontentloaded")
        page.goto(f"{base}/me/schools/{learner.public_id}/")
        page.get_by_role("button", name="Issue a certificate of graduation").click()
        expect(page.get_by_role("link", name="Signed PDF")).to_be_visible()
        assert_accessible(page)
        assert_fits_the_screen(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Signed PDF").click()
        pdf = tmp_path / "graduation.pdf"
        download.value.save_as(pdf)
        document = IssuedDocument.objects.get(
            holder=learner.person, document_type=DocumentType.SCHOOL_GRADUATION
        )
        assert pdf.read_bytes() == bytes(document.pdf)

        checker = stranger.new_page()  # signed out: the public verify page, the PDF uploaded
        checker.goto(f"{base}/verify/")
        expect(checker.get_by_role("heading", level=1)).to_have_text("Verify a document")
        checker.get_by_label("The document as a PDF file").set_input_files(pdf)
        checker.get_by_role("button", name="Verify").click()
        expect(checker.locator("#verdict")).to_contain_text("Valid: this document is genuine")
        assert_accessible(checker)
        assert_fits_the_screen(checker)
    finally:
        guardian.close()
        stranger.close()

    result = _independently(document, Client())
    assert result["valid"] is True, result
    assert result["claims"]["graduated_on"] == "2027-02-14"
