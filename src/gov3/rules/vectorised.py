"""Rules over the whole population at once: NumPy over the registry snapshot.

`evaluate` gives one value per resident of a `Population` (whole households, rows grouped by
household); `evaluate_service` gives a service's eligibility and amount per subject;
`evaluate_catalogue` runs every service of a pack over a snapshot file of any size, a row group
(whole households) at a time on a pool of threads, and returns counts and exact totals.

The semantics are `ir`'s, exactly. How they map onto arrays:

* INT and MONEY are int64 arrays, DATE int32 days since 1970-01-01 (Arrow's date32), TEXT a
  code array into a small tuple of distinct strings (`_Text`; Arrow's dictionary columns),
  BOOL bool arrays. Values that do not vary (literals, parameters, ``today`` and anything made
  only of them) stay Python scalars and are computed exactly as Python would.
* ``//`` and ``%`` are NumPy's floor division and remainder (Python's rules), with a zero
  divisor giving 0. A comparison with an exact ratio ``a / b`` is cross-multiplied in int64,
  each product checked: a product beyond 64 bits raises `EvaluationError`, never wraps.
* Calendar parts (year, month, day) use Howard Hinnant's civil-from-days arithmetic. A date
  function of a column and a scalar (``years_between(birth_date, today)``) is computed once per
  day of the column's span and looked up, so ``age`` costs one look-up per resident.
* Households are contiguous runs of rows. An aggregate whose condition reads only the member
  is computed per household (cumulative sums differenced at the run ends) and copied to each
  subject, for every household or, when an ``and`` has left few subjects, for theirs only;
  one whose condition also reads the subject's own facts is evaluated over every (subject,
  member) pair of each household.
* ``and``/``or`` go on evaluating only where the result is still open once that is a minority
  of the entries, and a service's amount is computed only for those eligible: no operation
  has side effects or can fail on a row, so this changes nothing but the time.
* Identical sub-expressions (a derived variable such as ``age`` used by several services) are
  computed once per block of rows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from gov3.rules import ir, snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS, KEY_COLUMNS
from gov3.rules.ir import Scope, Type, Value

EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_FIRST_DAY = date.min.toordinal() - _EPOCH_ORDINAL  # 0001-01-01 in days since 1970
_LAST_DAY = date.max.toordinal() - _EPOCH_ORDINAL  # 9999-12-31
_P0 = ir.Pos(0, 0)

#: An ``and`` goes on over only the entries still open once they are at most this share.
_SUBSET_SHARE = 0.6

_R = TypeVar("_R")

#: Rows evaluated at a time inside a row group (whole households): small enough that the
#: intermediate arrays stay in the processor's cache.
DEFAULT_BLOCK_ROWS = 1 << 18


# --- values -----------------------------------------------------------------------------------

NDArray = np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class _Text:
    """A text vector: ``categories[codes[i]]`` is row i's value."""

    codes: NDArray
    categories: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.codes)


# A value while evaluating: a Python scalar (DATE as int days) or one per frame entry.
_V = bool | int | str | NDArray | _Text


