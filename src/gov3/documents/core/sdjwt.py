"""SD-JWT VC: the citizen's wallet credential (RFC 9901 SD-JWT; IETF draft SD-JWT VC).

An issued credential is `<JWS>~<disclosure>~…~<disclosure>~`. The JWS (header
`{"alg": "ES256", "typ": "dc+sd-jwt", "kid": …}`) carries `iss`, `iat`, `exp`, `vct`, the
optional `status` reference into an IETF Token Status List, and the sorted SHA-256 digests
(`_sd`) of the selectively disclosable claims. Each disclosure is
base64url(JSON `[salt, name, value]`) with a 128-bit random salt, so a holder can show a
verifier some claims and keep the others hidden (`IssuedCredential.present`).

Choices (and why):
- Every top-level claim is disclosable unless named in `always_visible`; a dict or list value is
  disclosed as a whole (no recursive disclosure at issuance). Verification follows the full
  RFC 9901 §7.1 algorithm, nested `_sd` and array `{"...": digest}` entries included.
- `_sd` is sorted, which hides the order the claims were given in (RFC 9901 §4.2.4.1). No decoy
  digests by default: the `vct` already says which claims a credential type has, so decoys
  would hide little; `decoys=` adds them when a type has optional claims whose mere presence
  says something.
- Only `typ: dc+sd-jwt` is accepted. The legacy `vc+sd-jwt` (SD-JWT VC drafts before 06) is
  refused: gov3 never issued it, and `verify` trusts gov3's own keys only.
- Holder binding only where a wallet proved its key (OpenID4VCI delivery, gov3.identity): then
  `cnf.jwk` names the wallet's public key. `verify` still refuses a trailing Key Binding JWT,
  so a presentation checked here proves what the issuer said, not who presents it.
- Expiry is reported (`VerifiedCredential.expired`), not raised, so a verification page can say
  "genuine but expired"; everything else wrong raises `CredentialInvalidError`.

The compact ES256 JWS used here is also the status list token's (`sign_jws`, `verify_jws`).
Hand-written on `cryptography` to keep per-credential overhead small (thousands a second).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core.errors import (
    BAD_DISCLOSURE,
    BAD_SIGNATURE,
    MALFORMED,
    NOT_YET_VALID,
    UNKNOWN_KEY,
    UNSUPPORTED_ALGORITHM,
    WRONG_TYPE,
    CredentialInvalidError,
)
from gov3.documents.core.jose import b64url, der_signature, raw_signature
from gov3.documents.core.signing import Signer

TYP: Final = "dc+sd-jwt"
ALG: Final = "ES256"
SD_ALG: Final = "sha-256"
MAX_LENGTH: Final = 256 * 1024
"""Longest SD-JWT text accepted (characters): far above any certificate, far below harm."""

_REGISTERED: Final = frozenset({
    "iss", "iat", "exp", "nbf", "vct", "vct#integrity", "status", "cnf", "_sd", "_sd_alg", "...",
})  # fmt: skip
"""Claims the SD-JWT VC draft reserves (never selectively disclosable) or SD-JWT's own syntax."""
_SALT_BYTES: Final = 16  # 128 bits, RFC 9901 §9.3
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())


@dataclass(frozen=True, slots=True)
class StatusReference:
    """Where a credential's status is kept: entry `idx` of the status list token at `uri`."""

    idx: int
    uri: str

    def __post_init__(self) -> None:
        if isinstance(self.idx, bool) or not isinstance(self.idx, int) or self.idx < 0:
            raise ValueError("a status list index is a non-negative integer")
        if not isinstance(self.uri, str) or not self.uri:
            raise ValueError("a status list URI is a non-empty string")

    def to_claim(self) -> dict[str, Any]:
        """The `status` claim (IETF Token Status List §6.1)."""
        return {"status_list": {"idx": self.idx, "uri": self.uri}}

    @classmethod
    def from_claim(cls, claim: object) -> StatusReference:
        """Read a `status` claim; ValueError if it is not a status list reference."""
        if not isinstance(claim, dict) or not isinstance(claim.get("status_list"), dict):
            raise ValueError("the status claim has no status_list reference")
        reference = claim["status_list"]
        return cls(idx=reference.get("idx"), uri=reference.get("uri"))


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """An SD-JWT VC as issued: the signed JWT and one disclosure per hidden claim."""

    jwt: str
    disclosures: dict[str, str]
    """Claim name → disclosure string, in the order the claims were given."""

    @property
    def serialized(self) -> str:
        """The whole credential, every disclosure included: what the holder's wallet stores."""
        return self.present(self.disclosures)

    def present(self, names: Collection[str]) -> str:
        """The SD-JWT with only the disclosures of `names`: what the holder shows a verifier."""
        unknown = set(names) - self.disclosures.keys()
        if unknown:
            raise ValueError(
                f"not selectively disclosable in this credential: {', '.join(sorted(unknown))}"
            )
        chosen = [d for name, d in self.disclosures.items() if name in names]
        return "~".join([self.jwt, *chosen, ""])


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """What a verifier learnt from a genuine credential: only the claims the holder disclosed."""

    issuer: str
    vct: str
    kid: str
    issued_at: int
    expires_at: int | None
    claims: dict[str, Any]
    status: StatusReference | None
    expired: bool


