"""Self-service (issue 18 item 9): a civil servant requests leave (kinds and yearly days from
the country pack's `leave` entries) and overtime; the heads above them approve, level by level
(the head of their unit, then the head of the unit above: as many levels as the pack says).
A head is whoever holds the unit's head position (`is_head`) that day, not on leave, as for
the order approval chain and the evaluation raters (`services.appointment_on`). Nobody decides
their own request; a request not waiting for you is "not found" and nothing is logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from gov3.accounts.models import User
from gov3.catalogue.packs import personnel_service as service_pack
from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.personnel.models import Appointment, Position, StaffRecord, Unit
from gov3.personnel.self_service_models import (
    Decision,
    RequestDecision,
    RequestKind,
    RequestStatus,
    StaffRequest,
)
from gov3.personnel.services import appointment_on

REQUESTS_PARTS = "leave and overtime requests: names, dates, reasons"
#: Requests that count against a balance or a monthly limit.
COUNTING = (RequestStatus.REQUESTED, RequestStatus.APPROVED)


def leave_rules(country: str, day: date) -> service_pack.LeaveRules:
    try:
        data = service_pack.load(str(settings.GOV3_COUNTRIES_DIR), country)
    except service_pack.ServicePackError as error:
        raise ValidationFailedError(str(error)) from None
    rules = data.leave_on(day)
    if rules is None:
        raise ValidationFailedError("The country pack has no leave rules for that day.")
    return rules


def own_record(user: User) -> StaffRecord:
    record = StaffRecord.objects.filter(account_id=user.pk).select_related("person").first()
    if record is None:
        raise NotFoundError("You have no personnel record.")
    return record


def working_days(first: date, last: date) -> int:
    """Monday to Friday from `first` to `last` inclusive (public holidays not deducted)."""
    days = 0
    day = first
    while day <= last:
        days += day.weekday() < 5
        day += timedelta(days=1)
    return days


def service_years(record: StaffRecord, day: date) -> int:
    """Full years of service on `day`."""
    start = record.entered_on
    years = day.year - start.year - ((day.month, day.day) < (start.month, start.day))
    return max(0, years)


@dataclass(frozen=True)
class Balance:
    """A kind of leave this year: days a year (None: not counted), taken (approved), waiting
    (requested) and left."""

    kind: str
    entitlement: int | None
    approved: int
    waiting: int

    @property
    def left(self) -> int | None:
        if self.entitlement is None:
            return None
        return self.entitlement - self.approved - self.waiting


def balances(record: StaffRecord, year: int | None = None) -> list[Balance]:
    """The record's leave this year, kind by kind (the pack's kinds)."""
    today = timezone.localdate()
    year = year or today.year
    rules = leave_rules(record.country, date(year, 12, 31) if year < today.year else today)
    used = {
        (row["leave_kind"], row["status"]): row["n"] or 0
        for row in StaffRequest.objects.filter(
            record=record, kind=RequestKind.LEAVE, starts_on__year=year, status__in=COUNTING
        )
        .values("leave_kind", "status")
        .annotate(n=Sum("days"))
    }
    years = service_years(record, date(year, 1, 1))
    return [
        Balance(
            kind=k.code,
            entitlement=k.entitlement(years),
            approved=used.get((k.code, RequestStatus.APPROVED), 0),
            waiting=used.get((k.code, RequestStatus.REQUESTED), 0),
        )
        for k in rules.kinds
    ]


def _head_holder(position: Position, day: date) -> Appointment | None:
    """Who holds a head position on `day` and is not on leave."""
    return (
        Appointment.objects.filter(position=position, starts_on__lte=day, on_leave=False)
        .exclude(ends_on__lt=day)
        .first()
    )


def approval_chain(record: StaffRecord, day: date) -> list[Position]:
    """The head positions that approve the record's requests on `day`, nearest first: the
    head of their unit (unless that is their own post), then of the unit above, up to the
    pack's number of levels. A head position nobody holds is skipped."""
    post = appointment_on(record, day)
    if post is None or post.on_leave:
        raise ValidationFailedError("You hold no post today, so there is no one to approve.")
    levels = leave_rules(record.country, day).approval_levels
    chain: list[Position] = []
    unit: Unit | None = post.position.unit
    while unit is not None and len(chain) < levels:
        for head in Position.objects.filter(unit=unit, is_head=True).order_by("code"):
            holder = _head_holder(head, day)
            if head.pk != post.position_id and holder and holder.record_id != record.pk:
                chain.append(head)
                break
        unit = unit.parent
    if not chain:
        raise ValidationFailedError("No head above you holds a post to approve the request.")
    return chain


def _check_no_overlap(record: StaffRecord, first: date, last: date) -> None:
    if StaffRequest.objects.filter(
        record=record,
        kind=RequestKind.LEAVE,
        status__in=COUNTING,
        starts_on__lte=last,
        ends_on__gte=first,
    ).exists():
        raise ValidationFailedError("You already have leave requested or approved on those days.")


