"""The registry snapshot: every living resident's facts as one Parquet file.

One row per resident: `facts.KEY_COLUMNS` then `facts.FACTS` (declared facts included), in
compact Arrow types (int64 ids, date32 dates, dictionary-coded text, uint8 birth order, bool).
Rows are grouped by household with ``household_id`` never decreasing, and no household is split
between two row groups, so a reader can evaluate each row group on its own, household aggregates
included (`SnapshotWriter` enforces both). There are no nulls: a missing fact is written as its
default.

Written by ``gov3 registry snapshot`` (from the database) and by `gov3.synthetic.snapshots`
(benchmarks); read by `rules.vectorised`, and by DuckDB or Spark as plain Parquet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from gov3.rules.facts import FACTS, KEY_COLUMNS
from gov3.rules.ir import Type

#: Key under which a snapshot's description (`SnapshotInfo`) is kept in the Parquet metadata.
METADATA_KEY = b"gov3.snapshot"
FORMAT_VERSION = 1
EPOCH = date(1970, 1, 1)

#: Rows per row group the writers aim for (a row group always ends at a household boundary).
DEFAULT_ROW_GROUP_ROWS = 1 << 20

# Text facts with a closed set of values fit an int8 index; open ones (codes) get int32.
_TYPES: dict[Type, Any] = {
    Type.BOOL: pa.bool_(),
    Type.INT: pa.int64(),
    Type.MONEY: pa.int64(),
    Type.DATE: pa.date32(),
}
# Facts whose values are known to be small (Parquet stores small ints compactly whatever the
# type; this is for memory once read).
_COMPACT: dict[str, Any] = {"birth_order": pa.int16()}


class SnapshotError(Exception):
    """A snapshot cannot be written or read as asked; the message says why and what to do."""


def _arrow_type(name: str) -> Any:
    fact = FACTS[name]
    if fact.type is Type.TEXT:
        index = pa.int8() if fact.values else pa.int32()
        return pa.dictionary(index, pa.string())
    return _COMPACT.get(name, _TYPES[fact.type])


def schema() -> Any:
    """The Arrow schema of a snapshot: the key columns, then every fact (declared facts
    included, so a snapshot written after a pack declared a fact carries it)."""
    return pa.schema(
        [pa.field(name, pa.int64(), nullable=False) for name in KEY_COLUMNS]
        + [pa.field(name, _arrow_type(name), nullable=False) for name in FACTS]
    )


def column_names() -> tuple[str, ...]:
    """The columns of a snapshot, in order."""
    return (*KEY_COLUMNS, *FACTS)


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot file says about itself."""

    rows: int
    row_groups: int
    households_whole: bool  # no household is split between row groups
    country: str
    source: str  # "registry" or "synthetic"
    created: str  # ISO date (registry) or the as-of date of a synthetic population
    details: Mapping[str, Any]


def days(value: date) -> int:
    """A date as days since 1970-01-01 (the date32 representation)."""
    return (value - EPOCH).days


def text_column(codes: np.ndarray, categories: Sequence[str], name: str) -> Any:
    """A dictionary-coded text column from integer ``codes`` into ``categories``."""
    index_type = _arrow_type(name).index_type
    indices = pa.array(np.asarray(codes), type=index_type)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(categories), pa.string()))


def _column(name: str, values: Any, rows: int) -> Any:
    """``values`` (NumPy array, list of Python values, or Arrow array) as column ``name``."""
    target = pa.int64() if name in KEY_COLUMNS else _arrow_type(name)
    if values is None:
        default = FACTS[name].default
        if pa.types.is_dictionary(target):
            return text_column(np.zeros(rows, dtype=np.int8), [str(default)], name)
        values = np.full(rows, days(default) if isinstance(default, date) else default)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            values = values.astype("datetime64[D]")
        if pa.types.is_dictionary(target) and not (
            isinstance(values, np.ndarray) and values.dtype.kind in "OUS"
        ):
            values = list(values)
        values = pa.array(values)
    if len(values) != rows:
        raise SnapshotError(f"Column {name} has {len(values)} values for {rows} rows.")
    if values.null_count:
        raise SnapshotError(f"Column {name} has {values.null_count} missing values.")
    if pa.types.is_dictionary(target):
        if not pa.types.is_dictionary(values.type):
            values = values.cast(pa.string()).dictionary_encode()
        values = pa.DictionaryArray.from_arrays(
            values.indices.cast(target.index_type), values.dictionary.cast(pa.string())
        )
    elif target == pa.date32() and pa.types.is_integer(values.type):
        values = values.cast(pa.int32()).view(pa.date32())
    elif values.type != target:
        values = values.cast(target)  # checked: out-of-range values raise
    return values


def table(columns: Mapping[str, Any]) -> Any:
    """A snapshot table from ``columns``: the key columns are required, a missing fact is
    filled with its default. Values may be NumPy arrays (dates as ``datetime64`` or int days
    since 1970), Python lists, or Arrow arrays; text may be dictionary arrays (`text_column`)."""
    known = column_names()
    unknown = sorted(set(columns) - set(known))
    if unknown:
        raise SnapshotError(
            f"Unknown snapshot column(s): {', '.join(unknown)}; the columns are {', '.join(known)}."
        )
    for key in KEY_COLUMNS:
        if key not in columns:
            raise SnapshotError(f"A snapshot needs the column {key}.")
    rows = len(columns[KEY_COLUMNS[0]])
    arrays = [_column(name, columns.get(name), rows) for name in known]
    return pa.Table.from_arrays(arrays, schema=schema())


