"""Officers' authenticator secrets are stored sealed: the database holds no secret in clear,
and signing in with the code from the authenticator still works."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import User
from gov3.accounts.totp_sealing import PREFIX, open_sealed

pytestmark = pytest.mark.django_db


def test_the_stored_secret_is_sealed_and_opens_to_the_same_codes(
    officer: tuple[User, Any], officer_client: Any
) -> None:
    _, device = officer
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        [stored] = cursor.fetchone()
    assert stored.startswith(PREFIX)
    secret = TOTPDevice.objects.get(pk=device.pk).bin_key
    assert len(secret) == 20
    assert secret.hex() not in stored
    assert base64.b32encode(secret).decode() not in stored
    # officer_client signed in with the current code: the sealed secret works.
    assert officer_client.get("/officer/").status_code == 200


def test_a_secret_typed_in_hex_is_sealed_when_saved(officer: tuple[User, Any]) -> None:
    user, _ = officer
    device = TOTPDevice(user=user, name="spare", key="3132333435363738393031323334353637383930")
    device.save()
    device.refresh_from_db()
    assert device.key.startswith(PREFIX)
    assert device.bin_key == b"12345678901234567890"
    assert open_sealed("3132") == b"12"  # a key not yet sealed is still read


def test_another_passphrase_cannot_open_it(officer: tuple[User, Any], settings: Any) -> None:
    _, device = officer
    stored = TOTPDevice.objects.get(pk=device.pk).key
    settings.GOV3_KEY_PASSPHRASE = "another passphrase entirely"
    with pytest.raises(ValueError, match="GOV3_KEY_PASSPHRASE"):
        open_sealed(stored)
