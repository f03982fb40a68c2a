"""Reads for the document pages: a citizen's documents, and a verdict put into words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.documents.core import verify
from gov3.documents.core.verify import Verdict
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import may_revoke


def document_for_officer(
    officer: User, public_id: uuid.UUID | str, channel: AccessChannel = AccessChannel.WEB
) -> IssuedDocument:
    """A document the officer's agency handles, its read logged for the holder to see;
    NotFoundError for any other (nothing logged)."""
    document = IssuedDocument.objects.select_related("holder").filter(public_id=public_id).first()
    if document is None or not may_revoke(officer, document):
        raise NotFoundError("There is no such document.")
    log_access(
        subject_ids=[document.holder_id],
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.code if officer.agency else "",
        purpose=AccessPurpose.DOCUMENT_ISSUANCE,
        channel=channel,
        what=f"document {document.number}: type, status, what it shows",
    )
    return document


def documents_for(user: User) -> QuerySet[IssuedDocument]:
    """The citizen's documents and those of the children they act for, newest first."""
    children = children_acted_for(user).values("pk")
    return (
        IssuedDocument.objects.filter(Q(holder_id=user.person_id) | Q(holder__in=children))
        .select_related("holder")
        .defer("pdf", "png", "credential")
        .order_by("-issued_at")
    )


#: Why a document was refused, for the person holding it (by reason code).
REASONS = {
    "malformed": gettext_lazy("This is not a gov3 document, or it is damaged or incomplete."),
    "unsupported_algorithm": gettext_lazy("It is signed in a way gov3 never uses."),
    "unknown_key": gettext_lazy("It was not signed by a key of this issuer."),
    "bad_signature": gettext_lazy(
        "The signature does not match: the document was changed after it was signed, or forged."
    ),
    "bad_disclosure": gettext_lazy("Part of the credential was not issued with it."),
    "not_yet_valid": gettext_lazy("It says it was issued in the future."),
    "wrong_type": gettext_lazy("It is another kind of document than it claims to be."),
    "wrong_prefix": gettext_lazy("This QR code is not a gov3 document."),
    "bad_status_list": gettext_lazy("Its revocation list cannot be trusted."),
    "not_a_pdf": gettext_lazy("The file is not a PDF."),
    "unsigned": gettext_lazy("The PDF has no signature."),
    "modified_after_signing": gettext_lazy("The PDF was changed after it was signed."),
    "untrusted_signer": gettext_lazy("The PDF was signed, but not by this issuer."),
}

#: What the claims mean, in the reader's language (the keys a document can show).
CLAIM_LABELS = {
    "nm": gettext_lazy("Name"),
    "name": gettext_lazy("Name"),
    "name_latin": gettext_lazy("Name in Latin letters"),
    "name_local": gettext_lazy("Name"),
    "bd": gettext_lazy("Date of birth"),
    "birth_date": gettext_lazy("Date of birth"),
    "pn": gettext_lazy("Passport number"),
    "passport_number": gettext_lazy("Passport number"),
    "ex": gettext_lazy("Date of expiry"),
    "expires_on": gettext_lazy("Date of expiry"),
    "issued_on": gettext_lazy("Date of issue"),
    "surname": gettext_lazy("Surname"),
    "given_names": gettext_lazy("Given names"),
    "nationality": gettext_lazy("Nationality"),
    "sex": gettext_lazy("Sex"),
    "national_id": gettext_lazy("National id number"),
    "address": gettext_lazy("Address"),
    "document_number": gettext_lazy("Document number"),
    "school": gettext_lazy("School"),
    "school_code": gettext_lazy("School code"),
    "school_year": gettext_lazy("School year"),
    "grade": gettext_lazy("Grade"),
    "class_name": gettext_lazy("Class"),
    "learner_number": gettext_lazy("Learner number"),
    "enrolled_since": gettext_lazy("Enrolled since"),
    "graduated_on": gettext_lazy("Graduated on"),
    "employee_number": gettext_lazy("Employee number"),
    "agency": gettext_lazy("Agency"),
    "unit": gettext_lazy("Unit"),
    "position": gettext_lazy("Position"),
    "serving_since": gettext_lazy("In this post since"),
    "entered_on": gettext_lazy("Entered the service on"),
    "career": gettext_lazy("Career"),
    "prior_career": gettext_lazy("Career before entering the service"),
    "enrolments": gettext_lazy("Enrolment history"),
}


@dataclass(frozen=True)
class Explained:
    """A verdict as the page shows it."""

    outcome: str
    headline: str
    reason: str
    document_type: str
    number: str
    rows: list[tuple[str, str]]
    verdict: Verdict


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(
            ", ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def explain_verdict(verdict: Verdict) -> Explained:
    headlines = {
        verify.VALID: gettext("Valid: this document is genuine and in force."),
        verify.REVOKED: gettext("Revoked: this document was genuine but has been revoked."),
        verify.EXPIRED: gettext("Expired: this document is genuine but no longer valid."),
        verify.INVALID: gettext("Not valid: do not accept this document."),
        verify.STATUS_UNKNOWN: gettext(
            "Not confirmed: this document is genuine, but whether it has been revoked could "
            "not be checked. Do not accept it until it can be."
        ),
    }
    rows = []
    if verdict.outcome != verify.INVALID:
        for key, value in verdict.claims.items():
            if key in ("mrz", "household", "family") and not value:
                continue
            label = CLAIM_LABELS.get(key)
            rows.append((str(label) if label else key, _plain(value)))
    type_label = ""
    if verdict.document_type in DocumentType.values:
        type_label = str(DocumentType(verdict.document_type).label)
    return Explained(
        outcome=verdict.outcome,
        headline=headlines[verdict.outcome],
        reason=str(REASONS.get(verdict.reason, verdict.reason)) if verdict.reason else "",
        document_type=type_label,
        number=verdict.number,
        rows=rows,
        verdict=verdict,
    )
