"""The SQL evaluator agrees with `rules.ir`'s semantics on SQLite, PostgreSQL and DuckDB.

Trees are built by hand (the helpers below are shared with the Spark and conformance tests);
expected values are written out, or computed by the few lines of Python that state the rule.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from gov3.rules import ir, snapshot
from gov3.rules.backends import (
    Backend,
    ServiceTotal,
    evaluate,
    evaluate_rows,
    load_facts,
)
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS
from gov3.rules.ir import Pos, Scope, Type, Value
from gov3.rules.sql import Service, compile_expression, expression_sql, parquet_relation

# -- building trees by hand -------------------------------------------------------------------

AT = Pos(1, 1)
TODAY = ir.Today(Type.DATE, AT)
_KINDS: dict[type, Type] = {bool: Type.BOOL, int: Type.INT, date: Type.DATE, str: Type.TEXT}


def lit(value: Value, kind: Type | None = None) -> ir.Node:
    return ir.Literal(kind or _KINDS[type(value)], AT, value)


def money(value: int) -> ir.Node:
    return lit(value, Type.MONEY)


def col(name: str, scope: Scope = Scope.SUBJECT) -> ir.Node:
    return ir.Column(FACTS[name].type, AT, name, name, scope)


def mem(name: str) -> ir.Node:
    return col(name, Scope.MEMBER)


def arith(op: str, left: ir.Node, right: ir.Node) -> ir.Node:
    kind = Type.MONEY if Type.MONEY in (left.type, right.type) else Type.INT
    return ir.Arith(kind, AT, op, left, right)


def cmp(op: str, left: ir.Node, right: ir.Node) -> ir.Node:
    return ir.Compare(Type.BOOL, AT, op, left, right)


def both(*operands: ir.Node) -> ir.Node:
    return ir.BoolOp(Type.BOOL, AT, "and", operands)


def either(*operands: ir.Node) -> ir.Node:
    return ir.BoolOp(Type.BOOL, AT, "or", operands)


def not_(operand: ir.Node) -> ir.Node:
    return ir.Not(Type.BOOL, AT, operand)


def neg(operand: ir.Node) -> ir.Node:
    return ir.Neg(operand.type, AT, operand)


def if_(test: ir.Node, then: ir.Node, orelse: ir.Node) -> ir.Node:
    return ir.If(then.type, AT, test, then, orelse)


def in_(item: ir.Node, *options: ir.Node, negated: bool = False) -> ir.Node:
    return ir.In(Type.BOOL, AT, item, options, negated)


def call(func: str, *args: ir.Node) -> ir.Node:
    kind = ir.FUNCTIONS[func][1] if func in ir.FUNCTIONS else args[0].type
    return ir.Call(kind, AT, func, args)


def agg(func: str, expr: ir.Node | None = None) -> ir.Node:
    if func == "count":
        kind = Type.INT
    elif func in ("any", "all"):
        kind = Type.BOOL
    else:
        assert expr is not None
        kind = expr.type
    return ir.Aggregate(kind, AT, func, "household.members", expr)


def param(path: str, kind: Type) -> ir.Node:
    return ir.Param(kind, AT, path)


def age(scope: Scope = Scope.SUBJECT) -> ir.Node:
    return ir.Derived(
        Type.INT, AT, "age", call("years_between", col("birth_date", scope), TODAY), scope
    )


def person(person_id: int, household_id: int, **facts: Value) -> dict[str, Value]:
    return {"person_id": person_id, "household_id": household_id, **facts}


# -- engines ----------------------------------------------------------------------------------


def postgres_url() -> str | None:
    """The PostgreSQL server this run was given: DATABASE_URL when the run is on PostgreSQL,
    else TEST_DATABASE_URL; None when the run has none (a SQLite-only run on a laptop)."""
    for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return None


def postgres_connection() -> psycopg.Connection[Any]:
    """A connection to the run's PostgreSQL server (facts go in session temporary tables)."""
    url = postgres_url()
    if url is None:
        if os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
            raise RuntimeError("GOV3_REQUIRE_POSTGRES is set but the run has no PostgreSQL URL")
        pytest.skip("this run has no PostgreSQL (DATABASE_URL / TEST_DATABASE_URL)")
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