def _day(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def _date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def _calendar(days: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """(year, month, day) of each of ``days`` (days since 1970), as int32 arrays.

    Howard Hinnant's ``civil_from_days`` in 32-bit integers: an order of magnitude faster than
    NumPy's datetime64 conversions (and than the same in 64 bits, whose divisions are slow).
    """
    if len(days) and (int(days.min()) < _FIRST_DAY or int(days.max()) > _LAST_DAY):
        raise EvaluationError("A date is outside the years 1 to 9999.")
    z = days.astype(np.int32) + np.int32(719_468)  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year starting 1 March
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


# Calendar parts of a date or of each of an array of dates: (year, month, day).
_Parts = tuple[Any, Any, Any]


def _years_between(a: _Parts, b: _Parts) -> Any:
    """ir: b.year - a.year, less one if (b.month, b.day) < (a.month, a.day)."""
    (ya, ma, da), (yb, mb, db) = a, b
    before = (mb < ma) | ((mb == ma) & (db < da))
    return (yb - ya) - before


def _months_between(a: _Parts, b: _Parts) -> Any:
    """ir: 12 * (b.year - a.year) + b.month - a.month, less one if b.day < a.day."""
    (ya, ma, da), (yb, mb, db) = a, b
    return 12 * (yb - ya) + (mb - ma) - (db < da)


_DATE_DIFFS: dict[str, Callable[[_Parts, _Parts], Any]] = {
    "years_between": _years_between,
    "months_between": _months_between,
}


# --- the population ---------------------------------------------------------------------------


class Population:
    """Whole households of residents as columns, rows grouped by household.

    Built from an Arrow table with the snapshot's columns (`from_table`), a snapshot file
    (`read`) or plain Python rows (`from_rows`). Rows stay in household order: `person_ids`
    says whose row is whose.
    """

    def __init__(self, data: Any) -> None:
        """``data``: an Arrow table whose rows are already grouped by household (use
        `from_table` to sort one that is not)."""
        self.table = data
        self.size: int = data.num_rows
        households = _numpy(data.column("household_id")).astype(np.int64, copy=False)
        if self.size > 1 and bool(np.any(households[1:] < households[:-1])):
            raise EvaluationError(
                "The population's rows are not grouped by household (household_id must never "
                "decrease); build it with Population.from_table, which sorts."
            )
        new = np.empty(self.size, dtype=bool)
        new[:1] = True
        np.not_equal(households[1:], households[:-1], out=new[1:])
        self.starts: NDArray = np.flatnonzero(new)
        self.sizes: NDArray = np.diff(np.append(self.starts, self.size))
        self.household_ids: NDArray = households
        self._household_of: NDArray | None = None
        self._columns: dict[str, NDArray | _Text] = {}
        self._ends: NDArray | None = None
        self._calendars: dict[str, _Span | None] = {}
        self._whole: tuple[Population, int, int] | None = None

    def households(self, first: int, last: int) -> Population:
        """Households ``first`` to ``last - 1`` (indices into `starts`), sharing this
        population's columns (no copy)."""
        start = int(self.starts[first])
        stop = int(self.ends[last - 1])
        part = object.__new__(Population)
        part.table = self.table.slice(start, stop - start)
        part.size = stop - start
        part.starts = self.starts[first:last] - start
        part.sizes = self.sizes[first:last]
        part.household_ids = self.household_ids[start:stop]
        part._household_of = None
        part._columns = {}
        part._ends = None
        part._calendars = {}
        root = self._whole
        part._whole = (
            (self, start, stop) if root is None else (root[0], root[1] + start, root[1] + stop)
        )
        return part

    @classmethod
    def from_table(cls, data: Any) -> Population:
        """A population from an Arrow table (sorted by household if it is not)."""
        households = _numpy(data.column("household_id"))
        if len(households) > 1 and bool(np.any(households[1:] < households[:-1])):
            data = data.take(np.argsort(households, kind="stable"))
        return cls(data)

    @classmethod
    def read(cls, path: Path | str, columns: Iterable[str] | None = None) -> Population:
        """The whole snapshot at ``path`` (or only ``columns``) in memory."""
        return cls(snapshot.read(path, None if columns is None else list(columns)))

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Value]]) -> Population:
        """A population from plain rows: each a dict with ``person_id``, ``household_id`` and
        any facts (`facts.FACTS` names; a missing fact takes its default). Households are
        grouped, keeping the rows' order within each."""
        listed = list(rows)
        names = [*KEY_COLUMNS, *FACTS]
        for number, row in enumerate(listed, start=1):
            unknown = sorted(set(row) - set(names))
            if unknown:
                raise EvaluationError(
                    f"Row {number} has unknown fact(s) {', '.join(unknown)}; the facts are "
                    f"{', '.join(FACTS)}."
                )
            for key in KEY_COLUMNS:
                if key not in row:
                    raise EvaluationError(f"Row {number} has no {key}.")
        columns: dict[str, Any] = {}
        for name in names:
            if name in KEY_COLUMNS or any(name in row for row in listed):
                default = None if name in KEY_COLUMNS else FACTS[name].default
                values = [row.get(name, default) for row in listed]
                try:
                    columns[name] = pa.array(values, type=_plain_type(name))
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                    wanted = "whole number" if name in KEY_COLUMNS else FACTS[name].type
                    raise EvaluationError(
                        f"Every {name} must be a {wanted}; got {values[:5]!r}…"
                    ) from None
        return cls.from_table(snapshot.table(columns))

    def check_households(self) -> None:
        """Refuse households that are not what the register's are: each has exactly one head
        (``relationship_to_head == "head"``), who is the subject of a household service. Data
        from outside the register (a partner's file, another system) is checked with this;
        the register itself can hold a household whose head died, which no service counts."""
        relationship = self.column("relationship_to_head")
        assert isinstance(relationship, _Text)
        heads = (
            np.add.reduceat(_text_equals(relationship, "head").astype(np.int32), self.starts)
            if self.size
            else np.zeros(0, dtype=np.int32)
        )
        wrong = np.flatnonzero(heads != 1)
        if len(wrong):
            shown = ", ".join(
                f"{int(self.household_ids[self.starts[i]])} ({int(heads[i])} heads)"
                for i in wrong[:5]
            )
            raise EvaluationError(
                f"{len(wrong):,} household(s) do not have exactly one head, e.g. {shown}; "
                "a household service is evaluated for its head: give each household one row "
                'with relationship_to_head "head".'
            )

    @property
    def household_count(self) -> int:
        return len(self.starts)

    @property
    def person_ids(self) -> NDArray:
        return _numpy(self.table.column("person_id")).astype(np.int64, copy=False)

    @property
    def household_of(self) -> NDArray:
        """Each row's household, as an index into `starts`."""
        if self._household_of is None:
            self._household_of = np.repeat(np.arange(len(self.starts), dtype=np.int32), self.sizes)
        return self._household_of

    def column(self, name: str) -> NDArray | _Text:
        """Fact ``name`` of every row: int64, bool, int32 days, or `_Text`."""
        found = self._columns.get(name)
        if found is None:
            if self._whole is not None:
                whole, start, stop = self._whole
                found = _slice(whole.column(name), start, stop)
            else:
                found = self._convert(name)
            self._columns[name] = found
        return found

    def prepare(self, columns: Iterable[str]) -> Population:
        """Convert ``columns`` now (and tabulate the dates' calendars), so that blocks of
        this population evaluated on other threads only read them."""
        for name in columns:
            self.column(name)
            if FACTS[name].type is Type.DATE:
                self.calendar(name)
        return self

    def calendar(self, name: str) -> _Span | None:
        """The calendar of date column ``name``'s span of days (see `_Span`), or None when the
        span is too long to be worth it."""
        if self._whole is not None:
            return self._whole[0].calendar(name)
        if name not in self._calendars:
            values = self.column(name)
            assert isinstance(values, np.ndarray)
            self._calendars[name] = _Span.of(values)
        return self._calendars[name]

    @property
    def ends(self) -> NDArray:
        """Where each household's rows end (exclusive)."""
        if self._ends is None:
            self._ends = np.append(self.starts[1:], self.size)
        return self._ends

    def _convert(self, name: str) -> NDArray | _Text:
        fact = FACTS.get(name)
        if fact is None:
            raise EvaluationError(f"There is no fact called {name!r}.")
        if name not in self.table.column_names:
            raise EvaluationError(
                f"The snapshot has no {name} column; write a new one with `gov3 registry snapshot`."
            )
        column = self.table.column(name)
        if column.null_count:
            default = fact.default
            fill = pa.scalar(default, type=_plain_type(name))
            column = column.cast(_plain_type(name)).fill_null(fill)
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if fact.type is Type.TEXT:
            if not pa.types.is_dictionary(array.type):
                array = array.cast(pa.string()).dictionary_encode()
            return _Text(
                _numpy(array.indices),
                tuple(str(c) for c in array.dictionary.to_pylist()),
            )
        if fact.type is Type.DATE:
            if array.type != pa.date32():
                array = array.cast(pa.date32())
            return _numpy(array.view(pa.int32()))
        if fact.type is Type.BOOL:
            return _bools(array)
        return _numpy(array).astype(np.int64, copy=False)


def _bools(array: Any) -> NDArray:
    """A boolean Arrow array without nulls as NumPy bools, unpacking its bits directly (several
    times faster than Arrow's own conversion)."""
    if array.type != pa.bool_():
        array = array.cast(pa.bool_())
    bits = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    unpacked = np.unpackbits(bits, bitorder="little", count=array.offset + len(array))
    out: NDArray = unpacked[array.offset :].view(bool)
    return out


#: The longest span of days (about 180 years) whose calendar is tabulated once per population,
#: so that a date function of a column is one look-up per row.
_SPAN_DAYS = 1 << 16


def _short(first: int, last: int, length: int) -> bool:
    """Whether a table of every day from ``first`` to ``last`` is worth building for
    ``length`` values (a column's table is built once and used by every block)."""
    return last - first + 1 <= min(_SPAN_DAYS, max(4 * length, 4096))


def _slice(values: NDArray | _Text, start: int, stop: int) -> NDArray | _Text:
    if isinstance(values, _Text):
        return _Text(values.codes[start:stop], values.categories)
    return values[start:stop]


@dataclass(frozen=True, slots=True)
class _Span:
    """The calendar of every day from `first` to `last`, and of `beyond` if set: a single
    far-away day (such as the "no passport" date) kept apart so that the span stays short.
    A date function of such days is computed once per day of the span, then looked up."""

    first: int
    last: int
    beyond: int | None
    parts: _Parts  # of first … last, then of beyond if set

    @staticmethod
    def of(days: NDArray) -> _Span | None:
        if not len(days):
            return None
        first, last = int(days.min()), int(days.max())
        beyond = None
        if not _short(first, last, len(days)):
            beyond, last = last, int(np.where(days == last, first, days).max())
            if not _short(first, last, len(days)):
                return None
        every = np.arange(first, last + 1, dtype=np.int32)
        if beyond is not None:
            every = np.append(every, np.int32(beyond))
        return _Span(first, last, beyond, _calendar(every))

    def lookup(self, days: NDArray, function: Callable[[_Parts], Any]) -> NDArray:
        """``function`` of each of ``days`` (which must lie in the span)."""
        table = np.asarray(function(self.parts), dtype=np.int64)
        index = days - np.int32(self.first)
        if self.beyond is not None:
            index = np.minimum(index, np.int32(self.last - self.first + 1))
        out: NDArray = table[index]
        return out


