"""Exact division (issue 17, item 2): ``a / b`` is the exact ratio, compared without rounding.

``household.income // household.size <= limit`` admitted a household up to ``size - 1`` won
over the per-member limit (income 10 in a household of 3 was "3 per member"). The packs now
write ``/``; every evaluator compares the exact ratio, and `gov3 rules check` warns about a
``//`` left inside a comparison.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.utils import timezone

from gov3.rules import ir, vectorised
from gov3.rules.backends import evaluate_rows, load_facts
from gov3.rules.errors import RulesError
from gov3.rules.explain import evaluate, explain_service, ratio_text
from gov3.rules.expressions import Where, compile_expression
from gov3.rules.facts import Subject, complete
from gov3.rules.ir import Value
from gov3.rules.lint import floor_division_warnings
from gov3.rules.pack import RulePack, load_rules

COUNTRIES = Path(__file__).resolve().parents[2] / "countries"
MINIPACK = Path(__file__).parent / "minipack"
TODAY = timezone.localdate() - timedelta(days=30)  # any day: these rules read no dated fact


def compile_in(pack: RulePack, text: str) -> ir.Node:
    return compile_expression(
        text, variables=pack.variables, params=pack.params.types(), where=Where("t")
    )


def household(*incomes: int) -> list[dict[str, Value]]:
    """One household, its first member the head, with these monthly incomes."""
    return [
        {
            "person_id": number,
            "household_id": 1,
            **complete(
                {
                    "monthly_income": income,
                    "relationship_to_head": "head" if number == 1 else "child",
                }
            ),
        }
        for number, income in enumerate(incomes, start=1)
    ]


def every_evaluator(node: ir.Node, rows: list[dict[str, Value]]) -> dict[str, Mapping[int, Value]]:
    """Each person's value by the reference, vectorised, SQLite and DuckDB evaluators."""
    reference = {
        int(row["person_id"]): evaluate(node, Subject(row, rows), {}, TODAY)  # type: ignore[arg-type]
        for row in rows
    }
    population = vectorised.Population.from_rows(rows)
    results: dict[str, Mapping[int, Value]] = {
        "explain": reference,
        "vectorised": vectorised.values_by_person(node, population, {}, TODAY),
    }
    for backend, connection in (
        ("sqlite", sqlite3.connect(":memory:")),
        ("duckdb", duckdb.connect(":memory:")),
    ):
        load_facts(backend, connection, rows)  # type: ignore[arg-type]
        results[backend] = evaluate_rows(node, backend, connection, params={}, today=TODAY)  # type: ignore[arg-type]
        connection.close()
    return results


@pytest.mark.parametrize("country", ["kr", "vn"])
@pytest.mark.parametrize(
    ("incomes", "within"),
    [
        ((9, 0, 0), True),  # exactly 3 per member
        ((10, 0, 0), False),  # 3⅓ per member: `//` said 3 and admitted the household
        ((11, 0, 0), False),  # 3⅔: `//` said 3
        ((12, 0, 0), False),
        ((3,), True),
        ((4,), False),
    ],
)
def test_income_per_member_is_compared_exactly(
    country: str, incomes: tuple[int, ...], within: bool
) -> None:
    pack = load_rules(COUNTRIES / country)
    node = compile_in(pack, "household.income_per_member <= 3")
    for evaluator, values in every_evaluator(node, household(*incomes)).items():
        assert set(values.values()) == {within}, evaluator


