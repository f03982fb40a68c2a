"""The public evaluators: `evaluate` one expression, `evaluate_service` per subject,
`evaluate_catalogue` every service over a population or a snapshot file, with exact totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.ir import Type, Value
from gov3.rules.vectorised.blocks import DEFAULT_BLOCK_ROWS, _blocks, _file_blocks, _in_pool
from gov3.rules.vectorised.operations import _int
from gov3.rules.vectorised.plan import _Plan
from gov3.rules.vectorised.population import Population
from gov3.rules.vectorised.run import _Frame, _Run
from gov3.rules.vectorised.values import _V, NDArray, _date, _Text


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
