"""gov3 as an OpenID Connect relying party of the national digital ID (ADR 0025).

Authlib does the OAuth (PKCE, `private_key_jwt`, the token request) and the ID token's claim
checks; joserfc signs the request object and checks the ID token's signature against the
provider's published keys. Nothing here is hand-written cryptography: this module only puts the
steps in order and turns each failure into a reason a citizen can be told.

The flow: `authorization_request` makes the state, nonce and PKCE verifier (kept in the
citizen's session by the view) and a signed request object (JAR, RFC 9101); `complete_sign_in`
checks the answer, exchanges the code and returns the ID token's checked claims.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from gov3.identity.config import NationalIdProvider, client_key

#: Seconds a call to the provider may take before the sign-in is given up.
TIMEOUT = 10
#: Clock difference tolerated between gov3 and the provider (seconds).
LEEWAY = 60
#: How long a request object is valid (the citizen's trip to the provider and back).
REQUEST_OBJECT_SECONDS = 300
#: The only signature algorithm accepted on ID tokens (as the provider is configured).
ID_TOKEN_ALGORITHMS = ["ES256"]
#: The clock ID tokens are checked against (seconds since the epoch).
clock = time.time


class SignInRefusedError(Exception):
    """The national digital ID's answer was not accepted; nothing was changed.

    `reason` is a stable code for the audit log and the tests; the view turns it into a
    sentence in the citizen's language.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class _Cache:
    metadata: dict[str, dict[str, Any]]
    keys: dict[str, dict[str, Any]]


_cache = _Cache(metadata={}, keys={})


def forget_provider_keys() -> None:
    """Drop the cached discovery documents and key sets (tests; an operator's rotation)."""
    _cache.metadata.clear()
    _cache.keys.clear()


def provider_metadata(provider: NationalIdProvider) -> dict[str, Any]:
    """The provider's discovery document (cached per process; it changes rarely)."""
    cached = _cache.metadata.get(provider.issuer)
    if cached is not None:
        return cached
    url = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefusedError("provider_unreachable", str(error)) from error
    if metadata.get("issuer") != provider.issuer:
        raise SignInRefusedError("issuer_mismatch", f"discovery names {metadata.get('issuer')!r}")
    _cache.metadata[provider.issuer] = metadata
    return metadata


def _provider_keys(metadata: dict[str, Any], *, refresh: bool) -> KeySet:
    uri = str(metadata["jwks_uri"])
    if refresh or uri not in _cache.keys:
        try:
            response = requests.get(uri, timeout=TIMEOUT)
            response.raise_for_status()
            _cache.keys[uri] = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInRefusedError("provider_unreachable", str(error)) from error
    return KeySet.import_key_set(_cache.keys[uri])  # type: ignore[arg-type]


