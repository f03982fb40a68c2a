"""JOSE helpers shared by the credential, QR and key modules (RFC 7515, 7517, 7518, 7638).

Every issuer key is an EC P-256 key used with ES256. Signatures travel in two encodings: DER
(X.509, CMS/PAdES) and the fixed 64-byte r‖s form (JWS, COSE); the converters are here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

_COORDINATE = 32  # bytes in a P-256 coordinate and in each half of an ES256 signature


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of `b64url`; raises ValueError on anything that is not base64url."""
    if not isinstance(text, str) or any(c in text for c in "=+/ \n\r\t"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("not base64url") from error


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public JWK of a P-256 key (RFC 7518 §6.2), members in the RFC 7638 order."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("issuer keys are P-256")
    numbers = key.public_numbers()
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url(numbers.x.to_bytes(_COORDINATE, "big")),
        "y": b64url(numbers.y.to_bytes(_COORDINATE, "big")),
    }


def jwk_thumbprint(key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint: the key id (`kid`) of every issuer key."""
    canonical = json.dumps(public_jwk(key), separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def public_key_from_jwk(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from its JWK; ValueError for anything else."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("only EC P-256 keys are accepted")
    x = b64url_decode(str(jwk.get("x", "")))
    y = b64url_decode(str(jwk.get("y", "")))
    if len(x) != _COORDINATE or len(y) != _COORDINATE:
        raise ValueError("malformed P-256 coordinates")
    return ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    ).public_key()


def raw_signature(der: bytes) -> bytes:
    """DER ECDSA signature → 64-byte r‖s (JWS/COSE)."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")


def der_signature(raw: bytes) -> bytes:
    """64-byte r‖s → DER; ValueError if the length is wrong."""
    if len(raw) != 2 * _COORDINATE:
        raise ValueError("an ES256 signature is 64 bytes")
    return encode_dss_signature(
        int.from_bytes(raw[:_COORDINATE], "big"), int.from_bytes(raw[_COORDINATE:], "big")
    )
