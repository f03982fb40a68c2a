"""schools/: the pack's schools (schools.csv), school districts by school year (districts.csv)
and the learner-number format and overflow rule (schools.yaml). Every row is checked against
the pack's areas; every problem is collected with its file and line. Format: docs/schools.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gov3.catalogue.packs.contents import AreaRow, PackProblem, Source
from gov3.rules.pack import SAFE_LOADER

SCHOOLS_DIR = "schools"
SCHOOLS_FILE = "schools.yaml"
SCHOOL_COLUMNS = (
    "code",
    "name_local",
    "name_en",
    "level",
    "area_code",
    "street",
    "capacity",
    "entry_places",
)
DISTRICT_COLUMNS = ("school_year", "area_code", "school_code", "priority")
SCHOOL_LEVELS = ("primary", "middle", "high")
OVERFLOW_RULES = ("next_in_district",)
CHECKS = ("luhn", "none")
_PATTERN = re.compile(r"^[#@A-Z0-9-]{4,20}$")


@dataclass(frozen=True)
class LearnerIdSpec:
    """How a country writes its permanent learner number: '#' a digit, '@' a capital letter,
    anything else literal; ``check`` the check-digit rule on the digits (the last one)."""

    scheme: str
    pattern: str
    check: str
    verified: bool
    labels: Mapping[str, str]
    source: Source


@dataclass(frozen=True)
class SchoolRow:
    """One school of schools.csv."""

    code: str
    name_local: str
    name_en: str
    level: str
    area_code: str
    street: str
    capacity: int
    entry_places: int
    line: int


@dataclass(frozen=True)
class DistrictRow:
    """One line of districts.csv: ``school_code`` serves ``area_code`` in ``school_year``,
    ``priority`` 1 first."""

    school_year: int
    area_code: str
    school_code: str
    priority: int
    line: int


@dataclass(frozen=True)
class SchoolsData:
    """A country's schools, districts, entry level, overflow rule and learner numbers."""

    entry_level: str
    overflow: str
    overflow_source: Source
    learner_id: LearnerIdSpec
    notice_service: str
    request_service: str
    transfer_service: str
    schools: tuple[SchoolRow, ...]
    districts: tuple[DistrictRow, ...]
    #: (month, day) a school year starts, in the calendar year it is named after (kr 1 March)
    year_start: tuple[int, int] = (3, 1)
    #: 1: children enter the school year after the calendar year they reach the entry age (kr);
    #: 0: the school year starting in that calendar year (vn)
    entry_year_offset: int = 1
    #: the grades of each school level, 1 to n (kr primary 6, middle 3, high 3)
    grades: tuple[tuple[str, int], ...] = (("primary", 6), ("middle", 3), ("high", 3))

    def last_grade(self, level: str) -> int:
        return dict(self.grades)[level]

    def grade_offset(self, level: str) -> int:
        """The grades of the levels below ``level`` (CEDS grade = offset + grade)."""
        below = SCHOOL_LEVELS[: SCHOOL_LEVELS.index(level)]
        return sum(n for name, n in self.grades if name in below)


ENTRY_AGE_REACHED = {"year_before_entry": 1, "year_of_entry": 0}


def _source(value: Any) -> Source | None:
    if not isinstance(value, dict) or not value.get("title") or not value.get("url"):
        return None
    return Source(str(value.get("title_en") or value["title"]), str(value["url"]))


def _csv_rows(
    path: Path, columns: tuple[str, ...], problems: list[PackProblem]
) -> list[tuple[int, list[str]]]:
    file = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        problems.append(PackProblem(file, None, f"cannot read the file: {exc}"))
        return []
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if not header_seen:
            header_seen = True
            if tuple(cells) != columns:
                problems.append(
                    PackProblem(file, number, f"the header must be {','.join(columns)}")
                )
                return []
            continue
        if len(cells) != len(columns):
            problems.append(
                PackProblem(file, number, f"expected {len(columns)} columns, got {len(cells)}")
            )
            continue
        rows.append((number, cells))
    if not header_seen:
        problems.append(PackProblem(file, 1, "the file has no header"))
    return rows


