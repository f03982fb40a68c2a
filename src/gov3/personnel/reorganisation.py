"""Reorganisations (issue 18 item 1): an HR officer drafts a numbered act that splits one unit
into several, merges several into one, renames a unit or moves it under another; the head of
the agency's HR unit (never the drafter) approves it. Approval closes the predecessors on the
effective date, opens the successors, records the lineage and moves the positions as the act
maps them. Nothing is deleted or overwritten: a closed unit, its positions' past and every
appointment and order stay as they were (`personnel/unit_history.py` reads them back)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import Agency, User
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel import queries
from gov3.personnel.models import Appointment, OrderStatus, Position, StaffRecord, Unit
from gov3.personnel.reorganisation_models import (
    PositionMove,
    Reorganisation,
    ReorganisationKind,
    UnitLink,
)
from gov3.personnel.services import appointment_on, pack_for


@dataclass(frozen=True)
class SuccessorDraft:
    """A unit the act opens. `parent`: a unit code (empty: the first predecessor's parent);
    `authorised_headcount`: required for a split's successors (None elsewhere: a merge's is
    the predecessors' sum, a renamed or moved unit keeps its own)."""

    code: str
    name_local: str
    name_en: str
    authorised_headcount: int | None = None
    parent: str = ""


@dataclass(frozen=True)
class ReorganisationDraft:
    """What an HR officer asks for: the units closed (by code), the units opened, and the
    position mapping (position code → successor code)."""

    kind: str
    effective_on: date | None
    predecessors: list[str]
    successors: list[SuccessorDraft]
    positions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """A checked draft: the units it closes, the successors' specification with the parent
    and headcount settled, and the full position mapping."""

    effective_on: date
    predecessors: list[Unit]
    successors: list[dict[str, Any]]
    positions: dict[str, str]


def _require_hr(officer: User) -> Agency:
    if not queries.is_hr_officer(officer) or officer.agency is None:
        raise PermissionRefusedError(gettext("Only an HR officer of the agency may do this."))
    return officer.agency


def _refuse(message: str, **values: object) -> ValidationFailedError:
    return ValidationFailedError(message % values if values else message)


def _check_counts(kind: str, predecessors: int, successors: int) -> None:
    if kind not in ReorganisationKind.values:
        raise _refuse(gettext("Choose the kind of reorganisation."))
    if predecessors == 0:
        raise _refuse(gettext("Choose the unit or units to reorganise."))
    if kind == ReorganisationKind.SPLIT:
        if predecessors != 1:
            raise _refuse(gettext("A split reorganises one unit."))
        if successors < 2:
            raise _refuse(gettext("A split needs at least two new units."))
    elif kind == ReorganisationKind.MERGE:
        if predecessors < 2:
            raise _refuse(gettext("A merge needs at least two units to merge."))
        if successors != 1:
            raise _refuse(gettext("A merge opens exactly one new unit."))
    elif predecessors != 1 or successors != 1:
        raise _refuse(gettext("A rename or a move reorganises one unit into one new unit."))


def _check_date(agency: Agency, effective_on: date | None, today: date) -> date:
    if effective_on is None:
        raise _refuse(gettext("Give the date the reorganisation takes effect."))
    allowed = pack_for(agency.country).backdating_days
    earliest = today - timedelta(days=allowed)
    if effective_on < earliest:
        raise _refuse(
            gettext(
                "A reorganisation may take effect at the earliest %(earliest)s (%(days)s days "
                "back, as orders); %(day)s is too far back."
            ),
            earliest=earliest.isoformat(),
            days=allowed,
            day=effective_on.isoformat(),
        )
    return effective_on


def _predecessors(agency: Agency, codes: list[str], day: date) -> list[Unit]:
    if len(set(codes)) != len(codes):
        raise _refuse(gettext("A unit is named twice."))
    units = {u.code: u for u in Unit.objects.filter(agency=agency, code__in=codes)}
    for code in codes:
        unit = units.get(code)
        if unit is None:
            raise _refuse(gettext("There is no unit %(code)s in your agency."), code=code)
        if unit.closed_on is not None:
            raise _refuse(
                gettext("Unit %(code)s is already closed (from %(day)s)."),
                code=code,
                day=unit.closed_on.isoformat(),
            )
        if unit.opened_on >= day:
            raise _refuse(
                gettext("Unit %(code)s opens on %(day)s; it cannot be reorganised before."),
                code=code,
                day=unit.opened_on.isoformat(),
            )
    open_children = Unit.objects.filter(parent__in=units.values(), closed_on__isnull=True)
    child = open_children.order_by("code").first()
    if child is not None:
        raise _refuse(
            gettext("Unit %(code)s still has the sub-unit %(child)s; move its sub-units first."),
            code=child.parent.code if child.parent else "",
            child=child.code,
        )
    return [units[code] for code in codes]


def _parent(agency: Agency, code: str, day: date, closing: list[Unit]) -> Unit | None:
    if not code:
        return None
    parent = Unit.objects.filter(agency=agency, code=code).first()
    if parent is None:
        raise _refuse(gettext("There is no unit %(code)s in your agency."), code=code)
    if (
        parent in closing
        or parent.opened_on > day
        or (parent.closed_on is not None and parent.closed_on <= day)
    ):
        raise _refuse(
            gettext("Unit %(code)s is not open on %(day)s; choose another parent."),
            code=code,
            day=day.isoformat(),
        )
    return parent


def _successors(
    agency: Agency, draft: ReorganisationDraft, day: date, closing: list[Unit]
) -> list[dict[str, Any]]:
    codes = [s.code.strip() for s in draft.successors]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise _refuse(gettext("Give each new unit its own code."))
    taken = Unit.objects.filter(code__in=codes).order_by("code").first()
    if taken is not None:
        raise _refuse(gettext("The unit code %(code)s is already used."), code=taken.code)
    first = closing[0]
    specs = []
    for successor in draft.successors:
        if not successor.name_local.strip() or not successor.name_en.strip():
            raise _refuse(gettext("Give each new unit its names."))
        parent = _parent(agency, successor.parent.strip(), day, closing)
        if parent is None:
            parent = first.parent
        if draft.kind == ReorganisationKind.MOVE and parent == first.parent:
            raise _refuse(gettext("A move needs a new parent unit."))
        headcount = successor.authorised_headcount
        if headcount is None:
            if draft.kind == ReorganisationKind.SPLIT:
                raise _refuse(gettext("Give the authorised headcount of each new unit."))
            headcount = sum(u.authorised_headcount for u in closing)
        if headcount < 0:
            raise _refuse(gettext("An authorised headcount cannot be negative."))
        specs.append(
            {
                "code": successor.code.strip(),
                "name_local": successor.name_local.strip(),
                "name_en": successor.name_en.strip(),
                "authorised_headcount": headcount,
                "parent": parent.code if parent else "",
            }
        )
    return specs


def _mapping(
    draft: ReorganisationDraft, day: date, closing: list[Unit], successors: list[str]
) -> dict[str, str]:
    positions = {p.code: p for p in Position.objects.filter(unit__in=closing)}
    for position_code, unit_code in draft.positions.items():
        if position_code not in positions:
            raise _refuse(
                gettext("Position %(code)s is not in the units reorganised."), code=position_code
            )
        if unit_code not in successors:
            raise _refuse(
                gettext("Position %(code)s is mapped to %(unit)s, which is not a new unit."),
                code=position_code,
                unit=unit_code,
            )
    mapping = dict(draft.positions)
    if len(successors) == 1:
        mapping = dict.fromkeys(positions, successors[0])
    held = (
        Appointment.objects.filter(position__in=positions.values())
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("position__code", flat=True)
        .order_by("position__code")
    )
    for position_code in held:
        if position_code not in mapping:
            raise _refuse(
                gettext(
                    "Position %(code)s is held on or after %(day)s: say which new unit it moves to."
                ),
                code=position_code,
                day=day.isoformat(),
            )
    return dict(sorted(mapping.items()))


def check_draft(agency: Agency, draft: ReorganisationDraft, today: date) -> Checked:
    """Refuse a bad reorganisation (a clear, translated reason); otherwise what it will do."""
    _check_counts(draft.kind, len(draft.predecessors), len(draft.successors))
    day = _check_date(agency, draft.effective_on, today)
    closing = _predecessors(agency, [c.strip() for c in draft.predecessors], day)
    successors = _successors(agency, draft, day, closing)
    mapping = _mapping(draft, day, closing, [s["code"] for s in successors])
    return Checked(day, closing, successors, mapping)


def _next_number(agency: Agency, year: int) -> str:
    prefix = f"{agency.code}-R{year}-"
    taken = Reorganisation.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def do_draft_reorganisation(officer: User, draft: ReorganisationDraft) -> Reorganisation:
    """An HR officer drafts a numbered reorganisation of their agency (audited); it waits for
    the approval of the head of the HR unit. Refused, with nothing written, if it is wrong."""
    agency = _require_hr(officer)
    checked = check_draft(agency, draft, timezone.localdate())
    plan = {
        "successors": checked.successors,
        "positions": checked.positions,
        "requested": {
            "positions": dict(draft.positions),
            "successors": [asdict(s) for s in draft.successors],
        },
    }
    with transaction.atomic(durable=True):
        act = Reorganisation.objects.create(
            number=_next_number(agency, checked.effective_on.year),
            agency=agency,
            kind=draft.kind,
            effective_on=checked.effective_on,
            plan=plan,
            status=OrderStatus.DRAFT,
            drafted_by=officer,
            drafted_at=timezone.now(),
        )
        act.predecessors.set(checked.predecessors)
        record_audit(
            actor=officer.get_username(),
            action="personnel.reorganisation_drafted",
            target_type="reorganisation",
            target_id=act.number,
            data={
                "kind": act.kind,
                "effective_on": act.effective_on.isoformat(),
                "predecessors": [u.code for u in checked.predecessors],
                "successors": [s["code"] for s in checked.successors],
                "positions": checked.positions,
            },
        )
    return act


def may_approve(approver: User, act: Reorganisation, today: date) -> bool:
    """The head of an HR unit of the act's agency on `today`, who did not draft it."""
    if not queries.is_hr_officer(approver) or approver.pk == act.drafted_by_id:
        return False
    own = StaffRecord.objects.filter(account=approver).first()
    if own is None:
        return False
    post = appointment_on(own, today)
    return bool(post and post.position.is_head and post.position.unit.agency_id == act.agency_id)


def agency_acts(officer: User) -> QuerySet[Reorganisation]:
    """The reorganisations of the officer's agency, newest first (none for anyone else)."""
    if not queries.is_hr_officer(officer):
        return Reorganisation.objects.none()
    return Reorganisation.objects.filter(agency_id=officer.agency_id or 0).prefetch_related(
        "predecessors"
    )


def do_approve_reorganisation(approver: User, act_id: int) -> Reorganisation:
    """Approve a draft of the approver's agency: checked again as on the day it was drafted,
    then the predecessors close on the effective date, the successors open, the lineage is
    recorded and the positions move (now if the date has come, otherwise on that day)."""
    _require_hr(approver)
    today = timezone.localdate()
    act = agency_acts(approver).filter(pk=act_id).select_related("agency").first()
    if act is None:
        raise NotFoundError(gettext("There is no such reorganisation in your agency."))
    if act.status != OrderStatus.DRAFT:
        raise _refuse(gettext("Reorganisation %(number)s is already approved."), number=act.number)
    if not may_approve(approver, act, today):
        raise PermissionRefusedError(
            gettext(
                "Only the head of the agency's HR unit approves a reorganisation, never one "
                "they drafted."
            )
        )
    requested = act.plan.get("requested", {})
    draft = ReorganisationDraft(
        kind=act.kind,
        effective_on=act.effective_on,
        predecessors=[u.code for u in act.predecessors.order_by("code")],
        successors=[SuccessorDraft(**s) for s in requested.get("successors", [])],
        positions=dict(requested.get("positions", {})),
    )
    checked = check_draft(act.agency, draft, act.drafted_at.date())
    with transaction.atomic(durable=True):
        _carry_out(approver, act, checked, today)
    act.refresh_from_db()
    return act


def _carry_out(approver: User, act: Reorganisation, checked: Checked, today: date) -> None:
    day = checked.effective_on
    closing = list(
        Unit.objects.select_for_update().filter(pk__in=[u.pk for u in checked.predecessors])
    )
    if any(u.closed_on is not None for u in closing):
        raise _refuse(gettext("A unit of this reorganisation was closed meanwhile."))
    Unit.objects.filter(pk__in=[u.pk for u in closing]).update(closed_on=day)
    parents = {u.code: u for u in Unit.objects.filter(agency=act.agency)}
    opened: dict[str, Unit] = {}
    for spec in checked.successors:
        opened[spec["code"]] = Unit.objects.create(
            agency=act.agency,
            parent=parents.get(spec["parent"]) if spec["parent"] else None,
            code=spec["code"],
            name_local=spec["name_local"],
            name_en=spec["name_en"],
            authorised_headcount=spec["authorised_headcount"],
            opened_on=day,
        )
    UnitLink.objects.bulk_create(
        UnitLink(reorganisation=act, predecessor=p, successor=s)
        for p in closing
        for s in opened.values()
    )
    positions = Position.objects.filter(code__in=list(checked.positions))
    PositionMove.objects.bulk_create(
        PositionMove(
            reorganisation=act,
            position=p,
            from_unit_id=p.unit_id,
            to_unit=opened[checked.positions[p.code]],
            moved_on=day,
        )
        for p in positions
    )
    Reorganisation.objects.filter(pk=act.pk).update(
        status=OrderStatus.APPROVED, approved_by=approver, approved_at=timezone.now()
    )
    if day <= today:
        apply_due_moves(today)
    record_audit(
        actor=approver.get_username(),
        action="personnel.reorganisation_approved",
        target_type="reorganisation",
        target_id=act.number,
        data={
            "effective_on": day.isoformat(),
            "closed": [u.code for u in closing],
            "opened": list(opened),
            "positions": checked.positions,
        },
    )


def apply_due_moves(today: date) -> int:
    """Put each moved position in the unit of its latest move due by `today` (idempotent);
    the number of positions changed."""
    latest: dict[int, int] = {}
    for position_id, to_unit in (
        PositionMove.objects.filter(moved_on__lte=today)
        .order_by("position_id", "moved_on")
        .values_list("position_id", "to_unit_id")
    ):
        latest[position_id] = to_unit
    current = Position.objects.filter(pk__in=list(latest)).values_list("pk", "unit_id")
    stale = [pk for pk, unit_id in current if unit_id != latest[pk]]
    for position_id in stale:
        Position.objects.filter(pk=position_id).update(unit_id=latest[position_id])
    return len(stale)


def do_apply_due_moves(today: date) -> int:
    """The daily job: the positions of reorganisations taking effect today change unit."""
    with transaction.atomic():
        changed = apply_due_moves(today)
    if changed:
        record_audit(
            actor="system",
            action="personnel.positions_moved",
            target_type="reorganisation",
            target_id=today.isoformat(),
            data={"positions": changed},
        )
    return changed
