"""Passkeys (WebAuthn) for citizens, verified by the `webauthn` library (ADR 0026).

gov3 never parses or checks WebAuthn data itself: `webauthn` makes the options, checks the
registration (attestation "none": a passkey proves possession, not its maker) and each
sign-in's signature, challenge, origin, relying party and user verification. This module keeps
the challenge between the two steps and names each refusal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_authenticator_data,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
    WebAuthnException,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

#: How long the browser may take to answer (milliseconds), as the options tell it.
TIMEOUT_MS = 120_000


class PasskeyRefusedError(Exception):
    """A passkey registration or sign-in was not accepted; nothing was changed."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class RelyingParty:
    """This site as WebAuthn knows it: its host name (the RP id) and its origin."""

    rp_id: str
    origin: str
    name: str


def registration_options(
    party: RelyingParty,
    *,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    existing: list[bytes],
) -> tuple[str, str]:
    """The options for `navigator.credentials.create` (JSON) and the challenge to keep."""
    options = generate_registration_options(
        rp_id=party.rp_id,
        rp_name=party.name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=found) for found in existing],
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


@dataclass(frozen=True)
class NewPasskey:
    """A verified registration: what to keep of the new passkey."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]


def verify_registration(party: RelyingParty, credential: Any, challenge: str) -> NewPasskey:
    """Check the browser's answer to `registration_options`."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, WebAuthnException) as error:
        raise PasskeyRefusedError("registration_invalid", str(error)) from error
    transports: list[str] = []
    if isinstance(credential, dict):
        found = (credential.get("response") or {}).get("transports") or []
        transports = [str(item) for item in found][:8]
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=transports,
    )


def authentication_options(
    party: RelyingParty, *, allowed: list[bytes] | None = None
) -> tuple[str, str]:
    """Options for `navigator.credentials.get` with any passkey of this site (the person
    picks theirs: no user name first), or only the `allowed` credential ids (an officer's
    second factor, after their password), and the challenge to keep."""
    options = generate_authentication_options(
        rp_id=party.rp_id,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=found) for found in allowed or []],
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def credential_id_of(credential: Any) -> bytes:
    """The credential id a sign-in answer names (to find its stored passkey)."""
    try:
        return parse_authentication_credential_json(json.dumps(credential)).raw_id
    except (InvalidJSONStructure, WebAuthnException, TypeError, ValueError) as error:
        raise PasskeyRefusedError("malformed", str(error)) from error


def verify_sign_in(
    party: RelyingParty,
    credential: Any,
    challenge: str,
    *,
    public_key: bytes,
    sign_count: int,
) -> int:
    """Check a sign-in answer against the stored passkey; return the authenticator's new
    signature counter. A counter that did not move forward (when the authenticator keeps one)
    means a copy of the key is in use somewhere: refused as `cloned_authenticator`."""
    try:
        parsed = parse_authentication_credential_json(json.dumps(credential))
        reported = parse_authenticator_data(parsed.response.authenticator_data).sign_count
    except (InvalidJSONStructure, WebAuthnException, TypeError, ValueError) as error:
        raise PasskeyRefusedError("malformed", str(error)) from error
    if (reported > 0 or sign_count > 0) and reported <= sign_count:
        raise PasskeyRefusedError(
            "cloned_authenticator", f"signature counter {reported} after {sign_count}"
        )
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, WebAuthnException) as error:
        raise PasskeyRefusedError("signature_invalid", str(error)) from error
    return int(verified.new_sign_count)
