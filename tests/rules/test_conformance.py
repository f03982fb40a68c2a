"""The three evaluators agree: random populations, random well-typed expressions.

For every generated expression and every person, the reference evaluator (`explain.evaluate`)
gives the value; the vectorised evaluator and the SQL on SQLite, DuckDB and PostgreSQL must give
exactly the same (Spark too, on a few examples: it is slow to start). Populations have 1-5
people per household, birth dates on 29 February, on the day someone turns 65 and at the end of
a month; incomes up to 3,000,000,000; every value of every closed text fact and awkward free
text. Numbers stay within 64 bits by construction: each generated number carries a bound on
its size, and an expression that could overflow is never drawn (comparisons of exact ratios
included: both cross products stay within 64 bits). A rule that does leave 64 bits is refused
by every evaluator alike: `test_every_evaluator_refuses_a_ratio_beyond_64_bits`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date, timedelta
from functools import cache, partial
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gov3.rules import explain, ir, vectorised
from gov3.rules.backends import Backend, ServiceTotal, evaluate, evaluate_rows, load_facts
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS, NO_DATE, Subject, complete
from gov3.rules.ir import Scope, Type, Value
from gov3.rules.sql import Service
from tests.rules.test_sql import (
    AT,
    TODAY,
    age,
    agg,
    call,
    cmp,
    col,
    if_,
    in_,
    lit,
    param,
    postgres_connection,
    postgres_url,
)

# -- values -----------------------------------------------------------------------------------

LIMIT = 2**60  # a bound on any generated number: sums of 5 members stay below 2**63
MAX_MEMBERS = 5
PARAMS: dict[str, Value] = {
    "g.money": 2_280_000,
    "g.int": 65,
    "g.bool": True,
    "g.date": date(2025, 3, 1),
    "g.text": "KOR",
}
DAYS = [
    date(2025, 2, 28),
    date(2025, 3, 1),
    date(2024, 2, 29),
    date(2024, 2, 28),
    date(2024, 3, 1),
    date(2025, 1, 31),
    date(2025, 4, 30),
    date(2025, 12, 31),
    date(2025, 6, 15),
]
SPECIAL_DATES = [
    date(1960, 2, 29),
    date(2000, 2, 29),
    date(2024, 2, 29),
    date(1959, 3, 1),
    date(1990, 1, 31),
    date(1990, 4, 30),
    date(1900, 1, 1),
    NO_DATE,
]
FREE_TEXT = ["KOR", "VNM", "", "it's", "back\\slash", "한국", "11", "26", "1111051500"]
INCOMES = [0, 1, 2_280_000, 2_280_001, 3_000_000_000]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return date(day.year - years, 3, 1)


def dates_near(today: date) -> st.SearchStrategy[date]:
    """Dates with the edges over-represented: turning 65 today, tomorrow, yesterday."""
    turns_65 = _years_before(today, 65)
    edges = [turns_65, turns_65 + timedelta(days=1), turns_65 - timedelta(days=1)]
    return st.one_of(
        st.dates(date(1900, 1, 1), date(2030, 12, 31)),
        st.sampled_from(SPECIAL_DATES + edges),
    )


def text_values(name: str) -> st.SearchStrategy[str]:
    closed = FACTS[name].values
    return st.sampled_from(closed) if closed else st.sampled_from(FREE_TEXT)


@st.composite
def member(draw: st.DrawFn, today: date, head: bool) -> dict[str, Value]:
    near = dates_near(today)
    facts: dict[str, Value] = {
        "birth_date": draw(near),
        "passport_expiry": draw(near),
        "monthly_income": draw(st.one_of(st.sampled_from(INCOMES), st.integers(0, 3_000_000_000))),
        "birth_order": draw(st.integers(1, 5)),
    }
    for name, fact in FACTS.items():  # declared facts (kr's vaccination register) included
        if fact.type is Type.TEXT:
            facts[name] = draw(text_values(name))
        elif fact.type is Type.BOOL:
            facts[name] = draw(st.booleans())
        elif fact.type is Type.DATE and name not in facts:
            facts[name] = draw(near)
    if head:
        facts["relationship_to_head"] = "head"
    return complete(facts)


@st.composite
def populations(draw: st.DrawFn, today: date) -> list[dict[str, Value]]:
    rows: list[dict[str, Value]] = []
    for household in range(1, draw(st.integers(1, 4)) + 1):
        for position in range(draw(st.integers(1, MAX_MEMBERS))):
            facts = draw(member(today, head=position == 0))
            rows.append({"person_id": len(rows) + 1, "household_id": household, **facts})
    return rows


# -- expressions ------------------------------------------------------------------------------

Num = tuple[ir.Node, int]  # a number-valued node and a bound on the size of its value


def pick(options: Sequence[st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of `options`, each as likely (`st.one_of` flattens nested choices, so deep and
    rare constructs such as aggregates would hardly ever be drawn); shrinks to the first."""
    return st.sampled_from(list(options)).flatmap(lambda option: option)