@dataclass
class Engine:
    """One backend and its connection, with the population currently loaded."""

    backend: Backend
    connection: Any

    def load(self, rows: Sequence[Mapping[str, Value]]) -> None:
        load_facts(self.backend, self.connection, rows)

    def values(
        self,
        node: ir.Node,
        today: date = date(2025, 3, 15),
        params: Mapping[str, Value] | None = None,
    ) -> dict[int, Value]:
        return evaluate_rows(node, self.backend, self.connection, params=params or {}, today=today)

    def totals(
        self,
        services: Sequence[Service],
        today: date = date(2025, 3, 15),
        params: Mapping[str, Value] | None = None,
    ) -> dict[str, ServiceTotal]:
        return evaluate(services, self.backend, self.connection, params=params or {}, today=today)


def _connect(backend: str) -> Any:
    if backend == "sqlite":
        return sqlite3.connect(":memory:")
    if backend == "duckdb":
        return duckdb.connect(":memory:")
    return postgres_connection()


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "duckdb"],
)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    connection = _connect(request.param)
    try:
        yield Engine(request.param, connection)
    finally:
        connection.close()


# -- arithmetic -------------------------------------------------------------------------------

NUMERATORS = (-7, 7, 0, 6, -6, 1, 3_000_000_000, -3_000_000_001)
DIVISORS = (2, -2, 0, 3, -3, 1, -1, 7, 2_000_000_000)


def test_floor_division_and_modulo_follow_python_with_zero_giving_zero(engine: Engine) -> None:
    pairs = [(a, b) for a in NUMERATORS for b in DIVISORS]
    engine.load(
        [person(n, n, monthly_income=a, birth_order=b) for n, (a, b) in enumerate(pairs, start=1)]
    )
    a, b = col("monthly_income"), col("birth_order")
    by_row = dict(enumerate(pairs, start=1))
    expected: dict[str, Callable[[int, int], int]] = {
        "//": lambda x, y: x // y if y else 0,
        "%": lambda x, y: x % y if y else 0,
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
    }
    for op, rule in expected.items():
        got = engine.values(arith(op, a, b))
        assert got == {n: rule(x, y) for n, (x, y) in by_row.items()}, op
    # written out, the cases people get wrong
    floors = engine.values(arith("//", a, b))
    mods = engine.values(arith("%", a, b))
    row = {pair: n for n, pair in by_row.items()}
    assert floors[row[(-7, 2)]] == -4
    assert mods[row[(-7, 2)]] == 1
    assert floors[row[(7, -2)]] == -4
    assert mods[row[(7, -2)]] == -1
    assert floors[row[(-7, -2)]] == 3
    assert mods[row[(-7, -2)]] == -1
    assert floors[row[(7, 0)]] == 0
    assert mods[row[(7, 0)]] == 0
    assert floors[row[(-3_000_000_001, 2_000_000_000)]] == -2
    assert mods[row[(-3_000_000_001, 2_000_000_000)]] == 999_999_999


def test_integers_are_64_bit_and_money_is_exact(engine: Engine) -> None:
    engine.load([person(1, 1, monthly_income=3_000_000_000)])
    income = col("monthly_income")
    cases: list[tuple[ir.Node, int]] = [
        (arith("*", lit(100_000), lit(100_000)), 10_000_000_000),
        (arith("*", income, lit(3)), 9_000_000_000),
        (arith("+", income, income), 6_000_000_000),
        (arith("-", lit(5), neg(lit(5))), 10),  # `5 - -5` must not become an SQL comment
        (neg(neg(income)), 3_000_000_000),
        (arith("*", lit(3_037_000_499), lit(3_037_000_499)), 3_037_000_499**2),
        (arith("//", arith("*", income, lit(1_000_000_000)), lit(7)), 428_571_428_571_428_571),
        (money(9_223_372_036_854_775_807), 2**63 - 1),
    ]
    for node, value in cases:
        assert engine.values(node) == {1: value}, expression_sql(
            node, engine.backend, {}, TODAY_DAY
        )


