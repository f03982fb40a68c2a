"""A population or a snapshot file in blocks of whole households, and the pool of threads that
evaluates them in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from gov3.rules import snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import KEY_COLUMNS
from gov3.rules.vectorised.population import Population

_R = TypeVar("_R")

#: Rows evaluated at a time inside a row group (whole households): small enough that the
#: intermediate arrays stay in the processor's cache.
DEFAULT_BLOCK_ROWS = 1 << 18


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