def sort_by_household(data: Any) -> Any:
    """``data`` with its rows ordered by household, then person (stable)."""
    return data.sort_by([("household_id", "ascending"), ("person_id", "ascending")])


def _household_bounds(data: Any) -> tuple[int, int]:
    households = data.column("household_id").to_numpy()
    if len(households) > 1 and bool(np.any(households[1:] < households[:-1])):
        raise SnapshotError(
            "The rows are not grouped by household (household_id must never decrease); "
            "sort them first (snapshot.sort_by_household)."
        )
    return int(households[0]), int(households[-1])


class SnapshotWriter:
    """Writes a snapshot one row group at a time, atomically (a temporary file renamed at the
    end: a failed or interrupted write leaves no half-written snapshot behind)."""

    def __init__(
        self,
        path: Path | str,
        *,
        country: str,
        source: str,
        created: date,
        details: Mapping[str, Any] | None = None,
        compression: str = "lz4",
    ) -> None:
        self.path = Path(path)
        self.temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.info = {
            "version": FORMAT_VERSION,
            "country": country,
            "source": source,
            "created": created.isoformat(),
            "details": dict(details or {}),
        }
        self.schema = schema()
        described = self.schema.with_metadata({METADATA_KEY: json.dumps(self.info).encode()})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Everyone's facts: readable by the owner only (0600), from the first byte on.
        os.close(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(self.temporary, 0o600)
        self.writer: Any = pq.ParquetWriter(
            str(self.temporary),
            described,
            compression=compression,
            write_statistics=["household_id", "person_id"],
        )
        self.last_household: int | None = None
        self.rows = 0

    def write(self, data: Any) -> None:
        """Append ``data`` (a `table`, whole households, ordered by household) as one row group."""
        if data.num_rows == 0:
            return
        if data.schema.remove_metadata() != self.schema:
            data = table({name: data.column(name) for name in data.column_names})
        first, last = _household_bounds(data)
        if self.last_household is not None and first <= self.last_household:
            raise SnapshotError(
                f"Household {first} comes after household {self.last_household}: row groups "
                "must hold whole households in ascending household_id order."
            )
        self.writer.write_table(data, row_group_size=data.num_rows)
        self.last_household = last
        self.rows += data.num_rows

    def close(self) -> None:
        """Finish the file and move it into place."""
        self.writer.close()
        self.temporary.replace(self.path)

    def abort(self) -> None:
        """Give up: remove the temporary file, leave any existing snapshot untouched."""
        self.writer.close()
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write(
    path: Path | str,
    data: Any,
    *,
    country: str,
    source: str,
    created: date,
    details: Mapping[str, Any] | None = None,
    row_group_rows: int = DEFAULT_ROW_GROUP_ROWS,
) -> None:
    """Write a whole table as a snapshot: sorted by household, cut into row groups of about
    ``row_group_rows`` rows at household boundaries."""
    data = sort_by_household(
        data
        if data.schema.remove_metadata() == schema()
        else table({name: data.column(name) for name in data.column_names})
    )
    with SnapshotWriter(
        path, country=country, source=source, created=created, details=details
    ) as writer:
        for start, stop in household_slices(data.column("household_id").to_numpy(), row_group_rows):
            writer.write(data.slice(start, stop - start))


def household_slices(households: np.ndarray, rows: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` ranges of about ``rows`` rows of ``households`` (sorted household
    ids), each ending at a household boundary."""
    n = len(households)
    if n == 0:
        return
    starts = np.flatnonzero(np.r_[True, households[1:] != households[:-1]])
    start = 0
    while start < n:
        wanted = start + max(rows, 1)
        if wanted >= n:
            yield start, n
            return
        # The first household start at or after `wanted` (a household larger than `rows` stays
        # whole).
        stop = int(starts[np.searchsorted(starts, wanted)]) if wanted <= starts[-1] else n
        yield start, stop
        start = stop


def open_file(path: Path | str) -> Any:
    """The snapshot at ``path`` as a `pyarrow.parquet.ParquetFile`, with a clear error if it is
    missing or not a snapshot."""
    path = Path(path)
    if not path.is_file():
        raise SnapshotError(
            f"There is no snapshot at {path}; write one with `gov3 registry snapshot --out {path}`."
        )
    try:
        handle = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path} is not a Parquet file: {exc}") from None
    names = set(handle.schema_arrow.names)
    missing = [key for key in KEY_COLUMNS if key not in names]
    if missing:
        raise SnapshotError(f"{path} is not a registry snapshot: it has no {missing[0]} column.")
    return handle


def info(path: Path | str) -> SnapshotInfo:
    """What the snapshot at ``path`` says about itself."""
    handle = open_file(path)
    meta = handle.schema_arrow.metadata or {}
    described = json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else {}
    return SnapshotInfo(
        rows=handle.metadata.num_rows,
        row_groups=handle.metadata.num_row_groups,
        households_whole=bool(described),
        country=str(described.get("country", "")),
        source=str(described.get("source", "")),
        created=str(described.get("created", "")),
        details=described.get("details", {}),
    )


def read(path: Path | str, columns: Sequence[str] | None = None) -> Any:
    """The whole snapshot (or only ``columns``, plus the key columns) as an Arrow table."""
    handle = open_file(path)
    wanted = None if columns is None else list(dict.fromkeys([*KEY_COLUMNS, *columns]))
    return handle.read(columns=wanted, use_threads=True)