def _plain_type(name: str) -> Any:
    if name in KEY_COLUMNS:
        return pa.int64()
    fact_type = FACTS[name].type
    return {
        Type.BOOL: pa.bool_(),
        Type.INT: pa.int64(),
        Type.MONEY: pa.int64(),
        Type.DATE: pa.date32(),
        Type.TEXT: pa.string(),
    }[fact_type]


def _numpy(column: Any) -> NDArray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return np.asarray(column.to_numpy(zero_copy_only=False))


# --- the plan: canonical, shared sub-expressions ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _HouseholdAggregate(ir.Node):
    """An aggregate whose expression reads only the member: computed once per household.
    Its expression's columns are rescoped to SUBJECT (each row read as itself)."""

    func: str
    expr: ir.Node | None


class _Plan:
    """Canonical forms of the expressions to evaluate: positions and variable names dropped,
    derived variables inlined, equal sub-trees one object (so a chunk computes them once)."""

    def __init__(self) -> None:
        self._interned: dict[ir.Node, ir.Node] = {}
        self._done: dict[tuple[int, bool, bool], ir.Node] = {}
        self._keep: list[ir.Node] = []  # originals stay alive so their ids stay unique
        self.uses: dict[int, int] = {}
        self.member_dependent: set[int] = set()
        self.columns: set[str] = set()
        self.params: set[str] = set()

    def add(self, node: ir.Node) -> ir.Node:
        """The canonical form of a top-level expression (counted for sharing)."""
        canonical = self._canonical(node, member=False, rows=False)
        self._count(canonical)
        return canonical

    def cached(self, node: ir.Node) -> bool:
        """Whether a chunk should keep ``node``'s value for a second use."""
        return (
            isinstance(node, ir.Column | ir.Aggregate | _HouseholdAggregate)
            or self.uses.get(id(node), 0) > 1
        )

    def _count(self, node: ir.Node) -> None:
        seen = self.uses.get(id(node), 0)
        self.uses[id(node)] = seen + 1
        if seen:
            return
        for child in _children(node):
            self._count(child)

    def _intern(self, node: ir.Node) -> ir.Node:
        found = self._interned.get(node)
        if found is None:
            found = self._interned[node] = node
            if isinstance(node, ir.Column):
                dependent = node.scope is Scope.MEMBER
            else:
                dependent = not isinstance(node, ir.Aggregate | _HouseholdAggregate) and any(
                    id(c) in self.member_dependent for c in _children(node)
                )
            if dependent:
                self.member_dependent.add(id(node))
        return found

    def _canonical(self, node: ir.Node, *, member: bool, rows: bool) -> ir.Node:
        """``member``: inside a member-scoped derived variable (every fact is the member's);
        ``rows``: inside a per-household aggregate (every fact is the row's own)."""
        key = (id(node), member, rows)
        found = self._done.get(key)
        if found is None:
            self._keep.append(node)
            found = self._done[key] = self._intern(self._build(node, member=member, rows=rows))
        return found

    def _build(self, node: ir.Node, *, member: bool, rows: bool) -> ir.Node:  # noqa: PLR0911, PLR0912
        def sub(child: ir.Node) -> ir.Node:
            return self._canonical(child, member=member, rows=rows)

        match node:
            case ir.Literal(value=value):
                return ir.Literal(node.type, _P0, value)
            case ir.Column(column=column, scope=scope):
                if column not in FACTS:
                    raise EvaluationError(f"There is no fact called {column!r}.")
                self.columns.add(column)
                if member:
                    scope = Scope.MEMBER
                if rows:
                    scope = Scope.SUBJECT
                return ir.Column(node.type, _P0, "", column, scope)
            case ir.Derived(expr=expr, scope=scope):
                # A member's derived variable reads every fact of the member, whichever scope
                # its definition's columns were written with.
                return self._canonical(expr, member=member or scope is Scope.MEMBER, rows=rows)
            case ir.Param(path=path):
                self.params.add(path)
                return ir.Param(node.type, _P0, path)
            case ir.Today():
                return ir.Today(node.type, _P0)
            case ir.Not(operand=operand):
                return ir.Not(node.type, _P0, sub(operand))
            case ir.Neg(operand=operand):
                return ir.Neg(node.type, _P0, sub(operand))
            case ir.Arith(op=op, left=left, right=right):
                return ir.Arith(node.type, _P0, op, sub(left), sub(right))
            case ir.Ratio(numerator=numerator, denominator=denominator):
                return ir.Ratio(node.type, _P0, sub(numerator), sub(denominator))
            case ir.Compare(op=op, left=left, right=right):
                return ir.Compare(node.type, _P0, op, sub(left), sub(right))
            case ir.BoolOp(op=op, operands=operands):
                return ir.BoolOp(node.type, _P0, op, tuple(sub(o) for o in operands))
            case ir.If(test=test, then=then, orelse=orelse):
                return ir.If(node.type, _P0, sub(test), sub(then), sub(orelse))
            case ir.In(item=item, options=options, negated=negated):
                return ir.In(node.type, _P0, sub(item), tuple(sub(o) for o in options), negated)
            case ir.Call(func=func, args=args):
                return ir.Call(node.type, _P0, func, tuple(sub(a) for a in args))
            case ir.Aggregate(func=func, collection=collection, expr=expr):
                return self._aggregate(node, func, collection, expr, member=member, rows=rows)
        raise EvaluationError(f"Cannot evaluate a {type(node).__name__} node.")

    def _aggregate(
        self,
        node: ir.Node,
        func: str,
        collection: str,
        expr: ir.Node | None,
        *,
        member: bool,
        rows: bool,
    ) -> ir.Node:
        if member or rows:
            raise EvaluationError(
                f"An aggregate inside another aggregate (line {node.pos.line}, column "
                f"{node.pos.column}) cannot be evaluated."
            )
        if collection not in ir.COLLECTIONS:
            raise EvaluationError(f"Unknown collection {collection!r}.")
        if expr is not None and any(isinstance(n, ir.Aggregate) for n in ir.walk(expr)):
            raise EvaluationError(
                f"An aggregate inside another aggregate (line {node.pos.line}, column "
                f"{node.pos.column}) cannot be evaluated."
            )
        if expr is None:
            return _HouseholdAggregate(node.type, _P0, func, None)
        if not _reads_subject(expr, member=False):
            inner = self._canonical(expr, member=False, rows=True)
            return _HouseholdAggregate(node.type, _P0, func, inner)
        inner = self._canonical(expr, member=False, rows=False)
        return ir.Aggregate(node.type, _P0, func, collection, inner)


def _reads_subject(node: ir.Node, *, member: bool) -> bool:
    """Whether ``node`` (inside an aggregate) reads any fact of the subject."""
    match node:
        case ir.Column(scope=scope):
            return not member and scope is Scope.SUBJECT
        case ir.Derived(expr=expr, scope=scope):
            return _reads_subject(expr, member=member or scope is Scope.MEMBER)
        case ir.Aggregate():
            return True
    return any(_reads_subject(child, member=member) for child in ir.children(node))


def _children(node: ir.Node) -> tuple[ir.Node, ...]:
    if isinstance(node, _HouseholdAggregate):
        return () if node.expr is None else (node.expr,)
    return ir.children(node)


# --- frames: whose facts a vector holds -------------------------------------------------------