def issue(
    signer: Signer,
    *,
    issuer: str,
    vct: str,
    claims: Mapping[str, Any],
    issued_at: int,
    expires_at: int | None,
    status: StatusReference | None,
    always_visible: Collection[str] = (),
    decoys: int = 0,
    holder_key: Mapping[str, Any] | None = None,
) -> IssuedCredential:
    """Sign an SD-JWT VC in which every claim but `always_visible` is selectively disclosable.

    `holder_key` (a public JWK) binds the credential to the wallet that holds that key.
    Claim values must be JSON (str, int, float, bool, None, list, dict with str keys). Raises
    ValueError for a reserved claim name (`iss`, `exp`, `status`, `_sd`, …), a value that is
    not JSON, or inconsistent times.
    """
    _check_issue(issuer=issuer, vct=vct, claims=claims, issued_at=issued_at, expires_at=expires_at)
    if not _is_int(decoys) or decoys < 0:
        raise ValueError("decoys is a non-negative number of decoy digests")
    visible = set(always_visible)
    if visible - claims.keys():
        missing = ", ".join(sorted(visible - claims.keys()))
        raise ValueError(f"always_visible names claims that are not given: {missing}")

    payload: dict[str, Any] = {"iss": issuer, "iat": issued_at}
    if expires_at is not None:
        payload["exp"] = expires_at
    payload["vct"] = vct
    if status is not None:
        payload["status"] = status.to_claim()
    if holder_key is not None:  # the wallet's public key (RFC 7800 confirmation)
        payload["cnf"] = {"jwk": dict(holder_key)}
    disclosures: dict[str, str] = {}
    digests: list[str] = []
    for name, value in claims.items():
        if name in visible:
            payload[name] = value
            continue
        salt = secrets.token_urlsafe(_SALT_BYTES)
        disclosure = b64url(_json_bytes([salt, name, value], f"claim {name!r}"))
        disclosures[name] = disclosure
        digests.append(_digest(disclosure))
    digests.extend(_digest(secrets.token_urlsafe(_SALT_BYTES)) for _ in range(decoys))
    if digests:
        payload["_sd"] = sorted(digests)
    payload["_sd_alg"] = SD_ALG
    header = {"alg": ALG, "typ": TYP, "kid": signer.kid}
    return IssuedCredential(jwt=sign_jws(signer, header, payload), disclosures=disclosures)


def _check_issue(
    *, issuer: str, vct: str, claims: Mapping[str, Any], issued_at: int, expires_at: int | None
) -> None:
    if not isinstance(issuer, str) or not issuer:
        raise ValueError("the issuer is a non-empty string (a URL)")
    if not isinstance(vct, str) or not vct:
        raise ValueError("the credential type (vct) is a non-empty string")
    if not _is_int(issued_at):
        raise ValueError("issued_at is a Unix time in whole seconds")
    if expires_at is not None and (not _is_int(expires_at) or expires_at <= issued_at):
        raise ValueError("expires_at is a Unix time in whole seconds after issued_at")
    for name in claims:
        if not isinstance(name, str) or not name:
            raise ValueError("claim names are non-empty strings")
        if name in _REGISTERED:
            raise ValueError(f"{name!r} is set by the issuer itself; it cannot be a claim")


