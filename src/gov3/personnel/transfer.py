"""Import and export of an agency's organisation (units, positions) and personnel records, as
CSV (one file per kind) or JSON (one document with the three), issue 18 item 11.

Import checks everything first and writes nothing unless every row is right: each problem is
reported with its line (CSV: the file's line; JSON: the item's number in its list) and what is
wrong. Records link to the register's person by id number (once-only: no name, birth date or
address is imported or exported). Only new rows are imported: a code, employee number or
person already known is a problem, never an update. The whole import is one transaction and
one audit entry.

A record's exchange row holds its current appointment (position, grade, step, start); the
history and the orders stay in gov3. The reorganisations travel as their lineage and the
positions' moves (`personnel/transfer_lineage.py`), so the organisation as it was on any day
comes back with them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.core.spreadsheets import neutralise
from gov3.personnel import transfer_lineage
from gov3.personnel.models import (
    Appointment,
    EntryTrack,
    Position,
    PositionType,
    StaffRecord,
    Unit,
    WorkKind,
)
from gov3.personnel.reorganisation_models import ReorganisationKind
from gov3.personnel.services import pack_for
from gov3.registry.models import Person

FORMAT = "gov3-personnel/1"
KINDS = ("units", "positions", "staff", "lineage", "moves")
#: The most problems reported (the rest are counted).
MAX_PROBLEMS = 100
#: Rows per query when looking things up or writing.
BATCH = 900

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, int, date, bool, choice
    required: bool = True
    max_length: int = 200
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 1_000_000


COLUMNS: dict[str, tuple[Column, ...]] = {
    "units": (
        Column("code", "text", max_length=40),
        Column("parent", "text", required=False, max_length=40),
        Column("name_local", "text"),
        Column("name_en", "text"),
        Column("authorised_headcount", "int"),
        Column("opened_on", "date"),
        Column("closed_on", "date", required=False),
    ),
    "positions": (
        Column("code", "text", max_length=40),
        Column("unit", "text", max_length=40),
        Column("title_local", "text"),
        Column("title_en", "text"),
        Column("grade_high", "text", max_length=10),
        Column("grade_low", "text", max_length=10),
        Column("job_series", "text", max_length=40),
        Column("position_type", "choice", choices=tuple(PositionType.values)),
        Column("work_kind", "choice", choices=tuple(WorkKind.values)),
        Column("gov3_role", "choice", required=False, choices=tuple(OfficerRole.values)),
        Column("is_head", "bool"),
    ),
    "staff": (
        Column("employee_number", "text", max_length=20),
        Column("id_number", "text", max_length=20),
        Column("entry", "choice", choices=tuple(EntryTrack.values)),
        Column("entered_on", "date"),
        Column("position", "text", required=False, max_length=40),
        Column("grade", "text", required=False, max_length=10),
        Column("step", "int", required=False, low=1, high=40),
        Column("starts_on", "date", required=False),
    ),
    "lineage": (
        Column("act", "text", max_length=40),
        Column("kind", "choice", choices=tuple(ReorganisationKind.values)),
        Column("effective_on", "date"),
        Column("predecessor", "text", max_length=40),
        Column("successor", "text", max_length=40),
    ),
    "moves": (
        Column("act", "text", max_length=40),
        Column("position", "text", max_length=40),
        Column("from_unit", "text", max_length=40),
        Column("to_unit", "text", max_length=40),
        Column("moved_on", "date"),
    ),
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row (`line` 0: the file as a whole)."""

    kind: str
    line: int
    message: str
    json: bool = False

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.kind}: {self.message}"
        if self.json:
            return f"{self.kind} item {self.line}: {self.message}"
        return f"line {self.line}: {self.message}"