def _scope(inside: bool) -> Scope:
    return Scope.MEMBER if inside else Scope.SUBJECT


def _columns(kind: Type, inside: bool) -> list[ir.Node]:
    return [col(name, _scope(inside)) for name, f in FACTS.items() if f.type is kind]


def _within(bound: int) -> Callable[[Num], bool]:
    return lambda generated: generated[1] <= bound


def _between(name: str, bound: int, pair: tuple[ir.Node, ir.Node]) -> Num:
    return call(name, *pair), bound


def _arith(kind: Type, op: str, pair: tuple[Num, Num]) -> Num:
    (left, a), (right, b) = pair
    bound = {"+": a + b, "-": a + b, "*": a * b, "//": a, "%": b}[op]
    return ir.Arith(kind, AT, op, left, right), bound


_NUMBER_PAIRS: dict[Type, list[tuple[Type, str, Type]]] = {
    Type.INT: [(Type.INT, op, Type.INT) for op in ("+", "-", "*", "//", "%")]
    + [(Type.MONEY, "//", Type.MONEY)],
    Type.MONEY: [
        (Type.MONEY, "+", Type.MONEY),
        (Type.MONEY, "-", Type.MONEY),
        (Type.MONEY, "*", Type.INT),
        (Type.INT, "*", Type.MONEY),
        (Type.MONEY, "//", Type.INT),
        (Type.MONEY, "%", Type.MONEY),
    ],
}


def _number_leaves(kind: Type, inside: bool) -> st.SearchStrategy[Num]:
    literal = st.one_of(
        st.integers(-1_000, 1_000), st.sampled_from([0, 1, -1, 12, 65, 3_000_000_000])
    )
    leaves: list[st.SearchStrategy[Num]] = [
        literal.map(lambda v: (lit(v, kind), abs(v))),
        st.sampled_from(_columns(kind, inside)).map(
            lambda c: (c, 3_000_000_000 if c.type is Type.MONEY else 5)
        ),
        st.just(
            (param("g.money", kind), 2_280_000)
            if kind is Type.MONEY
            else (param("g.int", kind), 65)
        ),
    ]
    if kind is Type.INT:
        leaves.append(st.just((age(_scope(inside)), 10_000)))
    return st.one_of(leaves)


