"""The registry facts a rule can read: one row per living resident.

This is the contract between the registry (which fills the facts: `gov3.registry.facts` for one
person, `gov3 registry snapshot` for everyone, `gov3.registry.facts_sql` in SQL) and every
evaluator. A country pack exposes these under its own variable names
(``countries/<cc>/variables.yaml``). There are no nulls: a missing fact takes its default.

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
    registry it comes from, and for text the values it can take."""

    type: Type
    default: Value
    source: str
    values: tuple[str, ...] = ()


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
    """`facts` with every missing base fact set to its default."""
    return {name: facts.get(name, fact.default) for name, fact in BASE_FACTS.items()}