@dataclass(eq=False)
class _Frame:
    """The entries a vector has one value for.

    A top frame has one entry per subject: every row (``rows is None``) or the rows listed.
    A subset frame holds some entries (`index`) of a top frame (`base`): where the rest of an
    ``and`` still matters, or where a service's amount is needed.
    A pair frame (for an aggregate that reads both the subject and the member) has one entry
    per (subject of `parent`, member of the subject's household).
    """

    key: int
    length: int
    rows: NDArray | None = None
    base: _Frame | None = None
    index: NDArray | None = None
    parent: _Frame | None = None
    members: NDArray | None = None
    subject_of: NDArray | None = None  # pair frame: the parent entry of each pair
    bounds: NDArray | None = None  # pair frame: where each parent entry's pairs start
    pairs: _Frame | None = field(default=None, repr=False)


class _Run:
    """One evaluation over one population: a cache of shared values per frame."""

    def __init__(
        self, plan: _Plan, population: Population, params: Mapping[str, Value], today: date
    ) -> None:
        self.plan = plan
        self.pop = population
        self.params = params
        self.today = _day(today)
        self.cache: dict[tuple[int, int], _V] = {}
        self.household_values: dict[int, _V] = {}
        self.households_of: dict[int, tuple[_Frame, NDArray, NDArray, NDArray] | None] = {}
        self.frames = 0
        self.all_rows = self._frame(population.size, None)
        self._heads: _Frame | None = None

    def _frame(self, length: int, rows: NDArray | None, **more: Any) -> _Frame:
        self.frames += 1
        return _Frame(self.frames, length, rows, **more)

    def heads(self) -> _Frame:
        """The frame of household heads (subjects of household services)."""
        if self._heads is None:
            relationship = self.pop.column("relationship_to_head")
            assert isinstance(relationship, _Text)
            rows = np.flatnonzero(_text_equals(relationship, "head"))
            self._heads = self._frame(len(rows), rows)
        return self._heads

    # The evaluator proper.

    def value(self, node: ir.Node, frame: _Frame) -> _V:
        if frame.parent is not None and id(node) not in self.plan.member_dependent:
            # Pairs of (subject, member): what reads only the subject is the subject's value.
            assert frame.subject_of is not None
            return _take(self.value(node, frame.parent), frame.subject_of)
        if not self.plan.cached(node):
            return self._compute(node, frame)
        key = (frame.key, id(node))
        found = self.cache.get(key)
        if found is None:
            if frame.base is not None:  # already known for all: take this subset's part
                whole = self.cache.get((frame.base.key, id(node)))
                if whole is not None:
                    assert frame.index is not None
                    found = _take(whole, frame.index)
            if found is None:
                found = self._compute(node, frame)
            self.cache[key] = found
        return found

    def subset(self, frame: _Frame, positions: NDArray) -> _Frame:
        """The entries ``positions`` of top or subset frame ``frame``."""
        base = frame.base or frame
        index = positions if frame.index is None else frame.index[positions]
        rows = index if base.rows is None else base.rows[index]
        return self._frame(len(index), rows, base=base, index=index)

    def _compute(self, node: ir.Node, frame: _Frame) -> _V:  # noqa: PLR0911, PLR0912
        match node:
            case ir.Literal(value=value):
                return _day(value) if isinstance(value, date) else value
            case ir.Today():
                return self.today
            case ir.Param(path=path):
                return self._param(path)
            case ir.Column(column=column, scope=scope):
                return self._column(column, scope, frame)
            case ir.Not(operand=operand):
                v = self.value(operand, frame)
                return np.logical_not(v) if isinstance(v, np.ndarray) else not v
            case ir.Neg(operand=operand):
                return _checked_negative(self.value(operand, frame))
            case ir.Arith(op=op, left=left, right=right):
                return _checked(op, self.value(left, frame), self.value(right, frame))
            case ir.Compare(op=op, left=left, right=right):
                if isinstance(left, ir.Ratio) or isinstance(right, ir.Ratio):
                    a, b = _cross_products(self._terms(left, frame), self._terms(right, frame))
                    return _compare(op, a, b)
                return _compare(op, self.value(left, frame), self.value(right, frame))
            case ir.BoolOp(op=op, operands=operands):
                return self._boolop(op, operands, frame)
            case ir.If(test=test, then=then, orelse=orelse):
                t = self.value(test, frame)
                if not isinstance(t, np.ndarray):
                    return self.value(then if t else orelse, frame)
                return _where(t, self.value(then, frame), self.value(orelse, frame))
            case ir.In(item=item, options=options, negated=negated):
                found = _member_of(self.value(item, frame), [self.value(o, frame) for o in options])
                if not negated:
                    return found
                return np.logical_not(found) if isinstance(found, np.ndarray) else not found
            case ir.Call(func=func, args=args):
                return self._call(func, args, frame)
            case _HouseholdAggregate():
                return self._household_aggregate(node, frame)
            case ir.Aggregate(func=func, expr=expr):
                return self._pair_aggregate(func, expr, frame)
        raise EvaluationError(f"Cannot evaluate a {type(node).__name__} node.")

    def _terms(self, node: ir.Node, frame: _Frame) -> tuple[_V, _V]:
        """A side of a comparison as (numerator, positive denominator); see `ir`."""
        if not isinstance(node, ir.Ratio):
            return self.value(node, frame), 1
        return _ratio_terms(self.value(node.numerator, frame), self.value(node.denominator, frame))

    def _param(self, path: str) -> _V:
        try:
            value = self.params[path]
        except KeyError:
            raise EvaluationError(
                f"Parameter {path} has no value for {_date(self.today)}."
            ) from None
        return _day(value) if isinstance(value, date) else value

    def _column(self, name: str, scope: Scope, frame: _Frame) -> _V:
        values = self.pop.column(name)
        if frame.parent is not None:
            assert frame.members is not None
            return _take(values, frame.members)
        if scope is Scope.MEMBER:
            raise EvaluationError(f"The member's {name} is read outside an aggregate.")
        if frame.rows is None:
            return values
        return _take(values, frame.rows)

    def _boolop(self, op: str, operands: Sequence[ir.Node], frame: _Frame) -> _V:
        """``and`` / ``or``, evaluating each operand only where the result is still open:
        once few entries remain, the rest is computed on that subset of the frame."""
        decisive = op == "or"  # the value that settles the result on its own
        sub = frame  # where the next operand is evaluated
        positions: NDArray | None = None  # the entries of `frame` that `sub` holds
        open_: NDArray | None = None  # over `sub`: not settled yet (None: all)
        vector = False
        for operand in operands:
            v = self.value(operand, sub)
            if not isinstance(v, np.ndarray):
                if bool(v) is not decisive:
                    continue  # True in an `and`, False in an `or`: changes nothing
                if not vector:
                    return decisive
                open_ = np.zeros(sub.length, dtype=bool)
                break
            vector = True
            still = np.logical_not(v) if decisive else v
            open_ = still if open_ is None else np.logical_and(open_, still)
            left = int(np.count_nonzero(open_))
            if sub.parent is None and left <= _SUBSET_SHARE * sub.length:
                picked = np.flatnonzero(open_)
                positions = picked if positions is None else positions[picked]
                sub, open_ = self.subset(frame, positions), None
                if not left:
                    break
        if not vector:
            return not decisive
        if positions is None:
            assert open_ is not None
            return np.logical_not(open_) if decisive else open_
        unsettled = positions if open_ is None else positions[open_]
        out = np.full(frame.length, decisive, dtype=bool)
        out[unsettled] = not decisive
        return out

    def _call(self, func: str, args: Sequence[ir.Node], frame: _Frame) -> _V:  # noqa: PLR0911
        values: list[Any] = [self.value(a, frame) for a in args]
        vectors = [isinstance(v, np.ndarray) for v in values]
        if func in ("min", "max"):
            if not any(vectors):
                return int(min(values) if func == "min" else max(values))
            reduce = np.minimum if func == "min" else np.maximum
            out = values[0]
            for v in values[1:]:
                out = reduce(out, v)
            return np.asarray(out, dtype=np.int64)
        if func in ("year", "month", "day"):
            which = ("year", "month", "day").index(func)
            if not vectors[0]:
                return int(_parts(values[0])[which])
            return self._day_function(args[0], values[0], lambda p: p[which])
        if func == "days_between":
            a, b = values
            return np.subtract(b, a, dtype=np.int64) if any(vectors) else int(b - a)
        diff = _DATE_DIFFS.get(func)
        if diff is None:
            raise EvaluationError(f"Unknown function {func}().")
        a, b = values
        if not any(vectors):
            return int(diff(_parts(a), _parts(b)))
        if not vectors[1]:
            fixed = _parts(b)
            return self._day_function(args[0], a, lambda p: diff(p, fixed))
        if not vectors[0]:
            fixed = _parts(a)
            return self._day_function(args[1], b, lambda p: diff(fixed, p))
        wide = [_calendar(x) for x in (a, b)]
        return np.asarray(
            diff((wide[0][0], wide[0][1], wide[0][2]), (wide[1][0], wide[1][1], wide[1][2])),
            dtype=np.int64,
        )

    def _day_function(
        self, node: ir.Node, days: NDArray, function: Callable[[_Parts], Any]
    ) -> NDArray:
        """``function`` of the calendar parts of each of ``days``: computed once per day of
        their span and looked up, when the span is not much longer than the vector."""
        if len(days) == 0:
            return np.zeros(0, dtype=np.int64)
        span = self.pop.calendar(node.column) if isinstance(node, ir.Column) else _Span.of(days)
        if span is None:
            return np.asarray(function(_calendar(days)), dtype=np.int64)
        return span.lookup(days, function)

    # Aggregates.

    def _household_aggregate(self, node: _HouseholdAggregate, frame: _Frame) -> _V:
        if frame.parent is not None:
            raise EvaluationError("An aggregate inside another aggregate cannot be evaluated.")
        pop = self.pop
        per_household = self.household_values.get(id(node))
        if per_household is None and node.expr is not None and frame.rows is not None:
            few = self._their_households(frame)
            if few is not None:  # few subjects (left by an `and`): only their households
                members, starts, sizes, back = few
                found = _reduce(
                    node.func, self.value(node.expr, members), starts, starts + sizes, sizes
                )
                return found[back] if isinstance(found, np.ndarray) else found
        if per_household is None:
            v = None if node.expr is None else self.value(node.expr, self.all_rows)
            per_household = _reduce(node.func, v, pop.starts, pop.ends, pop.sizes)
            self.household_values[id(node)] = per_household
        if not isinstance(per_household, np.ndarray):
            return per_household
        if frame.rows is None:
            return np.repeat(per_household, pop.sizes)
        return per_household[pop.household_of[frame.rows]]

    def _their_households(self, frame: _Frame) -> tuple[_Frame, NDArray, NDArray, NDArray] | None:
        """For a frame of few subjects: the frame of every member of their households, where
        each household's run of members starts and how long it is, and each subject's
        household among them; None when that is not much less than everyone."""
        if frame.key in self.households_of:
            return self.households_of[frame.key]
        pop = self.pop
        assert frame.rows is not None
        households = pop.household_of[frame.rows]  # rows ascend, so households do too
        first = np.empty(len(households), dtype=bool)
        first[:1] = True
        np.not_equal(households[1:], households[:-1], out=first[1:])
        wanted = households[first]
        sizes = pop.sizes[wanted]
        count = int(sizes.sum())
        found = None
        if count <= _SUBSET_SHARE * pop.size / 2:
            starts = np.zeros(len(wanted), dtype=np.int64)
            np.cumsum(sizes[:-1], out=starts[1:])
            rows = np.repeat(pop.starts[wanted] - starts, sizes) + np.arange(count)
            back = np.cumsum(first) - 1
            found = (self.subset(self.all_rows, rows), starts, sizes, back)
        self.households_of[frame.key] = found
        return found

    def _pair_aggregate(self, func: str, expr: ir.Node | None, frame: _Frame) -> _V:
        if frame.parent is not None:
            raise EvaluationError("An aggregate inside another aggregate cannot be evaluated.")
        pairs = self._pairs(frame)
        assert pairs.bounds is not None
        v = None if expr is None else self.value(expr, pairs)
        ends = np.append(pairs.bounds[1:], pairs.length)
        return _reduce(func, v, pairs.bounds, ends, ends - pairs.bounds)

    def _pairs(self, frame: _Frame) -> _Frame:
        """Every (subject of ``frame``, member of their household) pair, subject by subject."""
        if frame.pairs is None:
            pop = self.pop
            subject_rows = np.arange(pop.size, dtype=np.int64) if frame.rows is None else frame.rows
            households = pop.household_of[subject_rows]
            sizes = pop.sizes[households]
            subject_of = np.repeat(np.arange(len(subject_rows), dtype=np.int64), sizes)
            bounds = np.zeros(len(subject_rows), dtype=np.int64)
            np.cumsum(sizes[:-1], out=bounds[1:])
            offset = np.arange(len(subject_of), dtype=np.int64) - np.repeat(bounds, sizes)
            members = np.repeat(pop.starts[households], sizes) + offset
            frame.pairs = self._frame(
                len(members),
                None,
                parent=frame,
                members=members,
                subject_of=subject_of,
                bounds=bounds,
            )
        return frame.pairs