@cache
def numbers(kind: Type, depth: int, inside: bool) -> st.SearchStrategy[Num]:
    """INT or MONEY expressions; `inside` an aggregate they read the member's facts."""
    leaves = _number_leaves(kind, inside)
    if depth == 0:
        return leaves
    options: list[st.SearchStrategy[Num]] = [leaves]
    for left, op, right in _NUMBER_PAIRS[kind]:
        pair = st.tuples(numbers(left, depth - 1, inside), numbers(right, depth - 1, inside))
        options.append(pair.map(partial(_arith, kind, op)).filter(_within(LIMIT)))
    same = numbers(kind, depth - 1, inside)
    options.append(same.map(lambda n: (ir.Neg(kind, AT, n[0]), n[1])))
    options.append(
        st.tuples(booleans(depth - 1, inside), same, same).map(
            lambda t: (if_(t[0], t[1][0], t[2][0]), max(t[1][1], t[2][1]))
        )
    )
    options.append(
        st.tuples(st.sampled_from(["min", "max"]), st.lists(same, min_size=2, max_size=3)).map(
            lambda t: (call(t[0], *(n for n, _ in t[1])), max(b for _, b in t[1]))
        )
    )
    if kind is Type.INT:
        date_pair = st.tuples(dates(depth - 1, inside), dates(depth - 1, inside))
        between = {"years_between": 10_000, "months_between": 120_000, "days_between": 3_700_000}
        for name, bound in between.items():  # one option each: the calendar rules matter
            options.append(date_pair.map(partial(_between, name, bound)))
        parts = {"year": 9_999, "month": 12, "day": 31}
        options.append(
            st.tuples(st.sampled_from(sorted(parts)), dates(depth - 1, inside)).map(
                lambda t: (call(t[0], t[1]), parts[t[0]])
            )
        )
    if not inside:
        members = numbers(kind, depth - 1, True)
        if kind is Type.INT:
            options.append(st.just((agg("count"), MAX_MEMBERS)))
            options.append(booleans(depth - 1, True).map(lambda b: (agg("count", b), MAX_MEMBERS)))
        options.append(members.map(lambda n: (agg("sum", n[0]), MAX_MEMBERS * n[1])))
        options.append(
            st.tuples(st.sampled_from(["min", "max"]), members).map(
                lambda t: (agg(t[0], t[1][0]), t[1][1])
            )
        )
    return pick(options)


# A side of a ratio comparison: the node and bounds on its numerator and denominator.
Side = tuple[ir.Node, int, int]


def _ratio(kind: Type, pair: tuple[Num, Num]) -> Side:
    (numerator, a), (denominator, b) = pair
    return ir.Ratio(kind, AT, numerator, denominator), a, b


@cache
def ratio_sides(kind: Type, depth: int, inside: bool) -> st.SearchStrategy[Side]:
    """``a / b`` of type `kind` (MONEY / INT, INT / INT or MONEY / MONEY), or a whole number
    (``c / 1``): the sides of a comparison of exact ratios."""
    below = max(depth - 1, 0)
    whole = numbers(kind, below, inside).map(lambda n: (n[0], n[1], 1))
    over = [(kind, Type.INT)] + ([(Type.MONEY, Type.MONEY)] if kind is Type.INT else [])
    ratios = [
        st.tuples(numbers(top, below, inside), numbers(bottom, below, inside)).map(
            partial(_ratio, kind)
        )
        for top, bottom in over
    ]
    return pick([whole, *ratios, *ratios])


def _products_fit(t: tuple[str, Side, Side]) -> bool:
    (_, a, b), (_, c, d) = t[1], t[2]
    return max(a * d, c * b) < LIMIT


@cache
def dates(depth: int, inside: bool) -> st.SearchStrategy[ir.Node]:
    leaves = st.one_of(
        st.sampled_from(DAYS + SPECIAL_DATES).map(lit),
        st.sampled_from(_columns(Type.DATE, inside)),
        st.just(TODAY),
        st.just(param("g.date", Type.DATE)),
    )
    if depth == 0:
        return leaves
    same = dates(depth - 1, inside)
    options = [
        leaves,
        st.tuples(booleans(depth - 1, inside), same, same).map(lambda t: if_(*t)),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(same, min_size=2, max_size=3)).map(
            lambda t: call(t[0], *t[1])
        ),
    ]
    if not inside:
        options.append(
            st.tuples(st.sampled_from(["min", "max"]), dates(depth - 1, True)).map(
                lambda t: agg(t[0], t[1])
            )
        )
    return pick(options)


