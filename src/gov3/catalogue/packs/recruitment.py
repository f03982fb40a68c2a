"""A country's recruitment rules (issue 18 item 4), read from
`countries/<cc>/personnel/recruitment.yaml` (pure: no Django).

Dated entries, each with its source: the eligibility conditions (expressions in the rule
language over the register's facts, `docs/rules.md`; checked against the pack's variables by
`gov3.personnel.recruitment`), the grounds of disqualification, the stages of an exam with
their pass marks, the merit list's tie-break order and the probation period by grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FILE = "personnel/recruitment.yaml"
STAGE_KINDS = ("aptitude", "knowledge", "subjects", "interview")
LANGUAGES = ("en", "ko", "vi")


class RecruitmentPackError(ValueError):
    """The recruitment file is missing a field or holds a wrong value."""


@dataclass(frozen=True)
class Condition:
    """One eligibility condition: `rule` must hold for an applicant (grades: the notices it
    applies to; empty: every grade)."""

    id: str
    rule: str
    label: dict[str, str]
    legal_basis: str
    grades: tuple[str, ...] = ()

    def applies_to(self, grade: str) -> bool:
        return not self.grades or grade in self.grades


@dataclass(frozen=True)
class Ground:
    """A ground of disqualification with its legal basis and how many years it lasts after
    its date (0: while it lasts, until the record is ended)."""

    id: str
    label: dict[str, str]
    legal_basis: str
    years: int


@dataclass(frozen=True)
class Stage:
    """A stage of an exam: scores from 0 to `max_score`; below `pass_mark` drops out."""

    id: str
    kind: str
    label: dict[str, str]
    max_score: int
    pass_mark: int
    weight: int


@dataclass(frozen=True)
class RecruitmentRules:
    """The recruitment rules in force from `valid_from`."""

    valid_from: date
    source_title: str
    source_url: str
    eligibility: tuple[Condition, ...]
    grounds: tuple[Ground, ...]
    #: Stages by grade, in the order they are held.
    stages: dict[str, tuple[Stage, ...]]
    #: Stage ids compared, in order, when totals are equal; still equal: the same rank.
    tie_break: tuple[str, ...]
    tie_break_basis: str
    #: Probation in months by grade (0: none), and its legal basis.
    probation_months: dict[str, int]
    probation_basis: str

    def conditions_for(self, grade: str) -> list[Condition]:
        return [c for c in self.eligibility if c.applies_to(grade)]

    def ground(self, ground_id: str) -> Ground | None:
        return next((g for g in self.grounds if g.id == ground_id), None)


def _labels(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or "en" not in value:
        raise RecruitmentPackError(f"{what}: give a label with at least `en`.")
    return {str(k): str(v) for k, v in value.items()}


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RecruitmentPackError(f"{what}: expected a whole number of at least {minimum}.")
    return value


def _entry(entry: Any, grades: set[str]) -> RecruitmentRules:  # noqa: PLR0912 - field by field
    if not isinstance(entry, dict):
        raise RecruitmentPackError("each entry is a mapping with valid_from, source, ...")
    valid_from = entry.get("valid_from")
    if not isinstance(valid_from, date):
        raise RecruitmentPackError("valid_from: expected a date (YYYY-MM-DD).")
    source = entry.get("source") or {}
    if not source.get("title"):
        raise RecruitmentPackError(f"{valid_from}: every entry names its source.")
    conditions = []
    for raw in entry.get("eligibility") or []:
        cid = str(raw.get("id", ""))
        if not cid or not raw.get("rule") or not raw.get("legal_basis"):
            raise RecruitmentPackError(f"eligibility {cid!r}: give id, rule and legal_basis.")
        only = tuple(str(g) for g in raw.get("grades") or [])
        unknown = [g for g in only if g not in grades]
        if unknown:
            raise RecruitmentPackError(f"eligibility {cid}: unknown grades {', '.join(unknown)}.")
        conditions.append(
            Condition(
                cid, str(raw["rule"]), _labels(raw.get("label"), cid), str(raw["legal_basis"]), only
            )
        )
    grounds = tuple(
        Ground(
            str(g.get("id", "")),
            _labels(g.get("label"), f"ground {g.get('id')}"),
            str(g.get("legal_basis", "")),
            _int(g.get("years", 0), f"ground {g.get('id')}: years"),
        )
        for g in entry.get("disqualification_grounds") or []
    )
    stages: dict[str, tuple[Stage, ...]] = {}
    for grade, rows in (entry.get("stages") or {}).items():
        if grade not in grades:
            raise RecruitmentPackError(f"stages: unknown grade {grade!r}.")
        made = []
        for row in rows:
            sid = str(row.get("id", ""))
            kind = str(row.get("kind", ""))
            if kind not in STAGE_KINDS:
                raise RecruitmentPackError(
                    f"stage {sid}: kind is one of {', '.join(STAGE_KINDS)}, not {kind!r}."
                )
            max_score = _int(row.get("max_score"), f"stage {sid}: max_score", 1)
            pass_mark = _int(row.get("pass_mark"), f"stage {sid}: pass_mark")
            if pass_mark > max_score:
                raise RecruitmentPackError(f"stage {sid}: pass_mark above max_score.")
            made.append(
                Stage(
                    sid,
                    kind,
                    _labels(row.get("label"), sid),
                    max_score,
                    pass_mark,
                    _int(row.get("weight", 1), f"stage {sid}: weight"),
                )
            )
        if len({s.id for s in made}) != len(made) or not made:
            raise RecruitmentPackError(f"stages of {grade}: give distinct stage ids.")
        stages[str(grade)] = tuple(made)
    merit = entry.get("merit") or {}
    tie_break = tuple(str(s) for s in merit.get("tie_break") or [])
    known = {s.id for rows in stages.values() for s in rows}
    if any(s not in known for s in tie_break):
        raise RecruitmentPackError("merit.tie_break: name stage ids.")
    probation = entry.get("probation") or {}
    months = {str(g): _int(m, f"probation {g}") for g, m in (probation.get("months") or {}).items()}
    if any(g not in grades for g in months):
        raise RecruitmentPackError("probation.months: unknown grade.")
    return RecruitmentRules(
        valid_from=valid_from,
        source_title=str(source["title"]),
        source_url=str(source.get("url", "")),
        eligibility=tuple(conditions),
        grounds=grounds,
        stages=stages,
        tie_break=tie_break,
        tie_break_basis=str(merit.get("legal_basis", "")),
        probation_months=months,
        probation_basis=str(probation.get("legal_basis", "")),
    )


def parse(text: str, where: str, grades: set[str]) -> tuple[RecruitmentRules, ...]:
    """Read and check a recruitment file (oldest entry first)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RecruitmentPackError(f"{where}: not valid YAML ({error}).") from None
    entries = (data or {}).get("recruitment") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RecruitmentPackError(f"{where}: expected `recruitment:` with dated entries.")
    try:
        return tuple(sorted((_entry(e, grades) for e in entries), key=lambda r: r.valid_from))
    except (RecruitmentPackError, AttributeError, TypeError) as error:
        raise RecruitmentPackError(f"{where}: {error}") from None


@lru_cache(maxsize=8)
def load(countries_dir: str, country: str, grades: frozenset[str]) -> tuple[RecruitmentRules, ...]:
    """The country's recruitment rules (read once per process); none if it has no file."""
    path = Path(countries_dir) / country / FILE
    if not path.exists():
        return ()
    return parse(path.read_text(encoding="utf-8"), str(path), set(grades))


def rules_on(entries: tuple[RecruitmentRules, ...], day: date) -> RecruitmentRules | None:
    """The entry in force on `day`."""
    found = [r for r in entries if r.valid_from <= day]
    return found[-1] if found else None
