"""A country pack's personnel data (`countries/<cc>/personnel/personnel.yaml`): grades, dated
pay tables with sources, tenure rules with their legal basis. Pure: no Django; checked by
`gov3 country check` with the rest of the pack, every problem named with its file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gov3.catalogue.packs.evaluation import EvaluationPackError, EvaluationRules, parse_rules

FILE = Path("personnel") / "personnel.yaml"
WORK_KINDS = ("general", "licensing", "civil_petition")
ENTRIES = ("grade5_exam", "grade7_exam", "grade9_exam", "open_exam", "experienced")
#: The entry track of whoever is appointed without an exam the pack maps (`entry_by_grade`).
DEFAULT_ENTRY = "experienced"
POSITION_TYPES = ("general", "specialist", "open", "internal", "long_term")
RULE_KINDS = ("minimum", "maximum", "between_agencies")


class PersonnelPackError(ValueError):
    """The pack's personnel file is not valid; the message names the file and entry."""


Fail = Callable[[str], PersonnelPackError]


@dataclass(frozen=True)
class Grade:
    """One grade of the general service, highest first in the pack."""

    code: str
    name_local: str
    name_en: str
    steps: bool


@dataclass(frozen=True)
class PayTable:
    """Base pay from `valid_from`: monthly amounts by grade and step, or an annual salary
    (grades without steps); Viet Nam's coefficient tables are turned into amounts here."""

    valid_from: date
    source_title: str
    source_url: str
    monthly: Mapping[str, tuple[int, ...]]
    annual: Mapping[str, int]


@dataclass(frozen=True)
class TenureRule:
    """A tenure rule: `kind` minimum time in post, maximum time in a long-term post, or no move
    to another agency within `years` of entry."""

    id: str
    years: int
    kind: str
    work: tuple[str, ...]
    position_types: tuple[str, ...]
    entries: tuple[str, ...]
    legal_basis: str
    url: str


@dataclass(frozen=True)
class StepRule:
    """The yearly step increase from `valid_from`: one step after `every_months` at a step
    (the top step of the grade's pay table is the last), with its source."""

    valid_from: date
    every_months: int
    source_title: str
    source_url: str


@dataclass(frozen=True)
class PersonnelPack:
    """A country's personnel data."""

    country: str
    currency: str
    grades: tuple[Grade, ...]
    job_series: tuple[str, ...]
    pay_tables: tuple[PayTable, ...]
    tenure: tuple[TenureRule, ...]
    backdating_days: int
    evaluation: tuple[EvaluationRules, ...] = ()
    step_rules: tuple[StepRule, ...] = ()
    #: The entry track of those appointed from an open exam at a grade (`entry_by_grade`);
    #: a grade not named enters as an experienced hire.
    entry_by_grade: Mapping[str, str] = field(default_factory=dict)

    def entry_for(self, grade: str) -> str:
        """The entry track of a recruit appointed from an open exam at `grade`."""
        return self.entry_by_grade.get(grade, DEFAULT_ENTRY)

    def step_rule_on(self, day: date) -> StepRule | None:
        """The step-increase rule in force on `day` (None: the pack has none)."""
        rules = [r for r in self.step_rules if r.valid_from <= day]
        return max(rules, key=lambda r: r.valid_from) if rules else None

    def evaluation_on(self, day: date) -> EvaluationRules | None:
        """The performance-evaluation rules in force on `day`."""
        rules = [r for r in self.evaluation if r.valid_from <= day]
        return max(rules, key=lambda r: r.valid_from) if rules else None

    def grade(self, code: str) -> Grade | None:
        return next((g for g in self.grades if g.code == code), None)

    def rank(self, code: str) -> int:
        """0 for the highest grade; a promotion lowers the rank."""
        return [g.code for g in self.grades].index(code)

    def pay_table_on(self, day: date) -> PayTable | None:
        tables = [t for t in self.pay_tables if t.valid_from <= day]
        return max(tables, key=lambda t: t.valid_from) if tables else None

    def monthly_pay(self, grade: str, step: int, day: date) -> int | None:
        """The monthly base pay in the currency's minor unit (exact), None if the table has
        no such grade and step."""
        table = self.pay_table_on(day)
        if table is None:
            return None
        if grade in table.annual:
            return table.annual[grade] // 12
        amounts = table.monthly.get(grade, ())
        return amounts[step - 1] if 1 <= step <= len(amounts) else None


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def _grades(entries: list[Any], fail: Fail) -> list[Grade]:
    grades = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("code"):
            raise fail(f"each grade needs a code: {entry!r}.")
        grades.append(
            Grade(
                str(entry["code"]),
                str(entry.get("name_local", entry["code"])),
                str(entry.get("name_en", entry["code"])),
                bool(entry.get("steps", True)),
            )
        )
    if not grades or len({g.code for g in grades}) != len(grades):
        raise fail("grades must be listed, each code once.")
    return grades