@cache
def texts(depth: int, inside: bool) -> st.SearchStrategy[ir.Node]:
    leaves = st.one_of(
        st.sampled_from([*FREE_TEXT, "M", "F", "head", "child", "severe", "none"]).map(lit),
        st.sampled_from(_columns(Type.TEXT, inside)),
        st.just(param("g.text", Type.TEXT)),
    )
    if depth == 0:
        return leaves
    same = texts(depth - 1, inside)
    return pick([leaves, st.tuples(booleans(depth - 1, inside), same, same).map(lambda t: if_(*t))])


def _options(kind: Type) -> st.SearchStrategy[list[ir.Node]]:
    values: dict[Type, st.SearchStrategy[Any]] = {
        Type.INT: st.integers(-5, 70).map(lambda v: lit(v, Type.INT)),
        Type.MONEY: st.sampled_from(INCOMES).map(lambda v: lit(v, Type.MONEY)),
        Type.DATE: st.sampled_from(DAYS + SPECIAL_DATES).map(lit),
        Type.TEXT: st.sampled_from([*FREE_TEXT, "M", "F", "head", "mild"]).map(lit),
    }
    return st.lists(values[kind], min_size=1, max_size=4)


@cache
def booleans(depth: int, inside: bool) -> st.SearchStrategy[ir.Node]:
    leaves = st.one_of(
        st.booleans().map(lit),
        st.sampled_from(_columns(Type.BOOL, inside)),
        st.just(param("g.bool", Type.BOOL)),
    )
    if depth == 0:
        return leaves
    below = depth - 1
    same = booleans(below, inside)
    ordering = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    equality = st.sampled_from(["==", "!="])
    options = [
        leaves,
        same.map(lambda b: ir.Not(Type.BOOL, AT, b)),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(same, min_size=2, max_size=3)).map(
            lambda t: ir.BoolOp(Type.BOOL, AT, t[0], tuple(t[1]))
        ),
        st.tuples(same, same, same).map(lambda t: if_(*t)),
        st.tuples(equality, same, same).map(lambda t: cmp(*t)),
        st.tuples(equality, texts(below, inside), texts(below, inside)).map(lambda t: cmp(*t)),
        st.tuples(ordering, dates(below, inside), dates(below, inside)).map(lambda t: cmp(*t)),
        st.tuples(texts(below, inside), _options(Type.TEXT), st.booleans()).map(
            lambda t: in_(t[0], *t[1], negated=t[2])
        ),
        st.tuples(dates(below, inside), _options(Type.DATE), st.booleans()).map(
            lambda t: in_(t[0], *t[1], negated=t[2])
        ),
    ]
    for kind in (Type.INT, Type.MONEY):
        side = numbers(kind, below, inside).map(lambda n: n[0])
        options.append(st.tuples(ordering, side, side).map(lambda t: cmp(*t)))
        options.append(
            st.tuples(ordering, ratio_sides(kind, below, inside), ratio_sides(kind, below, inside))
            .filter(_products_fit)
            .map(lambda t: cmp(t[0], t[1][0], t[2][0]))
        )
        options.append(
            st.tuples(side, _options(kind), st.booleans()).map(
                lambda t: in_(t[0], *t[1], negated=t[2])
            )
        )
    if not inside:
        aggregate = st.tuples(st.sampled_from(["any", "all"]), booleans(below, True)).map(
            lambda t: agg(t[0], t[1])
        )
        options += [aggregate, aggregate]
    return pick(options)


def expressions(depth: int = 3) -> st.SearchStrategy[ir.Node]:
    return pick(
        [
            booleans(depth, False),
            numbers(Type.INT, depth, False).map(lambda n: n[0]),
            numbers(Type.MONEY, depth, False).map(lambda n: n[0]),
            dates(depth, False),
            texts(depth, False),
        ]
    )


