"""The reorganisations in the import and export of an agency's organisation (issue 18 items 1
and 11): the **lineage** (each predecessor -> successor of an approved act, with the act's
number, kind and date) and the **moves** of positions from a closed unit to a successor. With
the units' `opened_on` / `closed_on` they give back the organisation as it was on any day
(`personnel/unit_history.py`) after an export is imported elsewhere.

Checked like every other row (`personnel/transfer.py`: all or nothing, each problem with its
line): a unit code of neither the file nor the agency, a predecessor that does not close or a
successor that does not open on the act's date (a successor before its predecessor's act),
rows of one act that disagree, a lineage that loops back to a unit, an act number already
recorded, a move outside its act. Imported acts are approved acts with no drafter (drafted in
the system the export came from); the import's audit entry names who imported them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from gov3.accounts.models import Agency
from gov3.personnel.models import OrderStatus
from gov3.personnel.reorganisation_models import PositionMove, Reorganisation, UnitLink

Row = dict[str, Any]
#: (kind, line, message): records a problem of a row.
Report = Callable[[str, int, str], None]


@dataclass(frozen=True)
class UnitDates:
    """A unit of the file or the agency, as the lineage checks need it."""

    opened_on: date
    closed_on: date | None


@dataclass
class Act:
    """An act as the lineage rows give it."""

    number: str
    kind: str
    effective_on: date
    line: int
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def predecessors(self) -> set[str]:
        return {p for p, _ in self.links}

    @property
    def successors(self) -> set[str]:
        return {s for _, s in self.links}


@dataclass
class LineagePlan:
    """What the import writes: the acts with their links, and the moves (rows)."""

    acts: dict[str, Act] = field(default_factory=dict)
    moves: list[Row] = field(default_factory=list)


def _unit_problems(act: Act, row: Row, units: dict[str, UnitDates], agency: Agency) -> list[str]:
    wrong = []
    before, after = row["predecessor"], row["successor"]
    for role, code in (("predecessor", before), ("successor", after)):
        if code not in units:
            wrong.append(
                f"unknown unit code {code!r} ({role}): no unit of the file or of {agency.code}"
            )
    if wrong:
        return wrong
    if before == after:
        return [f"unit {before!r} cannot succeed itself"]
    day = act.effective_on
    closes = units[before].closed_on
    if closes is None:
        wrong.append(f"predecessor {before!r} is not closed; act {act.number} closes it on {day}")
    elif closes != day:
        wrong.append(
            f"predecessor {before!r} closes on {closes}, not on act {act.number}'s date {day}"
        )
    opens = units[after].opened_on
    if opens < day:
        wrong.append(
            f"successor {after!r} opens on {opens}, before its predecessor's act {act.number} "
            f"of {day}"
        )
    elif opens > day:
        wrong.append(f"successor {after!r} opens on {opens}, after act {act.number}'s date {day}")
    return wrong


def _loops(
    plan: LineagePlan, lines: dict[tuple[str, str, str], int], known: list[tuple[str, str]]
) -> list[tuple[int, str]]:
    """The rows whose link closes a loop in the lineage (a unit its own successor, via others)."""
    graph: dict[str, set[str]] = {}
    for before, after in known:
        graph.setdefault(before, set()).add(after)
    found = []
    for act in plan.acts.values():
        for before, after in act.links:
            graph.setdefault(before, set()).add(after)
    for (number, before, after), line in sorted(lines.items(), key=lambda item: item[1]):
        # Is `before` reachable from `after`? Then before -> after closes a loop.
        seen, stack = {after}, [after]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt == before:
                    found.append(
                        (
                            line,
                            f"act {number}: {before!r} -> {after!r} makes the lineage "
                            f"loop back to {before!r}",
                        )
                    )
                    stack = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return found


def check(
    agency: Agency,
    *,
    lineage: list[tuple[int, Row]],
    moves: list[tuple[int, Row]],
    units: dict[str, UnitDates],
    positions: set[str],
    report: Report,
) -> LineagePlan:
    """Check the lineage and moves rows against the units and positions of the file and the
    agency (`units`, `positions`) and the acts already recorded; each problem is reported."""
    plan = LineagePlan()
    numbers = {n for _, n in _rows_numbers(lineage)}
    taken = set(
        Reorganisation.objects.filter(number__in=list(numbers)).values_list("number", flat=True)
    )
    lines: dict[tuple[str, str, str], int] = {}
    for line, row in lineage:
        number = row["act"]
        if number in taken:
            report("lineage", line, f"act {number!r} is already recorded")
            continue
        act = plan.acts.get(number)
        if act is None:
            act = plan.acts[number] = Act(number, row["kind"], row["effective_on"], line)
        elif (act.kind, act.effective_on) != (row["kind"], row["effective_on"]):
            report(
                "lineage",
                line,
                f"act {number!r} is a {act.kind} of {act.effective_on} on line {act.line}, "
                f"not a {row['kind']} of {row['effective_on']}",
            )
            continue
        key = (number, row["predecessor"], row["successor"])
        if key in lines:
            report("lineage", line, f"this link of act {number!r} appears twice")
            continue
        wrong = _unit_problems(act, row, units, agency)
        if wrong:
            report("lineage", line, "; ".join(wrong))
            continue
        lines[key] = line
        act.links.append((row["predecessor"], row["successor"]))
    known = list(
        UnitLink.objects.filter(reorganisation__agency=agency).values_list(
            "predecessor__code", "successor__code"
        )
    )
    for line, message in _loops(plan, lines, known):
        report("lineage", line, message)
    _check_moves(agency, plan, moves, positions, report)
    return plan


def _rows_numbers(rows: list[tuple[int, Row]]) -> list[tuple[int, str]]:
    return [(line, row["act"]) for line, row in rows]


def _check_moves(
    agency: Agency,
    plan: LineagePlan,
    moves: list[tuple[int, Row]],
    positions: set[str],
    report: Report,
) -> None:
    seen: set[tuple[str, date]] = set()
    for line, row in moves:
        act = plan.acts.get(row["act"])
        if act is None:
            report("moves", line, f"act {row['act']!r} is not in the file's lineage")
            continue
        wrong = []
        if row["position"] not in positions:
            wrong.append(
                f"position {row['position']!r} is no position of the file or of {agency.code}"
            )
        if row["from_unit"] not in act.predecessors:
            wrong.append(f"from_unit {row['from_unit']!r} is not closed by act {act.number}")
        if row["to_unit"] not in act.successors:
            wrong.append(f"to_unit {row['to_unit']!r} is not opened by act {act.number}")
        if row["moved_on"] != act.effective_on:
            wrong.append(
                f"moved_on {row['moved_on']} is not act {act.number}'s date {act.effective_on}"
            )
        key = (row["position"], row["moved_on"])
        if key in seen:
            wrong.append(f"position {row['position']!r} moves twice on {row['moved_on']}")
        seen.add(key)
        if wrong:
            report("moves", line, "; ".join(wrong))
        else:
            plan.moves.append(row)


def write(
    agency: Agency,
    plan: LineagePlan,
    unit_ids: dict[str, int],
    position_ids: dict[str, int],
) -> tuple[int, int]:
    """Record the acts (approved, no drafter), their links and the moves; (acts, moves)."""
    now = timezone.now()
    made: dict[str, Reorganisation] = {}
    for act in plan.acts.values():
        if not act.links:
            continue
        made[act.number] = Reorganisation.objects.create(
            number=act.number,
            agency=agency,
            kind=act.kind,
            effective_on=act.effective_on,
            plan={"imported": True},
            status=OrderStatus.APPROVED,
            drafted_by=None,
            drafted_at=now,
            approved_at=now,
        )
        made[act.number].predecessors.set([unit_ids[code] for code in sorted(act.predecessors)])
    UnitLink.objects.bulk_create(
        UnitLink(
            reorganisation=made[act.number],
            predecessor_id=unit_ids[before],
            successor_id=unit_ids[after],
        )
        for act in plan.acts.values()
        for before, after in act.links
    )
    PositionMove.objects.bulk_create(
        PositionMove(
            reorganisation=made[row["act"]],
            position_id=position_ids[row["position"]],
            from_unit_id=unit_ids[row["from_unit"]],
            to_unit_id=unit_ids[row["to_unit"]],
            moved_on=row["moved_on"],
        )
        for row in plan.moves
    )
    return len(made), len(plan.moves)


def export_lineage(agency: Agency) -> list[Row]:
    """Each link of the agency's approved acts: act, kind, date, predecessor, successor."""
    return [
        {
            "act": number,
            "kind": kind,
            "effective_on": day.isoformat(),
            "predecessor": before,
            "successor": after,
        }
        for number, kind, day, before, after in UnitLink.objects.filter(
            reorganisation__agency=agency, reorganisation__status=OrderStatus.APPROVED
        )
        .order_by(
            "reorganisation__effective_on",
            "reorganisation__number",
            "predecessor__code",
            "successor__code",
        )
        .values_list(
            "reorganisation__number",
            "reorganisation__kind",
            "reorganisation__effective_on",
            "predecessor__code",
            "successor__code",
        )
    ]


def export_moves(agency: Agency) -> list[Row]:
    """Each position moved by the agency's approved acts: act, position, from, to, date."""
    return [
        {
            "act": number,
            "position": position,
            "from_unit": before,
            "to_unit": after,
            "moved_on": day.isoformat(),
        }
        for number, position, before, after, day in PositionMove.objects.filter(
            reorganisation__agency=agency, reorganisation__status=OrderStatus.APPROVED
        )
        .order_by("moved_on", "reorganisation__number", "position__code")
        .values_list(
            "reorganisation__number",
            "position__code",
            "from_unit__code",
            "to_unit__code",
            "moved_on",
        )
    ]
