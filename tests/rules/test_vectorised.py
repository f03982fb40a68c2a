"""The vectorised evaluator: whole households at once, exactly `ir`'s semantics.

Each expectation is worked out by hand; most are also checked against the reference evaluator
(`rules.explain.evaluate`) person by person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from gov3.rules import explain, ir, snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.expressions import Variable, Where, compile_expression
from gov3.rules.facts import BASE_FACTS, Subject, complete
from gov3.rules.ir import Pos, Scope, Type, Value
from gov3.rules.pack import load_rules
from gov3.rules.vectorised import (
    Population,
    ServiceTotals,
    columns_needed,
    evaluate,
    evaluate_catalogue,
    evaluate_service,
    exact_sum,
    values_by_person,
)

VARIABLES = "\n".join(
    [
        f"{name}:\n  column: {name}\n  label: {{en: {name}, ko: {name}, vi: {name}}}"
        for name in BASE_FACTS
    ]
    + [
        f"{name}:\n  type: {kind}\n  expr: {expr}\n  label: {{en: {name}, ko: {name}, vi: {name}}}"
        for name, kind, expr in [
            ("age", "int", "years_between(birth_date, today)"),
            ("age_months", "int", "months_between(birth_date, today)"),
            ("household.size", "int", "count(household.members)"),
            ("household.income", "money", "sum(household.members, monthly_income)"),
            ("household.children_under_8", "int", "count(household.members, age < 8)"),
            ("household.income_per_member", "money", "household.income // household.size"),
        ]
    ]
)
PARAMS: dict[str, Value] = {
    "pension.age": 65,
    "pension.amount": 342_510,
    "pension.limit": 2_280_000,
    "passport.window": 183,
    "school.cutoff": date(2025, 3, 1),
    "kinds.severe": "severe",
    "family.per_child": 100_000,
}
PARAM_TYPES = {
    "pension.age": Type.INT,
    "pension.amount": Type.MONEY,
    "pension.limit": Type.MONEY,
    "passport.window": Type.INT,
    "school.cutoff": Type.DATE,
    "kinds.severe": Type.TEXT,
    "family.per_child": Type.MONEY,
}
P = Pos(1, 1)


@pytest.fixture(scope="module")
def variables(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Variable]:
    directory = tmp_path_factory.mktemp("pack")
    (directory / "variables.yaml").write_text(VARIABLES, encoding="utf-8")
    return load_rules(directory).variables


@pytest.fixture
def rule(variables: Mapping[str, Variable]):  # type: ignore[no-untyped-def]
    def compile_(text: str) -> ir.Node:
        return compile_expression(text, variables=variables, params=PARAM_TYPES, where=Where("t"))

    return compile_


def person(person_id: int, household_id: int | None = None, **facts: Value) -> dict[str, Value]:
    return {"person_id": person_id, "household_id": household_id or person_id, **facts}


def reference(node: ir.Node, rows: Sequence[Mapping[str, Value]], today: date) -> dict[int, Value]:
    """The reference evaluator's value for each row (as its subject)."""
    full = [(int(r["person_id"]), int(r["household_id"]), complete(r)) for r in rows]  # type: ignore[arg-type]
    out: dict[int, Value] = {}
    for pid, hid, facts in full:
        members = [f for _, h, f in full if h == hid]
        out[pid] = explain.evaluate(node, Subject(facts, members), PARAMS, today)
    return out


def both(node: ir.Node, rows: Sequence[Mapping[str, Value]], today: date) -> dict[int, Value]:
    """The vectorised values, after checking they are the reference evaluator's."""
    found = values_by_person(node, Population.from_rows(rows), PARAMS, today)
    assert found == reference(node, rows, today)
    return found


# -- dates --------------------------------------------------------------------------------------


def test_someone_born_on_29_february_turns_a_year_older_on_1_march(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1, birth_date=date(1960, 2, 29)), person(2, birth_date=date(1960, 3, 1))]
    age = rule("age")
    assert both(age, rows, date(2025, 2, 28)) == {1: 64, 2: 64}
    assert both(age, rows, date(2025, 3, 1)) == {1: 65, 2: 65}
    assert both(age, rows, date(2024, 2, 29)) == {1: 64, 2: 63}
    assert both(rule("age >= 65"), rows, date(2025, 2, 28)) == {1: False, 2: False}
    assert both(rule("age >= 65"), rows, date(2025, 3, 1)) == {1: True, 2: True}