MAX_NODES = 60  # expressions bigger than any service's rule only slow the run down


def size(node: object) -> int:
    """How many nodes an expression tree has."""
    if isinstance(node, tuple):
        return sum(size(part) for part in node)
    if not isinstance(node, ir.Node):
        return 0
    return 1 + sum(size(getattr(node, field.name)) for field in fields(node))


@st.composite
def cases(draw: st.DrawFn) -> tuple[date, list[dict[str, Value]], ir.Node]:
    today = draw(st.sampled_from(DAYS))
    expression = draw(expressions().filter(lambda node: size(node) <= MAX_NODES))
    return today, draw(populations(today)), expression


# -- the evaluators ---------------------------------------------------------------------------


def reference(node: ir.Node, rows: Sequence[Mapping[str, Value]], today: date) -> dict[int, Value]:
    households: dict[Value, list[Mapping[str, Value]]] = {}
    for row in rows:
        households.setdefault(row["household_id"], []).append(row)
    values: dict[int, Value] = {}
    for row in rows:
        person = row["person_id"]
        assert isinstance(person, int)
        subject = Subject(row, households[row["household_id"]])
        values[person] = explain.evaluate(node, subject, PARAMS, today)
    return values


def in_sql(
    backend: Backend,
    connection: Any,
    node: ir.Node,
    rows: Sequence[Mapping[str, Value]],
    today: date,
) -> dict[int, Value]:
    load_facts(backend, connection, rows)
    return evaluate_rows(node, backend, connection, params=PARAMS, today=today)


def vectorised_values(
    node: ir.Node, rows: Sequence[Mapping[str, Value]], today: date
) -> dict[int, Value]:
    population = vectorised.Population.from_rows(rows)
    return vectorised.values_by_person(node, population, PARAMS, today)


@pytest.fixture(scope="module")
def connections() -> Iterator[dict[Backend, Any]]:
    opened: dict[Backend, Any] = {
        "sqlite": sqlite3.connect(":memory:"),
        "duckdb": duckdb.connect(":memory:"),
    }
    # PostgreSQL only when the run has one (the PostgreSQL pass of `make test` always does);
    # the other evaluators are compared whatever the database of the run.
    if postgres_url() is not None or os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
        opened["postgres"] = postgres_connection()
    yield opened
    for connection in opened.values():
        connection.close()


def _typed(values: Mapping[int, Value]) -> dict[int, tuple[type, Value]]:
    """Values with their Python type, so that ``True`` and ``1`` do not pass for each other."""
    return {person: (type(value), value) for person, value in values.items()}


@pytest.mark.postgres
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=cases())
def test_every_evaluator_gives_every_person_the_same_value(
    connections: dict[Backend, Any], case: tuple[date, list[dict[str, Value]], ir.Node]
) -> None:
    today, rows, node = case
    expected = _typed(reference(node, rows, today))
    assert _typed(vectorised_values(node, rows, today)) == expected, "vectorised"
    for backend, connection in connections.items():
        assert _typed(in_sql(backend, connection, node, rows, today)) == expected, backend


def _small(node: ir.Node) -> bool:
    return size(node) <= MAX_NODES


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[date, list[dict[str, Value]], list[Service]]:
    """A few services (person or household, with an amount or not) sharing one population:
    their household aggregates may repeat from one service to another."""
    today = draw(st.sampled_from(DAYS))
    services = []
    for number in range(draw(st.integers(1, 3))):
        eligible = draw(booleans(3, False).filter(_small))
        amount = draw(st.none() | numbers(Type.MONEY, 2, False).map(lambda n: n[0]).filter(_small))
        subject = draw(st.sampled_from(["person", "household"]))
        services.append(Service(f"s{number}", eligible, amount, subject))
        if draw(st.booleans()):  # the same rule again, as a person service
            services.append(Service(f"s{number}-again", eligible, amount))
    return today, draw(populations(today)), services