TODAY_DAY = date(2025, 3, 15)

# -- dates ------------------------------------------------------------------------------------

DATE_PAIRS = [
    (date(2024, 2, 29), date(2025, 2, 28)),  # born 29 Feb: not a year older on 28 Feb
    (date(2024, 2, 29), date(2025, 3, 1)),  # … but on 1 March of a common year
    (date(2024, 2, 29), date(2028, 2, 29)),
    (date(1960, 3, 15), date(2025, 3, 15)),  # turns 65 today
    (date(1960, 3, 16), date(2025, 3, 15)),  # turns 65 tomorrow
    (date(2025, 1, 31), date(2025, 2, 28)),  # end of month
    (date(2024, 1, 31), date(2024, 2, 29)),
    (date(2025, 1, 31), date(2025, 3, 1)),
    (date(2025, 1, 31), date(2025, 3, 31)),
    (date(2025, 3, 15), date(1960, 3, 16)),  # backwards: negative
    (date(2025, 3, 1), date(2024, 2, 29)),
    (date(2025, 3, 15), date(2025, 3, 15)),
    (date(1900, 1, 1), date(9999, 12, 31)),  # the defaults of birth date and "no passport"
    (date(1999, 12, 31), date(2000, 1, 1)),
]


def years(a: date, b: date) -> int:
    return b.year - a.year - ((b.month, b.day) < (a.month, a.day))


def months(a: date, b: date) -> int:
    return 12 * (b.year - a.year) + b.month - a.month - (b.day < a.day)


def test_date_functions_follow_the_month_and_day_rule(engine: Engine) -> None:
    engine.load(
        [
            person(n, n, birth_date=a, passport_expiry=b)
            for n, (a, b) in enumerate(DATE_PAIRS, start=1)
        ]
    )
    a, b = col("birth_date"), col("passport_expiry")
    got = {
        name: engine.values(call(name, a, b))
        for name in ("years_between", "months_between", "days_between")
    }
    # written out
    assert [got["years_between"][n] for n in (1, 2, 3, 4, 5)] == [0, 1, 4, 65, 64]
    assert [got["months_between"][n] for n in (1, 2, 6, 7, 8, 9)] == [11, 12, 0, 0, 1, 2]
    assert [got["days_between"][n] for n in (1, 2, 14)] == [365, 366, 1]
    assert got["years_between"][10] == -65
    assert got["years_between"][11] == -2
    # and every pair by the rule
    for n, (x, y) in enumerate(DATE_PAIRS, start=1):
        assert got["years_between"][n] == years(x, y), (x, y)
        assert got["months_between"][n] == months(x, y), (x, y)
        assert got["days_between"][n] == (y - x).days, (x, y)
    # the same with both dates known in advance (computed once, not per row)
    for x, y in DATE_PAIRS:
        fixed = (lit(x), lit(y))
        for name, rule in (("years_between", years), ("months_between", months)):
            assert engine.values(call(name, *fixed))[1] == rule(x, y), (name, x, y)
        assert engine.values(call("days_between", *fixed))[1] == (y - x).days
    parts = {f: engine.values(call(f, b)) for f in ("year", "month", "day")}
    assert (parts["year"][13], parts["month"][13], parts["day"][13]) == (9999, 12, 31)
    assert (parts["year"][7], parts["month"][7], parts["day"][7]) == (2024, 2, 29)


def test_age_on_the_days_around_a_birthday(engine: Engine) -> None:
    born = {1: date(1960, 3, 15), 2: date(1964, 2, 29), 3: date(2017, 6, 16)}
    engine.load([person(n, n, birth_date=d) for n, d in born.items()])
    at_least_65 = cmp(">=", age(), lit(65))
    assert engine.values(at_least_65, today=date(2025, 3, 14))[1] is False
    assert engine.values(at_least_65, today=date(2025, 3, 15))[1] is True
    leap = (
        engine.values(age(), today=date(2025, 2, 28))[2],
        engine.values(age(), date(2025, 3, 1))[2],
    )
    assert leap == (60, 61)
    months_old = call("months_between", col("birth_date"), TODAY)
    assert engine.values(months_old, today=date(2025, 6, 15))[3] == 95
    assert engine.values(months_old, today=date(2025, 6, 16))[3] == 96
    until = call("days_between", TODAY, col("passport_expiry"))
    assert (
        engine.values(until, today=date(2025, 3, 15))[1]
        == (date(9999, 12, 31) - date(2025, 3, 15)).days
    )


COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
}
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def test_whole_years_or_months_against_a_number_follow_the_rule_at_every_edge(
    engine: Engine,
) -> None:
    """``age >= 65`` and the like compile to a comparison with a date worked out in advance:
    it agrees with the arithmetic for every operator, the number on either side, the fixed date
    as start or end, around 29 February and the ends of months, and for numbers no date
    reaches."""
    days = sorted({d for pair in DATE_PAIRS for d in pair} | {date(1, 1, 1), date(9999, 12, 31)})
    engine.load([person(n, n, birth_date=d) for n, d in enumerate(days, start=1)])
    born = col("birth_date")
    counts = (-1, 0, 1, 11, 12, 13, 64, 65, 66, 780, 10**6, -(10**6))
    for today in (date(2025, 2, 28), date(2024, 2, 29), date(2025, 3, 1), date(2025, 1, 31)):
        for name, rule in (("years_between", years), ("months_between", months)):
            for fixed_is_end in (True, False):
                between = call(name, born, TODAY) if fixed_is_end else call(name, TODAY, born)
                exact = {
                    n: rule(d, today) if fixed_is_end else rule(today, d)
                    for n, d in enumerate(days, start=1)
                }
                for count in counts:
                    # each comparison, written both ways round, as one bit of a number
                    bits, wanted = lit(0), dict.fromkeys(exact, 0)
                    for bit, (op, holds) in enumerate(COMPARISONS.items()):
                        for number, written in enumerate(
                            (cmp(op, between, lit(count)), cmp(MIRRORED[op], lit(count), between))
                        ):
                            weight = 2 ** (2 * bit + number)
                            bits = arith("+", bits, if_(written, lit(weight), lit(0)))
                            for n, value in exact.items():
                                wanted[n] += weight if holds(value, count) else 0
                    where = (name, today, fixed_is_end, count)
                    assert engine.values(bits, today=today) == wanted, where
                    member = in_(between, lit(count), lit(count + 1))
                    assert engine.values(member, today=today) == {
                        n: value in (count, count + 1) for n, value in exact.items()
                    }, where


# -- comparisons, logic, text -----------------------------------------------------------------

TEXTS = ("it's", "back\\slash", "한국", "", "trailing ", "%_", "line\nbreak")


def test_text_values_compare_exactly(engine: Engine) -> None:
    engine.load([person(n, n, nationality=t) for n, t in enumerate(TEXTS, start=1)])
    for n, text in enumerate(TEXTS, start=1):
        assert engine.values(cmp("==", col("nationality"), lit(text)))[n] is True, text
        matching = engine.values(cmp("==", col("nationality"), lit(text)))
        assert [m for m, hit in matching.items() if hit] == [n]
    assert engine.values(col("nationality")) == dict(enumerate(TEXTS, start=1))
    differs = engine.values(cmp("!=", col("nationality"), lit("trailing")))
    assert differs[5] is True
    inside = engine.values(in_(col("nationality"), lit("it's"), lit("한국")))
    assert [n for n, hit in inside.items() if hit] == [1, 3]
    outside = engine.values(in_(col("nationality"), lit("it's"), lit("한국"), negated=True))
    assert [n for n, hit in outside.items() if hit] == [2, 4, 5, 6, 7]


