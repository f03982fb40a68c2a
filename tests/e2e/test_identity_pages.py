"""A citizen on a phone: adds a certificate to a wallet (the QR code; the code to type in comes
in their notifications), and agrees on gov3's consent screen that the school LMS may know who
they are; the pages pass axe at 375 px and fit the screen."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from oauth2_provider.models import Application
from playwright.sync_api import Browser, Route, expect

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.documents.models import DocumentType
from gov3.documents.services import do_issue_certificate
from gov3.identity.models import CredentialOffer
from gov3.registry.models import Person
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDIRECT = "https://lms.example.kr/callback"


def test_a_citizen_adds_a_certificate_to_a_wallet_and_consents_to_a_school_system(
    *, browser: Browser, live_server: Any, citizen: User, family: dict[str, Person]
) -> None:
    document = do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)
    Application.objects.create(
        name="School LMS",
        client_id="school-lms",
        client_secret="a-long-client-secret-for-the-school-lms",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        algorithm=Application.RS256_ALGORITHM,
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
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My information")

        page.goto(f"{base}/me/documents/{document.public_id}/")
        page.get_by_role("button", name="Add to your wallet").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add to your wallet")
        expect(page.get_by_role("img", name="QR code of the offer for your wallet")).to_be_visible()
        expect(
            page.get_by_text("type the 6-digit code we sent to your notifications on this website")
        ).to_be_visible()
        link = page.get_by_role("link", name="Open in the wallet on this device")
        assert (link.get_attribute("href") or "").startswith("openid-credential-offer://")
        assert_accessible(page)
        assert_fits_the_screen(page)
        assert CredentialOffer.objects.filter(document=document).count() == 1
        # The code is in a new tab, in the notifications; the offer page never shows it.
        with context.expect_page() as opened:
            page.get_by_role("link", name="Open your notifications (in a new tab)").click()
        inbox = opened.value
        message = inbox.get_by_text(re.compile(r"When your wallet asks for a code, type \d{6}\."))
        expect(message).to_be_visible()
        code = re.search(r"type (\d{6})\.", message.inner_text())
        assert code is not None
        assert code.group(1) not in page.content()
        assert_accessible(inbox)
        assert_fits_the_screen(inbox)
        inbox.close()

        # The school LMS sends the citizen to gov3's consent screen.
        lms = OAuth2Session(
            "school-lms",
            scope="openid profile",
            redirect_uri=REDIRECT,
            code_challenge_method="S256",
        )
        url, _state = lms.create_authorization_url(
            f"{base}/o/authorize/",
            code_verifier=generate_token(48),
            nonce=generate_token(16),
        )
        answered: list[str] = []

        def at_the_lms(route: Route) -> None:
            answered.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<title>LMS</title>")

        page.route("https://lms.example.kr/**", at_the_lms)
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "School LMS asks to know who you are"
        )
        expect(
            page.get_by_text("your name and date of birth, from the population register")
        ).to_be_visible()
        assert_accessible(page)
        assert_fits_the_screen(page)
        page.get_by_role("button", name="Agree", exact=True).click()
        expect(page).to_have_title("LMS")
        assert "code" in parse_qs(urlsplit(answered[-1]).query)
        assert AuditEntry.objects.filter(action="identity.wallet_offer_created").count() == 1
    finally:
        context.close()