def reference_totals(
    services: Sequence[Service], rows: Sequence[Mapping[str, Value]], today: date
) -> tuple[dict[str, ServiceTotal], int]:
    """The catalogue's counts and totals by the reference evaluator, and the largest sum of
    the absolute amounts counted (SQLite's SUM raises beyond 64 bits, where the others are
    exact)."""
    households: dict[Value, list[Mapping[str, Value]]] = {}
    for row in rows:
        households.setdefault(row["household_id"], []).append(row)
    totals, largest = {}, 0
    for service in services:
        count = total = absolute = 0
        for row in rows:
            if service.subject == "household" and row["relationship_to_head"] != "head":
                continue
            subject = Subject(row, households[row["household_id"]])
            if not explain.evaluate(service.eligible, subject, PARAMS, today):
                continue
            count += 1
            if service.amount is not None:
                amount = explain.evaluate(service.amount, subject, PARAMS, today)
                assert isinstance(amount, int)
                total, absolute = total + amount, absolute + abs(amount)
        totals[service.id] = ServiceTotal(count, total)
        largest = max(largest, absolute)
    return totals, largest


@pytest.mark.postgres
@settings(
    max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(case=catalogues())
def test_every_backend_counts_the_catalogue_alike(
    connections: dict[Backend, Any], case: tuple[date, list[dict[str, Value]], list[Service]]
) -> None:
    """`backends.evaluate` (one query for the whole catalogue: windows in SQLite and
    PostgreSQL, one GROUP BY of the distinct household aggregates joined back in DuckDB)
    gives the reference's counts and exact totals."""
    today, rows, services = case
    expected, largest = reference_totals(services, rows, today)
    for backend, connection in connections.items():
        if backend == "sqlite" and largest > ir.INT64_MAX:
            continue
        load_facts(backend, connection, rows)
        got = evaluate(services, backend, connection, params=PARAMS, today=today)
        assert got == expected, backend


def test_every_evaluator_refuses_a_ratio_beyond_64_bits(
    connections: dict[Backend, Any],
) -> None:
    """3,000,000,000 / 4,000,000,000 compared with 3,000,000,000 needs the cross product
    12,000,000,000,000,000,000, beyond 64 bits: every evaluator refuses the rule; none
    answers wrongly."""
    today = DAYS[0]
    rows = [
        {"person_id": 1, "household_id": 1, **complete({"monthly_income": 3_000_000_000})},
        {"person_id": 2, "household_id": 1, **complete({"monthly_income": 1})},
    ]
    ratio = ir.Ratio(Type.MONEY, AT, col("monthly_income"), lit(4_000_000_000, Type.INT))
    node = cmp("<=", ratio, lit(3_000_000_000, Type.MONEY))
    with pytest.raises(EvaluationError, match="64 bits"):
        reference(node, rows, today)
    with pytest.raises(EvaluationError, match="64 bits"):
        vectorised_values(node, rows, today)
    for backend, connection in connections.items():
        with pytest.raises(EvaluationError, match="64 bits"):
            in_sql(backend, connection, node, rows, today)
    # Within 64 bits the same comparison is exact: 3,000,000,000 / 4 = 750,000,000.
    fits = cmp("<=", ir.Ratio(Type.MONEY, AT, col("monthly_income"), lit(4, Type.INT)),
               lit(750_000_000, Type.MONEY))  # fmt: skip
    assert reference(fits, rows, today) == {1: True, 2: True}
    assert vectorised_values(fits, rows, today) == {1: True, 2: True}
    for backend, connection in connections.items():
        assert in_sql(backend, connection, fits, rows, today) == {1: True, 2: True}, backend


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_spark_gives_every_person_the_same_value(
    spark: Any,
    case: tuple[date, list[dict[str, Value]], ir.Node],
) -> None:
    today, rows, node = case
    assert _typed(in_sql("spark", spark, node, rows, today)) == _typed(reference(node, rows, today))
