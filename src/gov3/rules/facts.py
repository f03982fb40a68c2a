"""The registry facts a rule can read: one row per living resident.

This is the contract between the registry (which fills the facts: `gov3.registry.facts` for one
person, `gov3 registry snapshot` for everyone, `gov3.registry.facts_sql` in SQL) and every
evaluator. The base facts below are built in; a country pack (``facts.yaml``) or an app adds
more with `declare` — a type, a default, the register and the reader that reads it — and every
evaluator, the SQL relation and the snapshot then carry it as one more column (`FACTS`). A
country pack exposes these under its own variable names (``countries/<cc>/variables.yaml``).
There are no nulls: a missing fact takes its default.

How each fact is read from the register (all three readers must agree; a test checks it):

* only living residents (no date of death) have facts; a household's members are its living
  residents; someone without a household is a household of one (``household_id`` = minus
  their person id);
* ``area`` is the code of the household address's area, ``province`` the code of its
  first-level ancestor ("" without a household);
* ``relationship_to_head`` as registered ("head" without a household);
* ``has_spouse``: a living spouse is recorded (a widow or widower has none);
* ``lives_with_parent``: the mother or the father is a living member of the same household;
* ``birth_order``: 1 + the number of people with the same mother born strictly earlier
  (living or dead); 1 when no mother is recorded;
* ``monthly_income`` as assessed (0 if never), ``income_assessed``: an assessment date exists;
* ``has_passport``: a passport with status "valid"; ``passport_expiry``: the latest expiry date
  among valid passports (`NO_DATE` without one) — expired but not cancelled passports count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from gov3.rules.ir import Type, Value

#: The registry each fact comes from, as a citizen would name it.
SOURCES: dict[str, dict[str, str]] = {
    "population": {
        "en": "population register",
        "ko": "주민등록",
        "vi": "cơ sở dữ liệu quốc gia về dân cư",
    },
    "family": {
        "en": "family relations register",
        "ko": "가족관계등록부",
        "vi": "sổ hộ tịch",
    },
    "income": {
        "en": "income assessment",
        "ko": "소득·재산 조사",
        "vi": "xác định thu nhập",
    },
    "disability": {
        "en": "disability register",
        "ko": "장애인 등록",
        "vi": "đăng ký khuyết tật",
    },
    "passport": {
        "en": "passport register",
        "ko": "여권 발급 기록",
        "vi": "cơ sở dữ liệu hộ chiếu",
    },
}

#: A date that stands for "none" (no passport): far enough that no rule ever reaches it.
NO_DATE = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class Fact:
    """One column of the facts: its type, its default when the registry holds nothing, the
    registry it comes from, and for text the values it can take.

    A declared fact (`declare`) also names its `reader`, the register's code that reads it
    (`gov3.registry.readers`: for one household in the ORM and for everyone in SQL, which the
    Parquet snapshot is written from), with the reader's `options` (e.g. which vaccine)."""

    type: Type
    default: Value
    source: str
    values: tuple[str, ...] = ()
    reader: str = ""
    options: tuple[tuple[str, str], ...] = ()


BASE_FACTS: dict[str, Fact] = {
    "birth_date": Fact(Type.DATE, date(1900, 1, 1), "population"),
    "sex": Fact(Type.TEXT, "X", "population", ("M", "F", "X")),
    "nationality": Fact(Type.TEXT, "", "population"),
    "area": Fact(Type.TEXT, "", "population"),  # district code of the address
    "province": Fact(Type.TEXT, "", "population"),  # first-level area code
    "relationship_to_head": Fact(
        Type.TEXT,
        "head",
        "population",
        ("head", "spouse", "child", "parent", "sibling", "grandchild", "other"),
    ),
    "has_spouse": Fact(Type.BOOL, False, "family"),
    "lives_with_parent": Fact(Type.BOOL, False, "population"),  # mother or father in household
    "birth_order": Fact(Type.INT, 1, "family"),  # 1 + the mother's children born before
    "disability": Fact(Type.TEXT, "none", "disability", ("none", "mild", "severe")),
    "monthly_income": Fact(Type.MONEY, 0, "income"),
    "income_assessed": Fact(Type.BOOL, False, "income"),
    "has_passport": Fact(Type.BOOL, False, "passport"),
    "passport_expiry": Fact(Type.DATE, NO_DATE, "passport"),
}

#: Identifying columns of a snapshot row (not readable by rules).
KEY_COLUMNS = ("person_id", "household_id")

#: Every fact a rule may read, in column order: the base facts, then those a country pack
#: (``facts.yaml``) or an app declared (`declare`). Evaluators, the SQL relation and the
#: snapshot read this mapping when they run, so a declared fact is a column everywhere.
FACTS: dict[str, Fact] = dict(BASE_FACTS)


class FactDeclarationError(ValueError):
    """A fact cannot be declared as asked; the message says why."""


def declare(name: str, fact: Fact, source_labels: Mapping[str, str] | None = None) -> None:
    """Add `name` to the facts rules may read (once per process; the same declaration again
    changes nothing). `source_labels` names a register not known yet, per language."""
    if name in KEY_COLUMNS or name in BASE_FACTS:
        raise FactDeclarationError(f"`{name}` is a built-in fact and cannot be declared again")
    if not fact.reader:
        raise FactDeclarationError(f"fact `{name}`: say which reader reads it from its register")
    known = FACTS.get(name)
    if known is not None and known != fact:
        raise FactDeclarationError(
            f"fact `{name}` is already declared differently ({known.type}, from "
            f"{known.source} by {known.reader})"
        )
    if fact.source not in SOURCES:
        if not source_labels or "en" not in source_labels:
            raise FactDeclarationError(
                f"fact `{name}`: the register `{fact.source}` is not known; name it (en, ko, vi)"
            )
        SOURCES[fact.source] = dict(source_labels)
    FACTS[name] = fact


def declared() -> dict[str, Fact]:
    """The facts declared beyond the base facts, in declaration order."""
    return {name: fact for name, fact in FACTS.items() if name not in BASE_FACTS}


def fact_columns() -> tuple[str, ...]:
    """The columns of a facts row: `KEY_COLUMNS`, then every fact (`FACTS`)."""
    return (*KEY_COLUMNS, *FACTS)


Facts = Mapping[str, Value]


@dataclass(frozen=True)
class Subject:
    """What `explain` needs for one person: their facts and their household's (the subject
    included). `sources` may say more precisely where a fact came from, e.g.
    ``{"monthly_income": "income assessment of 2025-03-01"}``."""

    facts: Facts
    members: Sequence[Facts]
    sources: Mapping[str, str] = field(default_factory=dict)


def complete(facts: Mapping[str, Value]) -> dict[str, Value]:
    """`facts` with every missing fact (base or declared) set to its default."""
    return {name: facts.get(name, fact.default) for name, fact in FACTS.items()}
