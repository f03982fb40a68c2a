"""Batch orders (issue 18, item 5): many transfers drafted at once by an HR officer and
approved at once by the head of the agency's HR unit. Every line goes through the same checks
as a single order (`services._check_order`: the grade band, overlaps, the backdating window,
tenure rules with their exceptions); one refused line refuses the whole batch, with a report of
every refused line, and nothing is written. Each order is numbered and audited one by one."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.posts import NewPost, end_posts, record_posts
from gov3.core.chains import AUDIT
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.core.request_ids import current_request_id
from gov3.personnel.models import (
    Appointment,
    OrderBatch,
    OrderKind,
    OrderStatus,
    PersonnelOrder,
    Position,
    StaffRecord,
)
from gov3.personnel.services import (
    Known,
    OrderDraft,
    _check_order,
    _require_hr_officer,
    appointment_on,
    approval_audit,
)

#: The most lines one batch may hold.
MAX_LINES = 20_000


@dataclass(frozen=True)
class BatchLine:
    """One transfer of a batch: who (employee number), to which position (code), from when."""

    employee_number: str
    position: str
    effective_on: date | None
    exception_reason: str = ""


@dataclass(frozen=True)
class Refusal:
    """A refused line: its number (1 = the first line of data) and why."""

    line: int
    employee_number: str
    reason: str


class BatchRefusedError(ValidationFailedError):
    """One or more lines are refused: nothing of the batch is written."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        shown = "; ".join(f"line {r.line} ({r.employee_number}): {r.reason}" for r in refusals[:20])
        more = f"; and {len(refusals) - 20} more" if len(refusals) > 20 else ""
        super().__init__(f"{len(refusals)} line(s) refused, nothing was issued: {shown}{more}")