def _reduce(  # noqa: PLR0911
    func: str, v: _V | None, starts: NDArray, ends: NDArray, sizes: NDArray
) -> _V:
    """``func`` over each run ``starts[i] … ends[i]`` (``sizes[i]`` long) of ``v`` (runs are
    never empty)."""
    if func == "count":
        if v is None:
            return sizes.astype(np.int64)
        if not isinstance(v, np.ndarray):
            return sizes.astype(np.int64) if v else np.zeros(len(sizes), dtype=np.int64)
        return _run_sums(v, starts, ends, np.int32).astype(np.int64)
    if v is None:
        raise EvaluationError(f"{func}() needs an expression.")
    if not isinstance(v, np.ndarray):
        if func == "sum":
            return _checked_multiply(sizes.astype(np.int64), _int(v))
        return v  # any, all, min, max of the same value
    if func == "sum":
        return _checked_sums(np.asarray(v, dtype=np.int64), starts, ends, sizes)
    if func == "any":
        return _run_sums(v, starts, ends, np.int32) > 0
    if func == "all":
        return np.equal(_run_sums(v, starts, ends, np.int32), sizes)
    if func == "min":
        return np.minimum.reduceat(v, starts)
    if func == "max":
        return np.maximum.reduceat(v, starts)
    raise EvaluationError(f"Unknown aggregate {func}().")


