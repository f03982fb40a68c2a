"""Reads of personnel data. HR officers read the staff records of their own agency (anyone
appointed there now or later, or named in one of its orders); another agency's record is "not
found" and nothing is logged. Each record read is written to the access log, since it shows
the register's name and birth date. A civil servant reads their own record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from gov3.accounts.models import OfficerRole, User
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.personnel.models import (
    Appointment,
    OrderStatus,
    PersonnelOrder,
    Position,
    StaffRecord,
)
from gov3.personnel.pack import TenureRule
from gov3.personnel.services import add_years, appointment_on, held_since, pack_for
from gov3.personnel.unit_history import UnitRow, appointment_units, tree_on

RECORD_PARTS = "staff record: name, birth date, appointments, grade, orders, details"
STAFF_LIST_PARTS = "staff list: names, positions, grades"


def is_hr_officer(user: object) -> bool:
    """An officer acting as an HR officer today."""
    return isinstance(user, User) and user.is_officer and user.role == OfficerRole.HR_OFFICER


def _agency_id(officer: User) -> int:
    """The agency an HR officer acts for (0, matching nothing, for anyone else)."""
    return officer.agency_id or 0 if is_hr_officer(officer) else 0


def agency_records(officer: User) -> QuerySet[StaffRecord]:
    """The staff records an HR officer may read: appointed in their agency (now, before or
    from a future date) or named in one of its orders."""
    if not is_hr_officer(officer):
        return StaffRecord.objects.none()
    return StaffRecord.objects.filter(
        Q(appointments__position__unit__agency_id=_agency_id(officer))
        | Q(orders__agency_id=_agency_id(officer))
    ).distinct()


def _log(officer: User, subject_ids: list[int], what: str, channel: AccessChannel) -> None:
    log_access(
        subject_ids=subject_ids,
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.name_local if officer.agency else "",
        purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
        channel=channel,
        what=what,
    )


def log_reads(officer: User, subject_ids: list[int], what: str, channel: AccessChannel) -> None:
    """Write the access log of a page that shows these civil servants' data."""
    _log(officer, subject_ids, what, channel)


def staff_record_for_hr(
    officer: User, record_id: int, channel: AccessChannel = AccessChannel.WEB
) -> StaffRecord:
    """One staff record of the officer's agency, its read logged; any other id: not found,
    nothing logged."""
    record = agency_records(officer).filter(pk=record_id).select_related("person").first()
    if record is None:
        raise NotFoundError("There is no such staff record in your agency.")
    _log(officer, [record.person_id], RECORD_PARTS, channel)
    return record


def organisation(officer: User, day: date | None = None) -> list[UnitRow]:
    """The officer's agency as a tree on `day` (units open then), depth first, with authorised
    vs actual headcount."""
    if not is_hr_officer(officer):
        return []
    return tree_on(_agency_id(officer), day or timezone.localdate())


def staff_list(officer: User, day: date | None = None, limit: int = 500) -> list[Appointment]:
    """Who holds a post in the officer's agency today (logged: it shows names)."""
    if not is_hr_officer(officer):
        return []
    day = day or timezone.localdate()
    held = list(
        Appointment.objects.filter(
            position__unit__agency_id=_agency_id(officer), starts_on__lte=day
        )
        .exclude(ends_on__lt=day)
        .select_related("record__person", "position__unit")
        .order_by("position__unit__code", "position__code")[:limit]
    )
    if held:
        _log(officer, [a.record.person_id for a in held], STAFF_LIST_PARTS, AccessChannel.WEB)
    return held


def order_positions(officer: User) -> QuerySet[Position]:
    """The positions an HR officer may name in an order: their agency's, and for transfers
    those of the other agencies of the country's civil service."""
    if not is_hr_officer(officer) or officer.agency is None:
        return Position.objects.none()
    return (
        Position.objects.filter(unit__agency__country=officer.agency.country)
        .select_related("unit__agency")
        .order_by("unit__agency__code", "code")
    )


def orders_awaiting_approval(officer: User) -> QuerySet[PersonnelOrder]:
    """The agency's orders still waiting for approval."""
    if not is_hr_officer(officer):
        return PersonnelOrder.objects.none()
    return PersonnelOrder.objects.filter(
        agency_id=_agency_id(officer), status=OrderStatus.DRAFT
    ).select_related("record__person", "position")


@dataclass(frozen=True)
class RecordView:
    """A record as its pages show it: appointments (history) and orders, with pay today."""

    record: StaffRecord
    current: Appointment | None
    appointments: list[Appointment]
    orders: list[PersonnelOrder]
    monthly_pay: int | None
    currency: str


def record_view(record: StaffRecord, day: date | None = None) -> RecordView:
    day = day or timezone.localdate()
    current = appointment_on(record, day)
    data = pack_for(record.country)
    pay = data.monthly_pay(current.grade, current.step, day) if current else None
    appointments = list(
        record.appointments.select_related("position__unit__agency").order_by("-starts_on")
    )
    units = appointment_units(appointments)
    for appointment in appointments:
        # The unit the post was in when the appointment started (before any reorganisation).
        appointment.unit_then = units[appointment.pk]  # type: ignore[attr-defined]
    return RecordView(
        record=record,
        current=current,
        appointments=appointments,
        orders=list(record.orders.select_related("position").order_by("-effective_on")),
        monthly_pay=pay,
        currency=data.currency,
    )


def own_record(user: User) -> StaffRecord:
    """The signed-in civil servant's own record (not logged: it is their own data)."""
    record = StaffRecord.objects.filter(account_id=user.pk).select_related("person").first()
    if record is None:
        raise NotFoundError("You have no personnel record.")
    return record


@dataclass(frozen=True)
class PastTheLimit:
    """Someone held in a post beyond a maximum-tenure rule, without an exception recorded."""

    appointment: Appointment
    since: date
    rule: TenureRule


def past_tenure_limits(officer: User, day: date | None = None) -> list[PastTheLimit]:
    """Who in the officer's agency holds a post today beyond the pack's maximum tenure (a
    long-term post, 8 years in Korea) with no approved order recording an exception to that
    rule since they took the post. Shown with the staff list (whose read is logged)."""
    if not is_hr_officer(officer) or officer.agency is None:
        return []
    day = day or timezone.localdate()
    rules = [r for r in pack_for(officer.agency.country).tenure if r.kind == "maximum"]
    if not rules:
        return []
    types = {t for rule in rules for t in rule.position_types}
    held = (
        Appointment.objects.filter(
            position__unit__agency_id=_agency_id(officer),
            position__position_type__in=types,
            starts_on__lte=day,
        )
        .exclude(ends_on__lt=day)
        .select_related("record__person", "position__unit")
    )
    found = []
    for appointment in held:
        since = held_since(appointment)
        excepted = {
            rule_id
            for rules_set in PersonnelOrder.objects.filter(
                record_id=appointment.record_id,
                status=OrderStatus.APPROVED,
                effective_on__gte=since,
            ).values_list("exception_rules", flat=True)
            for rule_id in rules_set
        }
        for rule in rules:
            if (
                appointment.position.position_type in rule.position_types
                and day >= add_years(since, rule.years)
                and rule.id not in excepted
            ):
                found.append(PastTheLimit(appointment, since, rule))
    return found