def test_the_day_someone_turns_65(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1, birth_date=date(1960, 6, 15))]
    pension_age = rule("age >= params.pension.age")
    assert both(pension_age, rows, date(2025, 6, 14)) == {1: False}
    assert both(pension_age, rows, date(2025, 6, 15)) == {1: True}
    assert both(rule("age"), rows, date(1960, 6, 14)) == {1: -1}  # before birth: negative


def test_months_at_the_end_of_the_month(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1, birth_date=date(2025, 1, 31)), person(2, birth_date=date(2024, 12, 1))]
    months = rule("age_months")
    assert both(months, rows, date(2025, 2, 28)) == {1: 0, 2: 2}
    assert both(months, rows, date(2025, 3, 30)) == {1: 1, 2: 3}
    assert both(months, rows, date(2025, 3, 31)) == {1: 2, 2: 3}
    assert both(rule("months_between(today, birth_date)"), rows, date(2025, 3, 31)) == {
        1: -2,
        2: -4,
    }


def test_days_and_calendar_parts(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [
        person(1, passport_expiry=date(2025, 12, 31), has_passport=True),
        person(2),  # no passport: the far-away default date
    ]
    today = date(2025, 7, 1)
    assert both(rule("days_until(passport_expiry)"), rows, today) == {
        1: 183,
        2: (date(9999, 12, 31) - today).days,
    }
    assert both(rule("has_passport and days_until(passport_expiry) <= params.passport.window"),
                rows, today) == {1: True, 2: False}  # fmt: skip
    assert (
        both(rule("days_between(passport_expiry, birth_date)"), rows, today)[1]
        == (date(1900, 1, 1) - date(2025, 12, 31)).days
    )
    parts = rule(
        "year(passport_expiry) * 10000 + month(passport_expiry) * 100 + day(passport_expiry)"
    )
    assert both(parts, rows, today) == {1: 20251231, 2: 99991231}
    assert both(rule("birth_date < params.school.cutoff"), rows, today) == {1: True, 2: True}


def test_dates_of_two_columns_and_of_a_choice(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [
        person(1, birth_date=date(1980, 2, 29), passport_expiry=date(2030, 2, 28), has_spouse=True),
        person(2, birth_date=date(1980, 3, 1), passport_expiry=date(2030, 3, 1)),
        person(3, birth_date=date(2000, 1, 31), passport_expiry=date(2000, 2, 29)),
    ]
    today = date(2025, 1, 1)
    assert both(rule("years_between(birth_date, passport_expiry)"), rows, today) == {
        1: 49,
        2: 50,
        3: 0,
    }
    assert both(rule("months_between(birth_date, passport_expiry)"), rows, today) == {
        1: 599,
        2: 600,
        3: 0,
    }
    later = rule('years_between(birth_date if has_spouse else date("1990-01-01"), today)')
    assert both(later, rows, today) == {1: 44, 2: 35, 3: 35}


def test_dates_far_apart_in_one_column(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [
        person(1, birth_date=date(1, 1, 1)),
        person(2, birth_date=date(9999, 12, 31)),
        person(3, birth_date=date(2000, 2, 29)),
        person(4, birth_date=date(5000, 6, 30)),
    ]
    today = date(2025, 2, 28)
    assert both(rule("months_between(birth_date, today)"), rows, today) == {
        1: 24289, 2: -95699, 3: 299, 4: -35705,
    }  # fmt: skip
    assert both(rule("age"), rows, today) == {1: 2024, 2: -7975, 3: 24, 4: -2976}
    assert both(rule("day(birth_date) + month(birth_date)"), rows, today) == {
        1: 2, 2: 43, 3: 31, 4: 36,
    }  # fmt: skip


# -- arithmetic and money -----------------------------------------------------------------------


def test_floor_division_and_modulo_follow_python_and_zero_gives_zero(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [  # x = birth_order, y = year(birth_date) - 2000
        person(1, birth_order=7, birth_date=date(2002, 1, 1), monthly_income=7),
        person(2, birth_order=-7, birth_date=date(1998, 1, 1), monthly_income=-7),
        person(3, birth_order=7, birth_date=date(2000, 1, 1), monthly_income=7),
    ]
    today = date(2025, 1, 1)
    assert both(rule("birth_order // (year(birth_date) - 2000)"), rows, today) == {
        1: 3, 2: 3, 3: 0,
    }  # fmt: skip
    assert both(rule("birth_order % (year(birth_date) - 2000)"), rows, today) == {
        1: 1, 2: -1, 3: 0,
    }  # fmt: skip
    assert both(rule("monthly_income // (year(birth_date) - 2000)"), rows, today) == {
        1: 3, 2: 3, 3: 0,
    }  # fmt: skip
    assert both(rule("birth_order // -2"), rows, today) == {1: -4, 2: 3, 3: -4}
    assert both(rule("birth_order % -2"), rows, today) == {1: -1, 2: -1, 3: -1}
    assert both(rule("birth_order // 0"), rows, today) == {1: 0, 2: 0, 3: 0}
    assert both(rule("birth_order % 0"), rows, today) == {1: 0, 2: 0, 3: 0}
    assert both(rule("-birth_order"), rows, today) == {1: -7, 2: 7, 3: -7}
    assert both(rule("7 // 0 + 7 % 0 + -7 // 2 + -7 % 3"), rows, today) == {1: -2, 2: -2, 3: -2}


def test_three_billion_won_survives_exactly(rule) -> None:  # type: ignore[no-untyped-def]
    big = 3_000_000_000
    rows = [person(i, 100, monthly_income=big) for i in range(1, 5)]
    rows.append(person(9, monthly_income=big + 1))
    today = date(2025, 1, 1)
    assert both(rule("household.income"), rows, today) == {1: 4 * big, 2: 4 * big, 3: 4 * big,
                                                          4: 4 * big, 9: big + 1}  # fmt: skip
    assert both(rule("monthly_income * 1_000_000"), rows, today)[9] == (big + 1) * 1_000_000
    assert both(rule("household.income_per_member"), rows, today)[1] == big
    service = Service(rule("monthly_income >= 3_000_000_000"), rule("monthly_income * 1_000_000"))
    result = evaluate_service(service, Population.from_rows(rows), PARAMS, today)
    assert result.count == 5
    assert result.total == (5 * big + 1) * 1_000_000  # 15,000,001,000,000,000 won
    assert result.amount.dtype == np.int64


def test_exact_sum_never_wraps() -> None:
    near = 2**62
    assert exact_sum(np.array([near, near, near], dtype=np.int64)) == 3 * near
    assert exact_sum(np.array([-near, -near, -near, 5], dtype=np.int64)) == -3 * near + 5
    assert exact_sum(np.zeros(0, dtype=np.int64)) == 0


# -- households ---------------------------------------------------------------------------------


FAMILY = [
    person(
        1, 10, birth_date=date(1980, 5, 1), relationship_to_head="head", monthly_income=3_000_000
    ),
    person(
        2, 10, birth_date=date(1982, 7, 1), relationship_to_head="spouse", monthly_income=2_000_000
    ),
    person(3, 10, birth_date=date(2019, 1, 2), relationship_to_head="child"),
    person(4, 10, birth_date=date(2023, 9, 9), relationship_to_head="child", disability="severe"),
    person(5, 20, birth_date=date(1950, 1, 1), monthly_income=900_000),  # a household of one
    person(6, 30, birth_date=date(1990, 1, 1), sex="F", monthly_income=1),
    person(7, 30, birth_date=date(1991, 1, 1), relationship_to_head="spouse", sex="M"),
]


def test_household_aggregates(rule) -> None:  # type: ignore[no-untyped-def]
    today = date(2025, 6, 1)
    assert both(rule("household.size"), FAMILY, today) == {1: 4, 2: 4, 3: 4, 4: 4, 5: 1, 6: 2, 7: 2}
    assert both(rule("household.children_under_8"), FAMILY, today) == {
        1: 2, 2: 2, 3: 2, 4: 2, 5: 0, 6: 0, 7: 0,
    }  # fmt: skip
    assert both(rule("household.income_per_member"), FAMILY, today) == {
        1: 1_250_000, 2: 1_250_000, 3: 1_250_000, 4: 1_250_000, 5: 900_000, 6: 0, 7: 0,
    }  # fmt: skip
    checks = {
        'any(household.members, disability == "severe")': {1: True, 5: False, 6: False},
        "all(household.members, monthly_income > 0)": {1: False, 5: True, 6: False},
        "min(household.members, age)": {1: 1, 5: 75, 6: 34},
        "max(household.members, monthly_income)": {1: 3_000_000, 5: 900_000, 6: 1},
        "sum(household.members, 1)": {1: 4, 5: 1, 6: 2},
        'count(household.members, sex == "F" and age > 30)': {1: 0, 5: 0, 6: 1},
        "count(household.members, True)": {1: 4, 5: 1, 6: 2},
        "any(household.members, False)": {1: False, 5: False, 6: False},
    }
    for text, expected in checks.items():
        found = both(rule(text), FAMILY, today)
        assert {k: found[k] for k in expected} == expected, text


def test_the_youngest_members_birth_date(rule) -> None:  # type: ignore[no-untyped-def]
    found = both(rule("max(household.members, birth_date)"), FAMILY, date(2025, 6, 1))
    assert found[1] == date(2023, 9, 9)
    assert found[5] == date(1950, 1, 1)


def _older_members() -> ir.Node:
    """count(household.members, member's birth date < the subject's): built by hand, since the
    expression language always reads the member inside an aggregate."""
    member = ir.Column(Type.DATE, P, "birth_date", "birth_date", Scope.MEMBER)
    subject = ir.Column(Type.DATE, P, "birth_date", "birth_date", Scope.SUBJECT)
    return ir.Aggregate(
        Type.INT, P, "count", "household.members", ir.Compare(Type.BOOL, P, "<", member, subject)
    )


def test_an_aggregate_that_also_reads_the_subject() -> None:
    assert both(_older_members(), FAMILY, date(2025, 6, 1)) == {
        1: 0, 2: 1, 3: 2, 4: 3, 5: 0, 6: 0, 7: 1,
    }  # fmt: skip


def test_a_derived_variable_of_the_member_reads_the_member() -> None:
    """A member-scoped derived variable whose definition was written for the subject."""
    birth = ir.Column(Type.DATE, P, "birth_date", "birth_date", Scope.SUBJECT)
    age = ir.Call(Type.INT, P, "years_between", (birth, ir.Today(Type.DATE, P)))
    member_age = ir.Derived(Type.INT, P, "age", age, Scope.MEMBER)
    node = ir.Aggregate(
        Type.INT, P, "max", "household.members", member_age
    )  # the oldest member's age
    found = values_by_person(node, Population.from_rows(FAMILY), PARAMS, date(2025, 6, 1))
    assert found == {1: 45, 2: 45, 3: 45, 4: 45, 5: 75, 6: 35, 7: 35}


def test_rows_in_any_order_are_grouped_by_household(rule) -> None:  # type: ignore[no-untyped-def]
    shuffled = [FAMILY[i] for i in (6, 0, 4, 3, 5, 1, 2)]
    population = Population.from_rows(shuffled)
    assert population.household_count == 3
    assert both(rule("household.size"), shuffled, date(2025, 6, 1)) == {
        1: 4, 2: 4, 3: 4, 4: 4, 5: 1, 6: 2, 7: 2,
    }  # fmt: skip


# -- text, choices, membership -----------------------------------------------------------------


def test_text_comparisons_membership_and_choices(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [
        person(1, sex="F", disability="mild", area="11110-01", province="11"),
        person(2, sex="M", disability="severe", area="11", province="11"),
        person(3, disability="none", nationality="VNM"),
    ]
    today = date(2025, 1, 1)
    assert both(rule('sex == "F"'), rows, today) == {1: True, 2: False, 3: False}
    assert both(rule('sex != "F"'), rows, today) == {1: False, 2: True, 3: True}
    assert both(rule('disability in ("mild", params.kinds.severe)'), rows, today) == {
        1: True, 2: True, 3: False,
    }  # fmt: skip
    assert both(rule('disability not in ("mild", "none")'), rows, today) == {
        1: False, 2: True, 3: False,
    }  # fmt: skip
    assert both(rule("area == province"), rows, today) == {1: False, 2: True, 3: True}
    label = rule('sex if disability == "none" else ("disabled" if sex == "F" else disability)')
    assert both(label, rows, today) == {1: "disabled", 2: "severe", 3: "X"}
    assert both(rule('nationality == "VNM" or sex in ("M",)'), rows, today) == {
        1: False, 2: True, 3: True,
    }  # fmt: skip
    assert both(rule("birth_order in (1, 3)"), rows, today) == {1: True, 2: True, 3: True}


def test_constant_expressions_are_broadcast(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1), person(2)]
    today = date(2025, 1, 1)
    assert both(rule("params.pension.amount * 2 if today > date(\"2024-12-31\") else 0"),
                rows, today) == {1: 685_020, 2: 685_020}  # fmt: skip
    assert both(rule("not (True and False) or min(1, 2) > 5"), rows, today) == {1: True, 2: True}
    assert both(rule('"text"'), rows, today) == {1: "text", 2: "text"}
    assert both(rule("today"), rows, today) == {1: today, 2: today}


def test_min_max_short_circuits_and_scalar_dates(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1, monthly_income=3_000_000, birth_date=date(2010, 5, 5)),
            person(2, monthly_income=500_000, birth_date=date(1950, 5, 5))]  # fmt: skip
    today = date(2025, 5, 5)
    assert both(rule("min(monthly_income, 2_000_000)"), rows, today) == {1: 2_000_000, 2: 500_000}
    assert both(rule("max(age, 18, min(3, 4))"), rows, today) == {1: 18, 2: 75}
    assert both(rule("min(1, 2) + max(3, 4)"), rows, today) == {1: 5, 2: 5}
    assert both(rule("age > 1 and False"), rows, today) == {1: False, 2: False}
    assert both(rule("age > 20 or True"), rows, today) == {1: True, 2: True}
    assert both(rule("True and not False"), rows, today) == {1: True, 2: True}
    assert both(rule("age > 20 and True and monthly_income > 0"), rows, today) == {
        1: False, 2: True,
    }  # fmt: skip
    assert both(rule('years_between(date("2000-02-29"), today)'), rows, today) == {1: 25, 2: 25}
    assert both(rule('months_between(today, date("2000-02-29"))'), rows, today) == {
        1: -303, 2: -303,
    }  # fmt: skip


def test_more_text_and_membership(rule) -> None:  # type: ignore[no-untyped-def]
    rows = [person(1, nationality="KOR", sex="F", birth_order=9, has_spouse=True),
            person(2, nationality="VNM", sex="M", birth_order=12)]  # fmt: skip
    today = date(2025, 1, 1)
    assert both(rule('nationality == "ZZZ"'), rows, today) == {1: False, 2: False}
    assert both(rule('nationality != "ZZZ"'), rows, today) == {1: True, 2: True}
    assert both(rule("(sex if has_spouse else sex) == sex"), rows, today) == {1: True, 2: True}
    assert both(rule("birth_order in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)"), rows, today) == {
        1: True, 2: False,
    }  # fmt: skip
    assert both(rule('params.kinds.severe in ("mild", "severe")'), rows, today) == {
        1: True, 2: True,
    }  # fmt: skip
    sex = ir.Column(Type.TEXT, P, "sex", "sex", Scope.SUBJECT)
    nationality = ir.Column(Type.TEXT, P, "nationality", "nationality", Scope.SUBJECT)
    among = ir.In(Type.BOOL, P, ir.Literal(Type.TEXT, P, "M"), (sex, nationality), False)
    assert both(among, rows, today) == {1: False, 2: True}


def test_a_member_fact_outside_an_aggregate_is_refused() -> None:
    member = ir.Column(Type.INT, P, "birth_order", "birth_order", Scope.MEMBER)
    with pytest.raises(EvaluationError, match="outside an aggregate"):
        evaluate(member, Population.from_rows(FAMILY), PARAMS, date(2025, 1, 1))


def test_evaluate_returns_numpy_arrays_of_the_value_type(rule) -> None:  # type: ignore[no-untyped-def]
    population = Population.from_rows(FAMILY)
    today = date(2025, 6, 1)
    assert evaluate(rule("age >= 65"), population, PARAMS, today).dtype == np.bool_
    assert evaluate(rule("age"), population, PARAMS, today).dtype == np.int64
    assert evaluate(rule("birth_date"), population, PARAMS, today).dtype == np.dtype("<M8[D]")
    assert evaluate(rule("sex"), population, PARAMS, today).tolist()[:2] == ["X", "X"]


# -- services and the catalogue ----------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    eligible: ir.Node
    amount: ir.Node | None
    subject: str = "person"


def test_a_household_service_is_evaluated_for_the_heads_only(rule) -> None:  # type: ignore[no-untyped-def]
    service = Service(
        rule("household.children_under_8 > 0 or household.size == 1"),
        rule("household.income // 100 + params.family.per_child * household.children_under_8"),
        "household",
    )
    result = evaluate_service(service, Population.from_rows(FAMILY), PARAMS, date(2025, 6, 1))
    assert result.person_ids.tolist() == [1, 5, 6]
    assert result.eligible.tolist() == [True, True, False]
    assert result.amount.tolist() == [250_000, 9_000, 0]
    assert (result.count, result.total) == (2, 259_000)


def test_a_household_service_whose_aggregate_reads_the_head(rule) -> None:  # type: ignore[no-untyped-def]
    older_than_head = ir.Compare(
        Type.BOOL, P, ">", _older_members(), ir.Literal(Type.INT, P, 0)
    )  # someone in the household is older than its head
    service = Service(older_than_head, rule("household.size"), "household")
    result = evaluate_service(service, Population.from_rows(FAMILY), PARAMS, date(2025, 6, 1))
    assert result.person_ids.tolist() == [1, 5, 6]
    assert result.eligible.tolist() == [False, False, False]
    rows = [*FAMILY, person(8, 20, birth_date=date(1940, 1, 1), relationship_to_head="parent")]
    result = evaluate_service(service, Population.from_rows(rows), PARAMS, date(2025, 6, 1))
    assert result.eligible.tolist() == [False, True, False]
    assert (result.count, result.total) == (1, 2)


def test_amounts_are_zero_where_not_eligible(rule) -> None:  # type: ignore[no-untyped-def]
    service = Service(rule("age >= 65"), rule("params.pension.amount"))
    result = evaluate_service(service, Population.from_rows(FAMILY), PARAMS, date(2025, 6, 1))
    assert result.amount.tolist() == [0, 0, 0, 0, 342_510, 0, 0]
    assert (result.count, result.total) == (1, 342_510)
    documents = Service(rule("True"), None)
    result = evaluate_service(documents, Population.from_rows(FAMILY), PARAMS, date(2025, 6, 1))
    assert (result.count, result.total) == (7, 0)


def _catalogue(rule) -> dict[str, Service]:  # type: ignore[no-untyped-def]
    return {
        "pension": Service(
            rule("age >= params.pension.age and household.income <= params.pension.limit"),
            rule("params.pension.amount"),
        ),
        "child": Service(rule("age_months < 96"), rule("100_000 + monthly_income // 1000")),
        "family": Service(
            rule("household.children_under_8 > 0"),
            rule("50_000 * household.children_under_8"),
            "household",
        ),
        "married": Service(rule("has_spouse"), None),
        "everyone": Service(rule("True"), rule("monthly_income // 1000")),
        "no_one": Service(rule("False"), rule("params.pension.amount")),
        "youngest": Service(
            ir.Compare(Type.BOOL, P, ">", _older_members(), ir.Literal(Type.INT, P, 2)), None
        ),
    }


def _many_households(count: int) -> list[dict[str, Value]]:
    rng = np.random.default_rng(5)
    rows: list[dict[str, Value]] = []
    pid = 0
    for household in range(1, count + 1):
        for member in range(int(rng.integers(1, 6))):
            pid += 1
            rows.append(
                person(
                    pid,
                    household,
                    birth_date=date.fromordinal(
                        date(1930, 1, 1).toordinal() + int(rng.integers(0, 35_000))
                    ),
                    monthly_income=int(rng.integers(0, 4)) * 1_000_000,
                    relationship_to_head="head" if member == 0 else "child",
                    has_spouse=bool(rng.integers(0, 2)),
                )
            )
    return rows


def test_catalogue_over_a_snapshot_file_matches_service_by_service(rule, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _many_households(400)
    population = Population.from_rows(rows)
    path = tmp_path / "facts.parquet"
    snapshot.write(path, population.table, country="kr", source="test", created=date(2025, 6, 1),
                   row_group_rows=97)  # fmt: skip
    assert snapshot.info(path).row_groups > 5
    services = _catalogue(rule)
    assert columns_needed(services.values()) == {
        "birth_date", "monthly_income", "has_spouse", "relationship_to_head",
    }  # fmt: skip
    today = date(2025, 6, 1)
    expected = {}
    for service_id, service in services.items():
        result = evaluate_service(service, population, PARAMS, today)
        expected[service_id] = ServiceTotals(len(result.person_ids), result.count, result.total)
        if service.amount is not None:  # the per-person amounts match the reference evaluator
            reference_amounts = reference(service.amount, rows, today)
            reference_eligible = reference(service.eligible, rows, today)
            for pid, amount in zip(result.person_ids.tolist(), result.amount.tolist(), strict=True):
                assert amount == (reference_amounts[pid] if reference_eligible[pid] else 0)
    assert expected["pension"].count > 0
    assert expected["family"].subjects == 400
    done: list[int] = []
    from_file = evaluate_catalogue(services, path, PARAMS, today, threads=2, progress=done.append)
    assert from_file == expected
    assert sum(done) == len(rows)
    in_blocks = evaluate_catalogue(services, population, PARAMS, today, block_rows=7)
    assert in_blocks == expected


# -- bad input ----------------------------------------------------------------------------------


def test_a_missing_parameter_is_an_error_before_anything_runs(rule) -> None:  # type: ignore[no-untyped-def]
    service = Service(rule("age >= params.pension.age"), None)
    with pytest.raises(EvaluationError, match=r"pension\.age has no value for 2025-06-01"):
        evaluate_catalogue({"s": service}, Population.from_rows(FAMILY), {}, date(2025, 6, 1))


def test_a_snapshot_without_a_needed_fact_is_refused(rule, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "facts.parquet"
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415

    table = Population.from_rows(FAMILY).table.drop_columns(["birth_date"])
    pq.write_table(table, path)
    with pytest.raises(EvaluationError, match="has no birth_date column"):
        evaluate_catalogue({"s": Service(rule("age > 1"), None)}, path, PARAMS, date(2025, 6, 1))


def test_a_snapshot_that_splits_a_household_is_refused(rule, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq  # noqa: PLC0415

    path = tmp_path / "facts.parquet"
    pq.write_table(Population.from_rows(FAMILY).table, path, row_group_size=2)
    with pytest.raises(snapshot.SnapshotError, match="splits household 10"):
        evaluate_catalogue(
            {"s": Service(rule("household.size > 1"), None)}, path, PARAMS, date(2025, 6, 1)
        )


def test_rows_with_unknown_facts_or_without_ids_are_refused() -> None:
    with pytest.raises(EvaluationError, match="unknown fact"):
        Population.from_rows([person(1, shoe_size=44)])
    with pytest.raises(EvaluationError, match="has no household_id"):
        Population.from_rows([{"person_id": 1}])
    with pytest.raises(EvaluationError, match="Every birth_date must be a date"):
        Population.from_rows([person(1, birth_date="1990-01-01")])


def test_the_kr_catalogue_over_a_synthetic_population_agrees_with_explain(
    tmp_path: Path,
) -> None:
    """Every real service, over realistic households, counted in blocks on two threads, is
    what the reference evaluator finds person by person."""
    from gov3.catalogue.packs import load_pack  # noqa: PLC0415
    from gov3.synthetic.snapshots import generate_snapshot  # noqa: PLC0415

    countries = Path(__file__).resolve().parents[2] / "countries" / "kr"
    pack = load_rules(countries)
    today = date(2026, 1, 1)
    params = pack.params.on(today)
    path = tmp_path / "kr.parquet"
    generate_snapshot(path, 3_000, pack=load_pack(countries), as_of=today, seed=9, chunk_rows=700)
    found = evaluate_catalogue(pack.services, path, params, today, threads=2, block_rows=150)
    rows = snapshot.read(path).to_pylist()
    households: dict[int, list[dict[str, Value]]] = {}
    for row in rows:
        households.setdefault(int(row["household_id"]), []).append(complete(row))
    for service_id, service in pack.services.items():
        count = total = 0
        for row in rows:
            if service.subject == "household" and row["relationship_to_head"] != "head":
                continue
            subject = Subject(complete(row), households[int(row["household_id"])])
            if explain.evaluate(service.eligible, subject, params, today):
                count += 1
                if service.amount is not None:
                    total += int(explain.evaluate(service.amount, subject, params, today))
        assert (found[service_id].count, found[service_id].total) == (count, total), service_id
    assert found["child_allowance"].count > 0
    assert found["basic_pension"].total > 0
    as_list = evaluate_catalogue(list(pack.services.values()), path, params, today, threads=1)
    assert as_list == found
