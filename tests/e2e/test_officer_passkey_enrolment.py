"""An officer enrols a passkey with a one-time enrolment link, in a real Chromium with its
virtual authenticator (CDP WebAuthn domain), on a 375 px phone screen: a wrong password and a
registration made for another challenge are refused and change nothing; then the passkey is
made, the officer is signed in with it, the link is used up, and the passkey signs in again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect

from gov3.accounts.enrolment import do_make_enrolment_link
from gov3.accounts.models import EnrolmentLink, User
from gov3.core.models import AuditEntry
from gov3.identity.models import OfficerPasskey
from tests.conftest import ACTOR, PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.e2e.test_passkeys import AUTHENTICATOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Makes a passkey for one ceremony, starts another, and sends the first passkey to it.
ANOTHER_CHALLENGE = """async ([optionsUrl, registerUrl, password]) => {
  const form = document.querySelector("form[data-passkey-enrol]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const post = async (url, body) => {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
    });
    return [response.status, await response.json()];
  };
  const [, first] = await post(optionsUrl, {password});
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(first),
  });
  await post(optionsUrl, {password});
  return await post(registerUrl, {credential: credential.toJSON()});
}"""


def test_an_officer_enrols_a_passkey_with_the_link(
    *, browser: Browser, live_server: Any, officer: tuple[User, Any]
) -> None:
    user, _ = officer
    secret = do_make_enrolment_link(ACTOR, user)
    base = live_server.url.replace("127.0.0.1", "localhost")  # an IP is no WebAuthn RP id
    link = f"{base}{reverse('identity:officer_enrol', args=[secret])}"
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        device = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
        form = page.locator("form[data-passkey-enrol]")
        expect(form).to_be_visible()
        assert_accessible(page)
        assert_fits_the_screen(page)

        # A wrong password: said so, no passkey made.
        form.get_by_label("Password").fill("wrong")
        form.get_by_role("button", name="Make a passkey and sign in").click()
        expect(form.get_by_role("status")).to_have_text("The password is wrong.")
        assert_accessible(page)

        # A passkey made for one ceremony, sent to another: refused.
        status, answer = page.evaluate(
            ANOTHER_CHALLENGE,
            [
                reverse("identity:officer_enrol_passkey_options", args=[secret]),
                reverse("identity:officer_enrol_passkey", args=[secret]),
                PASSWORD,
            ],
        )
        assert status == 400
        assert answer["error"] == (
            "The passkey could not be verified, so nothing was changed. Try again."
        )
        assert not OfficerPasskey.objects.exists()
        assert EnrolmentLink.objects.get().used_at is None
        assert TOTPDevice.objects.filter(user=user).exists()
        refusals = AuditEntry.objects.filter(action="accounts.enrolment_refused")
        assert [entry.data["reason"] for entry in refusals.order_by("pk")] == [
            "wrong_password",
            "registration_invalid",
        ]
        cdp.send("WebAuthn.clearCredentials", device)

        # The right password and the passkey: enrolled and signed in.
        form.get_by_label("Password").fill(PASSWORD)
        form.get_by_role("button", name="Make a passkey and sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")
        passkey = OfficerPasskey.objects.get(user=user)
        assert EnrolmentLink.objects.get().used_at is not None
        assert not TOTPDevice.objects.filter(user=user).exists()  # the old app stops working
        entry = AuditEntry.objects.get(action="accounts.passkey_enrolled")
        assert entry.actor == "officer1"
        assert entry.data["passkey"] == passkey.pk

        # The link is used up.
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This enrolment link cannot be used"
        )

        # Signed out, the new passkey is the officer's second factor.
        context.clear_cookies()
        page.goto(f"{base}/identity/officer/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Search the register")
    finally:
        context.close()