def _positive(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) > 0 else None


def _read_schools_csv(path: Path, leaves: set[str], problems: list[PackProblem]) -> list[SchoolRow]:
    file = str(path)
    schools: list[SchoolRow] = []
    seen: dict[str, int] = {}
    for number, cells in _csv_rows(path, SCHOOL_COLUMNS, problems):
        code, name_local, name_en, level, area_code, street, capacity, entry = cells
        before = len(problems)
        if not code or len(code) > 20:
            problems.append(PackProblem(file, number, "code must be 1 to 20 characters"))
        elif code in seen:
            problems.append(
                PackProblem(file, number, f"duplicate code {code!r} (first on line {seen[code]})")
            )
        if not name_local or not name_en:
            problems.append(PackProblem(file, number, "name_local and name_en must not be empty"))
        if level not in SCHOOL_LEVELS:
            problems.append(
                PackProblem(
                    file, number, f"unknown level {level!r}; use {', '.join(SCHOOL_LEVELS)}"
                )
            )
        if area_code not in leaves:
            problems.append(
                PackProblem(file, number, f"area {area_code!r} is not a lowest-level area")
            )
        places, seats = _positive(capacity), _positive(entry)
        if places is None or seats is None:
            problems.append(
                PackProblem(file, number, "capacity and entry_places must be positive integers")
            )
        elif seats > places:
            problems.append(PackProblem(file, number, "entry_places cannot exceed capacity"))
        if len(problems) == before and places is not None and seats is not None:
            seen[code] = number
            schools.append(
                SchoolRow(
                    code, name_local, name_en, level, area_code, street, places, seats, number
                )
            )
    return schools


def _read_districts_csv(
    path: Path,
    leaves: set[str],
    schools: Mapping[str, SchoolRow],
    problems: list[PackProblem],
) -> list[DistrictRow]:
    file = str(path)
    rows: list[DistrictRow] = []
    seen: dict[tuple[int, str, str], int] = {}
    priorities: dict[tuple[int, str], list[int]] = {}
    levels: dict[tuple[int, str, str], str] = {}
    for number, cells in _csv_rows(path, DISTRICT_COLUMNS, problems):
        year_text, area_code, school_code, priority_text = cells
        before = len(problems)
        year, priority = _positive(year_text), _positive(priority_text)
        if year is None or not 2000 <= year <= 2100:
            problems.append(PackProblem(file, number, "school_year must be a year, e.g. 2027"))
        if priority is None:
            problems.append(PackProblem(file, number, "priority must be 1, 2, …"))
        if area_code not in leaves:
            problems.append(
                PackProblem(file, number, f"area {area_code!r} is not a lowest-level area")
            )
        school = schools.get(school_code)
        if school is None:
            problems.append(
                PackProblem(file, number, f"school {school_code!r} is not in schools.csv")
            )
        if len(problems) != before or year is None or priority is None or school is None:
            continue
        key = (year, area_code, school_code)
        if key in seen:
            problems.append(
                PackProblem(
                    file,
                    number,
                    f"school {school_code} already serves {area_code} in {year} (line {seen[key]})",
                )
            )
            continue
        seen[key] = number
        priorities.setdefault(
            (
                year,
                area_code,
            ),
            [],
        ).append(priority)
        levels[key] = school.level
        rows.append(DistrictRow(year, area_code, school_code, priority, number))
    by_level: dict[tuple[int, str, str], list[int]] = {}
    for row in rows:
        level = levels[(row.school_year, row.area_code, row.school_code)]
        by_level.setdefault((row.school_year, row.area_code, level), []).append(row.priority)
    for (year, area_code, level), found in sorted(by_level.items()):
        if sorted(found) != list(range(1, len(found) + 1)):
            problems.append(
                PackProblem(
                    file,
                    None,
                    f"the {level} schools serving {area_code} in {year} must have priorities "
                    f"1 to {len(found)}, each once (found {sorted(found)})",
                )
            )
    return rows


