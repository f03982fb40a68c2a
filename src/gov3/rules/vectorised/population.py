"""`Population`: whole households of residents as columns (rows grouped by household), read from
Arrow, a snapshot file or plain rows, with each date column's calendar tabulated once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from gov3.rules import snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS, KEY_COLUMNS
from gov3.rules.ir import Type, Value
from gov3.rules.vectorised.operations import _text_equals
from gov3.rules.vectorised.values import NDArray, _calendar, _Parts, _Text


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