class ImportRefusedError(ValidationFailedError):
    """The import found problems; nothing was imported."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = total if total is not None else len(problems)
        more = self.total - len(self.problems)
        text = "; ".join(str(p) for p in self.problems[:5])
        suffix = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(f"Nothing was imported: {text}{suffix}")
        self.more = more


@dataclass
class Rows:
    """Parsed rows of each kind: (line, values) with values converted to Python."""

    json: bool = False
    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=lambda: {k: [] for k in KINDS})
    problems: list[Problem] = field(default_factory=list)

    def problem(self, kind: str, line: int, message: str) -> None:
        self.problems.append(Problem(kind, line, message, self.json))


@dataclass(frozen=True)
class ImportResult:
    units: int
    positions: int
    staff: int
    reorganisations: int = 0
    moves: int = 0


# --- Reading ---------------------------------------------------------------------------------


def _convert_text(column: Column, raw: Any) -> tuple[Any, str]:
    if not isinstance(raw, str):
        return None, f"must be text, not {type(raw).__name__}"
    text = raw.strip()
    if column.kind == "date":
        try:
            return date.fromisoformat(text), ""
        except ValueError:
            return None, f"{text!r} is not a date (YYYY-MM-DD)"
    if column.kind == "choice" and text not in column.choices:
        return None, f"{text!r} is not one of {', '.join(column.choices)}"
    if len(text) > column.max_length:
        return None, f"is longer than {column.max_length} characters"
    return text, ""


def _convert_int(column: Column, raw: Any, from_json: bool) -> tuple[Any, str]:
    if from_json:
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None, f"must be a whole number, not {type(raw).__name__}"
        number = raw
    else:
        try:
            number = int(str(raw).strip())
        except ValueError:
            return None, f"{raw!r} is not a whole number"
    if not column.low <= number <= column.high:
        return None, f"{number} is not between {column.low} and {column.high}"
    return number, ""


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _convert_bool(raw: Any, from_json: bool) -> tuple[Any, str]:
    if from_json and not isinstance(raw, bool):
        return None, f"must be true or false, not {type(raw).__name__}"
    text = str(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE, ""
    return None, f"{raw!r} is not true or false"


def _convert(column: Column, raw: Any, from_json: bool) -> tuple[Any, str]:
    """(value, "") or (None, what is wrong). Empty text, None: absent."""
    if raw is None or raw == "":
        return None, ("is missing" if column.required else "")
    if column.kind == "int":
        return _convert_int(column, raw, from_json)
    if column.kind == "bool":
        return _convert_bool(raw, from_json)
    return _convert_text(column, raw)


def _row(parsed: Rows, kind: str, line: int, raw: dict[str, Any]) -> None:
    values: Row = {}
    wrong = []
    for column in COLUMNS[kind]:
        value, error = _convert(column, raw.get(column.name), parsed.json)
        if error:
            wrong.append(f"{column.name} {error}")
        values[column.name] = value
    if wrong:
        parsed.problem(kind, line, "; ".join(wrong))
    else:
        parsed.rows[kind].append((line, values))


def _check_header(parsed: Rows, kind: str, names: Iterable[str]) -> bool:
    names = list(names)
    expected = [c.name for c in COLUMNS[kind]]
    missing = [n for n in expected if n not in names and COLUMNS_REQUIRED[kind].get(n, False)]
    unknown = [n for n in names if n not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns {', '.join(unknown)}")
        parsed.problem(kind, 1, "; ".join(parts) + f" (the columns are {', '.join(expected)})")
        return False
    return True


COLUMNS_REQUIRED = {kind: {c.name: c.required for c in cols} for kind, cols in COLUMNS.items()}


def read_csv(kind: str, text: str) -> Rows:
    """Parse one kind's CSV (first line: the column names)."""
    parsed = Rows()
    if kind not in KINDS:
        parsed.problem(kind, 0, f"unknown kind; the kinds are {', '.join(KINDS)}")
        return parsed
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        parsed.problem(kind, 0, "the file is empty")
        return parsed
    header = [h.strip() for h in header]
    if not _check_header(parsed, kind, header):
        return parsed
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                parsed.problem(
                    kind, line, f"{len(cells)} fields where the header has {len(header)}"
                )
                continue
            _row(parsed, kind, line, dict(zip(header, cells, strict=True)))
    except csv.Error as error:
        parsed.problem(kind, reader.line_num, f"not valid CSV ({error})")
    return parsed


