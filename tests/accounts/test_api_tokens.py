"""Bearer tokens for systems: act as their account through /api/v1, never more; revoked or
expired tokens are refused; only the hash is stored."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from gov3.accounts.models import ApiToken, User
from gov3.accounts.services import (
    do_create_api_token,
    do_create_citizen_account,
    do_revoke_api_token,
)
from gov3.core.errors import ValidationFailedError
from gov3.offers.models import Offer
from gov3.registry.models import Person
from tests.conftest import ACTOR


def _get(path: str, token: str) -> Any:
    return Client().get(path, headers={"authorization": f"Bearer {token}"})


def test_a_token_acts_as_its_citizen_and_only_its_hash_is_kept(
    citizen: User, register_birth: Any, welfare_agency: Any
) -> None:
    baby = register_birth()
    record, secret = do_create_api_token(ACTOR, citizen, name="household app")
    assert secret.startswith("gov3_")
    assert secret not in str(ApiToken.objects.values_list())
    response = _get("/api/v1/offers/", secret)
    assert response.status_code == 200
    assert {o["service"] for o in response.json() if o["for_person"] == str(baby.public_id)} == {
        "child_allowance",
        "parent_benefit",
        "first_meeting_voucher",
    }
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_a_token_post_needs_no_csrf_but_keeps_the_permissions(
    citizen: User, register_birth: Any, welfare_agency: Any, family: dict[str, Person]
) -> None:
    baby = register_birth()
    offer = Offer.objects.filter(subject=baby).first()
    assert offer is not None
    stranger = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="stranger", password="x" * 20
    )
    _, secret = do_create_api_token(ACTOR, stranger, name="x")
    response = Client(enforce_csrf_checks=True).post(
        f"/api/v1/offers/{offer.public_id}/confirm",
        {"version": offer.version},
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == "notified"


@pytest.mark.parametrize("token", ["", "gov3_forged", "Basic abc", "gov3_" + "a" * 43])
def test_forged_tokens_are_refused(db: None, token: str) -> None:
    assert _get("/api/v1/offers/", token).status_code == 401


def test_revoked_and_expired_tokens_are_refused(citizen: User) -> None:
    record, secret = do_create_api_token(ACTOR, citizen, name="phone")
    assert _get("/api/v1/offers/", secret).status_code == 200
    do_revoke_api_token(ACTOR, record)
    assert _get("/api/v1/offers/", secret).status_code == 401
    record, secret = do_create_api_token(ACTOR, citizen, name="old", days=1)
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get("/api/v1/offers/", secret).status_code == 401


def test_bad_token_requests_change_nothing(citizen: User) -> None:
    with pytest.raises(ValidationFailedError):
        do_create_api_token(ACTOR, citizen, name=" ")
    with pytest.raises(ValidationFailedError):
        do_create_api_token(ACTOR, citizen, name="x", days=1000)
    assert not ApiToken.objects.exists()


def test_the_command_makes_lists_and_revokes_tokens(citizen: User) -> None:
    out = io.StringIO()
    call_command(
        "accounts", "token", citizen.username, "--name", "cli", stdout=out, stderr=io.StringIO()
    )
    secret = out.getvalue().strip()
    assert _get("/api/v1/offers/", secret).status_code == 200
    prefix = ApiToken.objects.get().prefix
    listing = io.StringIO()
    call_command("accounts", "tokens", citizen.username, stdout=listing)
    assert prefix in listing.getvalue()
    call_command("accounts", "revoke", prefix, stdout=io.StringIO())
    assert _get("/api/v1/offers/", secret).status_code == 401


def test_tokens_sharing_a_prefix_can_each_be_revoked(citizen: User) -> None:
    first, secret = do_create_api_token(ACTOR, citizen, name="one")
    second, _ = do_create_api_token(ACTOR, citizen, name="two")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)  # as a collision would
    with pytest.raises(CommandError, match=f"--id {first.pk}"):
        call_command("accounts", "revoke", first.prefix, stdout=io.StringIO())
    call_command("accounts", "revoke", first.prefix, "--id", str(second.pk), stdout=io.StringIO())
    call_command("accounts", "revoke", secret, stdout=io.StringIO())  # the token itself
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
