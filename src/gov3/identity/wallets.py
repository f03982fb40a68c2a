"""Credentials to wallets: OpenID for Verifiable Credential Issuance 1.0, pre-authorized code
flow (ADR 0028). What the wallet is told (issuer metadata, the credential offer) and the check
of its proof of possession, which joserfc verifies; the writes are in `services`.

The flow: the citizen asks on "My documents" for an offer (a QR code / deep link carrying a
pre-authorized code) and reads a transaction code on the same page; the wallet exchanges both
at the token endpoint for an access token, fetches a `c_nonce`, signs a proof JWT with its key
over that nonce and asks the credential endpoint, which issues the document's SD-JWT VC again
bound to the wallet's key (`cnf.jwk`).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.utils.crypto import get_random_string
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from gov3.documents.models import DocumentType
from gov3.documents.services import vct

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
#: Document types a wallet can receive (the passport's chip data is not an SD-JWT VC use).
WALLET_TYPES = (DocumentType.RESIDENT_REGISTRATION, DocumentType.FAMILY_RELATIONS)
#: Seconds a c_nonce and a proof's `iat` stay acceptable.
NONCE_SECONDS = 300
TX_CODE_LENGTH = 6
_NONCE_SALT = "gov3.identity.wallets.c_nonce"


class WalletRequestError(Exception):
    """A wallet's request is refused; `error` is the OAuth / OID4VCI error code it is sent."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def credential_issuer() -> str:
    """The credential issuer identifier: the site's URL (as the credentials' `iss`)."""
    return str(settings.GOV3_SITE_URL)


def _endpoint(path: str) -> str:
    return f"{credential_issuer()}{path}"


def issuer_metadata() -> dict[str, Any]:
    """`/.well-known/openid-credential-issuer` (OID4VCI 1.0 §12.2)."""
    return {
        "credential_issuer": credential_issuer(),
        "credential_endpoint": _endpoint("/oid4vci/credential"),
        "nonce_endpoint": _endpoint("/oid4vci/nonce"),
        "display": [{"name": "gov3", "locale": "en"}, {"name": "gov3", "locale": "ko"}],
        "credential_configurations_supported": {
            str(kind): {
                "format": "dc+sd-jwt",
                "vct": vct(str(kind)),
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
            }
            for kind in WALLET_TYPES
        },
    }


def authorization_server_metadata() -> dict[str, Any]:
    """`/.well-known/oauth-authorization-server` for the pre-authorized code grant (RFC 8414):
    the credential issuer is its own authorization server."""
    return {
        "issuer": credential_issuer(),
        "token_endpoint": _endpoint("/oid4vci/token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }


def credential_offer(document_type: str, pre_authorized_code: str) -> dict[str, Any]:
    """The credential offer (OID4VCI 1.0 §4.1.1) for one document."""
    return {
        "credential_issuer": credential_issuer(),
        "credential_configuration_ids": [document_type],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": pre_authorized_code,
                "tx_code": {
                    "input_mode": "numeric",
                    "length": TX_CODE_LENGTH,
                    "description": "The code shown on gov3 next to this QR code",
                },
            }
        },
    }


def offer_uri(offer: dict[str, Any]) -> str:
    """The offer as a deep link a wallet opens (and the QR code carries)."""
    text = json.dumps(offer, separators=(",", ":"))
    return f"openid-credential-offer://?credential_offer={quote(text, safe='')}"


def new_c_nonce() -> str:
    """A fresh `c_nonce`: signed and timed by Django's signing (no state kept)."""
    return signing.TimestampSigner(salt=_NONCE_SALT).sign(get_random_string(24))


def holder_key_from_proof(proof: object, *, now: int | None = None) -> dict[str, Any]:
    """The wallet's public JWK, once its proof JWT (OID4VCI 1.0 Appendix F.1) is checked: type,
    algorithm, a public EC key in the header that verifies the signature, the audience (this
    issuer), a recent `iat` and a `c_nonce` this issuer made and that has not expired."""
    if not isinstance(proof, str) or proof.count(".") != 2:
        raise WalletRequestError("invalid_proof", "The proof is not a compact JWT.")
    try:
        header = jws.extract_compact(proof.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeEncodeError) as error:
        raise WalletRequestError("invalid_proof", "The proof cannot be read.") from error
    if header.get("typ") != PROOF_TYPE or header.get("alg") != "ES256":
        raise WalletRequestError("invalid_proof", f"A proof is a {PROOF_TYPE} signed with ES256.")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or "d" in jwk:
        raise WalletRequestError("invalid_proof", "The proof names no public key (jwk).")
    try:
        key = ECKey.import_key(jwk)
        verified = jws.deserialize_compact(proof, key, algorithms=["ES256"])
        claims = json.loads(verified.payload)
    except (JoseError, ValueError) as error:
        raise WalletRequestError(
            "invalid_proof", "The proof is not signed by the key it names."
        ) from error
    if not isinstance(claims, dict) or claims.get("aud") != credential_issuer():
        raise WalletRequestError("invalid_proof", "The proof is meant for another issuer.")
    issued = claims.get("iat")
    moment = now if now is not None else int(time.time())
    if not isinstance(issued, int) or abs(moment - issued) > NONCE_SECONDS:
        raise WalletRequestError("invalid_proof", "The proof is not recent (iat).")
    try:
        signing.TimestampSigner(salt=_NONCE_SALT).unsign(
            str(claims.get("nonce", "")), max_age=NONCE_SECONDS
        )
    except signing.BadSignature as error:
        raise WalletRequestError("invalid_nonce", "Fetch a new c_nonce and sign it.") from error
    return key.as_dict(private=False)