def read_json(text: str) -> Rows:
    """Parse a JSON document {"format": …, "units": [...], "positions": [...], "staff": [...]}."""
    parsed = Rows(json=True)
    try:
        document = json.loads(text)
    except ValueError as error:
        parsed.problem("document", 0, f"not valid JSON ({error})")
        return parsed
    if not isinstance(document, dict):
        parsed.problem(
            "document", 0, "must be an object with units, positions, staff, lineage and moves"
        )
        return parsed
    if document.get("format", FORMAT) != FORMAT:
        parsed.problem("document", 0, f"format must be {FORMAT!r}")
        return parsed
    unknown = set(document) - {*KINDS, "format", "agency", "date"}
    if unknown:
        parsed.problem("document", 0, f"unknown keys {', '.join(sorted(unknown))}")
    for kind in KINDS:
        items = document.get(kind, [])
        if not isinstance(items, list):
            parsed.problem(kind, 0, "must be a list")
            continue
        expected = set(COLUMNS_REQUIRED[kind])
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                parsed.problem(kind, n, "must be an object")
                continue
            extra = set(item) - expected
            if extra:
                parsed.problem(kind, n, f"unknown fields {', '.join(sorted(extra))}")
                continue
            _row(parsed, kind, n, item)
    return parsed


# --- Checking --------------------------------------------------------------------------------


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _existing(
    model: Any, field_name: str, values: list[Any], extra: dict[str, Any] | None = None
) -> set[Any]:
    found: set[Any] = set()
    for chunk in _chunks(values):
        found.update(
            model.objects.filter(**{f"{field_name}__in": chunk}, **(extra or {})).values_list(
                field_name, flat=True
            )
        )
    return found


@dataclass
class _Plan:
    """What the import will write, once every check passed."""

    units: list[Row]
    positions: list[Row]
    staff: list[Row]
    persons: dict[str, int]  # id number -> person pk
    unit_ids: dict[str, int]  # existing units of the agency by code
    position_ids: dict[str, int]
    lineage: transfer_lineage.LineagePlan = field(default_factory=transfer_lineage.LineagePlan)


def _check_units(agency: Agency, parsed: Rows, unit_ids: dict[str, int]) -> dict[str, Row]:
    rows = parsed.rows["units"]
    taken = _existing(Unit, "code", [r["code"] for _, r in rows])
    in_file: dict[str, Row] = {}
    for line, row in rows:
        code = row["code"]
        if code in taken:
            parsed.problem("units", line, f"unit code {code!r} is already used")
        elif code in in_file:
            parsed.problem("units", line, f"unit code {code!r} appears twice")
        elif row["closed_on"] and row["closed_on"] < row["opened_on"]:
            parsed.problem("units", line, "closed_on is before opened_on")
        else:
            in_file[code] = {**row, "_line": line}
    for code, row in in_file.items():
        parent = row["parent"]
        if parent and parent not in in_file and parent not in unit_ids:
            parsed.problem("units", row["_line"], f"parent {parent!r} is no unit of {agency.code}")
            continue
        seen = {code}
        while parent in in_file:  # a loop of parents within the file
            if parent in seen:
                parsed.problem("units", row["_line"], "its parents form a loop")
                break
            seen.add(parent)
            parent = in_file[parent]["parent"]
    return in_file