def read_schools(
    directory: Path,
    areas: tuple[AreaRow, ...] | list[AreaRow],
    leaf_level: str | None,
    problems: list[PackProblem],
) -> SchoolsData | None:
    """The pack's schools data, or None when the pack has no ``schools/`` directory."""
    folder = directory / SCHOOLS_DIR
    meta_path = folder / SCHOOLS_FILE
    if not meta_path.is_file():
        return None
    file = str(meta_path)
    meta = _read_meta(meta_path, problems)
    if meta is None:
        return None
    before = len(problems)
    entry_level = meta.get("entry_level")
    if entry_level not in SCHOOL_LEVELS:
        problems.append(
            PackProblem(file, None, f"entry_level must be one of {', '.join(SCHOOL_LEVELS)}")
        )
    overflow = meta.get("overflow")
    if overflow not in OVERFLOW_RULES:
        problems.append(PackProblem(file, None, f"overflow must be one of {OVERFLOW_RULES}"))
    overflow_source = _source(meta.get("overflow_source"))
    if overflow_source is None:
        problems.append(PackProblem(file, None, "overflow_source needs a title and a url"))
    learner = _learner_id(meta.get("learner_id"), file, problems)
    year_start, offset = _school_year(meta, file, problems)
    grades = _grades(meta.get("grades"), file, problems)
    services = _services(meta, file, problems)
    leaves = {a.code for a in areas if a.level == leaf_level}
    schools: list[SchoolRow] = []
    districts: list[DistrictRow] = []
    for key, columns in (("schools_file", SCHOOL_COLUMNS), ("districts_file", DISTRICT_COLUMNS)):
        name = meta.get(key)
        path = (folder / str(name)).resolve() if isinstance(name, str) else None
        if path is None or folder.resolve() not in path.parents or not path.is_file():
            problems.append(PackProblem(file, None, f"{key} must name a file in {SCHOOLS_DIR}/"))
            continue
        if columns == SCHOOL_COLUMNS:
            schools = _read_schools_csv(folder / str(name), leaves, problems)
        else:
            by_code = {s.code: s for s in schools}
            districts = _read_districts_csv(folder / str(name), leaves, by_code, problems)
    if len(problems) != before:
        return None
    assert isinstance(entry_level, str)
    assert isinstance(overflow, str)
    assert overflow_source is not None
    assert learner is not None
    return SchoolsData(
        entry_level=entry_level,
        overflow=overflow,
        overflow_source=overflow_source,
        learner_id=learner,
        notice_service=str(services["notice_service"]),
        request_service=str(services["request_service"]),
        transfer_service=str(services["transfer_service"]),
        schools=tuple(schools),
        districts=tuple(districts),
        year_start=year_start,
        entry_year_offset=offset,
        grades=grades,
    )


def _grades(value: Any, file: str, problems: list[PackProblem]) -> tuple[tuple[str, int], ...]:
    """``grades``: the number of grades of each level (default kr's 6, 3, 3); CEDS grades
    run on from one level to the next, so the levels add up to at most 12."""
    if value is None:
        return (("primary", 6), ("middle", 3), ("high", 3))
    ok = (
        isinstance(value, dict)
        and set(value) == set(SCHOOL_LEVELS)
        and all(isinstance(value[k], int) and 1 <= value[k] <= 9 for k in SCHOOL_LEVELS)
        and sum(value[k] for k in SCHOOL_LEVELS) <= 12
    )
    if not ok:
        problems.append(
            PackProblem(
                file, None, "grades must give primary, middle and high 1 to 9 grades, 12 at most"
            )
        )
        return (("primary", 6), ("middle", 3), ("high", 3))
    return tuple((k, int(value[k])) for k in SCHOOL_LEVELS)