def _create(record: StaffRequest, actor: User) -> StaffRequest:
    record.save()
    record_audit(
        actor=actor.get_username(),
        action="personnel.request_made",
        target_type="staff_request",
        target_id=record.pk,
        data={
            "kind": record.kind,
            "leave_kind": record.leave_kind,
            "starts_on": record.starts_on.isoformat(),
            "ends_on": record.ends_on.isoformat(),
            "days": record.days,
            "hours": record.hours,
            "chain": record.chain,
        },
    )
    return record


def do_request_leave(
    user: User, *, leave_kind: str, starts_on: date, ends_on: date, reason: str = ""
) -> StaffRequest:
    """Request leave of a kind of the pack for working days within one year; refused beyond
    what is left of the year's days (counting requests still waiting)."""
    record = own_record(user)
    today = timezone.localdate()
    rules = leave_rules(record.country, today)
    kind = rules.kind(leave_kind)
    if kind is None:
        known = ", ".join(k.code for k in rules.kinds)
        raise ValidationFailedError(f"Unknown kind of leave {leave_kind!r}; the kinds are {known}.")
    if ends_on < starts_on:
        raise ValidationFailedError("The leave ends before it starts.")
    if starts_on.year != ends_on.year:
        raise ValidationFailedError("Request the days of each year separately.")
    if starts_on < today - timedelta(days=31):
        raise ValidationFailedError("Leave may be requested at most 31 days after it started.")
    if len(reason) > 500:
        raise ValidationFailedError("The reason is longer than 500 characters.")
    days = working_days(starts_on, ends_on)
    if days == 0:
        raise ValidationFailedError("Those days are all weekend days: no leave is needed.")
    _check_no_overlap(record, starts_on, ends_on)
    balance = next(b for b in balances(record, starts_on.year) if b.kind == kind.code)
    if balance.left is not None and days > balance.left:
        raise ValidationFailedError(
            f"You ask for {days} days of {kind.code} leave but have {balance.left} left this "
            f"year ({balance.entitlement} a year; {kind.legal_basis})."
        )
    chain = approval_chain(record, today)
    with transaction.atomic(durable=True):
        return _create(
            StaffRequest(
                record=record,
                kind=RequestKind.LEAVE,
                leave_kind=kind.code,
                starts_on=starts_on,
                ends_on=ends_on,
                days=days,
                reason=reason.strip(),
                status=RequestStatus.REQUESTED,
                chain=[p.pk for p in chain],
                waiting_for=chain[0],
                requested_at=timezone.now(),
            ),
            user,
        )


def do_request_overtime(user: User, *, day: date, hours: int, reason: str = "") -> StaffRequest:
    """Request overtime on a day: at most the pack's hours a day and a month (counting
    requests still waiting)."""
    record = own_record(user)
    today = timezone.localdate()
    rules = leave_rules(record.country, today)
    if not 1 <= hours <= rules.overtime_max_day:
        raise ValidationFailedError(
            f"Overtime is 1 to {rules.overtime_max_day} hours a day ({rules.overtime_legal_basis})."
        )
    if day < today - timedelta(days=31):
        raise ValidationFailedError("Overtime may be requested at most 31 days after the day.")
    if len(reason) > 500:
        raise ValidationFailedError("The reason is longer than 500 characters.")
    month = (
        StaffRequest.objects.filter(
            record=record,
            kind=RequestKind.OVERTIME,
            status__in=COUNTING,
            starts_on__year=day.year,
            starts_on__month=day.month,
        ).aggregate(n=Sum("hours"))["n"]
        or 0
    )
    if month + hours > rules.overtime_max_month:
        raise ValidationFailedError(
            f"{month} hours of overtime are already requested or approved this month; "
            f"{hours} more would pass the limit of {rules.overtime_max_month} "
            f"({rules.overtime_legal_basis})."
        )
    chain = approval_chain(record, today)
    with transaction.atomic(durable=True):
        return _create(
            StaffRequest(
                record=record,
                kind=RequestKind.OVERTIME,
                starts_on=day,
                ends_on=day,
                hours=hours,
                reason=reason.strip(),
                status=RequestStatus.REQUESTED,
                chain=[p.pk for p in chain],
                waiting_for=chain[0],
                requested_at=timezone.now(),
            ),
            user,
        )


def my_requests(user: User) -> QuerySet[StaffRequest]:
    """The signed-in civil servant's own requests (their own data: not logged)."""
    return StaffRequest.objects.filter(record__account_id=user.pk).prefetch_related(
        "decisions__position"
    )


def do_cancel(user: User, request_id: int) -> StaffRequest:
    """Cancel one's own request while it waits, or approved leave that has not started."""
    found = my_requests(user).filter(pk=request_id).first()
    if found is None:
        raise NotFoundError("You have no such request.")
    today = timezone.localdate()
    waiting = found.status == RequestStatus.REQUESTED
    if not (waiting or (found.status == RequestStatus.APPROVED and found.starts_on > today)):
        raise ValidationFailedError("Only a waiting request or approved leave not yet started.")
    with transaction.atomic(durable=True):
        StaffRequest.objects.filter(pk=found.pk).update(
            status=RequestStatus.CANCELLED, waiting_for=None, decided_at=timezone.now()
        )
        record_audit(
            actor=user.get_username(),
            action="personnel.request_cancelled",
            target_type="staff_request",
            target_id=found.pk,
            data={"was": found.status},
        )
    found.refresh_from_db()
    return found