def verify(
    text: str,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    *,
    now: int,
    expected_vct: str | None = None,
    leeway: int = 60,
) -> VerifiedCredential:
    """Check an SD-JWT VC (or a presentation of it) against the issuer keys trusted by kid.

    Raises CredentialInvalidError (reasons: malformed, unsupported_algorithm, unknown_key,
    bad_signature, bad_disclosure, not_yet_valid, wrong_type) for anything not genuine or not
    yet valid; an expired credential is returned with `expired=True`.
    """
    if not isinstance(text, str):
        raise CredentialInvalidError(MALFORMED, "an SD-JWT is text")
    if len(text) > MAX_LENGTH:
        raise CredentialInvalidError(MALFORMED, f"longer than {MAX_LENGTH} characters")
    parts = text.split("~")
    if len(parts) < 2:
        raise CredentialInvalidError(MALFORMED, "not an SD-JWT: no '~' after the JWT")
    if parts[-1]:
        raise CredentialInvalidError(
            MALFORMED, "an SD-JWT ends with '~' (key binding JWTs are not supported)"
        )
    kid, payload = verify_jws(parts[0], keys, typ=TYP)

    claims = _disclosed_claims(payload, parts[1:-1])
    issuer, vct, issued_at = claims.get("iss"), claims.get("vct"), claims.get("iat")
    if not isinstance(issuer, str) or not isinstance(vct, str) or not _is_int(issued_at):
        raise CredentialInvalidError(MALFORMED, "iss, vct and iat are required")
    if expected_vct is not None and vct != expected_vct:
        raise CredentialInvalidError(WRONG_TYPE, f"a {vct!r} credential, not {expected_vct!r}")
    expires_at, not_before = claims.get("exp"), claims.get("nbf", issued_at)
    if (expires_at is not None and not _is_int(expires_at)) or not _is_int(not_before):
        raise CredentialInvalidError(MALFORMED, "exp and nbf are Unix times in whole seconds")
    if max(issued_at, not_before) > now + leeway:
        raise CredentialInvalidError(NOT_YET_VALID, "issued for a time still in the future")
    status = None
    if "status" in claims:
        try:
            status = StatusReference.from_claim(claims["status"])
        except ValueError as error:
            raise CredentialInvalidError(MALFORMED, str(error)) from error
    return VerifiedCredential(
        issuer=issuer,
        vct=vct,
        kid=kid,
        issued_at=issued_at,
        expires_at=expires_at,
        claims={k: v for k, v in claims.items() if k not in _REGISTERED},
        status=status,
        expired=expires_at is not None and now >= expires_at + leeway,
    )


def _disclosed_claims(payload: dict[str, Any], disclosures: list[str]) -> dict[str, Any]:
    """The payload with the given disclosures put in place of their digests (RFC 9901 §7.1)."""
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise CredentialInvalidError(UNSUPPORTED_ALGORITHM, "_sd_alg must be sha-256")
    pending: dict[str, str] = {}
    for disclosure in disclosures:
        if not disclosure or _B64URL.fullmatch(disclosure) is None:
            raise CredentialInvalidError(BAD_DISCLOSURE, "a disclosure is not base64url")
        digest = _digest(disclosure)
        if digest in pending:
            raise CredentialInvalidError(BAD_DISCLOSURE, "the same disclosure is given twice")
        pending[digest] = disclosure
    try:
        claims = _unpack_object(payload, pending, set())
    except RecursionError as error:
        raise CredentialInvalidError(MALFORMED, "claims nested too deeply") from error
    if pending:
        raise CredentialInvalidError(
            BAD_DISCLOSURE, "a disclosure does not belong to this credential"
        )
    if any(name in claims and name not in payload for name in _REGISTERED):
        raise CredentialInvalidError(BAD_DISCLOSURE, "a registered claim was disclosed")
    return claims


