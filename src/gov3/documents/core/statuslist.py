"""Revocation and suspension: the IETF OAuth Token Status List (draft-ietf-oauth-status-list).

A status list is a compressed array of `bits`-wide statuses, one per issued credential; a
credential points at its entry with `{"status": {"status_list": {"idx": n, "uri": …}}}`
(`gov3.documents.core.sdjwt.StatusReference`). Entry 0 sits in the least significant bits of
byte 0 (the draft's bit order; W3C Bitstring Status List counts from the most significant bit
and uses GZIP instead: the two are not interchangeable). The list is published as a signed
status list token, a JWT with `typ: statuslist+jwt`, so a verifier can check it offline.

Errors reading a status list or its token raise `CredentialInvalidError` with reason
`bad_status_list` (one reason on purpose: whatever is wrong, the verifier cannot tell whether
the credential was revoked, and says so); the message says what exactly was wrong.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any, Final, TypeGuard

from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core.errors import BAD_STATUS_LIST, CredentialInvalidError
from gov3.documents.core.jose import b64url, b64url_decode
from gov3.documents.core.sdjwt import sign_jws, verify_jws
from gov3.documents.core.signing import Signer

VALID: Final = 0
INVALID: Final = 1
"""Revoked for good."""
SUSPENDED: Final = 2
"""Temporarily not valid; needs `bits` ≥ 2."""

TYP: Final = "statuslist+jwt"
DEFAULT_SIZE: Final = 131_072
"""Default (and recommended minimum) number of entries: 16 KiB at one bit each.

