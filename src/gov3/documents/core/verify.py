"""Verifying any gov3 document — a signed PDF, the QR payload printed on it, or an SD-JWT VC —
against a set of trusted issuer keys and a source of revocation status.

The same code answers online (keys and status from the database) and offline (an exported
bundle: the JWKS with certificates and the signed status list tokens, `load_bundle`). The
answer discloses only what the document itself carries: the claims in its QR payload or the
claims disclosed in the presented credential.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core import cwt, sdjwt, statuslist
from gov3.documents.core.errors import CredentialInvalidError, PdfFailure
from gov3.documents.core.jose import public_key_from_jwk

VALID: Final = "valid"
INVALID: Final = "invalid"
REVOKED: Final = "revoked"
EXPIRED: Final = "expired"
#: Genuine and in date, but whether it was revoked cannot be told: its status list is not in
#: the bundle (or not published). Not valid: a revoked document would look the same.
STATUS_UNKNOWN: Final = "status_unknown"

BUNDLE_FORMAT: Final = "gov3-verification-bundle/1"
QR_PREFIX: Final = "GV1:"
#: Document types by the short code inside a QR payload.
QR_TYPES: Final = {
    "P": "passport",
    "RR": "resident_registration",
    "FR": "family_relations",
    "OI": "disclosure",
    "SE": "school_enrolment",
    "SG": "school_graduation",
    "EM": "employment",
    "CA": "career",
    "ST": "school_transcript",
}
QR_CODES: Final = {kind: code for code, kind in QR_TYPES.items()}

#: The status of one entry: 0 valid, 1 revoked; None when the verifier cannot know.
StatusLookup = Callable[[str, int], int | None]


@dataclass(frozen=True)
class TrustedKey:
    """A published issuer key: its public key and the certificate a PDF signature embeds."""

    kid: str
    public_key: ec.EllipticCurvePublicKey
    certificate: bytes
    document_type: str


@dataclass(frozen=True)
class Verdict:
    """The answer for one document."""

    outcome: str  # valid | invalid | revoked | expired | status_unknown
    form: str  # pdf | qr | credential
    reason: str = ""  # why invalid: a reason code (errors.REASON_CODES or pades reasons)
    document_type: str = ""
    number: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    kid: str = ""
    #: None: the status was read live; else the time of the status list consulted (offline).
    status_as_of: datetime | None = None
    status_known: bool = True


def status_uri(issuer: str, document_type: str, number: int) -> str:
    """Where the status list `number` of `document_type` is published."""
    return f"{issuer}/documents/status/{document_type}/{number}"


def _time(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class Verifier:
    """Answers valid / invalid (and why) / revoked / expired / status unknown."""

    def __init__(
        self,
        *,
        issuer: str,
        keys: Mapping[str, TrustedKey],
        status: StatusLookup,
        now: int,
        status_as_of: datetime | None = None,
    ) -> None:
        self.issuer = issuer
        self.keys = dict(keys)
        self.public_keys = {kid: key.public_key for kid, key in keys.items()}
        self.certificates = [key.certificate for key in keys.values()]
        self.status = status
        self.now = now
        self.status_as_of = status_as_of

    def check(self, data: bytes | str) -> Verdict:
        """Any form: a PDF (bytes starting %PDF), a QR payload (GV1:…) or an SD-JWT VC."""
        if isinstance(data, bytes):
            if data.lstrip()[:5] == b"%PDF-":
                return self.check_pdf(data)
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                return Verdict(INVALID, "pdf", reason=PdfFailure.NOT_A_PDF.value)
        text = data.strip()
        if text.startswith(QR_PREFIX):
            return self.check_qr(text)
        if "~" in text or text.count(".") == 2:
            return self.check_credential(text)
        return Verdict(INVALID, "qr", reason="malformed")

    def _finish(
        self,
        form: str,
        *,
        kid: str,
        document_type: str,
        number: str,
        claims: dict[str, Any],
        issued_at: int | None,
        expires_at: int | None,
        expired: bool,
        status: tuple[str, int] | None,
    ) -> Verdict:
        key = self.keys.get(kid)
        if key is not None and document_type and key.document_type != document_type:
            return Verdict(INVALID, form, reason="wrong_type", kid=kid)
        entry = None if status is None else self.status(*status)
        if entry:
            outcome = REVOKED
        elif expired:
            outcome = EXPIRED
        elif status is not None and entry is None:
            # a revocable document whose status list we do not hold: never "valid"
            outcome = STATUS_UNKNOWN
        else:
            outcome = VALID
        return Verdict(
            outcome,
            form,
            document_type=document_type,
            number=number,
            claims=claims,
            issued_at=_time(issued_at),
            expires_at=_time(expires_at),
            kid=kid,
            status_as_of=self.status_as_of,
            status_known=entry is not None,
        )

    def check_qr(self, text: str, *, form: str = "qr") -> Verdict:
        try:
            qr = cwt.decode_qr(text, self.public_keys, now=self.now)
        except CredentialInvalidError as error:
            return Verdict(INVALID, form, reason=error.reason)
        if qr.issuer != self.issuer:
            return Verdict(INVALID, form, reason="unknown_key", kid=qr.kid)
        claims = dict(qr.claims)
        document_type = QR_TYPES.get(str(claims.pop("t", "")), "")
        number = str(claims.pop("n", ""))
        reference = claims.pop("sl", None)
        status = None
        if (
            isinstance(reference, list)
            and len(reference) == 2
            and all(isinstance(v, int) for v in reference)
        ):
            status = (status_uri(self.issuer, document_type, reference[0]), reference[1])
        if not document_type or not number or status is None:
            return Verdict(INVALID, form, reason="malformed", kid=qr.kid)
        return self._finish(
            form,
            kid=qr.kid,
            document_type=document_type,
            number=number,
            claims=claims,
            issued_at=qr.issued_at,
            expires_at=qr.expires_at,
            expired=qr.expired,
            status=status,
        )

    def check_credential(self, text: str) -> Verdict:
        try:
            credential = sdjwt.verify(text, self.public_keys, now=self.now)
        except CredentialInvalidError as error:
            return Verdict(INVALID, "credential", reason=error.reason)
        if credential.issuer != self.issuer:
            return Verdict(INVALID, "credential", reason="unknown_key", kid=credential.kid)
        prefix = f"{self.issuer}/documents/types/"
        document_type = credential.vct.removeprefix(prefix) if credential.vct else ""
        if not credential.vct.startswith(prefix) or document_type not in QR_CODES:
            return Verdict(INVALID, "credential", reason="wrong_type", kid=credential.kid)
        reference = credential.status
        claims = dict(credential.claims)
        return self._finish(
            "credential",
            kid=credential.kid,
            document_type=document_type,
            number=str(claims.get("document_number", "")),
            claims=claims,
            issued_at=credential.issued_at,
            expires_at=credential.expires_at,
            expired=credential.expired,
            status=None if reference is None else (reference.uri, reference.idx),
        )

    def check_pdf(self, pdf: bytes) -> Verdict:
        # pyHanko loads when a PDF is first checked, not with every process that can verify
        from gov3.documents.core import pades  # noqa: PLC0415

        check = pades.verify_pdf(pdf, self.certificates)
        if not check.valid:
            return Verdict(
                INVALID, "pdf", reason=check.reason.value if check.reason else "bad_signature"
            )
        if not check.payload:
            return Verdict(INVALID, "pdf", reason="malformed")
        verdict = self.check_qr(check.payload, form="pdf")
        signer = self._signer_of(check.signer_fingerprint)
        if verdict.outcome != INVALID and signer != verdict.kid:
            # the PDF was signed by one issuer key and its payload by another: a splice
            return Verdict(INVALID, "pdf", reason="bad_signature")
        return verdict

    def _signer_of(self, fingerprint: str | None) -> str:
        """The kid of the key whose certificate has this SHA-256 fingerprint (hex)."""
        for kid, key in self.keys.items():
            if fingerprint and hashlib.sha256(key.certificate).hexdigest() == fingerprint.lower():
                return kid
        return ""


# --- the offline bundle ----------------------------------------------------------------------


def trusted_keys(jwks: Mapping[str, Any]) -> dict[str, TrustedKey]:
    """The keys of a JWKS as published by gov3 (each with its `x5c` certificate)."""
    keys: dict[str, TrustedKey] = {}
    entries = jwks.get("keys")
    if not isinstance(entries, list):
        raise ValueError("the key set has no `keys` list")
    for jwk in entries:
        if not isinstance(jwk, dict):
            raise ValueError("a key is not a JSON object")
        x5c = jwk.get("x5c")
        if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
            raise ValueError(f"key {jwk.get('kid')!r} has no certificate (x5c)")
        try:
            certificate = base64.b64decode(x5c[0], validate=True)
        except binascii.Error as error:
            raise ValueError(f"key {jwk.get('kid')!r} has a malformed certificate") from error
        kid = str(jwk.get("kid", ""))
        keys[kid] = TrustedKey(
            kid=kid,
            public_key=public_key_from_jwk(jwk),
            certificate=certificate,
            document_type=str(jwk.get("gov3_document_type", "")),
        )
    return keys


def make_bundle(
    *, issuer: str, jwks: Mapping[str, Any], tokens: Mapping[str, str], exported_at: datetime
) -> dict[str, Any]:
    """What an offline verifier needs: the keys and every status list token, as JSON."""
    return {
        "format": BUNDLE_FORMAT,
        "issuer": issuer,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
        "jwks": dict(jwks),
        "status_lists": dict(tokens),
    }


class BundleError(ValueError):
    """The bundle file cannot be used (not JSON, wrong format, a bad status list)."""


def load_bundle(data: bytes, *, now: int) -> Verifier:
    """A verifier that needs no network: keys and status lists from an exported bundle. The
    status lists are verified with the bundle's keys and read as of the export."""
    try:
        bundle = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError("the bundle is not JSON") from error
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not a {BUNDLE_FORMAT} file")
    try:
        issuer = str(bundle["issuer"])
        exported_at = datetime.fromisoformat(str(bundle["exported_at"]))
        keys = trusted_keys(bundle["jwks"])
        tokens = bundle["status_lists"]
        if not isinstance(tokens, dict):
            raise BundleError("status_lists must be an object")
        public = {kid: key.public_key for kid, key in keys.items()}
        lists: dict[str, statuslist.StatusList] = {}
        as_of = int(exported_at.timestamp())
        for uri, token in tokens.items():
            lists[str(uri)] = statuslist.read_token(
                str(token), public, now=as_of, expected_uri=str(uri)
            )
    except (KeyError, TypeError, ValueError, CredentialInvalidError) as error:
        if isinstance(error, BundleError):
            raise
        raise BundleError(f"the bundle cannot be used: {error}") from error

    def status(uri: str, index: int) -> int | None:
        found = lists.get(uri)
        if found is None or not 0 <= index < found.size:
            return None
        return found.get(index)

    return Verifier(issuer=issuer, keys=keys, status=status, now=now, status_as_of=exported_at)