@dataclass(frozen=True)
class PendingSignIn:
    """What gov3 remembers between sending the citizen to the provider and their return."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    issuer: str

    def as_session(self) -> dict[str, str]:
        return dict(self.__dict__)

    @classmethod
    def from_session(cls, data: object) -> PendingSignIn | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{key: str(data[key]) for key in cls.__dataclass_fields__})
        except KeyError:
            return None


def authorization_request(
    provider: NationalIdProvider, redirect_uri: str, *, ui_locales: str = ""
) -> tuple[str, PendingSignIn]:
    """The provider URL to send the citizen to, and what to keep until they come back."""
    metadata = provider_metadata(provider)
    pending = PendingSignIn(
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(64),
        redirect_uri=redirect_uri,
        issuer=provider.issuer,
    )
    now = int(time.time())
    scope = " ".join(provider.scopes)
    claims: dict[str, Any] = {
        "iss": provider.client_id,
        "aud": provider.issuer,
        "iat": now,
        "nbf": now,
        "exp": now + REQUEST_OBJECT_SECONDS,
        "jti": generate_token(24),
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": create_s256_code_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
    }
    if ui_locales:
        claims["ui_locales"] = ui_locales
    key = client_key(provider)
    request_object = jwt.encode(
        {"alg": "ES256", "kid": key.kid, "typ": "oauth-authz-req+jwt"}, claims, key
    )
    # OpenID Connect Core 6.1: response_type, client_id and scope also as plain parameters.
    query = urlencode(
        {
            "client_id": provider.client_id,
            "response_type": "code",
            "scope": scope,
            "request": request_object,
        }
    )
    return f"{metadata['authorization_endpoint']}?{query}", pending


def complete_sign_in(
    provider: NationalIdProvider,
    pending: PendingSignIn | None,
    answer: dict[str, str],
    *,
    now: int | None = None,
) -> tuple[dict[str, Any], str]:
    """Check the provider's answer, exchange its code and check the ID token; return the ID
    token's claims and the ID token itself (kept as the hint for signing out)."""
    if pending is None:
        raise SignInRefusedError("no_pending_sign_in")
    if "error" in answer:
        raise SignInRefusedError("provider_error", answer.get("error", ""))
    if not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise SignInRefusedError("state_mismatch")
    if pending.issuer != provider.issuer:
        raise SignInRefusedError("issuer_mismatch", "the provider changed during the sign-in")
    # RFC 9207: an answer that names its issuer must name ours (mix-up attacks).
    if "iss" in answer and answer["iss"] != provider.issuer:
        raise SignInRefusedError("issuer_mismatch", answer["iss"])
    code = answer.get("code", "")
    if not code:
        raise SignInRefusedError("no_code")
    metadata = provider_metadata(provider)
    token_endpoint = str(metadata["token_endpoint"])
    session = OAuth2Session(
        provider.client_id,
        client_key(provider),
        token_endpoint_auth_method="private_key_jwt",  # noqa: S106 - a method name
        redirect_uri=pending.redirect_uri,
    )
    session.register_client_auth_method(PrivateKeyJWT(token_endpoint, alg="ES256"))
    try:
        with session:
            token = session.fetch_token(
                token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
                timeout=TIMEOUT,
            )
    except AuthlibBaseError as error:  # the provider refused the code or our client
        raise SignInRefusedError("code_refused", str(error.error)) from error
    except requests.RequestException as error:
        raise SignInRefusedError("provider_unreachable", str(error)) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefusedError("no_id_token")
    claims = verify_id_token(
        provider,
        id_token,
        nonce=pending.nonce,
        access_token=str(token.get("access_token", "")),
        now=now,
    )
    return claims, id_token


def verify_id_token(
    provider: NationalIdProvider,
    id_token: str,
    *,
    nonce: str,
    access_token: str = "",
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature (against the provider's current keys, fetched
    again once when the key id is new: rotation), issuer, audience, expiry and nonce are right."""
    metadata = provider_metadata(provider)
    registry = JWSRegistry(algorithms=ID_TOKEN_ALGORITHMS)
    try:
        try:
            token = jwt.decode(id_token, _provider_keys(metadata, refresh=False), registry=registry)
        except InvalidKeyIdError:
            token = jwt.decode(id_token, _provider_keys(metadata, refresh=True), registry=registry)
    except InvalidKeyIdError as error:
        raise SignInRefusedError("unknown_key", str(error)) from error
    except BadSignatureError as error:
        raise SignInRefusedError("bad_signature") from error
    except (JoseError, ValueError) as error:
        raise SignInRefusedError("malformed_token", str(error)) from error
    params: dict[str, Any] = {"nonce": nonce, "client_id": provider.client_id}
    if access_token:
        params["access_token"] = access_token
    checked = CodeIDToken(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "nonce": {"essential": True},
        },
        params,
    )
    try:
        checked.validate(now=now if now is not None else int(clock()), leeway=LEEWAY)
    except ExpiredTokenError as error:
        raise SignInRefusedError("expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        claim = str(getattr(error, "claim", "") or error)
        reasons = {"aud": "audience", "nonce": "nonce", "iss": "issuer_mismatch"}
        raise SignInRefusedError(reasons.get(claim, "invalid_claim"), claim) from error
    except JoseError as error:
        raise SignInRefusedError("invalid_claim", str(error)) from error
    return dict(token.claims)


def logout_url(
    provider: NationalIdProvider, *, id_token_hint: str, post_logout_redirect_uri: str
) -> str | None:
    """Where to send the citizen so the provider ends its session too (RP-initiated logout),
    or None if the provider offers no such endpoint."""
    try:
        metadata = provider_metadata(provider)
    except SignInRefusedError:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token_hint,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": provider.client_id,
        }
    )
    return f"{endpoint}?{query}"