def parse_csv(text: str) -> list[BatchLine]:
    """Lines from CSV with the header `employee_number,position,effective_on[,exception_reason]`
    (dates ISO 8601). A malformed line refuses the whole file, naming the line."""
    reader = csv.DictReader(io.StringIO(text.strip()))
    needed = {"employee_number", "position", "effective_on"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise ValidationFailedError(
            gettext("The first line must name the columns employee_number, position, effective_on.")
        )
    lines: list[BatchLine] = []
    refusals: list[Refusal] = []
    for n, row in enumerate(reader, start=1):
        number = (row.get("employee_number") or "").strip()
        try:
            day = date.fromisoformat((row.get("effective_on") or "").strip())
        except ValueError:
            refusals.append(Refusal(n, number, gettext("The date is not a date (YYYY-MM-DD).")))
            continue
        lines.append(
            BatchLine(
                employee_number=number,
                position=(row.get("position") or "").strip(),
                effective_on=day,
                exception_reason=(row.get("exception_reason") or "").strip(),
            )
        )
    if refusals:
        raise BatchRefusedError(refusals)
    return lines


def _histories(record_ids: list[int]) -> dict[int, list[Appointment]]:
    """Every appointment of these records (one query), oldest first."""
    histories: dict[int, list[Appointment]] = {pk: [] for pk in record_ids}
    rows = (
        Appointment.objects.filter(record_id__in=record_ids)
        .select_related("position__unit__agency")
        .order_by("record_id", "starts_on")
    )
    for row in rows.iterator(chunk_size=2000):
        histories[row.record_id].append(row)
    return histories


def _known(history: list[Appointment], effective_on: date | None) -> Known | None:
    """What `_check_order` would read for an order effective on that day: the appointment
    held the day before (as `appointment_on`) and whether one starts that day or later."""
    if effective_on is None:
        return None
    day = effective_on - timedelta(days=1)
    current = next(
        (a for a in history if a.starts_on <= day and (a.ends_on is None or a.ends_on >= day)),
        None,
    )
    return Known(current=current, later=any(a.starts_on >= effective_on for a in history))


def _next_numbers(prefix: str, count: int) -> list[str]:
    taken = PersonnelOrder.objects.filter(number__startswith=prefix).count()
    return [f"{prefix}{taken + n:04d}" for n in range(1, count + 1)]


def _audit_many(entries: list[dict[str, Any]]) -> None:
    """Append many entries to the hash-chained audit log in one insert (inside the caller's
    transaction), each the same as `record_audit` would write."""
    now = timezone.now()
    request_id = current_request_id()
    rows = [
        AuditEntry(
            at=now,
            actor=e["actor"][:150],
            action=e["action"],
            target_type=e["target_type"],
            target_id=str(e["target_id"])[:64],
            # Round-trip through JSON as record_audit does: what is hashed is what is stored.
            data=json.loads(json.dumps(e["data"], default=str)),
            request_id=request_id,
        )
        for e in entries
    ]
    AuditEntry.objects.bulk_create(AUDIT.link(rows), batch_size=1000)


Checked = tuple[StaffRecord, OrderDraft, list[str], str, int | None]


def _check_lines(agency: Agency, lines: list[BatchLine], today: date) -> list[Checked]:
    """Every line checked as a single transfer order; BatchRefusedError with every refused
    line."""
    records = {
        r.employee_number: r
        for r in StaffRecord.objects.filter(
            employee_number__in={line.employee_number for line in lines}
        )
    }
    positions = {
        p.code: p
        for p in Position.objects.filter(
            code__in={line.position for line in lines}, unit__agency__country=agency.country
        ).select_related("unit__agency")
    }
    histories = _histories([r.pk for r in records.values()])
    refusals: list[Refusal] = []
    checked: list[Checked] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        record = records.get(line.employee_number)
        position = positions.get(line.position)
        if record is None:
            refusals.append(Refusal(n, line.employee_number, gettext("Unknown employee number.")))
            continue
        if position is None:
            reason = gettext("Unknown position %(code)s.") % {"code": line.position}
            refusals.append(Refusal(n, line.employee_number, reason))
            continue
        if line.employee_number in seen:
            reason = gettext("The same civil servant is on an earlier line of the batch.")
            refusals.append(Refusal(n, line.employee_number, reason))
            continue
        seen.add(line.employee_number)
        draft = OrderDraft(
            kind=OrderKind.TRANSFER,
            position=position,
            effective_on=line.effective_on,
            exception_reason=line.exception_reason,
        )
        try:
            known = _known(histories[record.pk], line.effective_on)
            broken, grade, step = _check_order(agency, record, draft, today, known)
        except ValidationFailedError as refused:
            refusals.append(Refusal(n, line.employee_number, str(refused)))
            continue
        checked.append((record, draft, [rule.id for rule in broken], grade, step))
    if refusals:
        raise BatchRefusedError(refusals)
    return checked


def do_issue_batch(officer: User, lines: list[BatchLine]) -> OrderBatch:
    """Draft one transfer order per line, all or none: every refused line is reported
    (`BatchRefusedError.refusals`) and nothing is written."""
    agency = _require_hr_officer(officer)
    if not lines:
        raise ValidationFailedError(gettext("The batch has no line."))
    if len(lines) > MAX_LINES:
        raise ValidationFailedError(
            gettext("A batch holds at most %(count)s lines.") % {"count": MAX_LINES}
        )
    today = timezone.localdate()
    checked = _check_lines(agency, lines, today)
    now = timezone.now()
    actor = officer.get_username()
    year = today.year
    with transaction.atomic(durable=True):
        batch_prefix = f"{agency.code}-{year}-B"
        batch = OrderBatch.objects.create(
            number=_next_batch_number(batch_prefix),
            agency=agency,
            status=OrderStatus.DRAFT,
            drafted_by=officer,
            drafted_at=now,
        )
        orders = []
        # Order numbers run per agency and year of the effective date, like single orders.
        years = Counter(draft.effective_on.year for _, draft, *_ in checked if draft.effective_on)
        numbers = {
            y: iter(_next_numbers(f"{agency.code}-{y}-", count)) for y, count in years.items()
        }
        audits: list[dict[str, Any]] = []
        for record, draft, exceptions, grade, step in checked:
            assert draft.effective_on is not None
            order = PersonnelOrder(
                number=next(numbers[draft.effective_on.year]),
                agency=agency,
                record=record,
                kind=draft.kind,
                position=draft.position,
                grade=grade,
                step=step,
                effective_on=draft.effective_on,
                status=OrderStatus.DRAFT,
                drafted_by=officer,
                drafted_at=now,
                exception_rules=exceptions,
                exception_reason=draft.exception_reason.strip() if exceptions else "",
                batch=batch,
            )
            orders.append(order)
            audits.append(
                {
                    "actor": actor,
                    "action": "personnel.order_issued",
                    "target_type": "personnel_order",
                    "target_id": order.number,
                    "data": {
                        "kind": order.kind,
                        "record": record.pk,
                        "effective_on": order.effective_on.isoformat(),
                        "exceptions": exceptions,
                        "batch": batch.number,
                    },
                }
            )
            audits.extend(
                {
                    "actor": actor,
                    "action": "personnel.tenure_exception",
                    "target_type": "personnel_order",
                    "target_id": order.number,
                    "data": {"rule": rule, "reason": order.exception_reason},
                }
                for rule in exceptions
            )
        PersonnelOrder.objects.bulk_create(orders, batch_size=1000)
        audits.append(
            {
                "actor": actor,
                "action": "personnel.batch_issued",
                "target_type": "order_batch",
                "target_id": batch.number,
                "data": {"orders": len(orders)},
            }
        )
        _audit_many(audits)
    return batch


def _next_batch_number(prefix: str) -> str:
    taken = OrderBatch.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def batch_for(officer: User, batch_id: int) -> OrderBatch:
    """A batch of the officer's agency; another agency's: NotFoundError."""
    batch = OrderBatch.objects.filter(pk=batch_id, agency_id=officer.agency_id or 0).first()
    if batch is None:
        raise NotFoundError(gettext("No such batch order in your agency."))
    return batch


def may_approve_batch(approver: User, batch: OrderBatch, today: date) -> bool:
    """The head of an HR unit of the batch's agency, who did not draft it."""
    if not approver.is_officer or approver.role != OfficerRole.HR_OFFICER:
        return False
    if approver.pk == batch.drafted_by_id:
        return False
    own = StaffRecord.objects.filter(account=approver).first()
    if own is None:
        return False
    post = appointment_on(own, today)
    return bool(post and post.position.is_head and post.position.unit.agency_id == batch.agency_id)


def do_approve_batch(approver: User, batch_id: int) -> OrderBatch:
    """Approve every order of a batch, all or none: each is checked again as on the day it was
    drafted (refused lines reported, nothing written); the head approves no batch they drafted
    and none with an order about themselves."""
    today = timezone.localdate()
    batch = batch_for(approver, batch_id)
    if batch.status != OrderStatus.DRAFT:
        raise ValidationFailedError(
            gettext("Batch order %(number)s is already approved.") % {"number": batch.number}
        )
    if not may_approve_batch(approver, batch, today):
        raise PermissionRefusedError(
            gettext(
                "Only the head of the agency's HR unit approves a batch order, never one they "
                "drafted."
            )
        )
    orders = list(
        batch.orders.select_related("record__account", "position__unit__agency", "agency").order_by(
            "number"
        )
    )
    histories = _histories([o.record_id for o in orders])
    refusals: list[Refusal] = []
    for n, order in enumerate(orders, start=1):
        if order.record.account_id == approver.pk:
            reason = gettext("An order about yourself is approved by someone else.")
            refusals.append(Refusal(n, order.record.employee_number, reason))
            continue
        draft = OrderDraft(
            kind=order.kind,
            position=order.position,
            grade=order.grade,
            step=order.step,
            effective_on=order.effective_on,
            exception_reason=order.exception_reason,
        )
        known = _known(histories[order.record_id], order.effective_on)
        try:
            _check_order(order.agency, order.record, draft, order.drafted_at.date(), known)
        except ValidationFailedError as refused:
            refusals.append(Refusal(n, order.record.employee_number, str(refused)))
    if refusals:
        raise BatchRefusedError(refusals)
    actor = approver.get_username()
    with transaction.atomic(durable=True):
        _apply_transfers(actor, approver, orders)
        OrderBatch.objects.filter(pk=batch.pk).update(
            status=OrderStatus.APPROVED, approved_by=approver, approved_at=timezone.now()
        )
        audits = [approval_audit(actor, order) for order in orders]
        audits.append(
            {
                "actor": actor,
                "action": "personnel.batch_approved",
                "target_type": "order_batch",
                "target_id": batch.number,
                "data": {"orders": len(orders)},
            }
        )
        _audit_many(audits)
    batch.refresh_from_db()
    return batch


def _apply_transfers(actor: str, approver: User, orders: list[PersonnelOrder]) -> None:
    """`services.apply_order` for checked transfers, in a few statements: the open
    appointment ends the day before, the new one starts, the officer's post follows (no role:
    the posts end), the orders are approved."""
    by_day: dict[date, list[PersonnelOrder]] = {}
    for order in orders:
        if order.kind != OrderKind.TRANSFER or order.position is None:
            raise ValidationFailedError(f"Order {order.number} is not a transfer.")
        by_day.setdefault(order.effective_on, []).append(order)
    for day, group in by_day.items():
        Appointment.objects.filter(
            record_id__in=[o.record_id for o in group], ends_on__isnull=True
        ).update(ends_on=day - timedelta(days=1))
    Appointment.objects.bulk_create(
        [
            Appointment(
                record_id=order.record_id,
                position=order.position,
                grade=order.grade,
                step=order.step or 1,
                starts_on=order.effective_on,
                order=order,
            )
            for order in orders
        ],
        batch_size=1000,
    )
    posts = []
    for order in orders:
        account = order.record.account
        assert order.position is not None
        if account is None or account.kind != "officer":
            continue
        if order.position.gov3_role:
            posts.append(
                NewPost(
                    user=account,
                    agency=order.position.unit.agency,
                    role=order.position.gov3_role,
                    starts_on=order.effective_on,
                    reference=order.number,
                )
            )
        else:
            end_posts(
                actor,
                user=account,
                last_day=order.effective_on - timedelta(days=1),
                reference=order.number,
            )
    record_posts(actor, posts)
    PersonnelOrder.objects.filter(pk__in=[o.pk for o in orders]).update(
        status=OrderStatus.APPROVED, approved_by=approver, approved_at=timezone.now()
    )
