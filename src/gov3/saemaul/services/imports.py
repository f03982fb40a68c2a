"""Import commands: every row is checked first; one bad row and nothing is imported, and the
error lists each problem with its row number (the line in a CSV file, the position in a JSON
list) and its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.core.errors import ValidationFailedError
from gov3.registry.models import Area
from gov3.saemaul.errors import ImportProblem, ImportRejectedError
from gov3.saemaul.exchange import Row
from gov3.saemaul.models import (
    InfrastructureItem,
    ProgrammeRound,
    Project,
    ProjectAction,
    ProjectCategory,
    ProjectDecision,
    ProjectLine,
    ProjectStatus,
    RoundStatus,
    Village,
    VillageInfrastructure,
)
from gov3.saemaul.services._common import audit
from gov3.saemaul.services.evaluation import (
    EvaluationInput,
    do_record_evaluations,
    score_problems,
)
from gov3.saemaul.services.projects import BoqLine, _line_rows
from gov3.saemaul.services.villages import check_village_fields


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    created: int
    updated: int = 0


class _Checker:
    """Reads typed values out of rows, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []

    def add(self, row: Row, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row.number, column, message))

    def text(self, row: Row, column: str, *, required: bool = False) -> str:
        value = str(row.values.get(column) or "").strip()
        if required and not value:
            self.add(row, column, gettext("is required"))
        return value

    def integer(self, row: Row, column: str, *, default: int | None = 0) -> int | None:
        raw = row.values.get(column)
        if raw is None or raw == "":
            return default
        try:
            value = int(str(raw).replace(",", "").replace("_", ""))
        except ValueError:
            self.add(row, column, gettext("%(value)r is not a whole number") % {"value": raw})
            return default
        if value < 0:
            self.add(row, column, gettext("cannot be negative"))
        return value

    def number(self, row: Row, column: str) -> float | None:
        raw = row.values.get(column)
        if raw is None or raw == "":
            return None
        try:
            return float(raw)
        except (TypeError, ValueError):
            self.add(row, column, gettext("%(value)r is not a number") % {"value": raw})
            return None

    def day(self, row: Row, column: str) -> date | None:
        raw = row.values.get(column)
        if raw is None or raw == "":
            return None
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            self.add(row, column, gettext("%(value)r is not a date YYYY-MM-DD") % {"value": raw})
            return None

    def reject_if_any(self) -> None:
        if self.problems:
            raise ImportRejectedError(
                gettext("The file has %(n)s problems; nothing was imported.")
                % {"n": len(self.problems)},
                self.problems,
            )


