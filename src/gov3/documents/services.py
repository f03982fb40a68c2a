"""Write commands for documents: issue a certificate at once, issue a passport when its case is
approved, revoke.

Each document is issued in three signed forms from the same claims: an SD-JWT VC (for a
wallet), a signed QR payload (CWT/COSE_Sign1 → zlib → base45, verifiable offline) and a PDF
with a PAdES signature that carries the QR payload. Every form points at the same entry of the
document type's status list, so a revocation is seen by every verifier.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from stdnum import luhn

from gov3.accounts.models import OfficerRole, User
from gov3.accounts.queries import children_acted_for
from gov3.cases.models import Case, CaseStatus
from gov3.cases.services import handling_agency
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core import metrics
from gov3.core.audit import record_audit
from gov3.core.dates import add_years
from gov3.core.errors import NotFoundError, StaleVersionError, ValidationFailedError
from gov3.core.translations import in_every_language
from gov3.documents import content
from gov3.documents.content import DraftContent, split_latin_name
from gov3.documents.core import cwt, sdjwt, statuslist
from gov3.documents.core.mrz import TD3Fields, make_td3
from gov3.documents.core.verify import QR_CODES
from gov3.documents.issuers import current_key, signer_for
from gov3.documents.models import (
    DocumentStatus,
    DocumentType,
    IssuedDocument,
    PassportNumber,
    PassportPhoto,
)
from gov3.documents.statuses import allocate, set_status, status_uri
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
from gov3.registry.facts import subject_for
from gov3.registry.models import Passport, Person
from gov3.registry.services import record_passport_cancelled, record_passport_issued
from gov3.rules.explain import evaluate_service

SYSTEM = "system:documents"
MAX_REASON = 2000


def issuer_id() -> str:
    """The issuer identifier (`iss`) of every credential: the site's URL."""
    return settings.GOV3_SITE_URL


def vct(document_type: str) -> str:
    """The credential type (`vct`) of a document type."""
    return f"{settings.GOV3_SITE_URL}/documents/types/{document_type}"


def confirmation_number() -> str:
    """A random 16-digit confirmation number with a Luhn check digit, grouped by four
    (printed on the document; checked online without signing in)."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(15))
    digits = body + luhn.calc_check_digit(body)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def normalise_number(text: str) -> str:
    """A confirmation number as typed (spaces, no dashes) → the printed form; ValueError if it
    cannot be one (wrong length or check digit)."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 16 or len(digits) != len("".join(text.split()).replace("-", "")):
        raise ValueError("a document number has 16 digits")
    if not luhn.is_valid(digits):
        raise ValueError("the check digit does not match")
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _issue(
    draft: DraftContent,
    *,
    requested_by: User | None,
    case: Case | None,
    actor: str,
    inside: Callable[[IssuedDocument], None] | None = None,
) -> IssuedDocument:
    """Sign the three forms of `draft` and store them (with `inside` in the same transaction)."""
    key = current_key(draft.document_type)
    signer = signer_for(key)
    now = timezone.now()
    issued_at = int(now.timestamp())
    expires_at = int(draft.expires_at.timestamp()) if draft.expires_at else None
    status_list, index = allocate(draft.document_type)
    number = confirmation_number()
    claims = {"document_number": number, **draft.claims}
    credential = sdjwt.issue(
        signer,
        issuer=issuer_id(),
        vct=vct(draft.document_type),
        claims=claims,
        issued_at=issued_at,
        expires_at=expires_at,
        status=sdjwt.StatusReference(idx=index, uri=status_uri(status_list)),
    )
    qr = cwt.encode_qr(
        signer,
        {
            "t": QR_CODES[draft.document_type],
            "n": number,
            **draft.qr_claims,
            "sl": [status_list.number, index],
        },
        issuer=issuer_id(),
        issued_at=issued_at,
        expires_at=expires_at,
    )
    pdf, png = draft.render(number, qr)
    from gov3.documents.core import pades  # noqa: PLC0415 - pyHanko loads at the first signature

    signed = pades.sign_pdf(
        pdf,
        signer,
        bytes(key.certificate),
        reason=f"{DocumentType(draft.document_type).label} {number}",
        location=settings.GOV3_SITE_URL,
    )
    with transaction.atomic():
        document = IssuedDocument.objects.create(
            document_type=draft.document_type,
            number=number,
            holder=draft.holder,
            requested_by=requested_by,
            case=case,
            key=key,
            status_list=status_list,
            status_index=index,
            claims=claims,
            credential=credential.serialized,
            qr_payload=qr,
            pdf=signed,
            png=png,
            issued_at=now,
            expires_at=draft.expires_at,
        )
        if inside is not None:
            inside(document)
        record_audit(
            actor=actor,
            action="documents.issued",
            target_type="document",
            target_id=document.pk,
            data={"type": draft.document_type, "number": number, "kid": key.kid},
        )
        metrics.count_on_commit(metrics.DOCUMENTS_ISSUED, type=str(draft.document_type))
    return document


