"""Per-person results for the whole catalogue in one pass (issue 17, item 3).

`evaluate_people` evaluates every service for every resident of a population or a snapshot
file and yields the results as Arrow record batches, one per block of whole households:
``person_id``, ``household_id``, then for each service ``<id>.eligible`` (bool) and, for a
service with an amount, ``<id>.amount`` (int64, 0 where not eligible). A household service is
evaluated for the household's head: its result is on the head's row, and ``False`` / ``0`` on
the other members' rows.

It is `vectorised.evaluate_catalogue`'s pass, keeping the values instead of summing them: one
plan for all services (a derived fact such as ``age`` or a household sum is computed once per
block, whichever services read it), blocks of about `vectorised.DEFAULT_BLOCK_ROWS` rows (the
intermediate arrays stay in the processor's cache), threads, and the snapshot streamed a row
group at a time, only the columns the services read. Memory is that of the blocks in flight,
however large the population: a caller that writes the batches out (`write_people`) or reduces
them never holds everyone's results.

The former way — `vectorised.evaluate_service` once per service over the whole population in
memory — evaluated shared sub-expressions again for every service and held everything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from gov3.rules.ir import Value
from gov3.rules.vectorised import (
    DEFAULT_BLOCK_ROWS,
    IdentifiedServiceRules,
    NDArray,
    Population,
    ServiceRules,
    _amount_node,
    _any_household,
    _blocks,
    _check_params,
    _file_blocks,
    _in_pool,
    _Plan,
    _Run,
    _service_values,
    exact_sum,
)


def eligible_column(service_id: str) -> str:
    """The name of a service's eligibility column in the results."""
    return f"{service_id}.eligible"


def amount_column(service_id: str) -> str:
    """The name of a service's amount column in the results."""
    return f"{service_id}.amount"


def results_schema(services: Mapping[str, ServiceRules]) -> Any:
    """The Arrow schema of `evaluate_people`'s batches for `services` (by id, in order)."""
    fields = [
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("household_id", pa.int64(), nullable=False),
    ]
    for service_id, service in services.items():
        fields.append(pa.field(eligible_column(service_id), pa.bool_(), nullable=False))
        if service.amount is not None:
            fields.append(pa.field(amount_column(service_id), pa.int64(), nullable=False))
    return pa.schema(fields)


def _by_id(
    services: Mapping[str, ServiceRules] | Sequence[IdentifiedServiceRules],
) -> Mapping[str, ServiceRules]:
    return services if isinstance(services, Mapping) else {s.id: s for s in services}


def evaluate_people(
    services: Mapping[str, ServiceRules] | Sequence[IdentifiedServiceRules],
    source: Population | Path | str,
    params: Mapping[str, Value],
    today: date,
    *,
    threads: int = 2,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    check_households: bool = False,
) -> Iterator[Any]:
    """Every service's eligibility and amount for every resident, as Arrow record batches in
    the population's order (see the module). The services and parameters are checked at once
    (a missing parameter raises here, before anything is read); the batches come as the
    iterator is consumed. ``check_households`` as for `vectorised.evaluate_catalogue`."""
    by_id = _by_id(services)
    plan = _Plan()
    nodes = {
        service_id: (plan.add(service.eligible), _amount_node(plan, service), service.subject)
        for service_id, service in by_id.items()
    }
    _check_params(plan, params, today)
    household = {"relationship_to_head"} if _any_household(nodes) else set()
    needed = sorted(plan.columns | household)
    schema = results_schema(by_id)

    def work(block: Population) -> Any:
        if check_households and household:
            block.check_households()
        run = _Run(plan, block, params, today)
        size = block.size
        arrays: list[NDArray] = [block.person_ids, block.household_ids]
        for eligible, amount, subject in nodes.values():
            if subject == "household":
                frame = run.heads()
                heads_mask, heads_amounts = _service_values(run, frame, eligible, amount)
                mask = np.zeros(size, dtype=bool)
                amounts = np.zeros(size, dtype=np.int64)
                rows = frame.rows if frame.rows is not None else np.arange(size)
                mask[rows] = heads_mask
                amounts[rows] = heads_amounts
            else:
                mask, amounts = _service_values(run, run.all_rows, eligible, amount)
            arrays.append(mask)
            if amount is not None:
                arrays.append(amounts)
        return pa.RecordBatch.from_arrays(
            [pa.array(array, type=field.type) for array, field in zip(arrays, schema, strict=True)],
            schema=schema,
        )

    if isinstance(source, Population):
        blocks = _blocks(source.prepare(needed), block_rows)
    else:
        blocks = _file_blocks(source, needed, block_rows, person_ids=True)
    return (batch for batch, _ in _in_pool(work, blocks, threads))


@dataclass(frozen=True)
class PeopleSummary:
    """What `write_people` wrote: the rows, and per service the number eligible and the exact
    total of their amounts (the catalogue's figures, from the same pass)."""

    rows: int
    totals: dict[str, tuple[int, int]]


def write_people(
    path: Path | str,
    services: Mapping[str, ServiceRules] | Sequence[IdentifiedServiceRules],
    source: Population | Path | str,
    params: Mapping[str, Value],
    today: date,
    *,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
    check_households: bool = False,
) -> PeopleSummary:
    """`evaluate_people` written to a Parquet file at `path` as it goes (a row group per
    block, under a temporary name moved into place at the end; readable by the owner only: it
    holds everyone's results), with each service's count and exact total."""
    by_id = _by_id(services)
    batches = evaluate_people(
        by_id, source, params, today, threads=threads, check_households=check_households
    )
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    totals = {service_id: [0, 0] for service_id in by_id}
    written = 0
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    writer: Any = pq.ParquetWriter(str(temporary), results_schema(by_id))
    try:
        for batch in batches:
            writer.write_batch(batch)
            for service_id, service in by_id.items():
                mask = batch.column(eligible_column(service_id)).to_numpy(zero_copy_only=False)
                totals[service_id][0] += int(np.count_nonzero(mask))
                if service.amount is not None:
                    amounts = batch.column(amount_column(service_id)).to_numpy()
                    totals[service_id][1] += exact_sum(amounts)
            written += batch.num_rows
            if progress is not None:
                progress(written)
    except BaseException:
        writer.close()
        temporary.unlink(missing_ok=True)
        raise
    writer.close()
    temporary.replace(target)
    return PeopleSummary(written, {k: (count, total) for k, (count, total) in totals.items()})