def _run_sums(v: NDArray, starts: NDArray, ends: NDArray, dtype: Any) -> NDArray:
    """The sum of each run of ``v``: cumulative sums, differenced at the run ends (exact in
    two's complement even if the running sum wraps)."""
    total = np.cumsum(v, dtype=dtype)
    out: NDArray = total[ends - 1]
    out[1:] -= total[starts[1:] - 1]
    return out


# --- operations on values ---------------------------------------------------------------------


def _parts(day: int) -> _Parts:
    """(year, month, day) of a day number."""
    d = _date(day)
    return d.year, d.month, d.day


def _int(v: _V) -> int:
    assert isinstance(v, int), v
    return int(v)


def _array(v: _V) -> NDArray:
    assert isinstance(v, np.ndarray)
    return v


def _take(v: _V, index: NDArray) -> _V:
    if isinstance(v, np.ndarray):
        return v[index]
    if isinstance(v, _Text):
        return _Text(v.codes[index], v.categories)
    return v


_SCALAR_ARITH: dict[str, Callable[[int, int], int]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "//": lambda x, y: x // y if y else 0,
    "%": lambda x, y: x % y if y else 0,
}
_ARITH: dict[str, Any] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "//": np.floor_divide,
    "%": np.remainder,
}


def _arith(op: str, a: _V, b: _V) -> _V:
    """``a op b`` on int64 (``//`` and ``%`` by zero give 0)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _SCALAR_ARITH[op](_int(a), _int(b))
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else _int(a)
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else _int(b)
    ufunc = _ARITH[op]
    if op in ("+", "-", "*"):
        out: NDArray = ufunc(x, y, dtype=np.int64)
        return out
    if not isinstance(y, np.ndarray):
        if y == 0:
            return np.zeros(len(x), dtype=np.int64)
        return np.asarray(ufunc(x, y, dtype=np.int64))
    zero = y == 0
    out = ufunc(x, np.where(zero, 1, y), dtype=np.int64)
    out[zero] = 0
    return out


def _bound(v: _V) -> int:
    """The largest magnitude in `v` (exact, in Python integers)."""
    if not isinstance(v, np.ndarray):
        return abs(_int(v))
    if v.size == 0:
        return 0
    return max(abs(int(v.min())), abs(int(v.max())))


def _overflow() -> EvaluationError:
    return EvaluationError(
        "A number in the rule goes beyond 64 bits for some people; the rule cannot be "
        "evaluated for these facts."
    )


def _checked_multiply(a: _V, b: _V) -> _V:
    """``a * b`` on int64, refused (never wrapped) when a product leaves 64 bits."""
    if _bound(a) * _bound(b) <= ir.INT64_MAX:
        return _arith("*", a, b)
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        raise _overflow()
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else np.int64(_int(a))
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else np.int64(_int(b))
    with np.errstate(over="ignore"):
        product = np.multiply(x, y, dtype=np.int64)
        divisor = np.where(x == 0, 1, x)
        wrong = (x != 0) & (np.floor_divide(product, divisor) != y)
        wrong |= (x == -1) & (y == ir.INT64_MIN)
        wrong |= (y == -1) & (x == ir.INT64_MIN)
    if bool(np.any(wrong)):
        raise _overflow()
    return np.asarray(product)


def _in_range(value: int) -> int:
    if not ir.INT64_MIN <= value <= ir.INT64_MAX:
        raise _overflow()
    return value


def _checked_negative(v: _V) -> _V:
    """``-v``, refused when v holds the smallest 64-bit integer (its negation is not one)."""
    if not isinstance(v, np.ndarray):
        return _in_range(-_int(v))
    if _bound(v) > ir.INT64_MAX:
        raise _overflow()
    return np.negative(v)


def _checked(op: str, a: _V, b: _V) -> _V:
    """``a op b`` as `_arith`, refused (never wrapped) when a result leaves 64 bits. A bound
    from each side's extremes settles almost every case; only beyond it are the entries
    checked one by one."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _in_range(_SCALAR_ARITH[op](_int(a), _int(b)))
    if op == "*":
        return _checked_multiply(a, b)
    if op in ("+", "-"):
        if _bound(a) + _bound(b) <= ir.INT64_MAX:
            return _arith(op, a, b)
        x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else np.int64(_int(a))
        y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else np.int64(_int(b))
        with np.errstate(over="ignore"):
            out = np.add(x, y) if op == "+" else np.subtract(x, y)
            # Two's complement: the result's sign differs from both operands' (for `+`), or
            # from the first's while the operands' signs differ (for `-`).
            wrong = ((x ^ out) & ((y if op == "+" else ~y) ^ out)) < 0
        if bool(np.any(wrong)):
            raise _overflow()
        return np.asarray(out)
    if op == "//" and _bound(a) > ir.INT64_MAX:
        divisor: Any = b if isinstance(b, np.ndarray) else _int(b)
        dividend: Any = a if isinstance(a, np.ndarray) else _int(a)
        if bool(np.any(np.equal(divisor, -1) & np.equal(dividend, ir.INT64_MIN))):
            raise _overflow()  # the smallest 64-bit integer // -1
    return _arith(op, a, b)


def _checked_sums(v: NDArray, starts: NDArray, ends: NDArray, sizes: NDArray) -> NDArray:
    """`_run_sums` of int64 ``v``, refused when a household's sum leaves 64 bits."""
    if _bound(v) * (int(sizes.max()) if len(sizes) else 0) <= ir.INT64_MAX:
        return _run_sums(v, starts, ends, np.int64)
    # Exact: the high and low 32 bits summed apart cannot wrap; a sum is out of range only
    # where the high part is, and those few are checked in Python integers.
    high = _run_sums(v >> 32, starts, ends, np.int64)
    low = _run_sums(v & 0xFFFFFFFF, starts, ends, np.int64)
    for index in np.flatnonzero(np.abs(high) >= (1 << 31) - int(sizes.max())):
        _in_range((int(high[index]) << 32) + int(low[index]))
    return _run_sums(v, starts, ends, np.int64)


