"""Read a country's Saemaul programme data (pure: YAML in, dataclasses out; no Django).

`countries/<cc>/saemaul/` holds `programme.yaml` (policy, leader slots, rubrics, class
criteria), `rounds.yaml` (rounds and their packages) and `reference.yaml` (the documented
historical figures with sources). Every problem is collected and reported with its file and
entry, and nothing is returned half-read. Format: docs/saemaul.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

MATERIALS = ("cement", "steel", "rebar", "cash")
FUNDING_SOURCES = ("national", "local", "community")
CLASSES = ("self_help", "self_reliant", "welfare")
SEXES = ("M", "F", "")
STATUSES = ("draft", "open", "closed")


class ProgrammeDataError(ValueError):
    """The programme data has problems; ``problems`` lists every one as 'file: where: what'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PolicyData:
    """Configurable rules of a country's programme."""

    assembly_quorum_percent: int = 50
    photo_max_distance_m: int = 1000
    photo_max_bytes: int = 10 * 1024 * 1024
    default_reserve_percent: int = 0


@dataclass(frozen=True)
class SlotData:
    """A leader slot."""

    code: str
    names: dict[str, str]
    required_sex: str
    position: int


@dataclass(frozen=True)
class CriterionData:
    """A line of a rubric."""

    code: str
    names: dict[str, str]
    max_points: int


@dataclass(frozen=True)
class RubricData:
    """A scoring rubric."""

    code: str
    names: dict[str, str]
    criteria: tuple[CriterionData, ...]


@dataclass(frozen=True)
class ClassData:
    """The thresholds of a class."""

    village_class: str
    min_household_income_krw: int
    min_infrastructure_items: int
    min_village_fund_krw: int


@dataclass(frozen=True)
class FundingData:
    """A co-financing share."""

    source: str
    amount_krw: int
    labour_days_per_village: int


@dataclass(frozen=True)
class TrancheData:
    """A tranche rule."""

    number: int
    share_percent: int
    min_progress_percent: int


@dataclass(frozen=True)
class RoundData:
    """A programme round as the data describes it."""

    code: str
    year: int
    names: dict[str, str]
    package: tuple[tuple[str, int], ...]
    status: str = "draft"
    starts_on: date | None = None
    ends_on: date | None = None
    eligible_classes: tuple[str, ...] = ()
    requires_result_of: str | None = None
    max_villages: int | None = None
    package_value_krw: int | None = None
    funding: tuple[FundingData, ...] = ()
    tranches: tuple[TrancheData, ...] = ()
    delivery_from: date | None = None
    delivery_until: date | None = None
    completion_deadline: date | None = None
    depot_reserve_percent: int = 0
    rubric: str | None = None
    pass_score: int | None = None
    source_title: str = ""
    source_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class FigureData:
    """A documented reference figure."""

    code: str
    names: dict[str, str]
    value: Decimal
    unit: str
    period: str
    scope_names: dict[str, str]
    source_title: str
    source_url: str
    note: str
    position: int


@dataclass(frozen=True)
class ProgrammeData:
    """Everything in a country's saemaul directory."""

    country: str
    policy: PolicyData
    slots: tuple[SlotData, ...]
    rubrics: tuple[RubricData, ...]
    classes: tuple[ClassData, ...]
    class_source: str
    rounds: tuple[RoundData, ...]
    figures: tuple[FigureData, ...] = field(default=())


