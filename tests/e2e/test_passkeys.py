"""Passkeys in a real Chromium with its virtual authenticator (CDP WebAuthn domain): a citizen
makes a passkey, signs in with it instead of a password, and a cloned authenticator that
replays an old signature counter is refused."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.identity.models import Passkey
from tests.conftest import PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def test_a_citizen_makes_a_passkey_signs_in_with_it_and_a_clone_is_refused(
    *, browser: Browser, live_server: Any, citizen: User
) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")  # an IP is no WebAuthn RP id
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        device = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill(citizen.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My information")
        page.get_by_role("link", name="Passkeys: sign in without a password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Passkeys")
        expect(page.get_by_text("You have no passkey yet.")).to_be_visible()
        assert_accessible(page)
        assert_fits_the_screen(page)

        page.get_by_label("Name of the passkey (e.g. the device it is on)").fill("My phone")
        page.get_by_role("button", name="Make a passkey").click()
        expect(page.get_by_text("My phone", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Remove My phone")).to_be_visible()
        passkey = Passkey.objects.get(user=citizen)

        # Signed out (cookies gone), the passkey signs in without a user name or password.
        context.clear_cookies()
        page.goto(f"{base}/login/")
        assert_accessible(page)
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My information")
        passkey.refresh_from_db()
        assert passkey.sign_count > 0
        assert passkey.last_used_at is not None
        assert AuditEntry.objects.filter(action="identity.signed_in_with_passkey").count() == 1

        # A copy of the key on another authenticator, its counter set back to 0.
        (credential,) = cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": device["authenticatorId"]}
        )["credentials"]
        cdp.send("WebAuthn.removeVirtualAuthenticator", device)
        clone = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        cdp.send(
            "WebAuthn.addCredential",
            {**clone, "credential": {**credential, "signCount": 0}},
        )
        counter = passkey.sign_count
        context.clear_cookies()
        page.goto(f"{base}/login/")
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("status")).to_have_text(
            "This passkey could not sign you in. Nothing was changed. Sign in another way."
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        passkey.refresh_from_db()
        assert passkey.sign_count == counter
        refusal = AuditEntry.objects.get(action="identity.sign_in_refused")
        assert refusal.data["reason"] == "cloned_authenticator"
    finally:
        context.close()


def test_an_officer_uses_a_passkey_as_the_second_factor(
    *, browser: Browser, live_server: Any, officer: tuple[User, Any]
) -> None:
    user, device = officer
    base = live_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        # Signed in with the authenticator app's code, the officer adds a passkey.
        page.goto(f"{base}/officer/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Authenticator code").fill(current_totp(device))
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")
        page.goto(f"{base}/identity/officer/passkeys/")
        assert_accessible(page)
        page.get_by_label("Name of the passkey (e.g. the device it is on)").fill("Office PC")
        page.get_by_role("button", name="Make a passkey").click()
        expect(page.get_by_text("Office PC", exact=True)).to_be_visible()

        # Next time: password, then the passkey instead of a code.
        context.clear_cookies()
        page.goto(f"{base}/officer/login/")
        page.get_by_role("link", name="Sign in with a passkey instead of the code").click()
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        # the passkey step's page has loaded before axe looks at it
        expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")
        assert AuditEntry.objects.filter(action="identity.officer_signed_in_with_passkey").exists()

        # A wrong password never reaches the passkey step.
        context.clear_cookies()
        page.goto(f"{base}/identity/officer/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("button", name="Use a passkey")).to_have_count(0)
    finally:
        context.close()