def _check_positions(agency: Agency, parsed: Rows, unit_codes: set[str]) -> dict[str, Row]:
    pack = pack_for(agency.country)
    rows = parsed.rows["positions"]
    taken = _existing(Position, "code", [r["code"] for _, r in rows])
    in_file: dict[str, Row] = {}
    for line, row in rows:
        code = row["code"]
        wrong = []
        if code in taken:
            wrong.append(f"position code {code!r} is already used")
        elif code in in_file:
            wrong.append(f"position code {code!r} appears twice")
        if row["unit"] not in unit_codes:
            wrong.append(f"unit {row['unit']!r} is no unit of {agency.code}")
        for name in ("grade_high", "grade_low"):
            if pack.grade(row[name]) is None:
                wrong.append(f"{name} {row[name]!r} is no grade of {agency.country}")
        if not wrong and pack.rank(row["grade_high"]) > pack.rank(row["grade_low"]):
            wrong.append("grade_high is below grade_low")
        if row["job_series"] not in pack.job_series:
            wrong.append(f"job_series {row['job_series']!r} is not one of the pack's")
        if wrong:
            parsed.problem("positions", line, "; ".join(wrong))
        else:
            in_file[code] = {**row, "_line": line}
    return in_file


def _post_problems(
    agency: Agency, pack: Any, bands: dict[str, tuple[str, str]], row: Row
) -> list[str]:
    """What is wrong with a staff row's appointment (position, grade, step, start)."""
    wrong: list[str] = []
    post = (row["position"], row["grade"], row["step"], row["starts_on"])
    if any(v is not None for v in post) and any(v is None for v in post):
        wrong.append("give position, grade, step and starts_on together, or none of them")
    elif row["position"] is not None:
        band = bands.get(row["position"])
        if band is None:
            wrong.append(f"position {row['position']!r} is no position of {agency.code}")
        elif pack.grade(row["grade"]) is None:
            wrong.append(f"grade {row['grade']!r} is no grade of {agency.country}")
        elif not pack.rank(band[0]) <= pack.rank(row["grade"]) <= pack.rank(band[1]):
            wrong.append(f"grade {row['grade']} is outside the position's {band[0]}-{band[1]}")
        if row["starts_on"] < row["entered_on"]:
            wrong.append("starts_on is before entered_on")
    return wrong


def _check_staff(
    agency: Agency, parsed: Rows, bands: dict[str, tuple[str, str]]
) -> tuple[list[Row], dict[str, int]]:
    pack = pack_for(agency.country)
    rows = parsed.rows["staff"]
    numbers = [r["employee_number"] for _, r in rows]
    taken_numbers = _existing(StaffRecord, "employee_number", numbers)
    persons: dict[str, tuple[int, bool]] = {}
    ids = [r["id_number"] for _, r in rows]
    for chunk in _chunks(ids):
        for national_id, pk, died in Person.objects.filter(
            country=agency.country, national_id__in=chunk
        ).values_list("national_id", "pk", "date_of_death"):
            persons[national_id] = (pk, died is not None)
    with_record = _existing(StaffRecord, "person_id", [pk for pk, _ in persons.values()])
    seen_numbers: set[str] = set()
    seen_ids: set[str] = set()
    ok: list[Row] = []
    for line, row in rows:
        wrong = []
        number, id_number = row["employee_number"], row["id_number"]
        if number in taken_numbers or number in seen_numbers:
            wrong.append(f"employee number {number!r} is already used")
        person = persons.get(id_number)
        if person is None:
            wrong.append("no person in the register has this id number")
        elif person[1]:
            wrong.append("the person with this id number is deceased")
        elif person[0] in with_record or id_number in seen_ids:
            wrong.append("the person with this id number already has a personnel record")
        wrong.extend(_post_problems(agency, pack, bands, row))
        seen_numbers.add(number)
        seen_ids.add(id_number)
        if wrong:
            parsed.problem("staff", line, "; ".join(wrong))
        else:
            ok.append(row)
    return ok, {k: v[0] for k, v in persons.items()}


