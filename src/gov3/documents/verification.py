"""Online verification: the pure verifier with the database's keys and live status, the check
of a confirmation number, and the bundle offline verifiers download."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from gov3.documents.core import verify
from gov3.documents.core.verify import Verdict, Verifier, trusted_keys
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentStatus, IssuedDocument, IssuerKey, StatusList
from gov3.documents.services import issuer_id, normalise_number
from gov3.documents.statuses import status_of, status_token, status_uri

_keys_cache: dict[str, Any] = {}


def _keys() -> dict[str, verify.TrustedKey]:
    """The published keys, re-read when a key was added or retired."""
    stamp = tuple(IssuerKey.objects.order_by("pk").values_list("kid", "retired_at"))
    if _keys_cache.get("stamp") != stamp:
        _keys_cache["keys"] = trusted_keys(jwks())
        _keys_cache["stamp"] = stamp
    keys: dict[str, verify.TrustedKey] = _keys_cache["keys"]
    return keys


def _live_status(uri: str, index: int) -> int | None:
    prefix = f"{issuer_id()}/documents/status/"
    if not uri.startswith(prefix):
        return None
    document_type, _, number = uri.removeprefix(prefix).partition("/")
    if not number.isdigit():
        return None
    found = StatusList.objects.filter(document_type=document_type, number=int(number)).first()
    if found is None or not 0 <= index < found.size:
        return None
    return status_of(found, index)


def online_verifier() -> Verifier:
    return Verifier(issuer=issuer_id(), keys=_keys(), status=_live_status, now=int(time.time()))


def check(data: bytes | str) -> Verdict:
    """Verify a PDF, QR payload or SD-JWT VC against the live keys and status lists."""
    return online_verifier().check(data)


def check_pdf(data: bytes) -> Verdict:
    """Verify an uploaded file as a signed PDF (anything else is "not a PDF")."""
    return online_verifier().check_pdf(data)


def check_number(text: str) -> Verdict | None:
    """Look a confirmation number up. None: no such document (or not a number). The answer
    shows what the document's QR code shows, no more."""
    try:
        number = normalise_number(text)
    except ValueError:
        return None
    document = IssuedDocument.objects.filter(number=number).first()
    if document is None:
        return None
    if document.status == DocumentStatus.REVOKED:
        outcome = verify.REVOKED
    elif document.expires_at is not None and document.expires_at < timezone.now():
        outcome = verify.EXPIRED
    else:
        outcome = verify.VALID
    payload = online_verifier().check_qr(document.qr_payload)
    return Verdict(
        outcome,
        "number",
        document_type=document.document_type,
        number=document.number,
        claims=payload.claims,
        issued_at=document.issued_at,
        expires_at=document.expires_at,
        kid=document.key.kid,
    )


def bundle() -> dict[str, Any]:
    """The offline bundle: every published key and every status list, signed, as of now."""
    tokens = {status_uri(sl): status_token(sl) for sl in StatusList.objects.order_by("pk")}
    return verify.make_bundle(
        issuer=issuer_id(), jwks=jwks(), tokens=tokens, exported_at=datetime.now(UTC)
    )


def site_issuer_metadata() -> dict[str, Any]:
    """SD-JWT VC issuer metadata (`/.well-known/jwt-vc-issuer`): the issuer and its keys."""
    return {
        "issuer": issuer_id(),
        "jwks": jwks(),
        "gov3_bundle": f"{settings.GOV3_SITE_URL}/documents/bundle.json",
    }