def test_comparisons_logic_and_choices(engine: Engine) -> None:
    engine.load(
        [
            person(1, 1, monthly_income=0, has_spouse=True, birth_date=date(1950, 1, 1)),
            person(2, 2, monthly_income=2_280_000, has_passport=True, disability="severe"),
            person(3, 3, monthly_income=2_280_001, sex="F", birth_date=date(2024, 2, 29)),
        ]
    )
    income = col("monthly_income")
    limit = money(2_280_000)
    for op, expected in {
        "==": [False, True, False],
        "!=": [True, False, True],
        "<": [True, False, False],
        "<=": [True, True, False],
        ">": [False, False, True],
        ">=": [False, True, True],
    }.items():
        assert list(engine.values(cmp(op, income, limit)).values()) == expected, op
    born = col("birth_date")
    before = engine.values(cmp("<", born, lit(date(1950, 1, 2))))
    assert list(before.values()) == [True, True, False]  # the second has the default 1900-01-01
    spouse, passport = col("has_spouse"), col("has_passport")
    assert list(engine.values(spouse).values()) == [True, False, False]
    assert list(engine.values(not_(spouse)).values()) == [False, True, True]
    assert list(engine.values(cmp("==", spouse, lit(False))).values()) == [False, True, True]
    assert list(
        engine.values(either(spouse, passport, cmp("==", col("sex"), lit("F")))).values()
    ) == [True, True, True]
    assert list(engine.values(both(not_(spouse), passport)).values()) == [False, True, False]
    assert list(engine.values(both(lit(True), not_(lit(False)))).values()) == [True] * 3
    chosen = if_(cmp("==", col("disability"), lit("severe")), money(400_000), income)
    assert list(engine.values(chosen).values()) == [0, 400_000, 2_280_001]
    dates = if_(spouse, lit(date(2000, 1, 1)), col("birth_date"))
    assert list(engine.values(dates).values()) == [
        date(2000, 1, 1),
        date(1900, 1, 1),
        date(2024, 2, 29),
    ]
    flags = if_(passport, lit(False), lit(True))
    assert list(engine.values(flags).values()) == [True, False, True]
    words = if_(passport, lit("yes"), lit("no"))
    assert list(engine.values(words).values()) == ["no", "yes", "no"]
    in_money = in_(income, money(0), money(2_280_001))
    assert list(engine.values(in_money).values()) == [True, False, True]
    in_dates = in_(born, lit(date(2024, 2, 29)), negated=True)
    assert list(engine.values(in_dates).values()) == [True, True, False]
    smallest = call("min", income, money(1_000_000), money(2_280_000))
    assert list(engine.values(smallest).values()) == [0, 1_000_000, 1_000_000]
    latest = call("max", born, lit(date(2000, 1, 1)))
    assert list(engine.values(latest).values()) == [
        date(2000, 1, 1),
        date(2000, 1, 1),
        date(2024, 2, 29),
    ]


def test_parameters_and_today_are_read_at_the_evaluation_date(engine: Engine) -> None:
    engine.load([person(1, 1, monthly_income=2_000_000, birth_date=date(1960, 3, 15))])
    params: dict[str, Value] = {
        "pension.limit": 2_280_000,
        "pension.age": 65,
        "pension.open": True,
        "pension.start": date(2025, 3, 15),
        "pension.region": "11",
    }
    rule = both(
        cmp("<=", col("monthly_income"), param("pension.limit", Type.MONEY)),
        cmp(">=", age(), param("pension.age", Type.INT)),
        param("pension.open", Type.BOOL),
        cmp(">=", TODAY, param("pension.start", Type.DATE)),
        in_(col("province"), param("pension.region", Type.TEXT), lit(""), negated=False),
    )
    assert engine.values(rule, date(2025, 3, 15), params) == {1: True}
    assert engine.values(rule, date(2025, 3, 14), params) == {1: False}
    assert engine.values(rule, date(2025, 3, 15), {**params, "pension.open": False}) == {1: False}
    assert engine.values(TODAY, date(2024, 2, 29)) == {1: date(2024, 2, 29)}
    with pytest.raises(EvaluationError, match=r"params\.pension\.limit"):
        engine.values(rule, date(2025, 3, 15), {})


# -- household aggregates ---------------------------------------------------------------------

