"""Beyond 64 bits (issue 17, item 4): the vectorised evaluator wrapped silently where SQL raised
and explain stayed exact. Every evaluator now refuses the same rule for the same facts, and
gives the same exact answer just inside the limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gov3.rules import explain, vectorised
from gov3.rules.backends import Backend, evaluate_rows, load_facts
from gov3.rules.errors import EvaluationError
from gov3.rules.expressions import Where, compile_expression
from gov3.rules.facts import Subject, complete
from gov3.rules.ir import Value
from gov3.rules.pack import RulePack, load_rules
from tests.rules.test_sql import postgres_connection, postgres_url

MINIPACK = Path(__file__).parent / "minipack"
TODAY = date(2025, 6, 1)  # no rule below reads a date
BIG = 3_000_000_000
MAX = 2**63 - 1
HALF = 1_537_228_672  # 2 * 3,000,000,000 * HALF is just below 2**63


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rules(MINIPACK)


@pytest.fixture(scope="module")
def engines() -> Iterator[dict[Backend, Any]]:
    opened: dict[Backend, Any] = {
        "sqlite": sqlite3.connect(":memory:"),
        "duckdb": duckdb.connect(":memory:"),
    }
    if postgres_url() is not None:
        opened["postgres"] = postgres_connection()
    yield opened
    for connection in opened.values():
        connection.close()


def _rows(*incomes: int) -> list[dict[str, Value]]:
    return [
        {"person_id": n, "household_id": 1, **complete({"monthly_income": income})}
        for n, income in enumerate(incomes, start=1)
    ]


def _compile(pack: RulePack, text: str) -> Any:
    return compile_expression(
        text, variables=pack.variables, params=pack.params.types(), where=Where("t")
    )


def every_evaluator(
    pack: RulePack, engines: dict[Backend, Any], text: str, rows: list[dict[str, Value]]
) -> dict[str, object]:
    """Each evaluator's values by person, or the error it raised."""
    node = _compile(pack, text)
    found: dict[str, object] = {}

    def attempt(name: str, run: Any) -> None:
        try:
            found[name] = run()
        except EvaluationError as error:
            found[name] = error

    attempt(
        "explain",
        lambda: {
            int(row["person_id"]): explain.evaluate(node, Subject(row, rows), {}, TODAY)  # type: ignore[arg-type]
            for row in rows
        },
    )
    population = vectorised.Population.from_rows(rows)
    attempt("vectorised", lambda: vectorised.values_by_person(node, population, {}, TODAY))
    for backend, connection in engines.items():
        load_facts(backend, connection, rows)
        attempt(
            backend,
            lambda b=backend, c=connection: evaluate_rows(node, b, c, params={}, today=TODAY),
        )
    return found


@pytest.mark.parametrize(
    ("text", "incomes"),
    [
        ("monthly_income * 4_000_000_000", (BIG,)),
        ("monthly_income + 9_223_372_036_000_000_000", (BIG,)),
        ("0 - monthly_income - 9_223_372_036_000_000_000", (BIG,)),
        ("sum(household.members, monthly_income * 2_000_000_000)", (BIG, BIG)),
        ("household.income * 2_000_000_000", (BIG, BIG)),
    ],
)
def test_every_evaluator_refuses_a_number_beyond_64_bits(
    pack: RulePack, engines: dict[Backend, Any], text: str, incomes: tuple[int, ...]
) -> None:
    found = every_evaluator(pack, engines, text, _rows(*incomes))
    wrong = {name: value for name, value in found.items() if not isinstance(value, Exception)}
    assert wrong == {}, f"answered instead of refusing: {wrong}"


@pytest.mark.parametrize(
    ("text", "incomes", "expected"),
    [
        ("monthly_income * 3_074_457_345", (BIG,), BIG * 3_074_457_345),
        ("monthly_income + 9_223_372_033_854_775_807", (BIG,), MAX),
        ("sum(household.members, monthly_income * 1_537_228_672)", (BIG, BIG), 2 * BIG * HALF),
        ("0 - monthly_income * 3_074_457_345", (BIG,), -BIG * 3_074_457_345),
    ],
)  # fmt: skip
def test_just_inside_the_limit_every_evaluator_is_exact(
    pack: RulePack,
    engines: dict[Backend, Any],
    text: str,
    incomes: tuple[int, ...],
    expected: int,
) -> None:
    found = every_evaluator(pack, engines, text, _rows(*incomes))
    for name, values in found.items():
        assert isinstance(values, dict), (name, values)
        assert set(values.values()) == {expected}, name
