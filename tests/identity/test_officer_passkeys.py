"""Officers' passkeys: the password step refuses anyone who cannot use one; an administrator
resets a lost passkey in the admin, audited (the ceremonies are in tests/e2e/test_passkeys.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.identity.models import OfficerPasskey
from gov3.identity.services import do_add_officer_passkey
from tests.conftest import PASSWORD
from tests.core.test_access_logged_paths import admin_client

pytestmark = pytest.mark.django_db
__all__ = ["admin_client"]


def _passkey(officer: User) -> OfficerPasskey:
    return do_add_officer_passkey(
        officer, name="Office PC", credential_id=b"cred-1", public_key=b"key", sign_count=0
    )


def test_the_password_step_needs_an_officer_with_a_passkey(
    client: Client, officer: tuple[User, Any], citizen: User
) -> None:
    url = reverse("identity:officer_sign_in")
    page = client.post(url, {"username": "officer1", "password": PASSWORD}).content.decode()
    assert "You have no passkey yet" in page
    page = client.post(url, {"username": "younghee", "password": PASSWORD}).content.decode()
    assert "This sign-in is for officers" in page
    _passkey(officer[0])
    page = client.post(url, {"username": "officer1", "password": PASSWORD}).content.decode()
    assert "Now confirm with your passkey" in page
    assert "_auth_user_id" not in client.session  # not signed in before the passkey
    # Without the password step, no passkey options are given.
    assert Client().post(reverse("identity:officer_passkey_options")).status_code == 400


def test_a_citizen_cannot_add_an_officer_passkey(citizen: User) -> None:
    with pytest.raises(ValidationFailedError):
        _passkey(citizen)
    assert not OfficerPasskey.objects.exists()


def test_an_administrator_resets_a_lost_passkey(
    admin_client: Client, officer: tuple[User, Any]
) -> None:
    passkey = _passkey(officer[0])
    listing = admin_client.get(reverse("admin:identity_officerpasskey_changelist"))
    assert "Office PC" in listing.content.decode()
    admin_client.post(
        reverse("admin:identity_officerpasskey_delete", args=[passkey.pk]), {"post": "yes"}
    )
    assert not OfficerPasskey.objects.exists()
    entry = AuditEntry.objects.get(action="admin.delete")
    assert entry.actor == "admin:registrar"
    assert entry.target_type == "identity.officerpasskey"