def _certificate_service(country: str, document_type: str) -> str:
    for service in rules_pack(country).services.values():
        if service.issues == document_type:
            return service.id
    raise NotFoundError(gettext("This country does not issue that document."))


def do_issue_certificate(user: User, subject: Person, document_type: str) -> IssuedDocument:
    """Issue a certificate of registry data at once, for the citizen or a child they act for;
    the rules of the certificate's service decide who may have it."""
    if document_type not in (DocumentType.RESIDENT_REGISTRATION, DocumentType.FAMILY_RELATIONS):
        raise NotFoundError(gettext("There is no such certificate."))
    if not user.is_citizen or user.person is None:
        raise NotFoundError(gettext("There is no such person."))
    if subject.pk != user.person.pk and not children_acted_for(user).filter(pk=subject.pk).exists():
        raise NotFoundError(gettext("There is no such person."))
    service_id = _certificate_service(subject.country, document_type)
    service = rules_pack(subject.country).services[service_id]
    pack = rules_pack(subject.country)
    eligible, _ = evaluate_service(pack, service, subject_for(subject), timezone.localdate())
    if subject.date_of_death is not None or not eligible:
        raise ValidationFailedError(
            gettext("The register does not allow this certificate for this person.")
        )
    days = int(settings.GOV3_CERTIFICATE_VALID_DAYS)
    draft = content.certificate_draft(
        document_type, subject, expires_at=timezone.now() + timedelta(days=days)
    )
    return _issue(
        draft,
        requested_by=user,
        case=None,
        actor=f"citizen:{user.get_username()}",
    )


def issue_enrolment_certificate(
    holder: Person,
    facts: content.EnrolmentFacts,
    *,
    requested_by: User,
    actor: str,
) -> IssuedDocument:
    """Issue a certificate of enrolment, or of graduation when the facts carry a graduation
    date, at once (called by the schools app, which checked that the citizen may have it:
    their own record or a child's they act for)."""
    days = int(settings.GOV3_CERTIFICATE_VALID_DAYS)
    draft = content.enrolment_draft(holder, facts, expires_at=timezone.now() + timedelta(days=days))
    return _issue(draft, requested_by=requested_by, case=None, actor=actor)


def issue_transcript(
    holder: Person,
    facts: content.TranscriptFacts,
    *,
    requested_by: User,
    actor: str,
) -> IssuedDocument:
    """Issue a school transcript (the learner's enrolment history) at once (called by the
    schools app, which checked that the citizen may have it)."""
    days = int(settings.GOV3_CERTIFICATE_VALID_DAYS)
    draft = content.transcript_draft(
        holder, facts, expires_at=timezone.now() + timedelta(days=days)
    )
    return _issue(draft, requested_by=requested_by, case=None, actor=actor)


def issue_disclosure(
    holder: Person,
    *,
    requested_by: User | None,
    actor: str,
    agency: str,
    request_number: str,
    subject: str,
    decision: str,
    grounds: list[str],
    files: list[tuple[str, bytes, str]],
    inside: Callable[[IssuedDocument], None] | None = None,
) -> IssuedDocument:
    """Issue the signed notice of an information disclosure, the disclosed files inside it
    (called by the participation app when an agency decides; `inside` runs in the same
    transaction)."""
    draft = content.disclosure_draft(
        holder,
        agency=agency,
        request_number=request_number,
        subject=subject,
        decision=decision,
        grounds=grounds,
        files=files,
    )
    return _issue(draft, requested_by=requested_by, case=None, actor=actor, inside=inside)


# --- passports ---------------------------------------------------------------------------------