class _Reader:
    """Collects problems while reading one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.path.name}: {where}: {what}")

    def load(self) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problem("file", "is missing")
            return {}
        except yaml.YAMLError as exc:
            self.problem("file", f"is not valid YAML ({exc})")
            return {}
        if not isinstance(data, dict):
            self.problem("file", "must be a mapping")
            return {}
        return data

    def integer(
        self, entry: dict[str, Any], key: str, where: str, *, default: int | None = None
    ) -> int:
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(where, f"{key} must be a whole number ≥ 0 (got {value!r})")
            return 0
        return value

    def optional_integer(self, entry: dict[str, Any], key: str, where: str) -> int | None:
        if entry.get(key) is None:
            return None
        return self.integer(entry, key, where)

    def percent(self, entry: dict[str, Any], key: str, where: str, default: int = 0) -> int:
        value = self.integer(entry, key, where, default=default)
        if value > 100:
            self.problem(where, f"{key} must be a percentage from 0 to 100 (got {value})")
        return value

    def names(self, entry: dict[str, Any], where: str, key: str = "names") -> dict[str, str]:
        names = entry.get(key)
        if not isinstance(names, dict) or not isinstance(names.get("en"), str):
            self.problem(where, f"{key} must be a mapping by language with at least 'en'")
            return {}
        if not all(
            isinstance(k, str) and len(k) == 2 and isinstance(v, str) for k, v in names.items()
        ):
            self.problem(
                where,
                f"{key}: every entry must be a two-letter language and its text "
                "(quote a text that contains a comma)",
            )
        return {str(k): str(v) for k, v in names.items()}

    def day(self, entry: dict[str, Any], key: str, where: str) -> date | None:
        value = entry.get(key)
        if value is None or isinstance(value, date):
            return value
        self.problem(where, f"{key} must be a date YYYY-MM-DD (got {value!r})")
        return None

    def entries(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            self.problem(key, "must be a list of mappings")
            return []
        return value


def _policy(reader: _Reader, data: dict[str, Any]) -> PolicyData:
    raw = data.get("policy") or {}
    if not isinstance(raw, dict):
        reader.problem("policy", "must be a mapping")
        return PolicyData()
    defaults = PolicyData()
    return PolicyData(
        assembly_quorum_percent=reader.percent(
            raw, "assembly_quorum_percent", "policy", defaults.assembly_quorum_percent
        ),
        photo_max_distance_m=reader.integer(
            raw, "photo_max_distance_m", "policy", default=defaults.photo_max_distance_m
        ),
        photo_max_bytes=reader.integer(
            raw, "photo_max_bytes", "policy", default=defaults.photo_max_bytes
        ),
        default_reserve_percent=reader.percent(
            raw, "default_reserve_percent", "policy", defaults.default_reserve_percent
        ),
    )


def _slots(reader: _Reader, data: dict[str, Any]) -> tuple[SlotData, ...]:
    slots = []
    for position, entry in enumerate(reader.entries(data, "leader_slots")):
        where = f"leader_slots[{position}]"
        sex = str(entry.get("required_sex") or "")
        if sex not in SEXES:
            reader.problem(where, f"required_sex must be M, F or empty (got {sex!r})")
        slots.append(
            SlotData(str(entry.get("code", "")), reader.names(entry, where), sex, position)
        )
    return tuple(slots)


def _rubrics(reader: _Reader, data: dict[str, Any]) -> tuple[RubricData, ...]:
    rubrics = []
    for index, entry in enumerate(reader.entries(data, "rubrics")):
        where = f"rubrics[{index}]"
        criteria = tuple(
            CriterionData(
                str(c.get("code", "")),
                reader.names(c, f"{where}.criteria[{i}]"),
                reader.integer(c, "max_points", f"{where}.criteria[{i}]"),
            )
            for i, c in enumerate(reader.entries(entry, "criteria"))
        )
        if not criteria:
            reader.problem(where, "a rubric needs at least one criterion")
        rubrics.append(RubricData(str(entry.get("code", "")), reader.names(entry, where), criteria))
    return tuple(rubrics)


def _classes(reader: _Reader, data: dict[str, Any]) -> tuple[tuple[ClassData, ...], str]:
    raw = data.get("class_criteria") or {}
    if not isinstance(raw, dict):
        reader.problem("class_criteria", "must be a mapping")
        return (), ""
    classes = []
    for index, entry in enumerate(reader.entries(raw, "classes")):
        where = f"class_criteria.classes[{index}]"
        village_class = str(entry.get("class", ""))
        if village_class not in CLASSES:
            reader.problem(where, f"class must be one of {', '.join(CLASSES)}")
        classes.append(
            ClassData(
                village_class,
                reader.integer(entry, "min_household_income_krw", where, default=0),
                reader.integer(entry, "min_infrastructure_items", where, default=0),
                reader.integer(entry, "min_village_fund_krw", where, default=0),
            )
        )
    return tuple(classes), str(raw.get("source", ""))


def _package(reader: _Reader, entry: dict[str, Any], where: str) -> tuple[tuple[str, int], ...]:
    lines = []
    for i, line in enumerate(reader.entries(entry, "package")):
        material = str(line.get("material", ""))
        if material not in MATERIALS:
            reader.problem(f"{where}.package[{i}]", f"material must be one of {MATERIALS}")
        quantity = reader.integer(line, "quantity", f"{where}.package[{i}]")
        if quantity == 0:
            reader.problem(f"{where}.package[{i}]", "quantity must be more than 0")
        lines.append((material, quantity))
    if not lines:
        reader.problem(where, "a round needs a package of at least one line")
    if len({m for m, _ in lines}) != len(lines):
        reader.problem(where, "a material appears twice in the package")
    return tuple(lines)


def _funding(reader: _Reader, entry: dict[str, Any], where: str) -> tuple[FundingData, ...]:
    shares = []
    for i, raw in enumerate(reader.entries(entry, "funding")):
        source = str(raw.get("source", ""))
        if source not in FUNDING_SOURCES:
            reader.problem(f"{where}.funding[{i}]", f"source must be one of {FUNDING_SOURCES}")
        shares.append(
            FundingData(
                source,
                reader.integer(raw, "amount_krw", f"{where}.funding[{i}]", default=0),
                reader.integer(raw, "labour_days_per_village", f"{where}.funding[{i}]", default=0),
            )
        )
    return tuple(shares)


def _tranches(reader: _Reader, entry: dict[str, Any], where: str) -> tuple[TrancheData, ...]:
    tranches = tuple(
        TrancheData(
            reader.integer(raw, "number", f"{where}.tranches[{i}]"),
            reader.percent(raw, "share_percent", f"{where}.tranches[{i}]"),
            reader.percent(raw, "min_progress_percent", f"{where}.tranches[{i}]"),
        )
        for i, raw in enumerate(reader.entries(entry, "tranches"))
    )
    if tranches and sum(t.share_percent for t in tranches) != 100:
        reader.problem(where, "tranche shares must add up to 100")
    if [t.number for t in tranches] != list(range(1, len(tranches) + 1)):
        reader.problem(where, "tranches must be numbered 1, 2, … in order")
    return tranches


def _round(reader: _Reader, entry: dict[str, Any], index: int) -> RoundData:
    where = f"rounds[{index}]"
    eligibility = entry.get("eligibility") or {}
    classes = tuple(str(c) for c in eligibility.get("classes") or ())
    bad = [c for c in classes if c not in ("basic", *CLASSES)]
    if bad:
        reader.problem(where, f"unknown class in eligibility: {', '.join(bad)}")
    status = str(entry.get("status", "draft"))
    if status not in STATUSES:
        reader.problem(where, f"status must be one of {STATUSES}")
    source = entry.get("source") or {}
    pass_score = reader.optional_integer(entry, "pass_score", where)
    if pass_score is not None and not entry.get("rubric"):
        reader.problem(where, "pass_score needs a rubric")
    return RoundData(
        code=str(entry.get("code", "")),
        year=reader.integer(entry, "year", where),
        names=reader.names(entry, where),
        package=_package(reader, entry, where),
        status=status,
        starts_on=reader.day(entry, "starts_on", where),
        ends_on=reader.day(entry, "ends_on", where),
        eligible_classes=classes,
        requires_result_of=eligibility.get("requires_result_of"),
        max_villages=reader.optional_integer(entry, "max_villages", where),
        package_value_krw=reader.optional_integer(entry, "package_value_krw", where),
        funding=_funding(reader, entry, where),
        tranches=_tranches(reader, entry, where),
        delivery_from=reader.day(entry, "delivery_from", where),
        delivery_until=reader.day(entry, "delivery_until", where),
        completion_deadline=reader.day(entry, "completion_deadline", where),
        depot_reserve_percent=reader.percent(entry, "depot_reserve_percent", where),
        rubric=entry.get("rubric"),
        pass_score=pass_score,
        source_title=str(source.get("title", "")),
        source_url=str(source.get("url", "") or ""),
        note=str(entry.get("note", "")).strip(),
    )


def _check_round_links(reader: _Reader, rounds: list[RoundData], rubrics: set[str]) -> None:
    seen: set[str] = set()
    for index, rnd in enumerate(rounds):
        where = f"rounds[{index}]"
        if not rnd.code or rnd.code in seen:
            reader.problem(where, f"code {rnd.code!r} is empty or used twice")
        if rnd.requires_result_of and rnd.requires_result_of not in seen:
            reader.problem(
                where,
                f"requires_result_of {rnd.requires_result_of!r} must name an earlier round",
            )
        if rnd.rubric and rnd.rubric not in rubrics:
            reader.problem(where, f"rubric {rnd.rubric!r} is not in programme.yaml")
        if rnd.delivery_from and rnd.delivery_until and rnd.delivery_from > rnd.delivery_until:
            reader.problem(where, "delivery_from is after delivery_until")
        seen.add(rnd.code)


def _figures(reader: _Reader, data: dict[str, Any]) -> tuple[FigureData, ...]:
    figures = []
    for position, entry in enumerate(reader.entries(data, "figures")):
        where = f"figures[{position}]"
        try:
            value = Decimal(str(entry.get("value")))
        except InvalidOperation:
            reader.problem(where, f"value must be a number (got {entry.get('value')!r})")
            value = Decimal(0)
        source = entry.get("source") or {}
        if not source.get("title"):
            reader.problem(where, "every figure needs a source with a title")
        figures.append(
            FigureData(
                code=str(entry.get("code", "")),
                names=reader.names(entry, where),
                value=value,
                unit=str(entry.get("unit", "")),
                period=str(entry.get("period", "")),
                scope_names=reader.names(entry, where, key="scope"),
                source_title=str(source.get("title", "")),
                source_url=str(source.get("url", "") or ""),
                note=str(entry.get("note", "")),
                position=position,
            )
        )
    codes = [f.code for f in figures]
    if len(set(codes)) != len(codes):
        reader.problem("figures", "a code is used twice")
    return tuple(figures)


def programme_dir(country: str, countries_dir: Path) -> Path:
    """Where a country's programme data lives."""
    return countries_dir / country / "saemaul"


def load_programme(country: str, countries_dir: Path) -> ProgrammeData:
    """Read and check a country's programme data; raise ProgrammeDataError listing all problems."""
    directory = programme_dir(country, countries_dir)
    programme, rounds_file, reference = (
        _Reader(directory / name) for name in ("programme.yaml", "rounds.yaml", "reference.yaml")
    )
    data = programme.load()
    policy = _policy(programme, data)
    slots = _slots(programme, data)
    rubrics = _rubrics(programme, data)
    classes, class_source = _classes(programme, data)
    rounds = [
        _round(rounds_file, e, i)
        for i, e in enumerate(rounds_file.entries(rounds_file.load(), "rounds"))
    ]
    _check_round_links(rounds_file, rounds, {r.code for r in rubrics})
    figures = _figures(reference, reference.load())
    problems = programme.problems + rounds_file.problems + reference.problems
    if problems:
        raise ProgrammeDataError(problems)
    return ProgrammeData(
        country=country,
        policy=policy,
        slots=slots,
        rubrics=rubrics,
        classes=classes,
        class_source=class_source,
        rounds=tuple(rounds),
        figures=figures,
    )