HOUSEHOLDS = [
    # a couple of pensioners with a grandchild
    person(1, 10, birth_date=date(1960, 3, 15), monthly_income=3_000_000_000, has_spouse=True),
    person(
        2,
        10,
        birth_date=date(1964, 2, 29),
        monthly_income=1_500_000,
        relationship_to_head="spouse",
        disability="mild",
    ),
    person(3, 10, birth_date=date(2017, 6, 16), relationship_to_head="grandchild"),
    # someone alone (a household of one)
    person(4, 20, birth_date=date(2000, 2, 29), monthly_income=0, disability="severe"),
    # a parent and two small children
    person(5, 30, birth_date=date(1990, 12, 31), sex="F", monthly_income=2_500_000),
    person(6, 30, birth_date=date(2024, 1, 31), relationship_to_head="child", birth_order=2),
    person(7, 30, birth_date=date(2021, 5, 5), relationship_to_head="child"),
]


def test_household_aggregates_run_over_each_households_members(engine: Engine) -> None:
    engine.load(HOUSEHOLDS)

    def per_person(node: ir.Node) -> list[Value]:
        return list(engine.values(node, today=date(2025, 3, 15)).values())

    under_8 = cmp("<", age(Scope.MEMBER), lit(8))
    assert per_person(agg("count")) == [3, 3, 3, 1, 3, 3, 3]
    assert per_person(agg("count", under_8)) == [1, 1, 1, 0, 2, 2, 2]
    income = mem("monthly_income")
    assert per_person(agg("sum", income)) == [3_001_500_000] * 3 + [0] + [2_500_000] * 3
    assert per_person(agg("any", under_8)) == [True, True, True, False, True, True, True]
    assert per_person(agg("all", cmp(">=", age(Scope.MEMBER), lit(18)))) == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
    ]
    assert (
        per_person(agg("min", mem("birth_date")))
        == [date(1960, 3, 15)] * 3 + [date(2000, 2, 29)] + [date(1990, 12, 31)] * 3
    )
    assert per_person(agg("max", age(Scope.MEMBER))) == [65] * 3 + [25] + [34] * 3
    assert per_person(agg("min", income)) == [0, 0, 0, 0, 0, 0, 0]
    assert per_person(agg("max", mem("has_spouse"))) == [True] * 3 + [False] * 4
    # income per member, floored, mixing the subject's and the household's values
    per_member = arith("//", agg("sum", income), agg("count"))
    assert per_person(per_member) == [1_000_500_000] * 3 + [0] + [833_333] * 3
    own_share = cmp(">", col("monthly_income"), per_member)
    assert per_person(own_share) == [True, False, False, False, True, False, False]
    # member facts inside, the subject's outside: "a child of the head's household"
    rule = both(
        cmp("==", col("relationship_to_head"), lit("child")),
        agg(
            "any", both(cmp("==", mem("sex"), lit("F")), cmp(">", mem("monthly_income"), money(0)))
        ),
    )
    assert per_person(rule) == [False, False, False, False, False, True, True]


def test_catalogue_counts_people_and_households_with_exact_totals(engine: Engine) -> None:
    engine.load(HOUSEHOLDS)
    params: dict[str, Value] = {"pension.amount": 3_000_000_000}
    services = [
        Service(  # every adult gets 3,000,000,000 (to check totals beyond 32 bits)
            "big",
            cmp(">=", age(), lit(18)),
            param("pension.amount", Type.MONEY),
        ),
        Service(  # households with a child under 8: 100,000 per such child
            "family",
            agg("any", cmp("<", age(Scope.MEMBER), lit(8))),
            arith("*", money(100_000), agg("count", cmp("<", age(Scope.MEMBER), lit(8)))),
            subject="household",
        ),
        Service("reminder", cmp("==", col("disability"), lit("severe"))),  # no amount
        Service("nobody", lit(False), money(5)),
    ]
    totals = engine.totals(services, date(2025, 3, 15), params)
    assert totals == {
        "big": ServiceTotal(4, 12_000_000_000),
        "family": ServiceTotal(2, 300_000),
        "reminder": ServiceTotal(1, 0),
        "nobody": ServiceTotal(0, 0),
    }
    assert all(type(t.total) is int and type(t.count) is int for t in totals.values())


