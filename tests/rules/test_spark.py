"""The same SQL on Spark (local mode): few tests, each covering many constructs, one session.

Spark 4 runs in ANSI mode (overflow and division by zero raise), so these also check that the
compiled SQL never divides by zero and keeps integers 64-bit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gov3.rules import snapshot
from gov3.rules.backends import ServiceTotal, evaluate, evaluate_rows, load_facts
from gov3.rules.facts import FACTS
from gov3.rules.ir import Scope, Type
from gov3.rules.sql import Service, parquet_relation
from tests.rules.test_sql import (
    DATE_PAIRS,
    DIVISORS,
    HOUSEHOLDS,
    NUMERATORS,
    TEXTS,
    age,
    agg,
    arith,
    call,
    cmp,
    col,
    if_,
    in_,
    lit,
    mem,
    money,
    months,
    param,
    person,
    years,
)

# One worker starts Spark (≈8 s and a JVM) for every Spark test, not one per worker.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
TODAY = date(2025, 3, 15)


def test_spark_arithmetic_dates_and_text(spark: Any) -> None:
    pairs = [(a, b) for a in NUMERATORS for b in DIVISORS]
    rows = [
        person(n, n, monthly_income=a, birth_order=b, nationality="KOR")
        for n, (a, b) in enumerate(pairs, start=1)
    ]
    start = len(rows) + 1
    rows += [
        person(n, n, birth_date=a, passport_expiry=b, nationality="KOR")
        for n, (a, b) in enumerate(DATE_PAIRS, start=start)
    ]
    text_start = len(rows) + 1
    rows += [person(n, n, nationality=t) for n, t in enumerate(TEXTS, start=text_start)]
    load_facts("spark", spark, rows)

    def values(node: Any) -> dict[int, Any]:
        return evaluate_rows(node, "spark", spark, params={}, today=TODAY)

    a, b = col("monthly_income"), col("birth_order")
    floors, mods = values(arith("//", a, b)), values(arith("%", a, b))
    products = values(arith("*", a, b))
    for n, (x, y) in enumerate(pairs, start=1):
        assert floors[n] == (x // y if y else 0), (x, y)
        assert mods[n] == (x % y if y else 0), (x, y)
        assert products[n] == x * y
    assert values(arith("*", lit(100_000), lit(100_000)))[1] == 10_000_000_000

    born, expiry = col("birth_date"), col("passport_expiry")
    by_years = values(call("years_between", born, expiry))
    by_months = values(call("months_between", born, expiry))
    by_days = values(call("days_between", born, expiry))
    days_of_month = values(call("day", expiry))
    for n, (first, last) in enumerate(DATE_PAIRS, start=start):
        assert by_years[n] == years(first, last), (first, last)
        assert by_months[n] == months(first, last), (first, last)
        assert by_days[n] == (last - first).days, (first, last)
        assert days_of_month[n] == last.day
    assert by_years[start + 3] == 65  # the day someone turns 65

    nationality = col("nationality")
    # one query: which of TEXTS (by position) each row's text equals first, else 0
    which: Any = lit(0)
    for number, text in reversed(list(enumerate(TEXTS, start=1))):
        which = if_(cmp("==", nationality, lit(text)), lit(number), which)
    matched = values(which)
    assert {n: v for n, v in matched.items() if v} == {
        n: n - text_start + 1 for n in range(text_start, text_start + len(TEXTS))
    }
    inside = values(in_(nationality, lit("back\\slash"), lit("한국")))
    assert [n - text_start for n, hit in inside.items() if hit] == [1, 2]


def test_spark_household_aggregates_and_catalogue_totals(spark: Any) -> None:
    load_facts("spark", spark, HOUSEHOLDS)
    per_member = arith("//", agg("sum", mem("monthly_income")), agg("count"))
    got = evaluate_rows(per_member, "spark", spark, params={}, today=TODAY)
    assert list(got.values()) == [1_000_500_000] * 3 + [0] + [833_333] * 3
    eldest = evaluate_rows(agg("min", mem("birth_date")), "spark", spark, params={}, today=TODAY)
    assert eldest[4] == date(2000, 2, 29)
    services = [
        Service("big", cmp(">=", age(), lit(18)), param("pension.amount", Type.MONEY)),
        Service(
            "family",
            agg("any", cmp("<", age(Scope.MEMBER), lit(8))),
            arith("*", money(100_000), agg("count", cmp("<", age(Scope.MEMBER), lit(8)))),
            subject="household",
        ),
        Service("nobody", lit(False), money(5)),
    ]
    totals = evaluate(
        services, "spark", spark, params={"pension.amount": 3_000_000_000}, today=TODAY
    )
    assert totals == {
        "big": ServiceTotal(4, 12_000_000_000),
        "family": ServiceTotal(2, 300_000),
        "nobody": ServiceTotal(0, 0),
    }


def test_spark_reads_the_parquet_snapshot(spark: Any, tmp_path: Path) -> None:
    rows = [
        person(n, 100 + n // 3, monthly_income=1_000_000_000 * n, birth_order=1 + n % 3)
        for n in range(1, 10)
    ]
    columns = {
        name: [row.get(name, FACTS[name].default if name in FACTS else None) for row in rows]
        for name in snapshot.column_names()
    }
    path = tmp_path / "kr.parquet"
    snapshot.write(path, snapshot.table(columns), country="kr", source="synthetic", created=TODAY)
    services = [
        Service(
            "households",
            cmp(">", agg("count"), lit(2)),
            arith("-", agg("sum", mem("monthly_income")), col("birth_order")),
            "household",
        )
    ]
    relation = parquet_relation(path, "spark")
    got = evaluate(services, "spark", spark, params={}, today=TODAY, relation=relation)
    # every row is a head by default; households 101 (3, 4, 5) and 102 (6, 7, 8) have 3 members
    expected = sum(12_000_000_000 - (1 + n % 3) for n in (3, 4, 5)) + sum(
        21_000_000_000 - (1 + n % 3) for n in (6, 7, 8)
    )
    assert got["households"] == ServiceTotal(6, expected)