def sign_jws(signer: Signer, header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    """A compact JWS (RFC 7515 §7.1) signed with ES256 (raw r‖s signature)."""
    encoded_header = b64url(_json_bytes(header, "header"))
    signing_input = f"{encoded_header}.{b64url(_json_bytes(payload, 'payload'))}"
    signature = raw_signature(signer.sign(signing_input.encode("ascii")))
    return f"{signing_input}.{b64url(signature)}"


def verify_jws(
    token: str, keys: Mapping[str, ec.EllipticCurvePublicKey], *, typ: str
) -> tuple[str, dict[str, Any]]:
    """Check a compact ES256 JWS of the given `typ`; return (kid, payload).

    Only ES256 with a `kid` found in `keys` is accepted: the algorithm is never taken from the
    token's word alone (no `none`, no HMAC with a public key as secret).
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise CredentialInvalidError(MALFORMED, "a JWT has three '.'-separated parts")
    header_part, payload_part, signature_part = parts
    header = _json_object(header_part, MALFORMED, "JWT header")
    if header.get("alg") != ALG:
        raise CredentialInvalidError(
            UNSUPPORTED_ALGORITHM, f"signed with {header.get('alg')!r}; only ES256 is accepted"
        )
    if header.get("typ") != typ:
        raise CredentialInvalidError(WRONG_TYPE, f"typ is {header.get('typ')!r}, not {typ!r}")
    if "crit" in header:
        raise CredentialInvalidError(MALFORMED, "critical JWS extensions are not supported")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        raise CredentialInvalidError(UNKNOWN_KEY, f"not signed by a trusted issuer key ({kid!r})")
    if _B64URL.fullmatch(payload_part) is None or _B64URL.fullmatch(signature_part) is None:
        raise CredentialInvalidError(MALFORMED, "the JWT is not base64url")
    try:
        raw = _b64decode(signature_part)
        der = der_signature(raw)
    except ValueError as error:
        raise CredentialInvalidError(MALFORMED, "the signature is not 64 bytes") from error
    if b64url(raw) != signature_part:  # unused trailing bits set: another text, same bytes
        raise CredentialInvalidError(MALFORMED, "the signature is not canonical base64url")
    try:
        keys[kid].verify(der, f"{header_part}.{payload_part}".encode("ascii"), _ECDSA_SHA256)
    except InvalidSignature as error:
        raise CredentialInvalidError(BAD_SIGNATURE, "the signature does not match") from error
    return kid, _json_object(payload_part, MALFORMED, "JWT payload")


def _unpack_object(obj: dict[str, Any], pending: dict[str, str], seen: set[str]) -> dict[str, Any]:
    """RFC 9901 §7.1 step 3 for an object: plain members, then the disclosed `_sd` members."""
    result = {k: _unpack(v, pending, seen) for k, v in obj.items() if k not in {"_sd", "_sd_alg"}}
    digests = obj.get("_sd", [])
    if not isinstance(digests, list):
        raise CredentialInvalidError(MALFORMED, "_sd is not an array")
    for digest in digests:
        disclosure = _take(digest, pending, seen)
        if disclosure is None:
            continue  # a claim the holder did not disclose, or a decoy
        element = _disclosure(disclosure)
        if len(element) != 3 or not isinstance(element[1], str):
            raise CredentialInvalidError(BAD_DISCLOSURE, "an object disclosure has 3 elements")
        _, name, value = element
        if name in {"_sd", "..."} or name in result:
            raise CredentialInvalidError(BAD_DISCLOSURE, f"claim {name!r} may not be disclosed")
        result[name] = _unpack(value, pending, seen)
    return result


def _unpack(value: Any, pending: dict[str, str], seen: set[str]) -> Any:
    """Recurse into objects and arrays; array elements `{"...": digest}` are disclosable."""
    if isinstance(value, dict):
        return _unpack_object(value, pending, seen)
    if not isinstance(value, list):
        return value
    result = []
    for item in value:
        if isinstance(item, dict) and "..." in item:
            if len(item) != 1:
                raise CredentialInvalidError(MALFORMED, "an array digest entry has one member")
            disclosure = _take(item["..."], pending, seen)
            if disclosure is None:
                continue
            element = _disclosure(disclosure)
            if len(element) != 2:
                raise CredentialInvalidError(BAD_DISCLOSURE, "an array disclosure has 2 elements")
            result.append(_unpack(element[1], pending, seen))
        else:
            result.append(_unpack(item, pending, seen))
    return result


def _take(digest: object, pending: dict[str, str], seen: set[str]) -> str | None:
    """The disclosure for `digest`, if the holder gave it; each digest may appear only once."""
    if not isinstance(digest, str):
        raise CredentialInvalidError(MALFORMED, "a digest is a string")
    if digest in seen:
        raise CredentialInvalidError(MALFORMED, "the same digest appears twice")
    seen.add(digest)
    return pending.pop(digest, None)


def _disclosure(disclosure: str) -> list[Any]:
    try:
        element = _JSON.decode(_b64decode(disclosure).decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise CredentialInvalidError(BAD_DISCLOSURE, "a disclosure is not JSON") from error
    if not isinstance(element, list) or not element or not isinstance(element[0], str):
        raise CredentialInvalidError(BAD_DISCLOSURE, "a disclosure is a JSON array with a salt")
    return element


def _json_object(part: str, reason: str, what: str) -> dict[str, Any]:
    if _B64URL.fullmatch(part) is None:
        raise CredentialInvalidError(reason, f"the {what} is not base64url")
    try:
        obj = _JSON.decode(_b64decode(part).decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise CredentialInvalidError(reason, f"the {what} is not JSON") from error
    if not isinstance(obj, dict):
        raise CredentialInvalidError(reason, f"the {what} is not a JSON object")
    return obj


def _b64decode(text: str) -> bytes:
    """Base64url → bytes for text already matched against `_B64URL` (the hot path)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse duplicate member names: parsers disagree on which one wins (RFC 7515 §5.2)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


_JSON: Final = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def _json_bytes(value: object, what: str) -> bytes:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} is not JSON: {error}") from error
    return text.encode("utf-8")


def _digest(disclosure: str) -> str:
    """RFC 9901 §4.2.3: SHA-256 over the ASCII of the disclosure as transmitted."""
    return b64url(hashlib.sha256(disclosure.encode("ascii")).digest())


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
