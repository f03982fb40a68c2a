"""A civil servant's own certificate of employment (재직증명서) and career certificate
(경력증명서), issued at once through the document service (signed PDF, SD-JWT VC, offline QR;
verifiable on /verify/). Issue 18, item 2."""

from __future__ import annotations

import uuid

from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.documents.employment import (
    EmploymentFacts,
    Post,
    PriorPost,
    issue_employment_certificate,
)
from gov3.documents.models import IssuedDocument
from gov3.personnel.models import Appointment, StaffRecord
from gov3.personnel.record_models import DetailKind, RecordDetail
from gov3.personnel.services import appointment_on, pack_for

#: The certificates a civil servant may ask for, by the form's value.
KINDS = ("employment", "career")


def _post(appointment: Appointment, grade_names: dict[str, str]) -> Post:
    position = appointment.position
    title = position.title_local
    if appointment.on_leave:
        title += " (휴직 / on leave)"
    elif appointment.seconded:
        title += " (파견 / seconded)"
    return Post(
        agency=position.unit.agency.name_local,
        unit=position.unit.name_local,
        position=title,
        grade=grade_names.get(appointment.grade, appointment.grade),
        starts_on=appointment.starts_on,
        ends_on=appointment.ends_on,
    )


def facts_for(record: StaffRecord, kind: str) -> EmploymentFacts:
    """What the certificate states, from the record (name and birth date stay the
    register's): refused when there is nothing to certify."""
    today = timezone.localdate()
    data = pack_for(record.country)
    names = {grade.code: grade.name_local for grade in data.grades}
    if kind == "employment":
        current = appointment_on(record, today)
        if current is None:
            raise ValidationFailedError(
                gettext("You hold no post today: there is no employment to certify.")
            )
        held = [current]
    elif kind == "career":
        held = list(
            Appointment.objects.filter(record=record, starts_on__lte=today)
            .select_related("position__unit__agency")
            .order_by("starts_on")
        )
        if not held:
            raise ValidationFailedError(
                gettext("Your record has no appointment yet: there is no career to certify.")
            )
    else:
        raise ValidationFailedError(gettext("There is no such certificate."))
    last = held[-1].position.unit.agency
    return EmploymentFacts(
        employee_number=record.employee_number,
        entered_on=record.entered_on,
        issuer=f"{last.name_local} / {last.name_en}",
        posts=tuple(_post(a, names) for a in held),
        prior_career=prior_career(record) if kind == "career" else (),
    )


def prior_career(record: StaffRecord) -> tuple[PriorPost, ...]:
    """The career before entering the service the record holds (every entry, oldest first;
    added by the agency's HR officers, `records.do_add_detail`)."""
    return tuple(
        PriorPost(title=d.title, employer=d.issuer, starts_on=d.starts_on, ends_on=d.ends_on)
        for d in RecordDetail.objects.filter(record=record, kind=DetailKind.CAREER).order_by(
            "starts_on", "pk"
        )
    )


def do_issue_own_certificate(user: User, kind: str) -> IssuedDocument:
    """A civil servant's own certificate of employment or career certificate, at once: no
    officer handles it, the record says everything."""
    record = StaffRecord.objects.filter(account_id=user.pk).select_related("person").first()
    if record is None:
        raise NotFoundError(gettext("You have no personnel record."))
    facts = facts_for(record, kind)
    return issue_employment_certificate(
        record.person,
        facts,
        career=kind == "career",
        requested_by=user,
        actor=f"{user.kind}:{user.get_username()}",
    )


def own_certificates(user: User) -> list[IssuedDocument]:
    """The employment and career certificates issued to the signed-in civil servant."""
    record = StaffRecord.objects.filter(account_id=user.pk).first()
    if record is None:
        return []
    return list(
        IssuedDocument.objects.filter(
            holder_id=record.person_id, document_type__in=("employment", "career")
        )
        .defer("pdf", "png", "credential")
        .order_by("-issued_at")
    )


def own_certificate(user: User, public_id: uuid.UUID) -> IssuedDocument:
    """One of the civil servant's own certificates; anyone else's: NotFoundError."""
    record = StaffRecord.objects.filter(account_id=user.pk).first()
    document = IssuedDocument.objects.filter(
        public_id=public_id, document_type__in=("employment", "career")
    ).first()
    if record is None or document is None or document.holder_id != record.person_id:
        raise NotFoundError(gettext("There is no such certificate."))
    return document
