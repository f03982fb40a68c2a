"""Compile checked rule trees (`gov3.rules.ir`) to SQL for SQLite, PostgreSQL, DuckDB and Spark.

The SQL reads a relation called ``facts`` with one row per resident: the key columns
(`facts.KEY_COLUMNS`) and every fact column (`facts.FACTS`, declared facts included), no nulls.
Household aggregates are window functions over ``PARTITION BY household_id``, so an expression
is evaluated for every row in one pass and a household service is then counted over heads only.
In DuckDB the catalogue query (`catalogue_query`) computes them instead in one ``GROUP BY
household_id`` of the distinct aggregates, joined back to the rows (``households``): DuckDB
would turn each window into such a group and join itself, but with every aggregate of every
rule, repeated ones included (issue 17: about 8 % less CPU on the kr catalogue).

Every construct follows the semantics stated in `gov3.rules.ir`, whatever the dialect does by
default; what each dialect needs is stated where it is handled:

* integers are 64-bit everywhere: PostgreSQL, DuckDB and Spark type a small literal as a
  32-bit ``INT`` (``100000 * 100000`` overflows), so every integer literal is cast to
  ``BIGINT``; ``SUM`` (``NUMERIC`` in PostgreSQL, ``HUGEINT`` in DuckDB) is cast back to
  ``BIGINT`` inside an expression so that ``//`` stays an integer division;
* ``//`` floors and ``%`` takes the divisor's sign: built from the dialect's truncating
  division (``/`` on integers in SQLite and PostgreSQL, ``//`` in DuckDB, ``DIV`` in Spark) and
  its truncating remainder, corrected by one when the signs differ; a zero divisor is turned
  into NULL first (PostgreSQL and DuckDB raise on division by zero, even in a CASE branch not
  taken when it is constant) and the NULL into ``0``;
* a comparison with an exact ratio ``a / b`` is cross-multiplied (divisors made positive, a
  zero divisor read as ``0 / 1``); PostgreSQL, DuckDB and Spark raise when a product leaves
  64 bits, SQLite would silently turn it into a float, so there each product is checked with
  ``typeof`` and a product that is not an integer raises SQLite's own "integer overflow"
  (``abs`` of the smallest 64-bit integer);
* booleans are ``0``/``1`` integers in SQLite, ``BOOLEAN`` elsewhere;
* dates are ``'YYYY-MM-DD'`` text in SQLite (what Django stores), so year, month and day are
  substrings and a difference in days goes through ``julianday`` (exact for whole days);
  PostgreSQL, DuckDB and Spark have a ``DATE`` type;
* ``years_between``/``months_between`` of a date and a fixed date (``today``), compared with a
  fixed number (``age >= 65``, ``age in (65, 75)``), is a comparison of the date with a fixed
  date worked out here (`_reaching`): one comparison per row instead of a calendar conversion
  (in DuckDB 0.2 to 0.4 CPU s for each such rule over 10 M rows), and ordered text in SQLite;
* every operand is parenthesised: SQLGlot does not add brackets for precedence, and
  ``a - -5`` would start an SQL comment.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, Protocol, get_args

from sqlglot import exp

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS as ALL_FACTS
from gov3.rules.facts import KEY_COLUMNS
from gov3.rules.ir import Scope, Type, Value

Dialect = Literal["sqlite", "postgres", "duckdb", "spark"]
DIALECTS: tuple[Dialect, ...] = get_args(Dialect)

#: The relation every compiled expression reads.
FACTS = "facts"
HOUSEHOLD_KEY = "household_id"
HEAD = "head"
HOUSEHOLDS = "households"

_COMPARE: dict[str, type[exp.Binary]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}
_ARITH: dict[str, type[exp.Binary]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
_RELATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ServiceRules(Protocol):
    """What the SQL needs of a service: its id, its checked expressions and its subject."""

    @property
    def id(self) -> str: ...

    @property
    def eligible(self) -> ir.Node: ...

    @property
    def amount(self) -> ir.Node | None: ...

    @property
    def subject(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Service:
    """A plain `ServiceRules` (tests and callers that hold bare trees)."""

    id: str
    eligible: ir.Node
    amount: ir.Node | None = None
    subject: str = "person"


def _paren(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Paren | exp.Column | exp.Literal | exp.Boolean | exp.Cast):
        return node
    return exp.Paren(this=node)


def _binary(kind: type[exp.Binary], left: exp.Expr, right: exp.Expr) -> exp.Expr:
    return kind(this=_paren(left), expression=_paren(right))


def _func(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _bigint(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("BIGINT"))


def _case(test: exp.Expr, then: exp.Expr, orelse: exp.Expr) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=test, true=then)], default=orelse)


def _number(value: int) -> exp.Expr:
    literal = exp.Literal.number(abs(value))
    return exp.Paren(this=exp.Neg(this=literal)) if value < 0 else literal


#: A date argument: its SQL, and its value when it is the same for every row.
_DateArg = tuple[exp.Expr, date | None]
#: `_Compiler.monthly_call`: the function, the varying date's SQL, the fixed date, whether the
#: fixed date is the end.
_Monthly = tuple[str, exp.Expr, date, bool]


def _as_date(value: Value | None) -> date | None:
    return value if isinstance(value, date) else None


def _as_int(value: Value | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_MONTHLY = ("years_between", "months_between")


def _reaching(func: str, fixed: date, fixed_is_end: bool, count: int) -> date | bool:
    """Where `func` (``years_between`` or ``months_between``) between a varying date and
    `fixed` reaches `count`, by the semantics `ir` states.

    With `fixed` as the end, the function falls as the start rises: it is ``>= count`` for
    every start up to the date returned. With `fixed` as the start, it rises with the end: it
    is ``>= count`` for every end from the date returned. True or False: for every date or for
    none. A day the month lacks is its last day for a start (born 29 February 2008, 18 on 1
    March 2026 and not on 28 February) and the next month's first day for an end.
    """
    months = 12 * count if func == "years_between" else count
    shift = -months if fixed_is_end else months
    year, month = divmod(12 * fixed.year + fixed.month - 1 + shift, 12)
    month += 1
    if not date.min.year <= year <= date.max.year:
        return (year > date.max.year) == fixed_is_end
    length = monthrange(year, month)[1]
    if fixed_is_end:
        return date(year, month, min(fixed.day, length))
    if fixed.day <= length:
        return date(year, month, fixed.day)
    return date(year + month // 12, month % 12 + 1, 1)  # December is never short


class _Compiler:
    """One dialect's translation of the tree, with the parameters and date of the evaluation."""

    def __init__(
        self,
        dialect: Dialect,
        params: Mapping[str, Value],
        today: date,
        *,
        grouped: bool = False,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown SQL dialect {dialect!r}; choose one of {DIALECTS}")
        self.dialect = dialect
        self.params = params
        self.today = today
        #: When grouped: each distinct household aggregate (by its SQL) and the column of the
        #: ``households`` relation that holds it; the aggregates are then plain aggregates of
        #: a ``GROUP BY household_id`` (see `catalogue_query`), not windows.
        self.households: dict[str, str] | None = {} if grouped else None

    # literals -----------------------------------------------------------------------------

    def literal(self, value: Value, kind: Type) -> exp.Expr:  # noqa: PLR0911 - one per type
        if kind is Type.BOOL:
            if not isinstance(value, bool):
                raise EvaluationError(f"expected a yes/no value, found {value!r}")
            if self.dialect == "sqlite":
                return exp.Literal.number(int(value))
            return exp.Boolean(this=value)
        if kind in (Type.INT, Type.MONEY):
            if isinstance(value, bool) or not isinstance(value, int):
                raise EvaluationError(f"expected a whole number, found {value!r}")
            if self.dialect == "sqlite":
                return _number(value)
            return _bigint(_number(value))
        if kind is Type.DATE:
            if not isinstance(value, date):
                raise EvaluationError(f"expected a date, found {value!r}")
            text = exp.Literal.string(value.isoformat())
            if self.dialect == "sqlite":
                return text
            return exp.Cast(this=text, to=exp.DataType.build("DATE"))
        if not isinstance(value, str):
            raise EvaluationError(f"expected text, found {value!r}")
        return exp.Literal.string(value)

    # dates --------------------------------------------------------------------------------

    def constant(self, node: ir.Node) -> Value | None:
        """The value of `node` if it is the same for every row (a literal, a parameter, today)."""
        match node:
            case ir.Literal(value=value):
                return value
            case ir.Today():
                return self.today
            case ir.Param(path=path):
                return self.params.get(path)
            case ir.Derived(expr=expr):
                return self.constant(expr)
        return None

    def date_part(self, part: str, value: _DateArg) -> exp.Expr:
        sql, known = value
        if known is not None:  # computed once here rather than for every row
            return self.int_literal(getattr(known, part))
        if self.dialect == "sqlite":
            start, length = {"year": (1, 4), "month": (6, 2), "day": (9, 2)}[part]
            text = _func("substr", sql, exp.Literal.number(start), exp.Literal.number(length))
            return exp.Cast(this=text, to=exp.DataType.build("INTEGER"))
        if self.dialect == "postgres":
            # date_part() is double precision (EXTRACT numeric): either is exact for a year.
            return _bigint(_func("date_part", exp.Literal.string(part), sql))
        if self.dialect == "spark" and part == "day":
            return _bigint(_func("dayofmonth", sql))
        return _bigint(_func(part, sql))

    def days_between(self, start: _DateArg, end: _DateArg) -> exp.Expr:
        if start[1] is not None and end[1] is not None:
            return self.int_literal((end[1] - start[1]).days)
        if self.dialect == "sqlite":
            # julianday of a midnight is n + 0.5, exact in a double: the difference is exact.
            diff = _binary(exp.Sub, _func("julianday", end[0]), _func("julianday", start[0]))
            return exp.Cast(this=diff, to=exp.DataType.build("INTEGER"))
        if self.dialect == "spark":
            return _bigint(_func("datediff", end[0], start[0]))
        return _bigint(_binary(exp.Sub, end[0], start[0]))

    def years_between(self, start: _DateArg, end: _DateArg) -> exp.Expr:
        years = _binary(exp.Sub, self.date_part("year", end), self.date_part("year", start))
        before = _binary(exp.LT, self.month_day(end), self.month_day(start))
        return _binary(exp.Sub, years, self.indicator(before))

    def months_between(self, start: _DateArg, end: _DateArg) -> exp.Expr:
        years = _binary(exp.Sub, self.date_part("year", end), self.date_part("year", start))
        months = _binary(exp.Sub, self.date_part("month", end), self.date_part("month", start))
        whole = _binary(exp.Add, _binary(exp.Mul, self.int_literal(12), years), months)
        before = _binary(exp.LT, self.date_part("day", end), self.date_part("day", start))
        return _binary(exp.Sub, whole, self.indicator(before))

    def monthly_call(self, node: ir.Node, in_aggregate: bool) -> _Monthly | None:
        """`node` if it is ``years_between`` or ``months_between`` of one varying date and one
        fixed date (``age``): the function, the varying date, the fixed one, and whether the
        fixed one is the end."""
        while isinstance(node, ir.Derived):
            node = node.expr
        if not (isinstance(node, ir.Call) and node.func in _MONTHLY):
            return None
        start, end = (_as_date(self.constant(arg)) for arg in node.args)
        if (start is None) == (end is None):
            return None
        if end is not None:
            return node.func, self.visit(node.args[0], in_aggregate), end, True
        assert start is not None  # for mypy: exactly one is fixed
        return node.func, self.visit(node.args[1], in_aggregate), start, False

    def at_least(self, call: _Monthly, count: int, holds: bool = True) -> exp.Expr:
        """`call` ``>= count`` (``< count`` when not `holds`) as a comparison of its varying
        date with the date where it reaches `count`."""
        func, varying, fixed, fixed_is_end = call
        day = _reaching(func, fixed, fixed_is_end, count)
        if isinstance(day, bool):
            return self.literal(day == holds, Type.BOOL)
        reached, short = (exp.LTE, exp.GT) if fixed_is_end else (exp.GTE, exp.LT)
        return _binary(reached if holds else short, varying.copy(), self.literal(day, Type.DATE))

    def equals(self, call: _Monthly, count: int, holds: bool = True) -> exp.Expr:
        """`call` ``== count`` (``!= count`` when not `holds`)."""
        if holds:
            return exp.and_(
                _paren(self.at_least(call, count)), _paren(self.at_least(call, count + 1, False))
            )
        return exp.or_(
            _paren(self.at_least(call, count, False)), _paren(self.at_least(call, count + 1))
        )

    def calendar_compare(
        self, op: str, left: ir.Node, right: ir.Node, in_aggregate: bool
    ) -> exp.Expr | None:
        """``age >= 65`` and the like (`monthly_call` against a fixed whole number) as one
        comparison of dates, or None when the comparison is not of that form."""
        count = _as_int(self.constant(right))
        call = None if count is None else self.monthly_call(left, in_aggregate)
        if call is None:
            count = _as_int(self.constant(left))
            call = None if count is None else self.monthly_call(right, in_aggregate)
            op = _FLIPPED[op]
        if call is None or count is None:
            return None
        if op in ("==", "!="):
            return self.equals(call, count, op == "==")
        if op in (">", "<="):  # whole numbers: > n is >= n + 1
            count += 1
        return self.at_least(call, count, op in (">", ">="))

    def calendar_in(
        self, item: ir.Node, options: Sequence[ir.Node], negated: bool, in_aggregate: bool
    ) -> exp.Expr | None:
        """``age in (65, 75)`` as ranges of dates (`calendar_compare`), or None."""
        counts = [_as_int(self.constant(option)) for option in options]
        call = None if None in counts else self.monthly_call(item, in_aggregate)
        if call is None:
            return None
        parts = [
            _paren(self.equals(call, count, not negated)) for count in counts if count is not None
        ]
        return exp.and_(*parts) if negated else exp.or_(*parts)

    def month_day(self, value: _DateArg) -> exp.Expr:
        """A value ordered as (month, day) is: 'MM-DD' text in SQLite, 100 * month + day else."""
        sql, known = value
        if self.dialect == "sqlite":
            if known is not None:
                return exp.Literal.string(known.isoformat()[5:])
            return _func("substr", sql, exp.Literal.number(6), exp.Literal.number(5))
        if known is not None:
            return self.int_literal(100 * known.month + known.day)
        month = _binary(exp.Mul, self.date_part("month", value), self.int_literal(100))
        return _binary(exp.Add, month, self.date_part("day", value))

    def int_literal(self, value: int) -> exp.Expr:
        return self.literal(value, Type.INT)

    def indicator(self, condition: exp.Expr) -> exp.Expr:
        """1 where `condition` holds, else 0."""
        return _case(condition, exp.Literal.number(1), exp.Literal.number(0))

    # integer division ---------------------------------------------------------------------

    def truncated_div(self, left: exp.Expr, right: exp.Expr) -> exp.Expr:
        if self.dialect in ("duckdb", "spark"):  # DuckDB `//`, Spark `DIV`: truncating
            return _binary(exp.IntDiv, left, right)
        # Integer operands truncate toward zero; `typed` stops SQLGlot casting to REAL.
        return exp.Div(this=_paren(left), expression=_paren(right), typed=True)

    def signs_differ(self, remainder: exp.Expr, divisor: exp.Expr) -> exp.Expr:
        zero = exp.Literal.number(0)
        return exp.and_(
            _binary(exp.NEQ, remainder, zero),
            _binary(exp.NEQ, _binary(exp.LT, remainder, zero), _binary(exp.LT, divisor, zero)),
        )

    def floor_div(self, left: exp.Expr, right: exp.Expr) -> exp.Expr:
        divisor = exp.Nullif(this=_paren(right), expression=exp.Literal.number(0))
        quotient = self.truncated_div(left, divisor)
        remainder = _binary(exp.Mod, left, divisor)
        correction = self.indicator(self.signs_differ(remainder, divisor))
        return exp.Coalesce(
            this=_binary(exp.Sub, quotient, correction), expressions=[exp.Literal.number(0)]
        )

    def modulo(self, left: exp.Expr, right: exp.Expr) -> exp.Expr:
        divisor = exp.Nullif(this=_paren(right), expression=exp.Literal.number(0))
        remainder = _binary(exp.Mod, left, divisor)
        fixed = _case(
            self.signs_differ(remainder, divisor),
            _binary(exp.Add, remainder, divisor),
            remainder,
        )
        return exp.Coalesce(this=fixed, expressions=[exp.Literal.number(0)])

    # exact ratios -------------------------------------------------------------------------

    def ratio_terms(self, node: ir.Node, in_aggregate: bool) -> tuple[exp.Expr, exp.Expr | None]:
        """A side of a comparison as (numerator, positive denominator or None for 1)."""
        parts = ir.ratio_parts(node)
        if parts is None:
            return self.visit(node, in_aggregate), None
        a, b = (self.visit(part, in_aggregate) for part in parts)
        zero = self.int_literal(0)
        numerator = exp.Case(
            ifs=[
                exp.If(this=_binary(exp.GT, b, zero), true=_paren(a)),
                exp.If(this=_binary(exp.LT, b, zero), true=exp.Neg(this=_paren(a))),
            ],
            default=self.int_literal(0),
        )
        denominator = _case(_binary(exp.EQ, b, zero), self.int_literal(1), _func("ABS", b))
        return numerator, denominator

    def checked_product(self, left: exp.Expr, right: exp.Expr) -> exp.Expr:
        product = _binary(exp.Mul, left, right)
        if self.dialect != "sqlite":
            return product  # PostgreSQL, DuckDB and Spark raise on overflow themselves
        is_integer = _binary(exp.EQ, _func("typeof", product), exp.Literal.string("integer"))
        lowest = _binary(
            exp.Sub, exp.Neg(this=exp.Literal.number(ir.INT64_MAX)), exp.Literal.number(1)
        )
        smallest = _binary(exp.Add, lowest, self.indicator(is_integer))
        return _case(is_integer, product, _func("abs", smallest))

    def ratio_compare(self, op: str, left: ir.Node, right: ir.Node, in_aggregate: bool) -> exp.Expr:
        a, b = self.ratio_terms(left, in_aggregate)
        c, d = self.ratio_terms(right, in_aggregate)
        first = a if d is None else self.checked_product(a, d)
        second = c if b is None else self.checked_product(c, b)
        return _binary(_COMPARE[op], first, second)

    # the tree -----------------------------------------------------------------------------

    def visit(self, node: ir.Node, in_aggregate: bool = False) -> exp.Expr:  # noqa: PLR0911, PLR0912
        match node:
            case ir.Literal(value=value):
                return self.literal(value, node.type)
            case ir.Column(column=column, scope=scope):
                if column not in ALL_FACTS:
                    raise ValueError(f"`{column}` is not a fact column")
                if in_aggregate and scope is Scope.SUBJECT:
                    raise ValueError(f"the subject's `{column}` cannot be read inside an aggregate")
                return exp.column(column, quoted=True)
            case ir.Derived(expr=expr):
                return self.visit(expr, in_aggregate)
            case ir.Param(path=path):
                if path not in self.params:
                    raise EvaluationError(f"parameter `params.{path}` has no value for this date")
                return self.literal(self.params[path], node.type)
            case ir.Today():
                return self.literal(self.today, Type.DATE)
            case ir.Not(operand=operand):
                return exp.Not(this=_paren(self.visit(operand, in_aggregate)))
            case ir.Neg(operand=operand):
                return exp.Paren(this=exp.Neg(this=_paren(self.visit(operand, in_aggregate))))
            case ir.Arith(op=op, left=left, right=right):
                a, b = self.visit(left, in_aggregate), self.visit(right, in_aggregate)
                if op == "//":
                    return self.floor_div(a, b)
                if op == "%":
                    return self.modulo(a, b)
                return _binary(_ARITH[op], a, b)
            case ir.Compare(op=op, left=left, right=right):
                if left.type is Type.TEXT and op not in ("==", "!="):
                    raise ValueError(f"text cannot be compared with {op}")
                if ir.ratio_parts(left) is not None or ir.ratio_parts(right) is not None:
                    return self.ratio_compare(op, left, right, in_aggregate)
                compared = self.calendar_compare(op, left, right, in_aggregate)
                if compared is not None:
                    return compared
                a, b = self.visit(left, in_aggregate), self.visit(right, in_aggregate)
                return _binary(_COMPARE[op], a, b)
            case ir.BoolOp(op=op, operands=operands):
                parts = [_paren(self.visit(o, in_aggregate)) for o in operands]
                return exp.and_(*parts) if op == "and" else exp.or_(*parts)
            case ir.If(test=test, then=then, orelse=orelse):
                return _case(
                    self.visit(test, in_aggregate),
                    self.visit(then, in_aggregate),
                    self.visit(orelse, in_aggregate),
                )
            case ir.In(item=item, options=options, negated=negated):
                if not options:
                    raise ValueError("`in` needs at least one value")
                ranges = self.calendar_in(item, options, negated, in_aggregate)
                if ranges is not None:
                    return ranges
                member = exp.In(
                    this=_paren(self.visit(item, in_aggregate)),
                    expressions=[self.visit(o, in_aggregate) for o in options],
                )
                return exp.Not(this=exp.Paren(this=member)) if negated else member
            case ir.Call(func=func, args=args):
                compiled = [self.visit(a, in_aggregate) for a in args]
                if func in ("min", "max"):
                    return self.extreme(func, compiled)
                dates = [
                    (sql, _as_date(self.constant(a))) for sql, a in zip(compiled, args, strict=True)
                ]
                return self.date_function(func, dates)
            case ir.Aggregate():
                if in_aggregate:
                    raise ValueError("an aggregate cannot be nested in another aggregate")
                if self.households is not None:
                    return self.household_column(node)
                return self.aggregate(node)
        raise ValueError(f"no SQL for {type(node).__name__}")

    def extreme(self, func: str, args: list[exp.Expr]) -> exp.Expr:
        if self.dialect == "sqlite":  # SQLite's scalar MIN/MAX take two or more values
            return _func(func.upper(), *args)
        return _func("LEAST" if func == "min" else "GREATEST", *args)

    def date_function(self, func: str, args: list[_DateArg]) -> exp.Expr:
        if func in ("year", "month", "day"):
            return self.date_part(func, args[0])
        dates: dict[str, Callable[[_DateArg, _DateArg], exp.Expr]] = {
            "years_between": self.years_between,
            "months_between": self.months_between,
            "days_between": self.days_between,
        }
        if func not in dates:
            raise ValueError(f"no SQL for the function `{func}`")
        return dates[func](args[0], args[1])

    def household_column(self, node: ir.Aggregate) -> exp.Expr:
        """The column of ``households`` holding `node`: one per distinct aggregate, however
        many rules use it."""
        households = self.households
        assert households is not None  # only when grouped
        aggregate = self.aggregate(node).sql(dialect=self.dialect)
        if aggregate not in households:
            name = f"household_aggregate_{len(households)}"
            while name in ALL_FACTS:  # never hide a fact column of the same name
                name = f"_{name}"
            households[aggregate] = name
        return exp.column(households[aggregate], table=HOUSEHOLDS, quoted=True)

    def window(self, aggregate: exp.Expr) -> exp.Expr:
        if self.households is not None:
            return aggregate
        return exp.Window(this=aggregate, partition_by=[exp.column(HOUSEHOLD_KEY, quoted=True)])

    def aggregate(self, node: ir.Aggregate) -> exp.Expr:
        if node.collection not in ir.COLLECTIONS:
            raise ValueError(f"unknown collection `{node.collection}`")
        if node.expr is None:
            if node.func != "count":
                raise ValueError(f"`{node.func}` needs an expression")
            return _bigint(self.window(exp.Count(this=exp.Star())))
        inner = self.visit(node.expr, in_aggregate=True)
        func = node.func
        if node.expr.type is Type.BOOL and func in ("min", "max"):
            func = "all" if func == "min" else "any"
        if func == "count":
            return _bigint(
                self.window(exp.Count(this=_case(inner, exp.Literal.number(1), exp.null())))
            )
        if func in ("any", "all"):
            flags = self.indicator(inner)
            extreme = exp.Max(this=flags) if func == "any" else exp.Min(this=flags)
            return _binary(exp.EQ, self.window(extreme), exp.Literal.number(1))
        if func == "sum":
            return _bigint(self.window(exp.Sum(this=inner)))
        if func in ("min", "max"):
            if node.expr.type is Type.TEXT:
                raise ValueError(f"`{func}` of text is not part of the language")
            return self.window(exp.Min(this=inner) if func == "min" else exp.Max(this=inner))
        raise ValueError(f"unknown aggregate `{func}`")


def compile_expression(
    node: ir.Node, dialect: Dialect, params: Mapping[str, Value], today: date
) -> exp.Expr:
    """`node` as an SQL expression over the row of ``facts`` being evaluated."""
    return _Compiler(dialect, params, today).visit(node)


def expression_sql(
    node: ir.Node, dialect: Dialect, params: Mapping[str, Value], today: date
) -> str:
    """`compile_expression` rendered as text in `dialect`."""
    return compile_expression(node, dialect, params, today).sql(dialect=dialect)


def _from(relation: str) -> str:
    """``FROM`` clause for `relation`: a table name, a table function, ``(SELECT …)`` or, in
    Spark, ``parquet.`path```."""
    relation = relation.strip()
    if not (_RELATION.fullmatch(relation) or relation.endswith((")", "`"))):
        raise ValueError(f"not a table name, table function or (subquery): {relation[:60]!r}")
    return f"FROM {relation} AS {FACTS}"


def rows_query(
    node: ir.Node,
    dialect: Dialect,
    params: Mapping[str, Value],
    today: date,
    relation: str = FACTS,
) -> str:
    """SQL giving ``(person_id, value)`` for every row of `relation`, ordered by person."""
    value = expression_sql(node, dialect, params, today)
    person = exp.column(KEY_COLUMNS[0], quoted=True).sql(dialect=dialect)
    return f"SELECT {person}, {value} AS value {_from(relation)} ORDER BY {person}"


def catalogue_query(
    services: Sequence[ServiceRules],
    dialect: Dialect,
    params: Mapping[str, Value],
    today: date,
    relation: str = FACTS,
) -> str:
    """One query giving, for each service in order, the number of people (or households, for
    a household service: counted over heads) eligible and the exact sum of their amounts.

    The result has one row: ``count_0, total_0, count_1, total_1, …``.
    """
    if not services:
        raise ValueError("no services to evaluate")

    def sql(node: exp.Expr) -> str:
        return node.sql(dialect=dialect)

    compiler = _Compiler(dialect, params, today, grouped=dialect == "duckdb")
    relationship = exp.column("relationship_to_head", quoted=True)
    inner = [sql(relationship) + " AS " + sql(relationship)]
    outer = []
    for number, service in enumerate(services):
        eligible = exp.to_identifier(f"eligible_{number}", quoted=True)
        amount = exp.to_identifier(f"amount_{number}", quoted=True)
        inner.append(f"{sql(compiler.visit(service.eligible))} AS {sql(eligible)}")
        if service.amount is not None:
            inner.append(f"{sql(compiler.visit(service.amount))} AS {sql(amount)}")
        counted: exp.Expr = exp.column(eligible)
        if str(service.subject) == "household":
            head = exp.EQ(this=exp.column(relationship), expression=exp.Literal.string(HEAD))
            counted = exp.and_(_paren(counted), head)
        count = exp.Count(this=_case(counted, exp.Literal.number(1), exp.null()))
        outer.append(f"{sql(_bigint(count))} AS count_{number}")
        if service.amount is None:
            total: exp.Expr = exp.Literal.number(0)
        else:
            summed = exp.Sum(this=_case(counted, exp.column(amount), exp.Literal.number(0)))
            total = exp.Coalesce(this=summed, expressions=[exp.Literal.number(0)])
        outer.append(f"{sql(total)} AS total_{number}")
    selected, evaluated = ", ".join(outer), ", ".join(inner)
    source = _from(relation)
    if compiler.households:
        key = exp.column(HOUSEHOLD_KEY, quoted=True).sql(dialect=dialect)
        columns = ", ".join(
            f"{aggregate} AS {exp.to_identifier(name, quoted=True).sql(dialect=dialect)}"
            for aggregate, name in compiler.households.items()
        )
        households = f"(SELECT {key}, {columns} {source} GROUP BY {key}) AS {HOUSEHOLDS}"
        source += f" JOIN {households} USING ({key})"
    # Every piece is rendered by SQLGlot from the checked tree; `relation` is checked by _from.
    return f"SELECT {selected} FROM (SELECT {evaluated} {source}) AS evaluated"  # noqa: S608


def typed_relation(source: str, dialect: Dialect) -> str:
    """`source` (a table, table function or subquery) as a ``facts`` relation in the types the
    compiled SQL expects: every integer column as a 64-bit ``BIGINT`` (a snapshot stores birth
    order in 16 bits, whose arithmetic would overflow)."""
    _from(source)
    integers = {name for name, fact in ALL_FACTS.items() if fact.type in (Type.INT, Type.MONEY)}
    columns = []
    for name in (*KEY_COLUMNS, *ALL_FACTS):
        column = exp.column(name, quoted=True)
        value = _bigint(column) if name in integers or name in KEY_COLUMNS else column
        columns.append(exp.alias_(value, name, quoted=True).sql(dialect=dialect))
    return f"(SELECT {', '.join(columns)} FROM {source} AS source)"  # noqa: S608 - fixed names


def parquet_relation(paths: str | Path | Sequence[str | Path], dialect: Dialect = "duckdb") -> str:
    """The relation reading a Parquet snapshot in place: in DuckDB one file or several, in
    Spark one file or a directory of files."""
    names = [paths] if isinstance(paths, str | Path) else list(paths)
    if not names:
        raise ValueError("no Parquet files to read")
    if dialect == "duckdb":
        quoted = ", ".join(exp.Literal.string(str(n)).sql(dialect=dialect) for n in names)
        return typed_relation(f"read_parquet([{quoted}])", dialect)
    if dialect == "spark" and len(names) == 1:
        location = exp.to_identifier(str(names[0]), quoted=True).sql(dialect=dialect)
        return typed_relation(f"parquet.{location}", dialect)
    raise ValueError(
        f"{dialect} cannot read Parquet files here: use duckdb, or spark with one path"
    )
