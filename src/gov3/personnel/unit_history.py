"""Reads of the organisation through time (issue 18 item 1): which units were open on a day,
where each position was then, and a unit's lineage through reorganisations. Nothing here
writes; the acts are `personnel/reorganisation.py`. No personal data: units, positions and
headcounts only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from gov3.personnel.models import Appointment, Position, Unit
from gov3.personnel.reorganisation_models import PositionMove, Reorganisation, UnitLink


@dataclass(frozen=True)
class UnitRow:
    """A unit with its authorised and actual headcount on a day."""

    unit: Unit
    depth: int
    actual: int

    @property
    def indent(self) -> str:
        """Dashes showing the depth (hidden from screen readers, which read the code)."""
        return "\u2014 " * self.depth


def open_on(day: date) -> Q:
    """Units open on `day`: opened by then, not closed on or before it."""
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def units_on(agency_id: int, day: date) -> QuerySet[Unit]:
    """The agency's units open on `day`."""
    return Unit.objects.filter(open_on(day), agency_id=agency_id)


def position_units_on(day: date, positions: Iterable[Position]) -> dict[int, int]:
    """Position id → the id of the unit it was in on `day` (its moves by reorganisations
    read back: before its first move it was in that move's `from_unit`)."""
    found = {p.pk: p.unit_id for p in positions}
    moves = PositionMove.objects.filter(position_id__in=list(found)).order_by(
        "position_id", "moved_on"
    )
    by_position: dict[int, list[PositionMove]] = {}
    for move in moves:
        by_position.setdefault(move.position_id, []).append(move)
    for position_id, history in by_position.items():
        if day < history[0].moved_on:
            found[position_id] = history[0].from_unit_id
        else:
            found[position_id] = [m for m in history if m.moved_on <= day][-1].to_unit_id
    return found


def tree_on(agency_id: int, day: date) -> list[UnitRow]:
    """The agency's units open on `day` as a tree, depth first, with the authorised headcount
    and the posts held that day (counted in the unit each position was in then)."""
    units = list(units_on(agency_id, day))
    by_id = {u.pk: u for u in units}
    held = (
        Appointment.objects.filter(position__unit__agency_id=agency_id, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .select_related("position")
    )
    appointments = list(held)
    unit_of = position_units_on(day, {a.position for a in appointments})
    actual: dict[int, int] = {}
    for appointment in appointments:
        unit_id = unit_of[appointment.position_id]
        actual[unit_id] = actual.get(unit_id, 0) + 1
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit)
    rows: list[UnitRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: u.code):
            rows.append(UnitRow(unit, depth, actual.get(unit.pk, 0)))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return rows


def appointment_units(appointments: Iterable[Appointment]) -> dict[int, Unit]:
    """Appointment id → the unit its position was in when the appointment started (a post
    held before a split shows the unit as it was)."""
    rows = list(appointments)
    units: dict[int, Unit] = {}
    wanted: dict[int, int] = {}
    for appointment in rows:
        day_units = position_units_on(appointment.starts_on, [appointment.position])
        wanted[appointment.pk] = day_units[appointment.position_id]
    by_id = Unit.objects.in_bulk(set(wanted.values()))
    for appointment_id, unit_id in wanted.items():
        units[appointment_id] = by_id[unit_id]
    return units


@dataclass(frozen=True)
class LineageStep:
    """One act in a unit's lineage: the units it closed and opened."""

    act: Reorganisation
    predecessors: list[Unit]
    successors: list[Unit]


@dataclass(frozen=True)
class Lineage:
    """Where a unit came from (earlier acts, oldest first) and what became of it (later acts)."""

    unit: Unit
    earlier: list[LineageStep]
    later: list[LineageStep]


def _steps(acts: set[int]) -> list[LineageStep]:
    links = (
        UnitLink.objects.filter(reorganisation_id__in=acts)
        .select_related("reorganisation", "predecessor", "successor")
        .order_by("reorganisation__effective_on", "reorganisation__number", "pk")
    )
    steps: dict[int, LineageStep] = {}
    for link in links:
        step = steps.setdefault(link.reorganisation_id, LineageStep(link.reorganisation, [], []))
        if link.predecessor not in step.predecessors:
            step.predecessors.append(link.predecessor)
        if link.successor not in step.successors:
            step.successors.append(link.successor)
    return list(steps.values())


def _walk(start: int, *, forward: bool) -> set[int]:
    """The acts reached from `start` following links forward (successors) or back."""
    acts: set[int] = set()
    frontier = {start}
    seen = {start}
    while frontier:
        if forward:
            links = UnitLink.objects.filter(predecessor_id__in=frontier)
            pairs = links.values_list("reorganisation_id", "successor_id")
        else:
            links = UnitLink.objects.filter(successor_id__in=frontier)
            pairs = links.values_list("reorganisation_id", "predecessor_id")
        frontier = set()
        for act, unit_id in pairs:
            acts.add(act)
            if unit_id not in seen:
                seen.add(unit_id)
                frontier.add(unit_id)
    return acts


def lineage(unit: Unit) -> Lineage:
    """The unit's whole lineage: every act before it (the units it came from, and theirs) and
    every act after it (what it became, and what that became)."""
    return Lineage(
        unit=unit,
        earlier=_steps(_walk(unit.pk, forward=False)),
        later=_steps(_walk(unit.pk, forward=True)),
    )


def moves_of(unit: Unit) -> QuerySet[PositionMove]:
    """The positions moved out of or into the unit, with their acts."""
    return (
        PositionMove.objects.filter(Q(from_unit=unit) | Q(to_unit=unit))
        .select_related("position", "from_unit", "to_unit", "reorganisation")
        .order_by("moved_on", "position__code")
    )
