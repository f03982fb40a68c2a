"""Write commands for personnel administration: the organisation, staff records and personnel
orders. Approving an order changes the civil servant's appointment and, through
`gov3.accounts.posts`, what they may do in gov3 from the order's effective date (ADR 0036)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.posts import end_posts, record_post
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel import pack as personnel_pack
from gov3.personnel.models import (
    Appointment,
    EntryTrack,
    OrderKind,
    OrderStatus,
    PersonnelOrder,
    Position,
    PositionType,
    StaffRecord,
    Unit,
    WorkKind,
)
from gov3.registry.models import Person


class TenureRuleBrokenError(ValidationFailedError):
    """An order breaks a tenure rule and no exception was recorded for it."""

    def __init__(self, rules: list[personnel_pack.TenureRule]) -> None:
        self.rules = rules
        named = "; ".join(f"{r.id} ({r.years} years; {r.legal_basis})" for r in rules)
        super().__init__(
            f"The order breaks the tenure rule {named}. Change the date, or record an "
            "exception with its reason."
        )


def pack_for(country: str) -> personnel_pack.PersonnelPack:
    """The country pack's personnel data."""
    try:
        return personnel_pack.load(str(settings.GOV3_COUNTRIES_DIR), country)
    except personnel_pack.PersonnelPackError as error:
        raise ValidationFailedError(str(error)) from None


