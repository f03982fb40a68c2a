"""Households from outside the register (issue 17, item 7): a household service is evaluated
for the household's head, so data from a partner's file must give each household exactly one
head; without the check a household with none was silently never counted, one with two was
counted twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gov3.rules import snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import complete
from gov3.rules.ir import Type, Value
from gov3.rules.people import evaluate_people
from gov3.rules.sql import Service
from gov3.rules.vectorised import Population, evaluate_catalogue
from tests.rules.test_sql import cmp, col, lit

TODAY = date(2025, 6, 1)  # the rule reads no date
#: A household service: every household with some income, counted once (for its head).
HOUSEHOLD = {
    "with_income": Service(
        "with_income", cmp(">", col("monthly_income"), lit(-1, Type.MONEY)), subject="household"
    )
}
PERSON = {"anyone": Service("anyone", lit(True))}


def _rows(*households: tuple[str, ...]) -> list[dict[str, Value]]:
    rows: list[dict[str, Value]] = []
    for number, members in enumerate(households, start=1):
        for relationship in members:
            facts = complete({"relationship_to_head": relationship})
            rows.append({"person_id": len(rows) + 1, "household_id": number, **facts})
    return rows


def _file(tmp_path: Path, rows: list[dict[str, Value]]) -> Path:
    path = tmp_path / "partner.parquet"
    table = Population.from_rows(rows).table
    snapshot.write(path, table, country="kr", source="partner", created=TODAY)
    return path


def test_a_household_without_a_head_or_with_two_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, _rows(("head", "child"), ("spouse", "child"), ("head", "head")))
    for check in (
        lambda: evaluate_catalogue(HOUSEHOLD, path, {}, TODAY, check_households=True),
        lambda: list(evaluate_people(HOUSEHOLD, path, {}, TODAY, check_households=True)),
    ):
        with pytest.raises(
            EvaluationError, match=r"2 household\(s\).*2 \(0 heads\), 3 \(2 heads\)"
        ):
            check()
    # Unchecked (the register's own snapshot), the household without a head counts nobody and
    # the one with two heads counts twice: why outside data is checked.
    assert evaluate_catalogue(HOUSEHOLD, path, {}, TODAY)["with_income"].count == 3
    # Only a household service needs heads: a person service runs whatever the households.
    assert evaluate_catalogue(PERSON, path, {}, TODAY, check_households=True)["anyone"].count == 6


def test_households_with_one_head_each_pass(tmp_path: Path) -> None:
    path = _file(tmp_path, _rows(("head", "spouse", "child"), ("head",)))
    found = evaluate_catalogue(HOUSEHOLD, path, {}, TODAY, check_households=True)
    assert found["with_income"].count == 2