def check(agency: Agency, parsed: Rows) -> _Plan:
    """Every check against the file and the database; raises ImportRefusedError with every
    problem found (nothing is written here)."""
    unit_ids = dict(Unit.objects.filter(agency=agency).values_list("code", "pk"))
    units = _check_units(agency, parsed, unit_ids)
    positions = _check_positions(agency, parsed, set(unit_ids) | set(units))
    existing_positions = {
        code: (pk, high, low)
        for code, pk, high, low in Position.objects.filter(unit__agency=agency).values_list(
            "code", "pk", "grade_high", "grade_low"
        )
    }
    bands = {code: (high, low) for code, (_, high, low) in existing_positions.items()}
    bands |= {code: (r["grade_high"], r["grade_low"]) for code, r in positions.items()}
    staff, persons = _check_staff(agency, parsed, bands)
    dates = {
        code: transfer_lineage.UnitDates(opened, closed)
        for code, opened, closed in Unit.objects.filter(agency=agency).values_list(
            "code", "opened_on", "closed_on"
        )
    }
    dates |= {
        code: transfer_lineage.UnitDates(r["opened_on"], r["closed_on"])
        for code, r in units.items()
    }
    lineage = transfer_lineage.check(
        agency,
        lineage=parsed.rows["lineage"],
        moves=parsed.rows["moves"],
        units=dates,
        positions=set(existing_positions) | set(positions),
        report=parsed.problem,
    )
    if parsed.problems:
        problems = sorted(
            parsed.problems, key=lambda p: (KINDS.index(p.kind) if p.kind in KINDS else -1, p.line)
        )
        raise ImportRefusedError(problems)
    return _Plan(
        units=list(units.values()),
        positions=list(positions.values()),
        staff=staff,
        persons=persons,
        unit_ids=unit_ids,
        position_ids={code: v[0] for code, v in existing_positions.items()},
        lineage=lineage,
    )


# --- Writing ---------------------------------------------------------------------------------


def _write(agency: Agency, plan: _Plan) -> ImportResult:
    unit_ids = dict(plan.unit_ids)
    pending = list(plan.units)
    while pending:  # parents first: each round the units whose parent is known
        ready = [u for u in pending if not u["parent"] or u["parent"] in unit_ids]
        made = Unit.objects.bulk_create(
            [
                Unit(
                    agency=agency,
                    parent_id=unit_ids[u["parent"]] if u["parent"] else None,
                    code=u["code"],
                    name_local=u["name_local"],
                    name_en=u["name_en"],
                    authorised_headcount=u["authorised_headcount"],
                    opened_on=u["opened_on"],
                    closed_on=u["closed_on"],
                )
                for u in ready
            ],
            batch_size=BATCH,
        )
        unit_ids |= {u.code: u.pk for u in made}
        ready_codes = {u["code"] for u in ready}
        pending = [u for u in pending if u["code"] not in ready_codes]
    made_positions = Position.objects.bulk_create(
        [
            Position(
                unit_id=unit_ids[p["unit"]],
                code=p["code"],
                title_local=p["title_local"],
                title_en=p["title_en"],
                grade_high=p["grade_high"],
                grade_low=p["grade_low"],
                job_series=p["job_series"],
                position_type=p["position_type"],
                work_kind=p["work_kind"],
                gov3_role=p["gov3_role"] or "",
                is_head=p["is_head"],
            )
            for p in plan.positions
        ],
        batch_size=BATCH,
    )
    position_ids = plan.position_ids | {p.code: p.pk for p in made_positions}
    for chunk in _chunks(plan.staff):
        records = StaffRecord.objects.bulk_create(
            [
                StaffRecord(
                    person_id=plan.persons[s["id_number"]],
                    employee_number=s["employee_number"],
                    country=agency.country,
                    entry=s["entry"],
                    entered_on=s["entered_on"],
                )
                for s in chunk
            ]
        )
        Appointment.objects.bulk_create(
            [
                Appointment(
                    record_id=record.pk,
                    position_id=position_ids[s["position"]],
                    grade=s["grade"],
                    step=s["step"],
                    starts_on=s["starts_on"],
                )
                for record, s in zip(records, chunk, strict=True)
                if s["position"]
            ]
        )
    acts, moves = transfer_lineage.write(agency, plan.lineage, unit_ids, position_ids)
    return ImportResult(len(plan.units), len(plan.positions), len(plan.staff), acts, moves)


