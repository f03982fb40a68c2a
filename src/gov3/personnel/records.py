"""A staff record's details (issue 18 item 2): education, career before the service, training
hours, awards and discipline. HR officers of the agency add entries and end open ones (a term
served, studies completed), each audited; entries are never changed otherwise nor deleted, so
the record keeps its full history. Reading them is part of reading the record (the access log
is written by `queries.staff_record_for_hr`); a civil servant reads their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel import queries
from gov3.personnel.models import StaffRecord
from gov3.personnel.record_models import DetailKind, RecordDetail


@dataclass(frozen=True)
class DetailDraft:
    """What an HR officer enters."""

    kind: str
    title: str
    issuer: str
    starts_on: date
    ends_on: date | None = None
    hours: int | None = None
    reference: str = ""


def _require_hr(officer: User, record: StaffRecord) -> None:
    """Only an HR officer of an agency the record belongs to; any other record: not found."""
    if not queries.is_hr_officer(officer):
        raise PermissionRefusedError(gettext("Only an HR officer may change a staff record."))
    if not queries.agency_records(officer).filter(pk=record.pk).exists():
        raise NotFoundError(gettext("There is no such staff record in your agency."))


def _check(draft: DetailDraft) -> None:
    if draft.kind not in DetailKind.values:
        raise ValidationFailedError(gettext("Choose the kind of detail."))
    if not draft.title.strip() or not draft.issuer.strip():
        raise ValidationFailedError(gettext("Give what it is and who gave it."))
    if draft.ends_on is not None and draft.ends_on < draft.starts_on:
        raise ValidationFailedError(gettext("The end date cannot be before the start date."))
    if draft.starts_on > timezone.localdate():
        raise ValidationFailedError(gettext("A detail cannot start in the future."))
    if draft.kind == DetailKind.TRAINING:
        if not draft.hours or draft.hours < 1:
            raise ValidationFailedError(gettext("Give the training hours."))
    elif draft.hours:
        raise ValidationFailedError(gettext("Hours are only for training."))


def do_add_detail(officer: User, record: StaffRecord, draft: DetailDraft) -> RecordDetail:
    """An HR officer adds an entry to a record of their agency (audited)."""
    _require_hr(officer, record)
    _check(draft)
    with transaction.atomic():
        detail = RecordDetail.objects.create(
            record=record,
            kind=draft.kind,
            title=draft.title.strip(),
            issuer=draft.issuer.strip(),
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            hours=draft.hours if draft.kind == DetailKind.TRAINING else None,
            reference=draft.reference.strip(),
            added_by=officer,
            added_at=timezone.now(),
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.detail_added",
            target_type="staff_record",
            target_id=record.employee_number,
            data={
                "detail": detail.pk,
                "kind": detail.kind,
                "starts_on": detail.starts_on.isoformat(),
                "ends_on": detail.ends_on.isoformat() if detail.ends_on else None,
                "hours": detail.hours,
                "reference": detail.reference,
            },
        )
    return detail


def do_end_detail(officer: User, detail_id: int, ends_on: date, reason: str) -> RecordDetail:
    """An HR officer ends an open entry on `ends_on`, giving the reason (audited). An entry
    already ended stays as it is: its history is not rewritten."""
    with transaction.atomic():
        detail = (
            RecordDetail.objects.select_for_update()
            .select_related("record")
            .filter(pk=detail_id)
            .first()
        )
        if detail is None:
            raise NotFoundError(gettext("There is no such detail."))
        _require_hr(officer, detail.record)
        if detail.ends_on is not None:
            raise ValidationFailedError(gettext("This detail has already ended."))
        if ends_on < detail.starts_on:
            raise ValidationFailedError(gettext("The end date cannot be before the start date."))
        if not reason.strip():
            raise ValidationFailedError(gettext("Give the reason for ending it."))
        detail.ends_on = ends_on
        detail.ended_by = officer
        detail.ended_at = timezone.now()
        detail.end_reason = reason.strip()
        detail.save(update_fields=["ends_on", "ended_by", "ended_at", "end_reason"])
        record_audit(
            actor=officer.get_username(),
            action="personnel.detail_ended",
            target_type="staff_record",
            target_id=detail.record.employee_number,
            data={
                "detail": detail.pk,
                "kind": detail.kind,
                "ends_on": ends_on.isoformat(),
                "reason": detail.end_reason,
            },
        )
    return detail


@dataclass(frozen=True)
class DetailSection:
    """The entries of one kind, newest first, with the total training hours."""

    kind: str
    label: str
    entries: list[RecordDetail]
    hours: int


def details(record: StaffRecord) -> list[DetailSection]:
    """The record's details by kind, every entry (ended ones too)."""
    rows = list(RecordDetail.objects.filter(record=record).order_by("-starts_on", "-pk"))
    sections = []
    for kind, label in DetailKind.choices:
        entries = [row for row in rows if row.kind == kind]
        hours = sum(row.hours or 0 for row in entries)
        sections.append(DetailSection(kind, str(label), entries, hours))
    return sections
