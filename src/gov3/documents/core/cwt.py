"""The signed payload printed in a certificate's QR code, checkable offline.

The EU Digital COVID Certificate's layering: CWT claims (RFC 8392) in a COSE_Sign1 (RFC 9052
§4.2, tag 18) signed with ES256, then ZLIB (RFC 1950), then Base45 (RFC 9285), then a
context prefix (`GV1:`). Base45 keeps to the QR alphanumeric character set, so the code stays
in the dense alphanumeric mode.

Layout and choices (and why):
- Protected header `{1: -7, 4: kid}`: alg ES256; the kid is the raw 32-byte SHA-256 JWK
  thumbprint (RFC 7638), i.e. `signer.kid` base64url-decoded. Raw bytes are 11 bytes shorter
  than the base64url text and, unlike the DCC's 8-byte truncation, need no "try every key
  with this prefix" lookup. The unprotected header must be empty (nothing unsigned is read).
- Claims: 1 `iss`, 6 `iat`, 4 `exp` and the document's own claims under -65537 as
  `{"v": 1, …claims}`. -65537 is the first private-use CWT claim key (RFC 8392 §9.1: keys below
  -65536); -260 is registered to the EU health certificate and is not ours to reuse.
- Keep claim names short (one or two letters): every byte costs ~1.5 QR characters.
- Size guards: a text longer than a version-40 QR code holds (4,296 alphanumeric characters)
  and a decompressed COSE message above 16 KiB (zip-bomb guard) are refused before parsing.

Verification raises `CredentialInvalidError` (malformed, wrong_prefix, unsupported_algorithm,
unknown_key, bad_signature, not_yet_valid); expiry is reported in `VerifiedQR.expired`.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

import base45  # type: ignore[import-untyped]
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core.errors import (
    BAD_SIGNATURE,
    MALFORMED,
    NOT_YET_VALID,
    UNKNOWN_KEY,
    UNSUPPORTED_ALGORITHM,
    WRONG_PREFIX,
    CredentialInvalidError,
)
from gov3.documents.core.jose import b64url, b64url_decode, der_signature, raw_signature
from gov3.documents.core.signing import Signer

PREFIX: Final = "GV1:"
MAX_QR_LENGTH: Final = 4296
"""Alphanumeric capacity of a version-40 QR code at error correction level L (ISO/IEC 18004)."""
MAX_COSE_BYTES: Final = 16 * 1024
"""Largest decompressed COSE message accepted: ~5 times what fits in a QR code."""
VERSION: Final = 1
CLAIMS_KEY: Final = -65537

_COSE_SIGN1_TAG: Final = 18
_ALG, _KID = 1, 4  # COSE header labels (RFC 9052 §3.1)
_ES256: Final = -7
_ISS, _EXP, _IAT = 1, 4, 6  # CWT claim keys (RFC 8392 §4)
_BASE45: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())
_CBOR_ERRORS: Final = (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError)
"""What cbor2 raises on bad bytes (semantic tags may fail inside their own decoders)."""


@dataclass(frozen=True, slots=True)
class VerifiedQR:
    """What a genuine QR code says, and whether it has expired."""

    issuer: str
    kid: str
    issued_at: int
    expires_at: int | None
    claims: dict[str, Any]
    expired: bool


def encode_qr(
    signer: Signer,
    claims: Mapping[str, Any],
    *,
    issuer: str,
    issued_at: int,
    expires_at: int | None,
    prefix: str = PREFIX,
) -> str:
    """The QR text for `claims`: prefix + Base45(ZLIB(COSE_Sign1(CWT))).

    Claim values are str, int, bool, None, float, bytes, lists and str-keyed maps of these.
    Raises ValueError for other values, the reserved name "v", bad times, or a result too
    long for a QR code.
    """
    if not prefix or not set(prefix) <= _BASE45:
        raise ValueError("the prefix uses QR alphanumeric characters, e.g. 'GV1:'")
    if not isinstance(issuer, str) or not issuer:
        raise ValueError("the issuer is a non-empty string")
    if not _is_int(issued_at):
        raise ValueError("issued_at is a Unix time in whole seconds")
    if expires_at is not None and (not _is_int(expires_at) or expires_at <= issued_at):
        raise ValueError("expires_at is a Unix time in whole seconds after issued_at")
    if "v" in claims:
        raise ValueError("'v' is the payload version; rename the claim")
    document = {"v": VERSION, **claims}
    if not _is_plain(document):
        raise ValueError("claims are str, int, bool, None, float, bytes, lists and str-keyed maps")
    try:
        kid = b64url_decode(signer.kid)
    except ValueError as error:
        raise ValueError("the signer's kid is not a base64url thumbprint") from error

    cwt: dict[int, Any] = {_ISS: issuer, _IAT: issued_at}
    if expires_at is not None:
        cwt[_EXP] = expires_at
    cwt[CLAIMS_KEY] = document
    protected = cbor2.dumps({_ALG: _ES256, _KID: kid})
    payload = cbor2.dumps(cwt)
    signature = raw_signature(signer.sign(_sig_structure(protected, payload)))
    message = cbor2.dumps(cbor2.CBORTag(_COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    text = prefix + bytes(base45.b45encode(zlib.compress(message, 9))).decode("ascii")
    if len(text) > MAX_QR_LENGTH:
        raise ValueError(f"{len(text)} characters do not fit a QR code ({MAX_QR_LENGTH} max)")
    return text


def decode_qr(
    text: str,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    *,
    now: int,
    prefix: str = PREFIX,
    leeway: int = 60,
) -> VerifiedQR:
    """Verify a scanned QR text against the issuer keys trusted by kid."""
    if not isinstance(text, str):
        raise CredentialInvalidError(MALFORMED, "a QR payload is text")
    if len(text) > MAX_QR_LENGTH:
        raise CredentialInvalidError(MALFORMED, "longer than any QR code can hold")
    if not text.startswith(prefix):
        raise CredentialInvalidError(WRONG_PREFIX, f"not a {prefix} code")
    body = text[len(prefix) :]
    if not set(body) <= _BASE45:
        raise CredentialInvalidError(MALFORMED, "not Base45 text")
    try:
        compressed = base45.b45decode(body)
    except ValueError as error:
        raise CredentialInvalidError(MALFORMED, "not Base45 text") from error
    message = _inflate(compressed)

    cose = _cbor(message, "COSE message")
    if (
        not isinstance(cose, cbor2.CBORTag)
        or cose.tag != _COSE_SIGN1_TAG
        or not isinstance(cose.value, list | tuple)  # cbor2 decodes a tag's array as a tuple
        or len(cose.value) != 4
        or not all(isinstance(cose.value[i], bytes) for i in (0, 2, 3))
    ):
        raise CredentialInvalidError(MALFORMED, "not a tagged COSE_Sign1 message")
    protected_bytes, unprotected, payload_bytes, signature = cose.value
    if not isinstance(unprotected, Mapping) or unprotected:
        raise CredentialInvalidError(MALFORMED, "the unprotected header must be empty")
    protected = _cbor(protected_bytes, "protected header")
    if not isinstance(protected, dict) or protected.get(_ALG) != _ES256:
        alg = protected.get(_ALG) if isinstance(protected, dict) else None
        raise CredentialInvalidError(
            UNSUPPORTED_ALGORITHM, f"COSE algorithm {alg!r}; only ES256 (-7) is accepted"
        )
    if protected.keys() != {_ALG, _KID} or not isinstance(protected[_KID], bytes):
        raise CredentialInvalidError(MALFORMED, "the protected header is {alg, kid} only")
    kid = b64url(protected[_KID])
    if kid not in keys:
        raise CredentialInvalidError(UNKNOWN_KEY, f"not signed by a trusted issuer key ({kid})")
    try:
        der = der_signature(signature)
    except ValueError as error:
        raise CredentialInvalidError(MALFORMED, "an ES256 signature is 64 bytes") from error
    try:
        keys[kid].verify(der, _sig_structure(protected_bytes, payload_bytes), _ECDSA_SHA256)
    except InvalidSignature as error:
        raise CredentialInvalidError(BAD_SIGNATURE, "the signature does not match") from error
    return _verified_claims(_cbor(payload_bytes, "CWT claims"), kid, now=now, leeway=leeway)


def _verified_claims(cwt: object, kid: str, *, now: int, leeway: int) -> VerifiedQR:
    if not isinstance(cwt, dict):
        raise CredentialInvalidError(MALFORMED, "the CWT claims are not a map")
    issuer, issued_at, expires_at = cwt.get(_ISS), cwt.get(_IAT), cwt.get(_EXP)
    document = cwt.get(CLAIMS_KEY)
    if not isinstance(issuer, str) or not _is_int(issued_at):
        raise CredentialInvalidError(MALFORMED, "iss and iat are required")
    if expires_at is not None and not _is_int(expires_at):
        raise CredentialInvalidError(MALFORMED, "exp is a Unix time in whole seconds")
    if not isinstance(document, dict) or document.get("v") != VERSION or not _is_plain(document):
        raise CredentialInvalidError(MALFORMED, f"no version {VERSION} document claims")
    if issued_at > now + leeway:
        raise CredentialInvalidError(NOT_YET_VALID, "issued for a time still in the future")
    return VerifiedQR(
        issuer=issuer,
        kid=kid,
        issued_at=issued_at,
        expires_at=expires_at,
        claims={k: v for k, v in document.items() if k != "v"},
        expired=expires_at is not None and now >= expires_at + leeway,
    )


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    """RFC 9052 §4.4: what is signed, with empty external additional data."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(compressed, MAX_COSE_BYTES)
    except zlib.error as error:
        raise CredentialInvalidError(MALFORMED, "not ZLIB data") from error
    if inflater.unconsumed_tail:
        raise CredentialInvalidError(MALFORMED, f"decompresses beyond {MAX_COSE_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise CredentialInvalidError(MALFORMED, "the ZLIB data is truncated or has trailing data")
    return message


def _cbor(data: bytes, what: str) -> object:
    """Exactly one CBOR item, definite lengths, no duplicate map keys."""
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(
            stream, max_depth=16, allow_indefinite=False, allow_duplicate_keys=False
        )
        item = decoder.decode()
    except _CBOR_ERRORS as error:
        raise CredentialInvalidError(MALFORMED, f"the {what} is not CBOR") from error
    if stream.tell() != len(data):
        raise CredentialInvalidError(MALFORMED, f"trailing bytes after the {what}")
    return item


def _is_plain(value: object) -> bool:
    """JSON-like data (plus bytes): what a printed document's claims may hold."""
    if value is None or isinstance(value, str | int | float | bytes):
        return True
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