def _ratio_terms(a: _V, b: _V) -> tuple[_V, _V]:
    """``a / b`` as (n, d) with d > 0 (``0 / 1`` where b is 0)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        n, d = _int(a), _int(b)
        if d == 0:
            return 0, 1
        return (-n, -d) if d < 0 else (n, d)
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else _int(a)
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else _int(b)
    if bool(np.any((y < 0) & (x == ir.INT64_MIN))):
        raise _overflow()
    negative, zero = np.less(y, 0), np.equal(y, 0)
    numerators = np.where(zero, 0, np.where(negative, np.negative(x), x)).astype(np.int64)
    denominators = np.where(zero, 1, np.abs(y)).astype(np.int64)
    return numerators, denominators


def _cross_products(left: tuple[_V, _V], right: tuple[_V, _V]) -> tuple[_V, _V]:
    """(a·d, c·b) for ``a / b`` compared with ``c / d``, both divisors positive."""
    (a, b), (c, d) = left, right
    first = a if isinstance(d, int) and d == 1 else _checked_multiply(a, d)
    second = c if isinstance(b, int) and b == 1 else _checked_multiply(c, b)
    return first, second


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_SCALAR_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda x, y: bool(x == y),
    "!=": lambda x, y: bool(x != y),
    "<": lambda x, y: bool(x < y),
    "<=": lambda x, y: bool(x <= y),
    ">": lambda x, y: bool(x > y),
    ">=": lambda x, y: bool(x >= y),
}


def _compare(op: str, a: _V, b: _V) -> _V:
    if isinstance(a, _Text) or isinstance(b, _Text):
        if op not in ("==", "!="):
            raise EvaluationError(f"Text cannot be compared with {op}.")
        if isinstance(a, _Text) and isinstance(b, _Text):
            ca, cb, _ = _unify(a, b)
            equal = np.equal(ca, cb)
        else:
            text, scalar = (a, b) if isinstance(a, _Text) else (b, a)
            assert isinstance(text, _Text)
            equal = _text_equals(text, str(scalar))
        return np.asarray(equal if op == "==" else np.logical_not(equal))
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _SCALAR_COMPARE[op](a, b)
    return np.asarray(_COMPARE[op](a, b))


def _text_equals(text: _Text, value: str) -> NDArray:
    matches = [i for i, c in enumerate(text.categories) if c == value]
    if len(matches) == 1:  # the usual case: comparing the codes is faster than a look-up
        return np.equal(text.codes, matches[0])
    table = np.array([c == value for c in text.categories], dtype=bool)
    out: NDArray = table[text.codes]
    return out


def _unify(a: _Text | str, b: _Text | str) -> tuple[Any, Any, tuple[str, ...]]:
    """Codes of ``a`` and ``b`` into one shared tuple of categories (scalars become one code)."""
    if isinstance(a, _Text) and isinstance(b, _Text) and a.categories == b.categories:
        return a.codes, b.codes, a.categories
    categories: dict[str, int] = {}
    for side in (a, b):
        for c in side.categories if isinstance(side, _Text) else (side,):
            categories.setdefault(c, len(categories))

    def recode(side: _Text | str) -> Any:
        if isinstance(side, _Text):
            table = np.array([categories[c] for c in side.categories], dtype=np.int32)
            return table[side.codes]
        return categories[side]

    return recode(a), recode(b), tuple(categories)


def _where(test: NDArray, then: _V, orelse: _V) -> _V:
    if isinstance(then, _Text | str) and isinstance(orelse, _Text | str):
        ca, cb, categories = _unify(then, orelse)
        return _Text(np.where(test, ca, cb), categories)
    a: Any = then
    b: Any = orelse
    out: NDArray = np.where(test, a, b)
    return out


def _member_of(item: _V, options: list[_V]) -> _V:
    scalars = [o for o in options if not isinstance(o, np.ndarray | _Text)]
    vectors = [o for o in options if isinstance(o, np.ndarray | _Text)]
    found: Any
    if isinstance(item, _Text):
        wanted = {str(s) for s in scalars}
        table = np.array([c in wanted for c in item.categories], dtype=bool)
        found = table[item.codes]
    elif isinstance(item, np.ndarray):
        if len(scalars) > 8:
            found = np.isin(item, np.array(scalars, dtype=item.dtype))
        else:  # a few options: comparisons are faster than np.isin's sort
            found = np.zeros(len(item), dtype=bool)
            for option in scalars:
                found |= item == option
    else:
        found = any(item == s for s in scalars)
    for vector in vectors:
        same: Any = _compare("==", item, vector)
        found = np.logical_or(found, same)
    return bool(found) if isinstance(found, bool) else np.asarray(found)


# --- public API -------------------------------------------------------------------------------


class ServiceRules(Protocol):
    """What the vectorised evaluator needs of a service (`rules.pack` services have it)."""

    @property
    def eligible(self) -> ir.Node: ...

    @property
    def amount(self) -> ir.Node | None: ...

    @property
    def subject(self) -> str: ...  # "person" or "household"


class IdentifiedServiceRules(ServiceRules, Protocol):
    """A service that knows its id (as `rules.sql` takes them)."""

    @property
    def id(self) -> str: ...


@dataclass(frozen=True)
class ServiceResult:
    """A service over a population: per subject (in population order), and in total."""

    person_ids: NDArray  # the subjects (household services: the heads)
    eligible: NDArray  # bool
    amount: NDArray  # int64, 0 where not eligible
    count: int
    total: int  # exact, a Python int


@dataclass
class ServiceTotals:
    """A service over a whole snapshot: subjects evaluated, eligible, and the exact total."""

    subjects: int = 0
    count: int = 0
    total: int = 0


def evaluate(
    node: ir.Node, population: Population, params: Mapping[str, Value], today: date
) -> NDArray:
    """``node`` for every resident of ``population`` as its subject, in row order: bool,
    int64 (INT and MONEY), ``datetime64[D]`` (DATE) or an object array of str (TEXT)."""
    plan = _Plan()
    canonical = plan.add(node)
    _check_params(plan, params, today)
    run = _Run(plan, population, params, today)
    return _public(run.value(canonical, run.all_rows), node.type, population.size)


def values_by_person(
    node: ir.Node, population: Population, params: Mapping[str, Value], today: date
) -> dict[int, Value]:
    """``node`` for every resident as plain Python values, keyed by person id (handy to
    compare with another evaluator)."""
    values = to_python(evaluate(node, population, params, today), node.type)
    return dict(zip(population.person_ids.tolist(), values, strict=True))


def to_python(values: NDArray, value_type: Type) -> list[Value]:
    """An array from `evaluate` as Python values (DATE as `datetime.date`)."""
    if value_type is Type.DATE:
        return [_date(int(d)) for d in values.astype("datetime64[D]").astype(np.int64)]
    if value_type is Type.TEXT:
        return [str(v) for v in values]
    if value_type is Type.BOOL:
        return [bool(v) for v in values]
    return [int(v) for v in values]


def evaluate_service(
    service: ServiceRules,
    population: Population,
    params: Mapping[str, Value],
    today: date,
) -> ServiceResult:
    """A service's eligibility and amount for each subject of ``population``: every resident,
    or for a household service every household head."""
    plan = _Plan()
    eligible, amount = plan.add(service.eligible), _amount_node(plan, service)
    _check_params(plan, params, today)
    run = _Run(plan, population, params, today)
    frame = run.heads() if service.subject == "household" else run.all_rows
    mask, amounts = _service_values(run, frame, eligible, amount)
    subjects = population.person_ids if frame.rows is None else population.person_ids[frame.rows]
    return ServiceResult(
        person_ids=subjects,
        eligible=mask,
        amount=amounts,
        count=int(np.count_nonzero(mask)),
        total=exact_sum(amounts),
    )


def evaluate_catalogue(
    services: Mapping[str, ServiceRules] | Sequence[IdentifiedServiceRules],
    source: Population | Path | str,
    params: Mapping[str, Value],
    today: date,
    *,
    threads: int = 2,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    progress: Callable[[int], None] | None = None,
    check_households: bool = False,
) -> dict[str, ServiceTotals]:
    """Every service (by id, or a sequence of services with an ``id``) over a population in
    memory or a snapshot file of any size.

    A file is read a row group (whole households) at a time, only the columns the services
    read; blocks of about ``block_rows`` rows are evaluated on ``threads`` threads, and
    ``progress`` is called with the number of residents done after each. Returns each
    service's subjects, eligible count and exact total. With ``check_households`` (data from
    outside the register) every block's households must each have one head, when a household
    service is evaluated (`Population.check_households`).
    """
    by_id: Mapping[str, ServiceRules] = (
        services if isinstance(services, Mapping) else {s.id: s for s in services}
    )
    plan = _Plan()
    nodes = {
        service_id: (plan.add(service.eligible), _amount_node(plan, service), service.subject)
        for service_id, service in by_id.items()
    }
    _check_params(plan, params, today)
    household = {"relationship_to_head"} if _any_household(nodes) else set()
    needed = sorted(plan.columns | household)

    def work(block: Population) -> dict[str, ServiceTotals]:
        if check_households and household:
            block.check_households()
        run = _Run(plan, block, params, today)
        totals = {}
        for service_id, (eligible, amount, subject) in nodes.items():
            frame = run.heads() if subject == "household" else run.all_rows
            count, total = _service_totals(run, frame, eligible, amount)
            totals[service_id] = ServiceTotals(frame.length, count, total)
        return totals

    if isinstance(source, Population):
        blocks = _blocks(source.prepare(needed), block_rows)
    else:
        blocks = _file_blocks(source, needed, block_rows)
    results = {service_id: ServiceTotals() for service_id in nodes}
    for part, rows in _in_pool(work, blocks, threads):
        for service_id, found in part.items():
            total = results[service_id]
            total.subjects += found.subjects
            total.count += found.count
            total.total += found.total
        if progress is not None:
            progress(rows)
    return results


def exact_sum(values: NDArray) -> int:
    """The exact sum of an int64 array, as a Python int (no wrap-around however large)."""
    if len(values) == 0:
        return 0
    high = int(np.sum(values >> 32, dtype=np.int64))
    low = int(np.sum(values & 0xFFFFFFFF, dtype=np.int64))
    return (high << 32) + low


def columns_needed(services: Iterable[ServiceRules]) -> set[str]:
    """The snapshot columns the services read (besides the key columns)."""
    plan = _Plan()
    household = False
    for service in services:
        plan.add(service.eligible)
        _amount_node(plan, service)
        household = household or service.subject == "household"
    return plan.columns | ({"relationship_to_head"} if household else set())


# --- helpers of the public API ----------------------------------------------------------------


def _amount_node(plan: _Plan, service: ServiceRules) -> ir.Node | None:
    return None if service.amount is None else plan.add(service.amount)


def _any_household(nodes: Mapping[str, tuple[ir.Node, ir.Node | None, str]]) -> bool:
    return any(subject == "household" for _, _, subject in nodes.values())


def _check_params(plan: _Plan, params: Mapping[str, Value], today: date) -> None:
    missing = sorted(plan.params - set(params))
    if missing:
        raise EvaluationError(
            f"Parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'have' if len(missing) > 1 else 'has'} no value for {today}."
        )


def _service_values(
    run: _Run, frame: _Frame, eligible: ir.Node, amount: ir.Node | None
) -> tuple[NDArray, NDArray]:
    """Eligibility and amount (0 where not eligible) of each entry of ``frame``."""
    mask = _broadcast(run.value(eligible, frame), frame.length, bool)
    amounts = np.zeros(frame.length, dtype=np.int64)
    if amount is not None:
        picked = np.flatnonzero(mask)
        value = run.value(amount, run.subset(frame, picked))
        amounts[picked] = value if isinstance(value, np.ndarray) else _int(value)
    return mask, amounts


def _service_totals(
    run: _Run, frame: _Frame, eligible: ir.Node, amount: ir.Node | None
) -> tuple[int, int]:
    """How many entries of ``frame`` are eligible, and the exact total of their amounts (the
    amount is computed only for them)."""
    mask = run.value(eligible, frame)
    if not isinstance(mask, np.ndarray):
        count = frame.length if mask else 0
        where = frame
    elif amount is None:
        return int(np.count_nonzero(mask)), 0
    else:
        picked = np.flatnonzero(mask)
        count = len(picked)
        where = run.subset(frame, picked)
    if amount is None or count == 0:
        return count, 0
    value = run.value(amount, where)
    if isinstance(value, np.ndarray):
        return count, exact_sum(value.astype(np.int64, copy=False))
    return count, count * _int(value)


def _broadcast(v: _V, length: int, dtype: Any) -> NDArray:
    if isinstance(v, np.ndarray):
        return v
    assert not isinstance(v, _Text)
    return np.full(length, v, dtype=dtype)


def _public(v: _V, value_type: Type, length: int) -> NDArray:
    if value_type is Type.TEXT:
        if isinstance(v, _Text):
            return np.array(v.categories, dtype=object)[v.codes]
        return np.full(length, v, dtype=object)
    if value_type is Type.DATE:
        days = v if isinstance(v, np.ndarray) else np.full(length, _int(v), dtype=np.int64)
        return days.astype(np.int64).astype("datetime64[D]")
    if value_type is Type.BOOL:
        return _broadcast(v, length, bool)
    return _broadcast(v, length, np.int64).astype(np.int64, copy=False)


def _blocks(population: Population, rows: int) -> Iterator[Population]:
    """``population`` in pieces of about ``rows`` rows, whole households each."""
    if population.size <= rows:
        yield population
        return
    starts = population.starts
    first = 0
    while first < len(starts):
        last = int(np.searchsorted(starts, starts[first] + rows))
        last = max(last, first + 1)
        yield population.households(first, last)
        first = last


def _file_blocks(
    path: Path | str, columns: Sequence[str], rows: int, *, person_ids: bool = False
) -> Iterator[Population]:
    """The snapshot at ``path``, a row group at a time (only ``columns``, and the person ids
    if asked), in blocks of about ``rows`` rows of whole households; refuses a file that splits
    a household."""
    handle = snapshot.open_file(path)
    missing = [c for c in columns if c not in handle.schema_arrow.names]
    if missing:
        raise EvaluationError(
            f"The snapshot {path} has no {', '.join(missing)} column; write a new one with "
            "`gov3 registry snapshot`."
        )
    wanted = [*(KEY_COLUMNS if person_ids else KEY_COLUMNS[1:]), *columns]
    previous: int | None = None
    for group in range(handle.metadata.num_row_groups):
        population = Population(handle.read_row_group(group, columns=wanted, use_threads=True))
        if not population.size:
            continue
        first = int(population.household_ids[0])
        if previous is not None and first <= previous:
            raise snapshot.SnapshotError(
                f"The snapshot {path} splits household {first} between row groups (or is not "
                "ordered by household); write it with `gov3 registry snapshot`."
            )
        previous = int(population.household_ids[-1])
        yield from _blocks(population.prepare(columns), rows)


def _in_pool(
    work: Callable[[Population], _R],
    blocks: Iterator[Population],
    threads: int,
) -> Iterator[tuple[_R, int]]:
    """``work`` on each block on ``threads`` threads (NumPy and Arrow release the GIL for
    their loops), at most two blocks per thread ahead; results in order, with each block's
    number of rows. The blocks are read (and checked) on the calling thread."""
    if threads <= 1:
        for block in blocks:
            yield work(block), block.size
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[tuple[Future[_R], int]] = deque()
        try:
            for block in blocks:
                if len(pending) >= 2 * threads:
                    done, size = pending.popleft()
                    yield done.result(), size
                pending.append((pool.submit(work, block), block.size))
            while pending:
                done, size = pending.popleft()
                yield done.result(), size
        finally:
            for waiting, _ in pending:
                waiting.cancel()
