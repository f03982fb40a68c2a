"""A population or a snapshot file in blocks of whole households, and the pool of threads that
evaluates them in order.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from gov3.rules import snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import KEY_COLUMNS
from gov3.rules.vectorised.population import Population

_R = TypeVar("_R")
_T = TypeVar("_T")

#: Rows evaluated at a time inside a row group (whole households): small enough that the
#: intermediate arrays stay in the processor's cache.
DEFAULT_BLOCK_ROWS = 1 << 18


def _size(block: Any) -> int:
    return int(block.size)


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


def _open_snapshot(path: Path | str, columns: Sequence[str]) -> Any:
    """The snapshot at ``path`` (`snapshot.open_file`), refused if it lacks one of ``columns``."""
    handle = snapshot.open_file(path)
    missing = [c for c in columns if c not in handle.schema_arrow.names]
    if missing:
        raise EvaluationError(
            f"The snapshot {path} has no {', '.join(missing)} column; write a new one with "
            "`gov3 registry snapshot`."
        )
    return handle


def _split_household(path: Path | str, first: int) -> snapshot.SnapshotError:
    return snapshot.SnapshotError(
        f"The snapshot {path} splits household {first} between row groups (or is not "
        "ordered by household); write it with `gov3 registry snapshot`."
    )


def _file_blocks(
    path: Path | str, columns: Sequence[str], rows: int, *, person_ids: bool = False
) -> Iterator[Population]:
    """The snapshot at ``path``, a row group at a time (only ``columns``, and the person ids
    if asked), in blocks of about ``rows`` rows of whole households; refuses a file that splits
    a household."""
    handle = _open_snapshot(path, columns)
    wanted = [*(KEY_COLUMNS if person_ids else KEY_COLUMNS[1:]), *columns]
    previous: int | None = None
    for group in range(handle.metadata.num_row_groups):
        population = Population(handle.read_row_group(group, columns=wanted, use_threads=True))
        if not population.size:
            continue
        first = int(population.household_ids[0])
        if previous is not None and first <= previous:
            raise _split_household(path, first)
        previous = int(population.household_ids[-1])
        yield from _blocks(population.prepare(columns), rows)


@dataclass(frozen=True, slots=True)
class _Group(Generic[_R]):
    """One row group's results, block by block, and its first and last household."""

    results: list[tuple[_R, int]]
    first: int
    last: int


def _file_in_pool(
    work: Callable[[Population], _R],
    path: Path | str,
    columns: Sequence[str],
    rows: int,
    threads: int,
    *,
    person_ids: bool = False,
) -> Iterator[tuple[_R, int]]:
    """``work`` on each block of the snapshot at ``path`` (see `_file_blocks`), results in
    order with each block's number of rows. With more than one thread each row group is read,
    decoded and converted on the pool's threads too (Arrow and NumPy release the GIL), at most
    one group per thread ahead: reading is about half of the work and would otherwise leave
    the calling thread the bottleneck. Households split between row groups are refused before
    any result of the later group is given."""
    if threads <= 1:
        for block in _file_blocks(path, columns, rows, person_ids=person_ids):
            yield work(block), block.size
        return
    handle = _open_snapshot(path, columns)
    wanted = [*(KEY_COLUMNS if person_ids else KEY_COLUMNS[1:]), *columns]
    local = threading.local()

    def group_work(group: int) -> _Group[_R] | None:
        if not hasattr(local, "handle"):  # a ParquetFile per thread: reads are not shared
            local.handle = snapshot.open_file(path)
        table = local.handle.read_row_group(group, columns=wanted, use_threads=False)
        population = Population(table)
        if not population.size:
            return None
        results = [
            (work(block), block.size) for block in _blocks(population.prepare(columns), rows)
        ]
        ids = population.household_ids
        return _Group(results, int(ids[0]), int(ids[-1]))

    previous: int | None = None
    groups = range(handle.metadata.num_row_groups)
    for done, _ in _in_pool(group_work, iter(groups), threads, ahead=1, sized=lambda _: 0):
        if done is None:
            continue
        if previous is not None and done.first <= previous:
            raise _split_household(path, done.first)
        previous = done.last
        yield from done.results


def _in_pool(
    work: Callable[[_T], _R],
    blocks: Iterator[_T],
    threads: int,
    *,
    ahead: int = 2,
    sized: Callable[[_T], int] = _size,
) -> Iterator[tuple[_R, int]]:
    """``work`` on each block on ``threads`` threads (NumPy and Arrow release the GIL for
    their loops), at most ``ahead`` blocks per thread ahead; results in order, with each block's
    number of rows (``sized``). The blocks are read (and checked) on the calling thread."""
    if threads <= 1:
        for block in blocks:
            yield work(block), sized(block)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[tuple[Future[_R], int]] = deque()
        try:
            for block in blocks:
                if len(pending) >= ahead * threads:
                    done, size = pending.popleft()
                    yield done.result(), size
                pending.append((pool.submit(work, block), sized(block)))
            while pending:
                done, size = pending.popleft()
                yield done.result(), size
        finally:
            for waiting, _ in pending:
                waiting.cancel()