def add_years(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def do_create_unit(
    actor: str,
    *,
    agency: Agency,
    code: str,
    name_local: str,
    name_en: str,
    parent: Unit | None = None,
    authorised_headcount: int = 0,
    opened_on: date,
) -> Unit:
    """Add a unit to an agency's organisation (under `parent`, of the same agency)."""
    if parent is not None and parent.agency_id != agency.pk:
        raise ValidationFailedError(f"Unit {parent.code} belongs to another agency.")
    if Unit.objects.filter(code=code).exists():
        raise ValidationFailedError(f"The unit code {code!r} is already used.")
    with transaction.atomic(durable=True):
        unit = Unit.objects.create(
            agency=agency,
            parent=parent,
            code=code,
            name_local=name_local,
            name_en=name_en,
            authorised_headcount=authorised_headcount,
            opened_on=opened_on,
        )
        record_audit(
            actor=actor,
            action="personnel.unit_created",
            target_type="unit",
            target_id=code,
            data={"agency": agency.code, "parent": parent.code if parent else None},
        )
    return unit


def _check_grade(country: str, grade: str) -> personnel_pack.PersonnelPack:
    data = pack_for(country)
    if data.grade(grade) is None:
        known = ", ".join(g.code for g in data.grades)
        raise ValidationFailedError(f"Unknown grade {grade!r}; the grades are {known}.")
    return data


def do_create_position(
    actor: str,
    *,
    unit: Unit,
    code: str,
    title_local: str,
    title_en: str,
    grade_high: str,
    grade_low: str,
    job_series: str,
    position_type: str = PositionType.GENERAL,
    work_kind: str = WorkKind.GENERAL,
    gov3_role: str = "",
    is_head: bool = False,
) -> Position:
    """Add a position to a unit; its grade band and job series come from the country pack."""
    country = unit.agency.country
    data = _check_grade(country, grade_high)
    _check_grade(country, grade_low)
    if data.rank(grade_high) > data.rank(grade_low):
        raise ValidationFailedError(f"{grade_high} is below {grade_low}: give the band high-low.")
    if job_series not in data.job_series:
        raise ValidationFailedError(
            f"Unknown job series {job_series!r}; they are {', '.join(data.job_series)}."
        )
    if position_type not in PositionType.values or work_kind not in WorkKind.values:
        raise ValidationFailedError("Unknown position type or kind of work.")
    if gov3_role and gov3_role not in OfficerRole.values:
        raise ValidationFailedError(f"Unknown officer role {gov3_role!r}.")
    if Position.objects.filter(code=code).exists():
        raise ValidationFailedError(f"The position code {code!r} is already used.")
    with transaction.atomic(durable=True):
        position = Position.objects.create(
            unit=unit,
            code=code,
            title_local=title_local,
            title_en=title_en,
            grade_high=grade_high,
            grade_low=grade_low,
            job_series=job_series,
            position_type=position_type,
            work_kind=work_kind,
            gov3_role=gov3_role,
            is_head=is_head,
        )
        record_audit(
            actor=actor,
            action="personnel.position_created",
            target_type="position",
            target_id=code,
            data={"unit": unit.code, "role": gov3_role},
        )
    return position


def do_create_staff_record(
    actor: str,
    *,
    person: Person,
    employee_number: str,
    country: str,
    entry: str,
    entered_on: date,
    account: User | None = None,
) -> StaffRecord:
    """Open a civil servant's record for a living registered person (name, birth date and
    address stay the register's); appointments come by orders."""
    if person.date_of_death is not None:
        raise ValidationFailedError("A record cannot be opened for a deceased person.")
    if entry not in EntryTrack.values:
        raise ValidationFailedError(f"Unknown entry track {entry!r}.")
    if StaffRecord.objects.filter(person=person).exists():
        raise ValidationFailedError(f"{person} already has a personnel record.")
    if StaffRecord.objects.filter(employee_number=employee_number).exists():
        raise ValidationFailedError(f"Employee number {employee_number!r} is already used.")
    with transaction.atomic(durable=True):
        record = StaffRecord.objects.create(
            person=person,
            account=account,
            employee_number=employee_number,
            country=country,
            entry=entry,
            entered_on=entered_on,
        )
        record_audit(
            actor=actor,
            action="personnel.record_created",
            target_type="staff_record",
            target_id=record.pk,
            data={"person": person.pk, "employee_number": employee_number},
        )
    return record


def appointment_on(record: StaffRecord, day: date) -> Appointment | None:
    """The record's appointment on `day`, or None."""
    return (
        Appointment.objects.select_related("position__unit__agency")
        .filter(record=record, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .first()
    )


def _require_hr_officer(officer: User) -> Agency:
    if not officer.is_officer or officer.role != OfficerRole.HR_OFFICER or officer.agency is None:
        raise PermissionRefusedError("Only an HR officer of the agency may issue orders.")
    return officer.agency


@dataclass(frozen=True)
class Known:
    """What a batch already read about a record for an order effective on a day: the
    appointment held the day before, and whether one starts on that day or later."""

    current: Appointment | None
    later: bool


def read_known(record: StaffRecord, effective_on: date) -> Known:
    """The appointment held the day before `effective_on`, and whether one starts that day or
    later (an order then would overlap it)."""
    return Known(
        current=appointment_on(record, effective_on - timedelta(days=1)),
        later=Appointment.objects.filter(record=record, starts_on__gte=effective_on).exists(),
    )


def broken_tenure_rules(
    record: StaffRecord,
    kind: str,
    position: Position | None,
    effective_on: date,
    known: Known | None = None,
) -> list[personnel_pack.TenureRule]:
    """The pack's tenure rules this order would break (minimum time in post for transfers,
    moves to another agency too soon after entry, a long-term post kept beyond its maximum)."""
    if known is not None:
        current = known.current
    else:
        current = appointment_on(record, effective_on - timedelta(days=1))
    broken = _maximum_rules_broken(record, kind, position, effective_on, current)
    if kind != OrderKind.TRANSFER or position is None:
        return broken
    if current is None or current.position_id == position.pk:
        return broken
    moving_agency = current.position.unit.agency_id != position.unit.agency_id
    for rule in pack_for(record.country).tenure:
        if rule.kind == "minimum":
            applies = (
                current.position.work_kind in rule.work
                and current.position.position_type
                in (
                    PositionType.GENERAL,
                    PositionType.SPECIALIST,
                    PositionType.INTERNAL,
                )
            )
            if applies and effective_on < add_years(current.starts_on, rule.years):
                broken.append(rule)
        elif (
            rule.kind == "between_agencies"
            and moving_agency
            and record.entry in rule.entries
            and effective_on < add_years(record.entered_on, rule.years)
        ):
            broken.append(rule)
    return broken


def held_since(current: Appointment) -> date:
    """Since when the civil servant has held `current`'s position without a break (earlier
    appointments to the same post, ending the day before the next starts, count)."""
    since = current.starts_on
    earlier = Appointment.objects.filter(
        record_id=current.record_id, starts_on__lt=current.starts_on
    ).order_by("-starts_on")
    for appointment in earlier.only("position_id", "starts_on", "ends_on"):
        if appointment.position_id != current.position_id or appointment.ends_on != (
            since - timedelta(days=1)
        ):
            break
        since = appointment.starts_on
    return since


def _maximum_rules_broken(
    record: StaffRecord,
    kind: str,
    position: Position | None,
    effective_on: date,
    current: Appointment | None,
) -> list[personnel_pack.TenureRule]:
    """The pack's maximum-tenure rules (a long-term post held at most 8 years in Korea) that an
    order keeping the civil servant in their post on `effective_on` would break."""
    if current is None or kind == OrderKind.RETIREMENT:
        return []
    if position is not None and position.pk != current.position_id:
        return []  # the order moves them out of the post
    rules = [
        rule
        for rule in pack_for(record.country).tenure
        if rule.kind == "maximum" and current.position.position_type in rule.position_types
    ]
    if not rules:
        return []
    since = held_since(current)
    return [rule for rule in rules if effective_on >= add_years(since, rule.years)]


#: Orders about the post the civil servant holds (no position named).
KEEPS_THE_POST = (OrderKind.RETIREMENT, OrderKind.LEAVE, OrderKind.RETURN)


@dataclass(frozen=True)
class OrderDraft:
    """What an HR officer asks for."""

    kind: str
    position: Position | None = None
    grade: str = ""
    step: int | None = None
    effective_on: date | None = None
    exception_reason: str = ""


def _check_new_post(
    agency: Agency,
    record: StaffRecord,
    draft: OrderDraft,
    current: Appointment | None,
    effective_on: date,
) -> tuple[str, int]:
    """The grade and step of an appointment, promotion or transfer, refused if wrong."""
    data = pack_for(record.country)
    position = draft.position
    if position is None:
        raise ValidationFailedError("Choose the position.")
    # The agency where the civil servant serves issues a transfer, also to another agency;
    # appointments and promotions are to the issuing agency's own positions.
    if draft.kind in {OrderKind.TRANSFER, OrderKind.SECONDMENT}:
        if current is not None and (current.on_leave or current.seconded):
            raise ValidationFailedError(f"{record} is on leave or seconded; issue a return first.")
        if current is not None and current.position.unit.agency_id != agency.pk:
            raise ValidationFailedError(f"{record} serves in another agency, which transfers them.")
        if position.unit.agency.country != record.country:
            raise ValidationFailedError("Choose a position of this country's civil service.")
    elif position.unit.agency_id != agency.pk:
        raise ValidationFailedError("Choose a position of your agency.")
    grade = draft.grade or (current.grade if current else "")
    if data.grade(grade) is None:
        known = ", ".join(g.code for g in data.grades)
        raise ValidationFailedError(f"Unknown grade {grade!r}; the grades are {known}.")
    if not data.rank(position.grade_high) <= data.rank(grade) <= data.rank(position.grade_low):
        raise ValidationFailedError(
            f"Grade {grade} is outside the position's band "
            f"{position.grade_high}-{position.grade_low}."
        )
    step = draft.step or (current.step if current and current.grade == grade else 1)
    if data.monthly_pay(grade, step, effective_on) is None:
        raise ValidationFailedError(f"Grade {grade} has no step {step} in the pay table.")
    if draft.kind == OrderKind.APPOINTMENT and current is not None:
        raise ValidationFailedError(f"{record} already holds a post; issue a transfer.")
    if draft.kind != OrderKind.APPOINTMENT and current is None:
        raise ValidationFailedError(f"{record} holds no post; issue an appointment.")
    if (
        draft.kind == OrderKind.PROMOTION
        and current
        and data.rank(grade) >= data.rank(current.grade)
    ):
        raise ValidationFailedError(f"{grade} is not above {current.grade}.")
    return grade, step


def _check_order(
    agency: Agency,
    record: StaffRecord,
    draft: OrderDraft,
    today: date,
    known: Known | None = None,
) -> tuple[list[personnel_pack.TenureRule], str, int | None]:
    """Refuse a bad order; return the tenure rules it sets aside, its grade and step.
    `known`: what a batch already read about the record (no query then)."""
    data = pack_for(record.country)
    if draft.kind not in OrderKind.values:
        raise ValidationFailedError(f"Unknown kind of order {draft.kind!r}.")
    effective_on = draft.effective_on
    if effective_on is None:
        raise ValidationFailedError("Give the date the order takes effect.")
    earliest = today - timedelta(days=data.backdating_days)
    if effective_on < earliest:
        raise ValidationFailedError(
            f"An order may take effect at the earliest {earliest.isoformat()} "
            f"({data.backdating_days} days back); {effective_on.isoformat()} is too far back."
        )
    known = known or read_known(record, effective_on)
    current = known.current
    grade, step = (current.grade, current.step) if current else ("", None)
    if draft.kind in KEEPS_THE_POST:
        serves_in = current.position.unit.agency_id if current else None
        if current is not None and draft.kind == OrderKind.RETURN and current.seconded:
            home = home_post(current)
            serves_in = home.position.unit.agency_id if home else None  # the home agency recalls
        if current is None or serves_in != agency.pk:
            raise ValidationFailedError(f"{record} holds no post in {agency.code}.")
        if draft.kind == OrderKind.LEAVE and current.on_leave:
            raise ValidationFailedError(f"{record} is already on leave.")
        if draft.kind == OrderKind.RETURN and not (current.on_leave or current.seconded):
            raise ValidationFailedError(f"{record} is neither on leave nor seconded.")
    else:
        grade, step = _check_new_post(agency, record, draft, current, effective_on)
    if known.later:
        raise ValidationFailedError(
            f"{record} already has an appointment from {effective_on.isoformat()} or later; "
            "appointments may not overlap."
        )
    broken = broken_tenure_rules(record, draft.kind, draft.position, effective_on, known)
    if broken and not draft.exception_reason.strip():
        raise TenureRuleBrokenError(broken)
    return broken, grade, step


def _give_post(
    actor: str,
    account: User | None,
    position: Position,
    starts_on: date,
    ref: str,
    *,
    first: bool = False,
) -> None:
    """The account's officer post follows the appointment (no role: no officer rights)."""
    if account is None or account.kind != "officer":
        return
    if position.gov3_role:
        record_post(
            actor,
            user=account,
            agency=position.unit.agency,
            role=position.gov3_role,
            starts_on=starts_on,
            reference=ref,
            replace_provisional=first,
        )
    else:
        end_posts(actor, user=account, last_day=starts_on - timedelta(days=1), reference=ref)


def do_load_appointment(
    actor: str, *, record: StaffRecord, position: Position, grade: str, step: int, starts_on: date
) -> Appointment:
    """Record an appointment held before gov3 kept orders (the initial load of an
    organisation): no order, no approval; the account's post follows it like an order's."""
    _check_grade(record.country, grade)
    if Appointment.objects.filter(record=record, ends_on__isnull=True).exists():
        raise ValidationFailedError(f"{record} already holds a post; issue an order.")
    with transaction.atomic(durable=True):
        appointment = Appointment.objects.create(
            record=record, position=position, grade=grade, step=step, starts_on=starts_on
        )
        _give_post(actor, record.account, position, starts_on, "initial load", first=True)
        record_audit(
            actor=actor,
            action="personnel.appointment_loaded",
            target_type="staff_record",
            target_id=record.pk,
            data={"position": position.code, "starts_on": starts_on.isoformat()},
        )
    return appointment


def _next_number(agency: Agency, year: int) -> str:
    prefix = f"{agency.code}-{year}-"
    taken = PersonnelOrder.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def do_issue_order(officer: User, record: StaffRecord, draft: OrderDraft) -> PersonnelOrder:
    """An HR officer drafts a numbered order about `record`; it awaits the approval of the head
    of the agency's HR unit. Refused, naming the rule, if it breaks a tenure rule without an
    exception reason."""
    agency = _require_hr_officer(officer)
    today = timezone.localdate()
    broken, grade, step = _check_order(agency, record, draft, today)
    assert draft.effective_on is not None  # checked above
    with transaction.atomic(durable=True):
        order = PersonnelOrder.objects.create(
            number=_next_number(agency, draft.effective_on.year),
            agency=agency,
            record=record,
            kind=draft.kind,
            position=draft.position,
            grade=grade,
            step=step,
            effective_on=draft.effective_on,
            status=OrderStatus.DRAFT,
            drafted_by=officer,
            drafted_at=timezone.now(),
            exception_rules=[rule.id for rule in broken],
            exception_reason=draft.exception_reason.strip() if broken else "",
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.order_issued",
            target_type="personnel_order",
            target_id=order.number,
            data={
                "kind": order.kind,
                "record": record.pk,
                "effective_on": order.effective_on.isoformat(),
                "exceptions": order.exception_rules,
            },
        )
        for rule in broken:
            record_audit(
                actor=officer.get_username(),
                action="personnel.tenure_exception",
                target_type="personnel_order",
                target_id=order.number,
                data={
                    "rule": rule.id,
                    "legal_basis": rule.legal_basis,
                    "reason": order.exception_reason,
                },
            )
    return order


def home_post(seconded: Appointment) -> Appointment | None:
    """The post a seconded civil servant held before the secondment (they return to it)."""
    return (
        Appointment.objects.select_related("position__unit__agency")
        .filter(record_id=seconded.record_id, seconded=False, starts_on__lt=seconded.starts_on)
        .order_by("-starts_on")
        .first()
    )


def _same_post(held: Appointment, order: PersonnelOrder, *, on_leave: bool) -> Appointment:
    """The post held, from the order's date, on leave or back from it."""
    return Appointment.objects.create(
        record=held.record,
        position=held.position,
        grade=held.grade,
        step=held.step,
        starts_on=order.effective_on,
        on_leave=on_leave,
        order=order,
    )


def may_approve(approver: User, order: PersonnelOrder, today: date) -> bool:
    """The head of an HR unit of the order's agency, on `today`, who neither drafted the
    order nor is its subject."""
    if not approver.is_officer or approver.role != OfficerRole.HR_OFFICER:
        return False
    if approver.pk in (order.drafted_by_id, order.record.account_id):
        return False
    own = StaffRecord.objects.filter(account=approver).first()
    if own is None or own.pk == order.record_id:
        return False
    post = appointment_on(own, today)
    return bool(post and post.position.is_head and post.position.unit.agency_id == order.agency_id)


def do_approve_order(approver: User, order_id: int) -> PersonnelOrder:
    """Approve an order: its appointment is recorded and the civil servant's officer post (what
    they may do in gov3) changes from the effective date. A head cannot approve an order about
    themselves (their own promotion) or one they drafted."""
    today = timezone.localdate()
    order = (
        PersonnelOrder.objects.select_related("record__account", "position__unit__agency")
        .filter(pk=order_id, agency_id=approver.agency_id or 0)
        .first()
    )
    if order is None:
        raise NotFoundError("No such order in your agency.")
    if order.status != OrderStatus.DRAFT:
        raise ValidationFailedError(f"Order {order.number} is already approved.")
    if not may_approve(approver, order, today):
        raise PermissionRefusedError(
            "Only the head of the agency's HR unit approves orders, never one about themselves "
            "or one they drafted."
        )
    record = order.record
    draft = OrderDraft(
        kind=order.kind,
        position=order.position,
        grade=order.grade,
        step=order.step,
        effective_on=order.effective_on,
        exception_reason=order.exception_reason,
    )
    _check_order(order.agency, record, draft, order.drafted_at.date())
    with transaction.atomic(durable=True):
        apply_order(approver, order)
    order.refresh_from_db()
    return order


def apply_order(approver: User, order: PersonnelOrder, *, audit: bool = True) -> None:
    """Carry out a checked order inside the caller's transaction: the appointment, the
    account's post from the effective date, the order marked approved and (unless the caller
    audits in bulk) its audit entry."""
    record = order.record
    actor = approver.get_username()
    last_day = order.effective_on - timedelta(days=1)
    held = appointment_on(record, last_day)
    Appointment.objects.filter(record=record, ends_on__isnull=True).update(ends_on=last_day)
    account = record.account
    officer = account if account is not None and account.kind == "officer" else None
    if order.kind in {OrderKind.RETIREMENT, OrderKind.LEAVE}:
        if officer is not None:
            end_posts(actor, user=officer, last_day=last_day, reference=order.number)
        if order.kind == OrderKind.LEAVE and held is not None:
            _same_post(held, order, on_leave=True)
    elif order.kind == OrderKind.RETURN and held is not None:
        back = home_post(held) if held.seconded else held
        assert back is not None  # checked with the order
        _same_post(back, order, on_leave=False)
        _give_post(actor, officer, back.position, order.effective_on, order.number)
    else:
        assert order.position is not None
        Appointment.objects.create(
            record=record,
            position=order.position,
            grade=order.grade,
            step=order.step or 1,
            starts_on=order.effective_on,
            seconded=order.kind == OrderKind.SECONDMENT,
            order=order,
        )
        _give_post(actor, account, order.position, order.effective_on, order.number)
    PersonnelOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.APPROVED, approved_by=approver, approved_at=timezone.now()
    )
    if audit:
        record_audit(**approval_audit(actor, order))


def approval_audit(actor: str, order: PersonnelOrder) -> dict[str, Any]:
    """The audit entry of an order's approval (keyword arguments of `record_audit`)."""
    return {
        "actor": actor,
        "action": "personnel.order_approved",
        "target_type": "personnel_order",
        "target_id": order.number,
        # The approval authorises the tenure exceptions the order records.
        "data": {
            "effective_on": order.effective_on.isoformat(),
            "exceptions": order.exception_rules,
            "reason": order.exception_reason,
        },
    }
