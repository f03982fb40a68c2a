"""The documents API: verification for anyone (/api/v1/verify, no sign-in), the citizen's
documents and certificates on request (/api/v1/documents/), revocation by officers."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.accounts.queries import person_acted_for
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.documents.core.verify import Verdict
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.queries import document_for_officer, documents_for, explain_verdict
from gov3.documents.services import (
    do_issue_certificate,
    do_revoke_document,
    normalise_number,
)
from gov3.documents.verification import check, check_number, check_pdf

verify_router = Router(tags=["verification"])
router = Router(tags=["documents"])


class VerifyIn(InputSchema):
    """The document number, the text of the QR code, or an SD-JWT VC."""

    text: str = Field(min_length=1, max_length=20000)


class VerdictOut(Schema):
    outcome: str = Field(
        description="valid | invalid | revoked | expired | status_unknown (genuine, but its "
        "revocation status could not be checked: not valid)"
    )
    reason: str = Field(description="why invalid: a reason code; empty otherwise")
    reason_text: str
    form: str = Field(description="pdf | qr | credential | number")
    document_type: str
    number: str
    claims: dict[str, Any] = Field(description="only what the document itself shows")
    issued_at: datetime | None
    expires_at: datetime | None
    status_as_of: datetime | None
    status_known: bool


def _verdict(verdict: Verdict) -> dict[str, Any]:
    explained = explain_verdict(verdict)
    return {
        "outcome": verdict.outcome,
        "reason": verdict.reason,
        "reason_text": explained.reason,
        "form": verdict.form,
        "document_type": verdict.document_type,
        "number": verdict.number,
        "claims": verdict.claims if verdict.outcome != "invalid" else {},
        "issued_at": verdict.issued_at,
        "expires_at": verdict.expires_at,
        "status_as_of": verdict.status_as_of,
        "status_known": verdict.status_known,
    }


@verify_router.post(
    "/", response={200: VerdictOut, 404: ErrorOut, 422: ErrorOut}, auth=None, url_name="verify"
)
@no_personal_data
def verify_text(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    """Verify a document number, a QR payload or an SD-JWT VC. No sign-in."""
    text = payload.text.strip()
    try:
        normalise_number(text)
    except ValueError:
        return _verdict(check(text))
    verdict = check_number(text)
    if verdict is None:
        raise NotFoundError("No document has this number.")
    return _verdict(verdict)


@verify_router.post(
    "/pdf",
    response={200: VerdictOut, 413: ErrorOut, 422: ErrorOut},
    auth=None,
    url_name="verify_pdf",
)
@no_personal_data
def verify_pdf(request: HttpRequest, document: File[UploadedFile]) -> Any:
    """Verify a signed PDF (multipart field `document`). No sign-in."""
    limit = int(settings.GOV3_VERIFY_MAX_BYTES)
    if (document.size or 0) > limit:
        return 413, {
            "detail": f"The file is too large (at most {limit} bytes).",
            "code": "too_large",
        }
    data = document.read(limit + 1)
    if len(data) > limit:
        return 413, {
            "detail": f"The file is too large (at most {limit} bytes).",
            "code": "too_large",
        }
    return _verdict(check_pdf(data))


class DocumentOut(Schema):
    id: str
    document_type: str
    number: str
    holder: str
    status: str
    issued_at: datetime
    expires_at: datetime | None
    revocation_reason: str
    version: int
    claims: dict[str, Any]
    credential_url: str
    pdf_url: str


def _out(document: IssuedDocument) -> dict[str, Any]:
    base = f"{settings.GOV3_SITE_URL}/me/documents/{document.public_id}"
    return {
        "id": str(document.public_id),
        "document_type": document.document_type,
        "number": document.number,
        "holder": document.holder.name_local,
        "status": document.status,
        "issued_at": document.issued_at,
        "expires_at": document.expires_at,
        "revocation_reason": document.revocation_reason,
        "version": document.version,
        "claims": document.claims,
        "credential_url": f"{base}/credential/",
        "pdf_url": f"{base}/pdf/",
    }


def _citizen(request: HttpRequest) -> User:
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Only citizens have documents.")
    return user


class CertificateIn(InputSchema):
    document_type: str = Field(
        description="resident_registration | family_relations", max_length=30
    )
    for_person: str | None = Field(
        default=None, max_length=64, description="a child you act for (their id)"
    )


@router.get("/", response=list[DocumentOut], url_name="documents_mine")
@citizens_own_data
def my_documents(request: HttpRequest) -> list[dict[str, Any]]:
    """My documents and those of the children I act for, newest first."""
    return [_out(d) for d in documents_for(_citizen(request))[:100]]


@router.post(
    "/certificates",
    response={200: DocumentOut, 404: ErrorOut, 422: ErrorOut},
    url_name="documents_certificate",
)
@citizens_own_data
def certificate(request: HttpRequest, payload: CertificateIn) -> dict[str, Any]:
    """Issue a certificate from the register now (signed PDF, credential, QR)."""
    user = _citizen(request)
    subject = person_acted_for(user, payload.for_person)
    if payload.document_type not in DocumentType.values:
        raise ValidationFailedError("Unknown document type.")
    return _out(do_issue_certificate(user, subject, payload.document_type))


@router.get("/{public_id}", response={200: DocumentOut, 404: ErrorOut}, url_name="document_mine")
@citizens_own_data
def my_document(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    document = documents_for(_citizen(request)).filter(public_id=public_id).first()
    if document is None:
        raise NotFoundError("There is no such document.")
    return _out(document)


class RevokeIn(InputSchema):
    version: int = Field(ge=1, le=2**31)
    reason: str = Field(min_length=1, max_length=2000)


@router.post(
    "/{public_id}/revoke",
    response={200: DocumentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="document_revoke",
)
@access_logged("document")
def revoke(request: HttpRequest, public_id: uuid.UUID, payload: RevokeIn) -> dict[str, Any]:
    """Revoke a document your agency handles, with the reason the holder reads (officers)."""
    officer = request.user
    if not isinstance(officer, User) or not officer.is_officer:
        raise PermissionRefusedError("Only officers revoke documents.")
    document = document_for_officer(officer, public_id, AccessChannel.API)
    return _out(
        do_revoke_document(
            officer, document, expected_version=payload.version, reason=payload.reason
        )
    )