def test_a_ratio_compared_with_a_ratio_and_across_signs() -> None:
    pack = load_rules(MINIPACK)
    rows = household(10, -7, 0)
    cases = {
        # 10 / 3 against 7 / 2: 20 < 21
        "household.income / household.size < 7 / 2": True,
        # A negative divisor: 10 / -3 is less than -3
        "household.income / (0 - household.size) < -3": True,
        # A zero divisor gives 0, as `//` does: 0 <= 0
        "monthly_income / (household.size - 3) <= 0": True,
        "monthly_income / (household.size - 3) < 0": False,
    }
    for text, expected in cases.items():
        node = compile_in(pack, text)
        for evaluator, values in every_evaluator(node, household(10, 0, 0)).items():
            assert set(values.values()) == {expected}, (text, evaluator)
    income_split = compile_in(pack, "monthly_income / 2 > household.income / household.size")
    # -7 / 2 > 3/3 is false for person 2; 10 / 2 > 1 for person 1; 0 / 2 > 1 is false.
    for evaluator, values in every_evaluator(income_split, rows).items():
        assert dict(values) == {1: True, 2: False, 3: False}, evaluator


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("monthly_income / 2", "can only be compared"),
        ("(monthly_income / 2) * 3 <= 10", "can only be compared"),
        ("monthly_income / 2 in (1, 2)", "cannot be used with `in`"),
        ("sum(household.members, monthly_income / 2) <= 10", "can only be compared"),
        ("2 / monthly_income <= 1", "cannot compute int / money"),
    ],
)
def test_a_ratio_is_only_compared(text: str, message: str) -> None:
    pack = load_rules(MINIPACK)
    with pytest.raises(RulesError, match=message):
        compile_in(pack, text)


def test_an_amount_cannot_be_a_ratio(tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    shutil.copytree(MINIPACK, pack_dir)
    service = pack_dir / "services" / "pension.yaml"
    text = service.read_text(encoding="utf-8")
    service.write_text(
        text.replace("amount: params.pension.amount * 4 // 5", "amount: params.pension.amount / 5"),
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="can only be compared"):
        load_rules(pack_dir)


def test_the_explanation_shows_the_exact_ratio() -> None:
    pack = load_rules(COUNTRIES / "kr")
    rows = household(10_000_000, 0, 0)
    subject = Subject(rows[0], rows)
    node = compile_expression(
        "household.income_per_member",
        variables=pack.variables,
        params={},
        where=Where("t"),
        ratio=True,
    )
    assert evaluate(node, subject, {}, TODAY) == Fraction(10_000_000, 3)
    assert ratio_text(Fraction(10_000_000, 3)) == "\u22483,333,333.33"
    assert ratio_text(Fraction(7, 2)) == "3.5"
    assert ratio_text(Fraction(-9, 3)) == "-3"
    youth = pack.services["youth_monthly_rent"]
    explanation = explain_service(pack, youth, subject, date(2025, 6, 15), currency="KRW")
    assert not explanation.eligible
    # The limit is 60 % of the 2025 median for 3 people (5,025,353 won): shown exactly.
    assert "= 3,015,211.8 KRW" in repr(explanation.eligibility)


def _pack_with_floor_division(tmp_path: Path) -> Path:
    pack_dir = tmp_path / "pack"
    shutil.copytree(MINIPACK, pack_dir)
    variables = pack_dir / "variables.yaml"
    variables.write_text(
        variables.read_text(encoding="utf-8")
        + "household.income_per_member:\n  type: money\n"
        + "  expr: household.income // household.size\n"
        + "  label: {en: income per member, ko: 1인당 소득, vi: thu nhập bình quân}\n",
        encoding="utf-8",
    )
    service = pack_dir / "services" / "pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace(
            "household.income <= params.pension.limit",
            "household.income_per_member <= params.pension.limit",
        ),
        encoding="utf-8",
    )
    return pack_dir


def test_rules_check_warns_about_floor_division_in_a_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack_dir = _pack_with_floor_division(tmp_path)
    (warning,) = floor_division_warnings(load_rules(pack_dir))
    assert warning.file.endswith("services/pension.yaml")
    assert "household.income_per_member" in warning.message
    assert "rounds down" in warning.message
    call_command("rules", "check", str(pack_dir))
    assert "household.income_per_member" in capsys.readouterr().err


@pytest.mark.parametrize("country", ["kr", "vn"])
def test_the_packs_compare_no_rounded_value(country: str) -> None:
    assert floor_division_warnings(load_rules(COUNTRIES / country)) == []
