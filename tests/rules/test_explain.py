"""The reference evaluator and the explanation a citizen reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gov3.rules.explain import evaluate, explain_service, rule_in_words
from gov3.rules.expressions import Where, compile_expression
from gov3.rules.facts import Subject, complete
from gov3.rules.pack import RulePack, load_rules

MINIPACK = Path(__file__).parent / "minipack"


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rules(MINIPACK)


def person(**facts: object) -> Subject:
    row = complete(facts)  # type: ignore[arg-type]
    return Subject(row, [row])


def value(pack: RulePack, text: str, subject: Subject, today: date) -> object:
    node = compile_expression(
        text, variables=pack.variables, params=pack.params.types(), where=Where("t")
    )
    return evaluate(node, subject, pack.params.on(today), today)


def test_explanation_names_the_fact_its_source_and_the_verdict(pack: RulePack) -> None:
    service = pack.services["pension"]
    subject = person(birth_date=date(1959, 3, 2), monthly_income=1_200_000)
    explanation = explain_service(pack, service, subject, date(2025, 6, 1), currency="KRW")
    assert explanation.eligible
    assert explanation.amount == 342_510
    age_step = explanation.eligibility.children[0]
    assert age_step.holds is True
    assert age_step.text == (
        "age 66 (population register, birth date 1959-03-02) is at least pension age 65"
    )
    assert explanation.eligibility.children[1].text.startswith(
        "household income 1,200,000 KRW (income assessment"
    )
    used = {p.label: p for p in explanation.params}
    assert used["monthly amount"].valid_from == date(2025, 1, 1)
    assert used["monthly amount"].source_url == "https://example.org/2025"
    assert {f.label for f in explanation.facts} >= {"birth date"}


def test_explanation_says_why_not(pack: RulePack) -> None:
    service = pack.services["pension"]
    subject = person(birth_date=date(1961, 1, 1))
    explanation = explain_service(pack, service, subject, date(2025, 6, 1))
    assert not explanation.eligible
    assert explanation.amount == 0
    assert explanation.calculation is None
    assert explanation.eligibility.children[0].holds is False


def test_explanation_in_korean(pack: RulePack) -> None:
    service = pack.services["pension"]
    subject = person(birth_date=date(1959, 3, 2), has_spouse=True)
    explanation = explain_service(
        pack, service, subject, date(2025, 6, 1), language="ko", currency="KRW"
    )
    assert explanation.eligibility.children[0].text == (
        "나이 66 (주민등록, 생년월일 1959-03-02): 연금 연령 65 이상"
    )
    assert explanation.amount == 342_510 * 4 // 5
    assert explanation.calculation is not None
    assert "첫 번째 금액 적용" in explanation.calculation.text


@pytest.mark.parametrize(
    ("today", "age"),
    [
        (date(2025, 2, 28), 64),  # a 29 February birthday has not come in a common year …
        (date(2025, 3, 1), 65),  # … until 1 March
        (date(2028, 2, 29), 68),
    ],
)
def test_born_on_29_february(pack: RulePack, today: date, age: int) -> None:
    assert value(pack, "age", person(birth_date=date(1960, 2, 29)), today) == age


def test_months_at_the_end_of_a_month(pack: RulePack) -> None:
    born = person(birth_date=date(2025, 1, 31))
    assert value(pack, "age_months", born, date(2025, 2, 28)) == 0
    assert value(pack, "age_months", born, date(2025, 3, 31)) == 2


def test_three_billion_won_is_exact(pack: RulePack) -> None:
    rich = person(birth_date=date(1950, 1, 1), monthly_income=3_000_000_000)
    assert value(pack, "household.income * 12 + 1", rich, date(2025, 6, 1)) == 36_000_000_001
    assert value(pack, "monthly_income // 7", rich, date(2025, 6, 1)) == 428_571_428


def test_division_by_zero_is_zero_and_modulo_follows_the_divisor(pack: RulePack) -> None:
    someone = person(monthly_income=7)
    assert value(pack, "monthly_income // 0", someone, date(2025, 1, 1)) == 0
    assert value(pack, "monthly_income % 0", someone, date(2025, 1, 1)) == 0
    assert value(pack, "-monthly_income // 2", someone, date(2025, 1, 1)) == -4
    assert value(pack, "-monthly_income % 3", someone, date(2025, 1, 1)) == 2


def test_household_aggregates(pack: RulePack) -> None:
    parent = complete({"birth_date": date(1990, 5, 5), "monthly_income": 2_000_000})
    child = complete({"birth_date": date(2020, 5, 5), "relationship_to_head": "child"})
    baby = complete({"birth_date": date(2025, 1, 5), "relationship_to_head": "child"})
    family = Subject(parent, [parent, child, baby])
    today = date(2025, 6, 1)
    assert value(pack, "household.children_under_8", family, today) == 2
    assert value(pack, "household.income // household.size", family, today) == 666_666
    assert value(pack, "max(household.members, birth_date)", family, today) == date(2025, 1, 5)
    assert value(pack, "all(household.members, age < 40)", family, today) is True


def test_a_rule_in_words_keeps_the_grouping(pack: RulePack) -> None:
    node = compile_expression(
        "age >= 65 and (has_spouse or household.size == 1)",
        variables=pack.variables,
        params=pack.params.types(),
        where=Where("t"),
    )
    assert rule_in_words(pack, node, "en", date(2025, 1, 1)) == (
        "age >= 65 and (married or people in the household == 1)"
    )