# -- refusals ---------------------------------------------------------------------------------


def test_trees_the_checker_would_refuse_are_refused_here_too() -> None:
    with pytest.raises(ValueError, match="inside an aggregate"):
        compile_expression(agg("sum", col("monthly_income")), "sqlite", {}, TODAY_DAY)
    with pytest.raises(ValueError, match="nested"):
        compile_expression(agg("max", agg("count")), "postgres", {}, TODAY_DAY)
    with pytest.raises(ValueError, match="text cannot be compared"):
        compile_expression(cmp("<", col("sex"), lit("M")), "duckdb", {}, TODAY_DAY)
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        compile_expression(lit(1), "oracle", {}, TODAY_DAY)  # type: ignore[arg-type]
    with pytest.raises(EvaluationError, match="whole number"):
        compile_expression(param("a.b", Type.INT), "postgres", {"a.b": True}, TODAY_DAY)


def test_bad_rows_are_refused_and_the_loaded_table_is_kept() -> None:
    connection = sqlite3.connect(":memory:")
    load_facts("sqlite", connection, [person(1, 1, monthly_income=5)])
    with pytest.raises(ValueError, match=r"row 1: `monthly_income` must be money"):
        load_facts("sqlite", connection, [person(2, 2), person(3, 3, monthly_income=1.5)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown fact"):
        load_facts("sqlite", connection, [person(2, 2, salary=3)])
    with pytest.raises(ValueError, match="household_id"):
        load_facts("sqlite", connection, [{"person_id": 4}])
    values = evaluate_rows(col("monthly_income"), "sqlite", connection, params={}, today=TODAY_DAY)
    assert values == {1: 5}


# -- the Parquet snapshot, read in place by DuckDB ----------------------------------------------


def test_duckdb_evaluates_the_parquet_snapshot_in_place(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        person(
            n,
            100 + n // 3,
            birth_date=date(1950, 1, 1) + timedelta(days=4_000 * n),
            monthly_income=1_000_000_000 * n,
            birth_order=1 + n % 3,
            sex="F" if n % 2 else "M",
            province="11" if n < 4 else "26",
        )
        for n in range(1, 10)
    ]
    columns = {
        name: [row.get(name, FACTS[name].default) if name in FACTS else row[name] for row in rows]
        for name in snapshot.column_names()
    }
    path = tmp_path / "kr.parquet"
    snapshot.write(
        path, snapshot.table(columns), country="kr", source="synthetic", created=TODAY_DAY
    )
    services = [
        Service(
            "seoul",
            both(cmp("==", col("province"), lit("11")), cmp("<", age(), lit(65))),
            arith("-", col("monthly_income"), arith("*", col("birth_order"), money(1_000))),
        ),
        Service(
            "households",
            cmp(">", agg("count"), lit(2)),
            agg("sum", mem("monthly_income")),
            "household",
        ),
    ]
    connection = duckdb.connect()
    relation = parquet_relation(path)
    got = evaluate(services, "duckdb", connection, params={}, today=TODAY_DAY, relation=relation)
    expected_seoul = [
        r for r in rows if r["province"] == "11" and years(r["birth_date"], TODAY_DAY) < 65
    ]
    assert got["seoul"] == ServiceTotal(
        len(expected_seoul),
        sum(r["monthly_income"] - r["birth_order"] * 1_000 for r in expected_seoul),
    )
    # households 100 (1, 2), 101 (3, 4, 5), 102 (6, 7, 8), 103 (9): heads are all "head" by default
    assert got["households"] == ServiceTotal(6, 3 * 12_000_000_000 + 3 * 21_000_000_000)
    births = evaluate_rows(
        arith("-", lit(0), col("birth_order")),
        "duckdb",
        connection,
        params={},
        today=TODAY_DAY,
        relation=relation,
    )
    assert births == {r["person_id"]: -r["birth_order"] for r in rows}