def _school_year(
    meta: dict[str, Any], file: str, problems: list[PackProblem]
) -> tuple[tuple[int, int], int]:
    """``school_year.starts`` ("MM-DD", default 03-01) and ``entry_age_reached`` (default
    year_before_entry), each with a ``source`` when given."""
    start = (3, 1)
    block = meta.get("school_year")
    if block is not None:
        text = block.get("starts") if isinstance(block, dict) else None
        found = re.fullmatch(r"(\d\d)-(\d\d)", str(text or ""))
        month, day = (int(found[1]), int(found[2])) if found else (0, 0)
        if not 1 <= month <= 12 or not 1 <= day <= 28:
            problems.append(
                PackProblem(file, None, "school_year.starts must be MM-DD (day 1 to 28)")
            )
        else:
            start = (month, day)
        if not isinstance(block, dict) or _source(block.get("source")) is None:
            problems.append(PackProblem(file, None, "school_year.source needs a title and a url"))
    offset = 1
    rule = meta.get("entry_age_reached")
    if rule is not None:
        if rule not in ENTRY_AGE_REACHED:
            problems.append(
                PackProblem(
                    file, None, f"entry_age_reached must be one of {', '.join(ENTRY_AGE_REACHED)}"
                )
            )
        else:
            offset = ENTRY_AGE_REACHED[rule]
        if _source(meta.get("entry_age_source")) is None:
            problems.append(PackProblem(file, None, "entry_age_source needs a title and a url"))
    return start, offset


def _read_meta(path: Path, problems: list[PackProblem]) -> dict[str, Any] | None:
    try:
        meta = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        problems.append(PackProblem(str(path), None, f"cannot read the file: {exc}"))
        return None
    if not isinstance(meta, dict):
        problems.append(PackProblem(str(path), 1, "the file must be a mapping"))
        return None
    return meta


def _services(meta: dict[str, Any], file: str, problems: list[PackProblem]) -> dict[str, str]:
    """The ids of the notice and request services (the rules pack, which reads services/,
    checks that they exist when the round uses them)."""
    found: dict[str, str] = {}
    for key in ("notice_service", "request_service", "transfer_service"):
        value = meta.get(key)
        if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", value):
            problems.append(
                PackProblem(file, None, f"{key} must be a service id, e.g. school_entry_request")
            )
        else:
            found[key] = value
    return found


def _learner_id(value: Any, file: str, problems: list[PackProblem]) -> LearnerIdSpec | None:
    if not isinstance(value, dict):
        problems.append(PackProblem(file, None, "learner_id must be a mapping"))
        return None
    before = len(problems)
    scheme, pattern, check = value.get("scheme"), value.get("pattern"), value.get("check")
    labels = value.get("labels")
    source = _source(value.get("source"))
    if not isinstance(scheme, str) or not scheme:
        problems.append(PackProblem(file, None, "learner_id.scheme must be a name"))
    if not isinstance(pattern, str) or not _PATTERN.match(pattern) or "#" not in pattern:
        problems.append(
            PackProblem(
                file, None, "learner_id.pattern: 4 to 20 of '#', '@', capitals, digits, '-'"
            )
        )
    if check not in CHECKS:
        problems.append(PackProblem(file, None, f"learner_id.check must be one of {CHECKS}"))
    if not isinstance(labels, dict) or not {"en"} <= set(labels):
        problems.append(PackProblem(file, None, "learner_id.labels needs at least 'en'"))
    if source is None:
        problems.append(PackProblem(file, None, "learner_id.source needs a title and a url"))
    if len(problems) != before:
        return None
    assert isinstance(labels, dict)
    assert source is not None
    return LearnerIdSpec(
        scheme=str(scheme),
        pattern=str(pattern),
        check=str(check),
        verified=bool(value.get("verified", False)),
        labels={str(k): str(v) for k, v in labels.items()},
        source=source,
    )
