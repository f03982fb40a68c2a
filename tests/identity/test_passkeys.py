"""Passkey pages and their bad input (the ceremonies themselves, with real cryptography, are in
tests/e2e/test_passkeys.py with Chromium's virtual authenticator)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.identity.models import Passkey
from gov3.identity.services import do_add_passkey
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.django_db


def _post_json(client: Client, name: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(reverse(name), json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def _passkey(user: User, name: str = "My phone") -> Passkey:
    return do_add_passkey(
        user,
        name=name,
        credential_id=f"id-{user.pk}-{name}".encode(),
        public_key=b"not a key",
        sign_count=0,
        transports=["internal"],
    )


def test_the_passkey_page_is_the_citizens_own(client: Client, citizen: User) -> None:
    assert client.get(reverse("identity:passkeys")).status_code == 302  # sign in first
    _passkey(citizen)
    client.force_login(citizen)
    page = client.get(reverse("identity:passkeys")).content.decode()
    assert "My phone" in page
    assert "Make a passkey" in page


def test_registration_options_name_the_citizen_and_this_site(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    _passkey(citizen)
    status, options = _post_json(client, "identity:passkey_registration_options", {})
    assert status == 200
    assert options["rp"] == {"id": "testserver", "name": "gov3"}
    assert options["user"]["displayName"] == "김영희"  # type: ignore[index]
    assert options["authenticatorSelection"]["residentKey"] == "required"  # type: ignore[index]
    assert len(options["excludeCredentials"]) == 1  # type: ignore[arg-type]


def test_a_forged_registration_adds_nothing(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    status, answer = _post_json(client, "identity:passkey_register", {"name": "x"})
    assert status == 400
    assert "again" in str(answer["error"])  # no ceremony was started
    _post_json(client, "identity:passkey_registration_options", {})
    forged = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
    status, answer = _post_json(
        client, "identity:passkey_register", {"name": "x", "credential": forged}
    )
    assert status == 400
    assert answer["error"] == "The passkey could not be verified, so it was not added."
    assert not Passkey.objects.exists()


def test_a_sign_in_without_a_ceremony_or_with_garbage_signs_no_one_in(
    client: Client, citizen: User
) -> None:
    status, _ = _post_json(client, "identity:passkey_sign_in", {"credential": {}})
    assert status == 400
    status, options = _post_json(client, "identity:passkey_options", {})
    assert status == 200
    assert options["userVerification"] == "required"
    status, answer = _post_json(client, "identity:passkey_sign_in", {"credential": "garbage"})
    assert status == 403
    assert "could not sign you in" in str(answer["error"])
    assert "_auth_user_id" not in client.session
    refusal = AuditEntry.objects.get(action="identity.sign_in_refused")
    assert refusal.data["reason"] == "malformed"


def test_a_citizen_removes_only_their_own_passkeys(
    client: Client, citizen: User, family: dict[str, Person]
) -> None:
    stranger = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )
    theirs = _passkey(stranger, "Their key")
    mine = _passkey(citizen)
    client.force_login(citizen)
    client.post(reverse("identity:passkey_remove", args=[theirs.pk]))
    assert Passkey.objects.filter(pk=theirs.pk).exists()
    client.post(reverse("identity:passkey_remove", args=[mine.pk]))
    assert not Passkey.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.filter(action="identity.passkey_removed").count() == 1


def test_a_passkey_needs_a_name(citizen: User) -> None:
    with pytest.raises(ValidationFailedError, match="name"):
        _passkey(citizen, "  ")
    assert not Passkey.objects.exists()
