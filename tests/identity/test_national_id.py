"""Sign-in with the national digital ID against a real OpenID provider on 127.0.0.1: the code
flow with PKCE, a signed request object and private_key_jwt; the ID token checked against the
provider's published keys; people matched to the register by national id number only."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from joserfc import jwt

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.identity import oidc
from gov3.identity.config import national_id_provider
from gov3.identity.models import NationalIdLink
from gov3.registry.models import Person
from tests.conftest import PASSWORD
from tests.identity.conftest import (
    CLIENT_ID,
    Provider,
    answer_at_provider,
    back_at_gov3,
    new_key,
    start_sign_in,
)
from tests.identity.conftest import (
    start_sign_in as press_sign_in,
)

pytestmark = pytest.mark.django_db


def _refusals() -> list[str]:
    return [
        entry.data["reason"]
        for entry in AuditEntry.objects.filter(action="identity.sign_in_refused")
    ]


def _sign_in(client: Client, login: str, **kwargs: Any) -> Any:
    callback = answer_at_provider(start_sign_in(client), login)
    return back_at_gov3(client, callback, **kwargs)


def test_the_authorization_request_is_signed_and_uses_pkce(
    client: Client, national_id: Provider
) -> None:
    url = press_sign_in(client)
    assert url.startswith(f"{national_id.issuer}/")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [CLIENT_ID]
    # Everything else travels inside the request object, signed with gov3's client key.
    token = jwt.decode(query["request"][0], national_id.client_key)
    assert token.header["alg"] == "ES256"
    assert token.claims["code_challenge_method"] == "S256"
    assert token.claims["redirect_uri"].endswith("/identity/national-id/callback/")
    assert token.claims["state"]
    assert token.claims["nonce"]
    assert "code_verifier" not in token.claims


def test_first_sign_in_opens_an_account_for_the_register_person(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    mother = family["mother"]
    response = _sign_in(client, mother.national_id, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:me")
    assert "김영희" in response.content.decode()
    user = User.objects.get(person=mother)
    assert user.is_citizen
    assert not user.has_usable_password()
    link = NationalIdLink.objects.get(user=user)
    assert link.issuer == national_id.issuer
    assert link.subject != mother.national_id  # the provider's opaque id, not the number
    # Signing in again reaches the same account: nothing is made twice.
    client.logout()
    _sign_in(client, mother.national_id)
    assert User.objects.filter(person=mother).count() == 1
    assert NationalIdLink.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == user.pk


def test_an_existing_password_account_is_linked_not_duplicated(
    client: Client, national_id: Provider, citizen: User
) -> None:
    assert citizen.person is not None
    # The number as printed on the card, with its hyphen, finds the same person.
    number = citizen.person.national_id
    _sign_in(client, f"{number[:6]}-{number[6:]}")
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert NationalIdLink.objects.get().user_id == citizen.pk
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)  # the password still works too


def test_a_number_not_in_the_register_gets_a_clear_page_and_no_account(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    users = User.objects.count()
    response = _sign_in(client, "9901011234567")
    assert response.status_code == 403
    assert "no one with that identity number" in response.content.decode()
    assert User.objects.count() == users
    assert NationalIdLink.objects.count() == 0
    assert "_auth_user_id" not in client.session
    assert _refusals() == ["not_in_register"]


def test_a_wrong_nonce_is_refused(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    callback = answer_at_provider(start_sign_in(client), family["mother"].national_id)
    # The session that comes back expected another nonce (a token injected from elsewhere).
    session = client.session
    session["gov3_national_id_pending"] = {
        **session["gov3_national_id_pending"],
        "nonce": "another-nonce",
    }
    session.save()
    response = back_at_gov3(client, callback)
    assert response.status_code == 403
    assert "could not be trusted" in response.content.decode()
    assert not User.objects.filter(person=family["mother"]).exists()
    assert _refusals() == ["nonce"]


def test_an_expired_id_token_is_refused(
    client: Client,
    national_id: Provider,
    family: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    callback = answer_at_provider(start_sign_in(client), family["mother"].national_id)
    # The citizen comes back two hours later than the token's hour of validity.
    monkeypatch.setattr(oidc, "clock", lambda: time.time() + 2 * 3600 + 120)
    response = back_at_gov3(client, callback)
    assert response.status_code == 403
    assert not User.objects.filter(person=family["mother"]).exists()
    assert _refusals() == ["expired"]


def test_a_replayed_code_or_state_is_refused(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    callback = answer_at_provider(start_sign_in(client), family["mother"].national_id)
    assert back_at_gov3(client, callback).status_code == 302
    client.logout()
    # The same answer again: nothing is pending any more.
    assert back_at_gov3(client, callback).status_code == 403
    # The old code with a new sign-in's state: the provider refuses the used code.
    start_sign_in(client)
    state = client.session["gov3_national_id_pending"]["state"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = client.get(
        reverse("identity:national_id_callback"),
        {"code": code, "state": state, "iss": national_id.issuer},
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert _refusals() == ["no_pending_sign_in", "code_refused"]


def test_a_changed_state_or_another_issuer_is_refused(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    callback = answer_at_provider(start_sign_in(client), family["mother"].national_id)
    response = back_at_gov3(client, callback.replace("state=", "state=x"))
    assert response.status_code == 403
    callback = answer_at_provider(start_sign_in(client), family["mother"].national_id)
    response = back_at_gov3(client, callback.replace("iss=", "iss=https%3A%2F%2Fevil.example"))
    assert response.status_code == 403
    assert _refusals() == ["state_mismatch", "issuer_mismatch"]
    assert not User.objects.filter(person=family["mother"]).exists()


def _minted(provider: Provider, key: Any = None, **changes: Any) -> str:
    """An ID token as the provider would sign it, with some claims changed."""
    key = key or provider.signing_keys[0]
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "sub": "sub-minted",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 600,
        "nonce": "n-1",
        "national_id": "7505012000000",
        **changes,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def test_tokens_for_another_audience_unknown_keys_or_tampered_are_refused(
    national_id: Provider,
) -> None:
    provider = national_id_provider()
    good = _minted(national_id)
    assert oidc.verify_id_token(provider, good, nonce="n-1")["sub"] == "sub-minted"
    cases = {
        "audience": _minted(national_id, aud="the-school-lms"),
        "unknown_key": _minted(national_id, key=new_key()),
        "issuer_mismatch": _minted(national_id, iss="https://id.example"),
        "nonce": _minted(national_id, nonce="n-2"),
        "expired": _minted(national_id, exp=int(time.time()) - 3600),
    }
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["national_id"] = "9001011000000"  # someone else's number, same signature
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    cases["bad_signature"] = f"{header}.{tampered_payload}.{signature}"
    for reason, token in cases.items():
        with pytest.raises(oidc.SignInRefusedError) as refused:
            oidc.verify_id_token(provider, token, nonce="n-1")
        assert refused.value.reason == reason, reason


def test_a_rotated_provider_key_is_fetched_again(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    # gov3 has the provider's current keys cached from a first sign-in...
    _sign_in(client, family["mother"].national_id)
    client.logout()
    # ...then the provider rotates: a new signing key first, the old one kept for a while.
    national_id.stop()
    national_id.signing_keys.insert(0, new_key())
    national_id.start()
    response = _sign_in(client, family["mother"].national_id)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_signing_out_ends_the_session_at_the_provider_too(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    _sign_in(client, family["mother"].national_id)
    response = client.post(reverse("identity:national_id_logout"))
    assert "_auth_user_id" not in client.session
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == national_id.issuer
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"]


def test_the_client_key_is_published_without_its_private_half(
    client: Client, national_id: Provider
) -> None:
    keys = client.get(reverse("identity:client_jwks")).json()["keys"]
    assert keys[0]["kid"] == national_id.client_key.kid
    assert "d" not in keys[0]


def test_the_sign_in_page_offers_the_national_id_and_the_header_signs_out_there(
    client: Client, national_id: Provider, family: dict[str, Person]
) -> None:
    page = client.get(reverse("portal:login")).content.decode()
    assert "Sign in with the national digital ID" in page
    assert reverse("identity:national_id_start") in page
    _sign_in(client, family["mother"].national_id)
    page = client.get(reverse("portal:me")).content.decode()
    assert f'action="{reverse("identity:national_id_logout")}"' in page


def test_without_a_provider_the_sign_in_page_has_no_such_button(client: Client) -> None:
    page = client.get(reverse("portal:login")).content.decode()
    assert "national digital ID" not in page
    assert client.get(reverse("identity:national_id_start")).status_code == 404