def head_post(user: object, day: date | None = None) -> Position | None:
    """The head position `user` holds today (not on leave), or None."""
    if not isinstance(user, User) or not user.is_officer:
        return None
    own = StaffRecord.objects.filter(account_id=user.pk).first()
    post = appointment_on(own, day or timezone.localdate()) if own else None
    if post is None or not post.position.is_head or post.on_leave:
        return None
    return post.position


def _log(approver: User, person_ids: list[int], channel: AccessChannel) -> None:
    log_access(
        subject_ids=person_ids,
        actor_id=approver.pk,
        actor_label=approver.get_username(),
        actor_role=approver.role,
        agency=approver.agency.name_local if approver.agency else "",
        purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
        channel=channel,
        what=REQUESTS_PARTS,
    )


def waiting_for_me(
    approver: User, channel: AccessChannel = AccessChannel.WEB
) -> list[StaffRequest]:
    """The requests waiting for the approver's decision (the read is logged: it shows names)."""
    post = head_post(approver)
    if post is None:
        return []
    found = list(
        StaffRequest.objects.filter(status=RequestStatus.REQUESTED, waiting_for=post)
        .exclude(record__account_id=approver.pk)
        .select_related("record__person")
        .prefetch_related("decisions__position")
        .order_by("starts_on", "pk")
    )
    if found:
        _log(approver, [r.record.person_id for r in found], channel)
    return found


def _notify_decision(request: StaffRequest) -> None:
    """Tell the requester the final decision (in the app, by e-mail per their preferences)."""
    from gov3.notifications.models import NotificationKind  # noqa: PLC0415
    from gov3.notifications.services import do_notify  # noqa: PLC0415

    approved = request.status == RequestStatus.APPROVED
    titles = {
        "en": "Your request is approved" if approved else "Your request is refused",
        "ko": "신청이 승인되었습니다" if approved else "신청이 반려되었습니다",
        "vi": "Yêu cầu của bạn đã được duyệt" if approved else "Yêu cầu của bạn bị từ chối",
    }
    day = request.starts_on.isoformat()
    body = {
        "en": f"{request.get_kind_display()} from {day}: {request.get_status_display()}.",
        "ko": f"{day}부터의 {'휴가' if request.kind == RequestKind.LEAVE else '초과근무'} 신청",
        "vi": f"Yêu cầu {'nghỉ phép' if request.kind == RequestKind.LEAVE else 'làm thêm giờ'} "
        f"từ {day}",
    }
    do_notify(
        request.record.person,
        NotificationKind.DECISION,
        title=titles,
        body=body,
        link="/me/personnel/requests/",
        key=f"personnel-request-{request.pk}-{request.status}",
    )


def do_decide(approver: User, request_id: int, *, approve: bool, note: str = "") -> StaffRequest:
    """The head the request waits for approves it (on to the next level, or approved at the
    last) or refuses it. One's own request: refused; one not waiting for you: not found."""
    found = (
        StaffRequest.objects.select_related("record__person", "waiting_for")
        .filter(pk=request_id)
        .first()
    )
    if found is not None and found.record.account_id == approver.pk:
        raise PermissionRefusedError("Nobody decides their own request.")
    post = head_post(approver)
    if (
        found is None
        or post is None
        or found.status != RequestStatus.REQUESTED
        or found.waiting_for_id != post.pk
    ):
        raise NotFoundError("There is no such request waiting for you.")
    if len(note) > 500:
        raise ValidationFailedError("The note is longer than 500 characters.")
    level = found.decisions.count()
    chain = list(found.chain)
    now = timezone.now()
    with transaction.atomic(durable=True):
        RequestDecision.objects.create(
            request=found,
            level=level,
            position=post,
            approver=approver,
            decision=Decision.APPROVED if approve else Decision.REFUSED,
            note=note.strip(),
            decided_at=now,
        )
        if not approve:
            found.status, found.waiting_for, found.decided_at = RequestStatus.REFUSED, None, now
        elif level + 1 < len(chain):
            found.waiting_for = Position.objects.get(pk=chain[level + 1])
        else:
            found.status, found.waiting_for, found.decided_at = RequestStatus.APPROVED, None, now
        found.save(update_fields=["status", "waiting_for", "decided_at"])
        record_audit(
            actor=approver.get_username(),
            action="personnel.request_decided",
            target_type="staff_request",
            target_id=found.pk,
            data={"level": level, "approve": approve, "status": found.status},
        )
        if found.status != RequestStatus.REQUESTED:
            _notify_decision(found)
    return found
