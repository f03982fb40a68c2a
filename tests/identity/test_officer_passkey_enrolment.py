"""An officer enrols a passkey with a one-time enrolment link (issue 19, item 3): the bad
inputs. Each gets a clear answer, changes nothing and is written to the audit log. (The whole
ceremony, with real cryptography, is in tests/e2e/test_officer_passkey_enrolment.py.)"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.enrolment import do_make_enrolment_link
from gov3.accounts.models import EnrolmentLink, User
from gov3.core.models import AuditEntry
from gov3.identity.models import OfficerPasskey
from tests.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.django_db


def _post(client: Client, name: str, secret: str, body: object) -> tuple[int, dict[str, Any]]:
    response = client.post(
        reverse(name, args=[secret]), json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def _refusals() -> list[str]:
    return [
        entry.data["reason"]
        for entry in AuditEntry.objects.filter(action="accounts.enrolment_refused").order_by("pk")
    ]


def _nothing_changed(user: User, device: Any, client: Client) -> None:
    assert not OfficerPasskey.objects.exists()
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert not EnrolmentLink.objects.filter(used_at__isnull=False).exists()
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="accounts.passkey_enrolled").exists()


def test_the_options_need_the_officers_password(
    officer: tuple[User, Any], caplog: pytest.LogCaptureFixture
) -> None:
    user, device = officer
    secret = do_make_enrolment_link(ACTOR, user)
    client = Client(headers={"accept-language": "en"})
    status, answer = _post(
        client, "identity:officer_enrol_passkey_options", secret, {"password": "wrong"}
    )
    assert status == 400
    assert answer == {"error": "The password is wrong."}
    status, answer = _post(client, "identity:officer_enrol_passkey_options", secret, {})
    assert status == 400
    assert _refusals() == ["wrong_password", "wrong_password"]
    # The wrong passwords count towards the officer's lockout, but the link (still usable)
    # is neither in django-axes' records nor in the log.
    (attempt,) = AccessAttempt.objects.filter(username="officer1")
    assert attempt.failures_since_start == 2
    assert attempt.path_info == "/identity/officer/enrol/[link]/passkey/options/"
    assert "AXES: " in caplog.text
    assert secret not in caplog.text
    entry = AuditEntry.objects.filter(action="accounts.enrolment_refused").first()
    assert entry is not None
    assert entry.target_id == str(user.pk)
    assert entry.data == {"reason": "wrong_password", "link": EnrolmentLink.objects.get().pk}

    status, options = _post(
        client, "identity:officer_enrol_passkey_options", secret, {"password": PASSWORD}
    )
    assert status == 200
    assert options["rp"] == {"id": "testserver", "name": "gov3"}
    assert options["user"]["name"] == "officer1"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    _nothing_changed(user, device, client)


def test_a_used_or_expired_link_is_refused(officer: tuple[User, Any]) -> None:
    user, device = officer
    secret = do_make_enrolment_link(ACTOR, user)
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client = Client(headers={"accept-language": "en"})
    for name, body in (
        ("identity:officer_enrol_passkey_options", {"password": PASSWORD}),
        ("identity:officer_enrol_passkey", {"credential": {}}),
    ):
        status, answer = _post(client, name, secret, body)
        assert status == 404
        assert "Ask your administrator for a new link." in answer["error"]
    status, _ = _post(client, "identity:officer_enrol_passkey", "not-a-link", {})
    assert status == 404
    assert _refusals() == ["link_unusable"] * 3
    assert not OfficerPasskey.objects.exists()
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert "_auth_user_id" not in client.session


def test_a_forged_or_unasked_registration_changes_nothing(officer: tuple[User, Any]) -> None:
    user, device = officer
    secret = do_make_enrolment_link(ACTOR, user)
    client = Client(headers={"accept-language": "en"})
    # No ceremony started (the password step was skipped).
    status, answer = _post(client, "identity:officer_enrol_passkey", secret, {"credential": {}})
    assert status == 400
    assert answer["error"] == "Start again: enter your password and make the passkey."
    # A ceremony started, then an answer that is no registration.
    _post(client, "identity:officer_enrol_passkey_options", secret, {"password": PASSWORD})
    forged = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
    status, answer = _post(client, "identity:officer_enrol_passkey", secret, {"credential": forged})
    assert status == 400
    assert (
        answer["error"] == "The passkey could not be verified, so nothing was changed. Try again."
    )
    # The challenge was used up by that answer: sending again needs a new ceremony.
    status, answer = _post(client, "identity:officer_enrol_passkey", secret, {"credential": forged})
    assert answer["error"] == "Start again: enter your password and make the passkey."
    assert _refusals() == ["no_ceremony", "registration_invalid", "no_ceremony"]
    _nothing_changed(user, device, client)
    # The link still works.
    assert client.get(reverse("identity:officer_enrol", args=[secret])).status_code == 200