def do_import(actor: str, agency: Agency, parsed: Rows) -> ImportResult:
    """Check everything, then write everything in one transaction (or nothing: raises
    ImportRefusedError listing the problems)."""
    plan = check(agency, parsed)
    with transaction.atomic(durable=True):
        result = _write(agency, plan)
        record_audit(
            actor=actor,
            action="personnel.imported",
            target_type="agency",
            target_id=agency.code,
            data={
                "units": result.units,
                "positions": result.positions,
                "staff": result.staff,
                "reorganisations": result.reorganisations,
                "moves": result.moves,
            },
        )
    return result


# --- Export ----------------------------------------------------------------------------------


def export_rows(agency: Agency, kind: str, day: date | None = None) -> list[Row]:
    """The agency's rows of `kind` in the exchange columns. Staff: whoever holds a post of the
    agency on `day` (today), with that appointment."""
    if kind == "units":
        return [
            {
                "code": u.code,
                "parent": u.parent.code if u.parent else None,
                "name_local": u.name_local,
                "name_en": u.name_en,
                "authorised_headcount": u.authorised_headcount,
                "opened_on": u.opened_on.isoformat(),
                "closed_on": u.closed_on.isoformat() if u.closed_on else None,
            }
            for u in Unit.objects.filter(agency=agency).select_related("parent").order_by("code")
        ]
    if kind == "positions":
        return [
            {
                "code": p.code,
                "unit": p.unit.code,
                "title_local": p.title_local,
                "title_en": p.title_en,
                "grade_high": p.grade_high,
                "grade_low": p.grade_low,
                "job_series": p.job_series,
                "position_type": p.position_type,
                "work_kind": p.work_kind,
                "gov3_role": p.gov3_role or None,
                "is_head": p.is_head,
            }
            for p in Position.objects.filter(unit__agency=agency)
            .select_related("unit")
            .order_by("code")
        ]
    if kind == "lineage":
        return transfer_lineage.export_lineage(agency)
    if kind == "moves":
        return transfer_lineage.export_moves(agency)
    if kind != "staff":
        raise ValidationFailedError(f"Unknown kind {kind!r}; the kinds are {', '.join(KINDS)}.")
    day = day or timezone.localdate()
    held = (
        Appointment.objects.filter(position__unit__agency=agency, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .order_by("record__employee_number")
        .values_list(
            "record__employee_number",
            "record__person__national_id",
            "record__entry",
            "record__entered_on",
            "position__code",
            "grade",
            "step",
            "starts_on",
            "record__person_id",
        )
    )
    return [
        {
            "employee_number": row[0],
            "id_number": row[1],
            "entry": row[2],
            "entered_on": row[3].isoformat(),
            "position": row[4],
            "grade": row[5],
            "step": row[6],
            "starts_on": row[7].isoformat(),
            "_person": row[8],
        }
        for row in held
    ]


def person_ids(rows: list[Row]) -> list[int]:
    """The register persons an export of staff rows shows (for the access log)."""
    return [r["_person"] for r in rows if "_person" in r]


def _public(row: Row) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def as_csv(kind: str, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [c.name for c in COLUMNS[kind]]
    writer.writerow(names)
    for row in rows:
        writer.writerow(
            [
                ""
                if row.get(n) is None
                else (
                    "true" if row[n] is True else "false" if row[n] is False else neutralise(row[n])
                )
                for n in names
            ]
        )
    return out.getvalue()


def as_json(agency: Agency, documents: dict[str, list[Row]], day: date) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "agency": agency.code,
            "date": day.isoformat(),
            **{kind: [_public(r) for r in documents.get(kind, [])] for kind in KINDS},
        },
        ensure_ascii=False,
        indent=1,
    )


def read(text: str, fmt: str, kind: str = "") -> Rows:
    """Parse an upload: `json` (every kind) or `csv` (of one `kind`)."""
    if fmt == "json":
        return read_json(text)
    return read_csv(kind, text)


def decode(data: bytes) -> str:
    """An upload's text (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefusedError(
            [Problem("file", 0, f"not UTF-8 text (byte {error.start})")]
        ) from None