A verifier fetching the list learns only that the credential is one of this many. The number is
the W3C Bitstring Status List's minimum (§6.1, "herd privacy"); the IETF draft leaves the size
to the issuer.
"""
MAX_DECODED_BYTES: Final = 16 * 1024 * 1024
"""Largest decompressed list accepted (16 MiB = 134 million one-bit entries): a zip-bomb guard."""
MAX_TOKEN_LENGTH: Final = 4 * 1024 * 1024
_BITS: Final = (1, 2, 4, 8)


class StatusList:
    """A mutable array of `size` statuses, each `bits` wide, backed by a bytearray."""

    __slots__ = ("_bytes", "bits", "size")

    def __init__(self, size: int = DEFAULT_SIZE, bits: int = 1) -> None:
        if bits not in _BITS:
            raise ValueError("bits is 1, 2, 4 or 8")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError("a status list has at least one entry")
        self.bits = bits
        self.size = size
        self._bytes = bytearray((size * bits + 7) // 8)

    def _place(self, idx: int) -> tuple[int, int]:
        if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < self.size:
            raise IndexError(f"status list index {idx!r} outside 0…{self.size - 1}")
        position = idx * self.bits
        return position // 8, position % 8

    @classmethod
    def from_bytes(cls, data: bytes, bits: int = 1) -> StatusList:
        """A list over raw bytes as `to_bytes` gives them (e.g. kept in a database column)."""
        if bits not in _BITS:
            raise ValueError("bits is 1, 2, 4 or 8")
        if not data:
            raise ValueError("a status list has at least one byte")
        status_list = cls(len(data) * 8 // bits, bits)
        status_list._bytes[:] = data
        return status_list

    def get(self, idx: int) -> int:
        """The status of entry `idx` (VALID, INVALID, SUSPENDED or an application value)."""
        byte, shift = self._place(idx)
        return (self._bytes[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, idx: int, status: int) -> None:
        """Give entry `idx` a status that fits in `bits`."""
        byte, shift = self._place(idx)
        mask = (1 << self.bits) - 1
        if isinstance(status, bool) or not isinstance(status, int) or not 0 <= status <= mask:
            raise ValueError(f"a {self.bits}-bit status is 0…{mask}, not {status!r}")
        self._bytes[byte] = (self._bytes[byte] & ~(mask << shift)) | (status << shift)

    def to_bytes(self) -> bytes:
        """The raw, uncompressed list."""
        return bytes(self._bytes)

    def encode(self) -> dict[str, Any]:
        """The `status_list` claim: `{"bits": b, "lst": base64url(ZLIB(list))}` (RFC 1950)."""
        return {"bits": self.bits, "lst": b64url(zlib.compress(self._bytes, 9))}

    @classmethod
    def decode(cls, obj: object) -> StatusList:
        """Read a `status_list` claim; its size is every entry the bytes hold."""
        if not isinstance(obj, dict):
            raise _bad("the status_list claim is not an object")
        bits, lst = obj.get("bits"), obj.get("lst")
        if isinstance(bits, bool) or not isinstance(bits, int) or bits not in _BITS:
            raise _bad("status_list.bits is not 1, 2, 4 or 8")
        if not isinstance(lst, str):
            raise _bad("status_list.lst is not a string")
        try:
            compressed = b64url_decode(lst)
            inflater = zlib.decompressobj()
            data = inflater.decompress(compressed, MAX_DECODED_BYTES)
        except (ValueError, zlib.error) as error:
            raise _bad("status_list.lst is not base64url ZLIB data") from error
        if inflater.unconsumed_tail:
            raise _bad(f"the status list is larger than {MAX_DECODED_BYTES} bytes")
        if not inflater.eof or inflater.unused_data:
            raise _bad("status_list.lst is truncated or has trailing data")
        if not data:
            raise _bad("the status list is empty")
        return cls.from_bytes(data, bits)

    def token(
        self,
        signer: Signer,
        *,
        subject_uri: str,
        issued_at: int,
        expires_at: int | None,
        ttl: int | None,
    ) -> str:
        """The signed status list token (JWT, `typ: statuslist+jwt`) to publish at `subject_uri`.

        `ttl` is how many seconds a verifier may cache it before fetching it again.
        """
        if not isinstance(subject_uri, str) or not subject_uri:
            raise ValueError("the status list URI is a non-empty string")
        if expires_at is not None and expires_at <= issued_at:
            raise ValueError("expires_at comes after issued_at")
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl is a positive number of seconds")
        payload: dict[str, Any] = {"sub": subject_uri, "iat": issued_at}
        if expires_at is not None:
            payload["exp"] = expires_at
        if ttl is not None:
            payload["ttl"] = ttl
        payload["status_list"] = self.encode()
        header = {"alg": "ES256", "typ": TYP, "kid": signer.kid}
        return sign_jws(signer, header, payload)


def read_token(
    token: str,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    *,
    now: int,
    expected_uri: str,
    leeway: int = 60,
) -> StatusList:
    """Verify a status list token fetched from `expected_uri` and return its list.

    Refused (CredentialInvalidError, reason bad_status_list): not an ES256 JWT of type
    statuslist+jwt signed by a key in `keys`, a `sub` other than `expected_uri` (a list for
    other credentials), issued in the future, or expired (a stale list may miss a revocation).
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise _bad("a status list token is text of reasonable length")
    try:
        _, payload = verify_jws(token, keys, typ=TYP)
    except CredentialInvalidError as error:
        raise _bad(f"status list token refused: {error.message}") from error
    if payload.get("sub") != expected_uri:
        raise _bad(f"the token is for {payload.get('sub')!r}, not {expected_uri!r}")
    issued_at, expires_at = payload.get("iat"), payload.get("exp")
    if not _is_int(issued_at) or (expires_at is not None and not _is_int(expires_at)):
        raise _bad("iat and exp are Unix times in whole seconds")
    if issued_at > now + leeway:
        raise _bad("the status list token is issued for a time still in the future")
    if expires_at is not None and now >= expires_at + leeway:
        raise _bad("the status list token has expired; fetch a fresh one")
    return StatusList.decode(payload.get("status_list"))


def _bad(message: str) -> CredentialInvalidError:
    return CredentialInvalidError(BAD_STATUS_LIST, message)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