def _pay_table(entry: dict[str, Any], codes: set[str], fail: Fail) -> PayTable:
    source = entry.get("source") or {}
    if not source.get("title") or not source.get("url"):
        raise fail(f"pay table from {entry.get('valid_from')} needs a source title and url.")
    if not isinstance(entry.get("valid_from"), date):
        raise fail("each pay table needs valid_from: YYYY-MM-DD.")
    monthly: dict[str, tuple[int, ...]] = {}
    if "coefficients" in entry:
        base = entry.get("base_salary")
        if not isinstance(base, int):
            raise fail("a coefficient table needs base_salary as an integer.")
        for grade, hundredths in entry["coefficients"].items():
            monthly[str(grade)] = tuple(base * int(h) // 100 for h in hundredths)
    for grade, amounts in (entry.get("monthly") or {}).items():
        monthly[str(grade)] = tuple(int(a) for a in amounts)
    annual = {str(g): int(a) for g, a in (entry.get("annual") or {}).items()}
    unknown = [g for g in [*monthly, *annual] if g not in codes]
    if unknown:
        raise fail(f"pay table names unknown grade {unknown[0]!r}.")
    for grade, amounts in monthly.items():
        if any(a <= 0 for a in amounts) or list(amounts) != sorted(amounts):
            raise fail(f"pay of {grade} must be positive and rise with the step.")
    return PayTable(entry["valid_from"], source["title"], source["url"], monthly, annual)


def _step_rule(entry: Any, fail: Fail) -> StepRule:
    if not isinstance(entry, dict) or not isinstance(entry.get("valid_from"), date):
        raise fail("each step increase needs valid_from: YYYY-MM-DD.")
    source = entry.get("source") or {}
    if not source.get("title") or not source.get("url"):
        raise fail(f"step increase from {entry['valid_from']} needs a source title and url.")
    months = entry.get("every_months")
    if not isinstance(months, int) or months <= 0:
        raise fail(f"step increase from {entry['valid_from']} needs every_months > 0.")
    return StepRule(entry["valid_from"], months, str(source["title"]), str(source["url"]))


def _tenure_rule(entry: dict[str, Any], fail: Fail) -> TenureRule:
    applies = entry.get("applies_to") or {}
    rule = TenureRule(
        id=str(entry.get("id", "")),
        years=int(entry.get("years", 0)),
        kind=str(entry.get("kind", "minimum")),
        work=_as_list(applies.get("work")),
        position_types=_as_list(applies.get("position_type")),
        entries=_as_list(applies.get("entry")),
        legal_basis=str(entry.get("legal_basis", "")),
        url=str(entry.get("url", "")),
    )
    if not rule.id or rule.years <= 0 or not rule.legal_basis:
        raise fail(f"tenure rule {rule.id or '?'} needs an id, years > 0 and legal_basis.")
    if rule.kind not in RULE_KINDS:
        raise fail(f"tenure rule {rule.id}: kind must be one of {', '.join(RULE_KINDS)}.")
    unknown = (
        [w for w in rule.work if w not in WORK_KINDS]
        + [p for p in rule.position_types if p not in POSITION_TYPES]
        + [e for e in rule.entries if e not in ENTRIES]
    )
    if unknown:
        raise fail(f"tenure rule {rule.id}: unknown {', '.join(unknown)}.")
    return rule


def _entry_by_grade(value: Any, codes: set[str], fail: Fail) -> dict[str, str]:
    """`entry_by_grade`: grade code -> entry track; each key a grade of the pack."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail("entry_by_grade must map grade codes to entry tracks.")
    mapping: dict[str, str] = {}
    for grade, entry in value.items():
        if str(grade) not in codes:
            raise fail(f"entry_by_grade.{grade}: {grade!r} is no grade of the pack.")
        if str(entry) not in ENTRIES:
            raise fail(
                f"entry_by_grade.{grade}: unknown entry track {entry!r} "
                f"(the tracks are {', '.join(ENTRIES)})."
            )
        mapping[str(grade)] = str(entry)
    return mapping


def parse(text: str, where: str) -> PersonnelPack:
    """Read and check a personnel file."""

    def fail(message: str) -> PersonnelPackError:
        return PersonnelPackError(f"{where}: {message}")

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise fail(f"not valid YAML ({error}).") from None
    if not isinstance(data, dict):
        raise fail("expected a mapping with grades, pay_tables, tenure.")
    grades = _grades(data.get("grades") or [], fail)
    codes = {g.code for g in grades}
    tables = [_pay_table(entry, codes, fail) for entry in data.get("pay_tables") or []]
    orders = data.get("orders") or {}
    return PersonnelPack(
        country=str(data.get("country", "")),
        currency=str(data.get("currency", "")),
        grades=tuple(grades),
        job_series=_as_list(data.get("job_series")),
        pay_tables=tuple(sorted(tables, key=lambda t: t.valid_from)),
        tenure=tuple(_tenure_rule(entry, fail) for entry in data.get("tenure") or []),
        backdating_days=int(orders.get("backdating_days", 0)),
        evaluation=tuple(
            sorted(
                (_evaluation(entry, codes, where) for entry in data.get("evaluation") or []),
                key=lambda r: r.valid_from,
            )
        ),
        step_rules=tuple(
            sorted(
                (_step_rule(entry, fail) for entry in data.get("step_increases") or []),
                key=lambda r: r.valid_from,
            )
        ),
        entry_by_grade=_entry_by_grade(data.get("entry_by_grade"), codes, fail),
    )


def _evaluation(entry: Any, codes: set[str], where: str) -> EvaluationRules:
    def fail(message: str) -> EvaluationPackError:
        return EvaluationPackError(f"{where}: {message}")

    try:
        return parse_rules(entry, codes, fail)
    except EvaluationPackError as error:
        raise PersonnelPackError(str(error)) from None


@lru_cache(maxsize=8)
def load(countries_dir: str, country: str) -> PersonnelPack:
    """The country's personnel data (read once per process)."""
    path = Path(countries_dir) / country / FILE
    if not path.exists():
        raise PersonnelPackError(f"{path}: the country pack has no personnel data.")
    return parse(path.read_text(encoding="utf-8"), str(path))