def _number_from(pattern: str) -> str:
    """A random number in the pack's format: `#` a digit, `@` a capital letter."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q: they read as 1, 0
    return "".join(
        str(secrets.randbelow(10)) if c == "#" else secrets.choice(letters) if c == "@" else c
        for c in pattern
    )


def allocate_passport_number(country: str, case: Case | None) -> str:
    """A passport number never given out before (the table keeps every number allocated)."""
    pattern = country_pack(country).passport.number_format
    for _ in range(100):
        number = _number_from(pattern)
        if Passport.objects.filter(number=number).exists():
            continue
        try:
            with transaction.atomic():
                PassportNumber.objects.create(
                    number=number, country=country, case=case, allocated_at=timezone.now()
                )
        except IntegrityError:
            continue
        return number
    raise RuntimeError("no free passport number found in 100 tries: widen the number format")


def issue_passport(case: Case) -> IssuedDocument:
    """Issue the passport an approved case promises: a new number, the MRZ, the data page,
    the credential; the old passport is cancelled in the register (a life event)."""
    existing = IssuedDocument.objects.filter(case=case).first()
    if existing is not None:
        return existing
    person = case.subject
    spec = country_pack(case.country).passport
    photo = PassportPhoto.objects.filter(case=case).first()
    if photo is None:
        raise ValidationFailedError("a passport case has no photo")
    number = allocate_passport_number(case.country, case)
    issued_on = timezone.localdate()
    expires_on = add_years(issued_on, spec.validity_years)
    surname, given = split_latin_name(person.name_latin)
    mrz = make_td3(
        TD3Fields(
            document_code=spec.document_code,
            issuing_state=spec.issuing_state,
            surname=surname,
            given_names=given,
            document_number=number,
            nationality=person.nationality,
            birth_date=person.birth_date,
            sex=person.sex,
            expiry_date=expires_on,
        )
    )
    draft = content.passport_draft(
        person,
        spec=spec,
        passport_number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        mrz=mrz,
        photo=bytes(photo.jpeg),
    )

    def record(document: IssuedDocument) -> None:
        # Cancels the previous passport in the register, whose document `on_passport_cancelled`
        # revokes in this same transaction.
        record_passport_issued(
            SYSTEM, person, number=number, issued_on=issued_on, expires_on=expires_on
        )

    return _issue(draft, requested_by=None, case=case, actor=SYSTEM, inside=record)


def on_case_decided(sender: Any, case: Case, **kwargs: Any) -> None:
    """Receiver of `case_decided`: an approved passport case is issued at once."""
    if case.status != CaseStatus.APPROVED:
        return
    service = rules_pack(case.country).services.get(case.service_id)
    if service is not None and service.issues == DocumentType.PASSPORT:
        issue_passport(case)


# --- revocation -------------------------------------------------------------------------------

_REVOKED = (
    gettext_noop("Document revoked: %(document)s"),
    gettext_noop(
        "Your %(document)s with number %(number)s was revoked and no longer verifies as "
        "valid. The reason: %(reason)s"
    ),
)


def may_revoke(officer: User, document: IssuedDocument) -> bool:
    """Officers of the agency that handles the document's service (auditors only read)."""
    if not officer.is_officer or officer.agency_id is None:
        return False
    if officer.role == OfficerRole.AUDITOR:
        return False
    try:
        service_id = _certificate_service(document.holder.country, document.document_type)
    except NotFoundError:
        return False
    agency = handling_agency(document.holder.country, service_id)
    return agency is not None and agency.pk == officer.agency_id


def _revoke(document: IssuedDocument, officer: User | None, *, reason: str, notify: bool) -> None:
    """Revoke inside the caller's transaction. An officer's revocation of a passport also
    cancels it in the register (a replaced passport was cancelled there already)."""
    now = timezone.now()
    set_status(document.status_list, document.status_index, statuslist.INVALID)
    IssuedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.REVOKED,
        revoked_at=now,
        revoked_by=officer,
        revocation_reason=reason,
        version=F("version") + 1,
    )
    document.status = DocumentStatus.REVOKED
    document.revoked_at = now
    document.revocation_reason = reason
    if officer is not None and document.document_type == DocumentType.PASSPORT:
        # After the document is marked revoked, so `on_passport_cancelled` finds nothing to do.
        record_passport_cancelled(
            f"officer:{officer.get_username()}",
            document.holder,
            number=str(document.claims.get("passport_number", "")),
            cancelled_on=timezone.localdate(),
            reason=reason,
        )
    record_audit(
        actor=SYSTEM if officer is None else f"officer:{officer.get_username()}",
        action="documents.revoked",
        target_type="document",
        target_id=document.pk,
        data={"number": document.number, "reason": reason},
    )
    if notify:
        title, body = _REVOKED
        label = DocumentType(document.document_type).label
        transaction.on_commit(
            lambda: do_notify(
                document.holder,
                NotificationKind.DOCUMENT_REVOKED,
                title=in_every_language(title, document=label),
                body=in_every_language(body, document=label, number=document.number, reason=reason),
                link=f"/me/documents/{document.public_id}/",
                key=f"document:{document.public_id}:revoked",
            )
        )


def on_passport_cancelled(
    sender: Any, person: Person, number: str, reason: str, replaced_by: str, **kwargs: Any
) -> None:
    """Receiver of `passport_cancelled`, inside the register's transaction: whatever cancelled
    the passport there (a renewal, a report of loss, a data correction), its document stops
    verifying as valid in the same commit. The holder is told unless a new passport replaced it.
    """
    for document in IssuedDocument.objects.select_for_update().filter(
        holder=person,
        document_type=DocumentType.PASSPORT,
        status=DocumentStatus.VALID,
        claims__passport_number=number,
    ):
        _revoke(
            document, None, reason=reason or "Cancelled in the register.", notify=not replaced_by
        )


def do_revoke_document(
    officer: User, document: IssuedDocument, *, expected_version: int, reason: str
) -> IssuedDocument:
    """Revoke with a reason the holder reads; every verifier then sees it as revoked."""
    if not may_revoke(officer, document):
        raise NotFoundError(gettext("There is no such document."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailedError(gettext("A revocation needs a reason the holder can read."))
    if len(reason) > MAX_REASON:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": MAX_REASON}
        )
    with transaction.atomic(durable=True):
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.version != expected_version or locked.status != DocumentStatus.VALID:
            raise StaleVersionError(
                gettext("This document was changed while you were looking at it; open it again.")
            )
        _revoke(locked, officer, reason=reason, notify=True)
    document.refresh_from_db()
    return document