def _duplicates(checker: _Checker, rows: Sequence[Row], column: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        value = str(row.values.get(column) or "").strip()
        if value and value in seen:
            checker.add(
                row,
                column,
                gettext("%(value)s also appears in row %(other)s")
                % {"value": value, "other": seen[value]},
            )
        seen.setdefault(value, row.number)


# --- villages -------------------------------------------------------------------------------


def _infrastructure(checker: _Checker, row: Row) -> dict[str, tuple[bool, int | None]]:
    states: dict[str, tuple[bool, int | None]] = {}
    this_year = timezone.localdate().year
    for item in InfrastructureItem.values:
        raw = str(row.values.get(item, "") or "").strip()
        if raw == "":
            continue
        if raw in ("0", "1"):
            states[item] = (raw == "1", None)
        elif raw.isdigit() and 1900 <= int(raw) <= this_year:
            states[item] = (True, int(raw))
        else:
            checker.add(
                row,
                item,
                gettext("use 0 (not done), 1 (done before the programme) or the year it was done"),
            )
    return states


def _village_values(checker: _Checker, row: Row, areas: dict[str, Area]) -> dict[str, Any] | None:
    before = len(checker.problems)
    code = checker.text(row, "code", required=True)
    name_local = checker.text(row, "name_local", required=True)
    area_code = checker.text(row, "area_code", required=True)
    area = areas.get(area_code)
    if area_code and area is None:
        checker.add(row, "area_code", gettext("there is no area %(code)s") % {"code": area_code})
    values: dict[str, Any] = {
        "code": code,
        "name_local": name_local,
        "name_en": checker.text(row, "name_en"),
        "households": checker.integer(row, "households") or 0,
        "population": checker.integer(row, "population") or 0,
        "latitude": checker.number(row, "latitude"),
        "longitude": checker.number(row, "longitude"),
        "area": area,
        "infrastructure": _infrastructure(checker, row),
    }
    if area is not None and len(checker.problems) == before:
        for column, message in check_village_fields(
            area=area,
            name_local=name_local,
            households=values["households"],
            population=values["population"],
            latitude=values["latitude"],
            longitude=values["longitude"],
        ):
            checker.add(row, column, message)
    return values if len(checker.problems) == before else None


_VILLAGE_COLUMNS = (
    "name_local",
    "name_en",
    "area",
    "households",
    "population",
    "latitude",
    "longitude",
)


def do_import_villages(actor: str, rows: Sequence[Row], *, country: str) -> ImportOutcome:
    """Create villages, or update those whose code exists, from checked rows (all or nothing)."""
    checker = _Checker()
    if not rows:
        checker.problems.append(ImportProblem(0, "", gettext("the file has no rows")))
    areas = {a.code: a for a in Area.objects.filter(country=country)}
    _duplicates(checker, rows, "code")
    parsed = [v for row in rows if (v := _village_values(checker, row, areas)) is not None]
    checker.reject_if_any()
    with transaction.atomic(durable=True):
        existing = {v.code: v for v in Village.objects.filter(code__in=[p["code"] for p in parsed])}
        new: list[Village] = []
        changed: list[Village] = []
        for values in parsed:
            fields = {k: values[k] for k in _VILLAGE_COLUMNS}
            village = existing.get(values["code"])
            if village is None:
                new.append(
                    Village(code=values["code"], registered_on=timezone.localdate(), **fields)
                )
            else:
                for name, value in fields.items():
                    setattr(village, name, value)
                changed.append(village)
        Village.objects.bulk_update(changed, _VILLAGE_COLUMNS, batch_size=2000)
        updated = len(changed)
        created_villages = Village.objects.bulk_create(new, batch_size=2000)
        created = len(created_villages)
        by_code = existing | {v.code: v for v in created_villages}
        VillageInfrastructure.objects.bulk_create(
            [
                VillageInfrastructure(
                    village=by_code[values["code"]], item=item, done=done, completed_year=year
                )
                for values in parsed
                for item, (done, year) in values["infrastructure"].items()
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["village", "item"],
            update_fields=["done", "completed_year"],
        )
        audit(actor, "import_villages", "country", country, created=created, updated=updated)
    return ImportOutcome(created, updated)


# --- projects -------------------------------------------------------------------------------


def _project_values(
    checker: _Checker, row: Row, villages: dict[str, Village], rounds: dict[str, ProgrammeRound]
) -> dict[str, Any] | None:
    before = len(checker.problems)
    village_code = checker.text(row, "village_code", required=True)
    village = villages.get(village_code)
    if village_code and village is None:
        checker.add(
            row, "village_code", gettext("there is no village %(code)s") % {"code": village_code}
        )
    round_code = checker.text(row, "round_code")
    round_ = rounds.get(round_code) if round_code else None
    if round_code and round_ is None:
        checker.add(row, "round_code", gettext("there is no round %(code)s") % {"code": round_code})
    elif round_ is not None and round_.status != RoundStatus.OPEN:
        checker.add(row, "round_code", gettext("the round is not open for projects"))
    category = checker.text(row, "category", required=True)
    if category and category not in ProjectCategory.values:
        checker.add(
            row,
            "category",
            gettext("use one of %(values)s") % {"values": ", ".join(ProjectCategory.values)},
        )
    latitude, longitude = checker.number(row, "latitude"), checker.number(row, "longitude")
    if (latitude is None) != (longitude is None):
        checker.add(
            row, "latitude", gettext("give both the latitude and the longitude, or neither")
        )
    starts_on, ends_on = checker.day(row, "starts_on"), checker.day(row, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        checker.add(row, "ends_on", gettext("is before starts_on"))
    lines = _lines(checker, row)
    values = {
        "village": village,
        "round": round_,
        "title": checker.text(row, "title", required=True),
        "category": category,
        "description": checker.text(row, "description"),
        "latitude": latitude,
        "longitude": longitude,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "requested_grant_krw": checker.integer(row, "requested_grant_krw") or 0,
        "community_cash_krw": checker.integer(row, "community_cash_krw") or 0,
        "community_labour_days": checker.integer(row, "community_labour_days") or 0,
        "lines": lines,
    }
    return values if len(checker.problems) == before else None


def _lines(checker: _Checker, row: Row) -> list[BoqLine]:
    raw = row.values.get("lines") or []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        checker.add(row, "lines", gettext("must be a list of objects"))
        return []
    lines = []
    for item in raw:
        try:
            lines.append(
                BoqLine(
                    description=str(item["description"]),
                    quantity=Decimal(str(item["quantity"])),
                    unit=str(item["unit"]),
                    unit_price_krw=int(item.get("unit_price_krw", 0)),
                    material=str(item.get("material", "")),
                )
            )
        except (KeyError, ValueError, ArithmeticError):
            checker.add(row, "lines", gettext("each line needs description, quantity and unit"))
    try:
        _line_rows(Project(), lines)
    except ValidationFailedError as error:
        checker.add(row, "lines", str(error))
    return lines


def do_import_projects(actor: str, rows: Sequence[Row]) -> ImportOutcome:
    """Create draft projects from checked rows (all or nothing). A draft still needs its
    assembly resolution before it can be submitted."""
    checker = _Checker()
    if not rows:
        checker.problems.append(ImportProblem(0, "", gettext("the file has no rows")))
    codes = {str(r.values.get("village_code") or "").strip() for r in rows}
    villages = {v.code: v for v in Village.objects.filter(code__in=codes)}
    rounds = {r.code: r for r in ProgrammeRound.objects.all()}
    parsed = [
        v for row in rows if (v := _project_values(checker, row, villages, rounds)) is not None
    ]
    checker.reject_if_any()
    now = timezone.now()
    with transaction.atomic(durable=True):
        projects: list[Project] = []
        line_rows: list[ProjectLine] = []
        for values in parsed:
            lines = values.pop("lines")
            project = Project(created_at=now, created_by=actor, **values)
            rows_of_project = _line_rows(project, lines)
            project.estimated_cost_krw = sum(r.amount_krw for r in rows_of_project)
            projects.append(project)
            line_rows.extend(rows_of_project)
        # One INSERT per table: the projects get their keys first, then their lines and
        # decisions point at them.
        Project.objects.bulk_create(projects)
        ProjectLine.objects.bulk_create(line_rows, batch_size=2000)
        ProjectDecision.objects.bulk_create(
            [
                ProjectDecision(
                    project=project,
                    action=ProjectAction.CREATED,
                    to_status=ProjectStatus.DRAFT,
                    actor=actor,
                    at=now,
                    note=gettext("imported"),
                )
                for project in projects
            ]
        )
        audit(actor, "import_projects", "project", "", created=len(parsed))
    return ImportOutcome(len(parsed))


# --- results --------------------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n"):
        return False
    return None


def do_import_results(
    actor: str, round_: ProgrammeRound, rows: Sequence[Row], *, evaluated_on: date
) -> ImportOutcome:
    """Record a round's evaluations from checked rows (all or nothing): one column per rubric
    criterion, or ``showed_results`` (1/0) for a round without a rubric."""
    checker = _Checker()
    if not rows:
        checker.problems.append(ImportProblem(0, "", gettext("the file has no rows")))
    _duplicates(checker, rows, "village_code")
    codes = {str(r.values.get("village_code") or "").strip() for r in rows}
    villages = {v.code: v for v in Village.objects.filter(code__in=codes)}
    criteria = list(round_.rubric.criteria.values_list("code", flat=True)) if round_.rubric else []
    entries: list[EvaluationInput] = []
    for row in rows:
        before = len(checker.problems)
        round_code = checker.text(row, "round_code")
        if round_code and round_code != round_.code:
            checker.add(
                row,
                "round_code",
                gettext("this file is imported into %(code)s") % {"code": round_.code},
            )
        code = checker.text(row, "village_code", required=True)
        village = villages.get(code)
        if code and village is None:
            checker.add(
                row, "village_code", gettext("there is no village %(code)s") % {"code": code}
            )
        scores = {c: checker.integer(row, c, default=None) for c in criteria}
        for column in [c for c in criteria if scores[c] is None]:
            checker.add(row, column, gettext("is required"))
        raw_flag = row.values.get("showed_results", "")
        showed = _flag(raw_flag) if raw_flag not in (None, "") else None
        if raw_flag not in (None, "") and showed is None:
            checker.add(row, "showed_results", gettext("use 1 or 0"))
        if village is None or len(checker.problems) > before:
            continue
        entry = EvaluationInput(
            village,
            {c: int(v) for c, v in scores.items() if v is not None},
            showed if round_.pass_score is None else None,
            checker.text(row, "note"),
        )
        for message in score_problems(round_, entry):
            checker.add(row, "", message)
        entries.append(entry)
    checker.reject_if_any()
    return ImportOutcome(do_record_evaluations(actor, round_, entries, evaluated_on=evaluated_on))
