"""The impact of a draft rule: the current and the draft version of a service evaluated over
the whole register with the vectorised evaluator, compared person by person, and counted by
area, age band and household type. Pure (NumPy, no Django).

For every subject (every resident, or every household head for a household service):

* **start**: does not qualify now, would under the draft; **stop**: the reverse;
* **gain** / **lose**: qualifies under both, the draft's amount is higher / lower;
* the amounts now and under the draft, summed exactly (the change in total cost).

What is published is decided elsewhere (`gov3.opendata.core.suppression`): these are the raw
counts, never shown as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from gov3.rules.ir import Value
from gov3.rules.vectorised import Population, ServiceRules, evaluate_service, exact_sum

NDArray = np.ndarray[Any, Any]

#: Age bands (years, inclusive) and household types of the published tables.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-17", 0, 17),
    ("18-39", 18, 39),
    ("40-64", 40, 64),
    ("65-74", 65, 74),
    ("75+", 75, 200),
)
HOUSEHOLD_TYPES = ("single", "couple", "with_children", "other")
COUNTS = ("subjects", "eligible_now", "eligible_draft", "start", "stop", "gain", "lose")
MONEY = ("cost_now", "cost_draft")
DIMENSIONS = ("area", "age_band", "household_type")


@dataclass
class Cell:
    """The raw figures of one group of subjects."""

    subjects: int = 0
    eligible_now: int = 0
    eligible_draft: int = 0
    start: int = 0
    stop: int = 0
    gain: int = 0
    lose: int = 0
    cost_now: int = 0
    cost_draft: int = 0

    @property
    def changed(self) -> int:
        """Subjects whose result changes (each counted once)."""
        return self.start + self.stop + self.gain + self.lose

    @property
    def cost_change(self) -> int:
        return self.cost_draft - self.cost_now

    def add(self, other: Cell) -> None:
        for name in (*COUNTS, *MONEY):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Impact:
    """The raw impact: the total and, per dimension, a cell per value."""

    total: Cell = field(default_factory=Cell)
    by: dict[str, dict[str, Cell]] = field(
        default_factory=lambda: {dimension: {} for dimension in DIMENSIONS}
    )

    def add(self, other: Impact) -> None:
        self.total.add(other.total)
        for dimension, cells in other.by.items():
            mine = self.by[dimension]
            for key, cell in cells.items():
                mine.setdefault(key, Cell()).add(cell)


@dataclass(frozen=True)
class Version:
    """A service's rules and the parameters in force on the day, in one version."""

    service: ServiceRules
    params: Mapping[str, Value]


def ages(birth_days: NDArray, day: date) -> NDArray:
    """Completed years on ``day`` of people born on ``birth_days`` (days since 1970)."""
    born = birth_days.astype("datetime64[D]")
    years = born.astype("datetime64[Y]").astype(np.int64) + 1970
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    # (month, day) compared as month * 32 + day; born 29 February: a year older on 1 March
    before_birthday = months * 32 + days > day.month * 32 + day.day
    return np.asarray(day.year - years - before_birthday.astype(np.int64))


def ages_by_lookup(birth_days: NDArray, day: date) -> NDArray:
    """`ages` for many people: computed once for every day from the earliest birth to the
    latest (some 40,000 days for a whole country) and looked up for each person."""
    if len(birth_days) == 0:
        return np.zeros(0, dtype=np.int64)
    days = np.asarray(birth_days).astype(np.int64)
    first = int(days.min())
    table = ages(np.arange(first, int(days.max()) + 1, dtype=np.int64), day)
    return np.asarray(table[days - first])


def _household_types(block: Population, age: NDArray) -> NDArray:
    """Each row's household type, as an index into `HOUSEHOLD_TYPES`."""
    starts = block.starts
    sizes = block.sizes
    spouse = block.column("has_spouse")
    assert isinstance(spouse, np.ndarray)
    children = np.add.reduceat((age < 18).astype(np.int64), starts) if len(starts) else starts
    married = np.add.reduceat(spouse.astype(np.int64), starts) if len(starts) else starts
    kind = np.full(len(starts), 3, dtype=np.int64)
    kind[(sizes == 2) & (married == 2)] = 1
    kind[children > 0] = 2
    kind[sizes == 1] = 0
    return np.asarray(np.repeat(kind, sizes))


def _sums(index: NDArray, amounts: NDArray, width: int) -> list[int]:
    """Exact sums of ``amounts`` per index: through float64 (fast) while every partial sum
    stays below 2⁵³, else exactly per group."""
    if len(amounts) == 0 or int(np.abs(amounts).max()) * len(amounts) < 2**53:
        sums = np.bincount(index, weights=amounts.astype(np.float64), minlength=width)
        return [int(v) for v in sums]
    return [exact_sum(amounts[index == number]) for number in range(width)]


#: Bit of each count in a subject's pattern (`_block_impact`).
_BITS = {name: 1 << number for number, name in enumerate(COUNTS[1:])}
#: Which counts each of the 64 patterns adds to (subjects: every pattern).
_PATTERN_COUNTS = np.array(
    [[1] + [int(bool(pattern & bit)) for bit in _BITS.values()] for pattern in range(64)],
    dtype=np.int64,
)


def _block_impact(block: Population, current: Version, draft: Version, day: date) -> Impact:
    """Both versions over one block of whole households, counted by group: each subject's
    changes are one 6-bit pattern, so a dimension's counts are one `bincount` of (group,
    pattern) and one small matrix product."""
    now = evaluate_service(current.service, block, current.params, day)
    new = evaluate_service(draft.service, block, draft.params, day)
    if current.service.subject == "household":
        rows = np.flatnonzero(np.isin(block.person_ids, now.person_ids))
    else:
        rows = np.arange(block.size)
    birth = block.column("birth_date")
    assert isinstance(birth, np.ndarray)
    age = ages_by_lookup(birth, day)
    keys: dict[str, tuple[NDArray, list[str]]] = {}
    province = block.column("province")
    codes = getattr(province, "codes", None)
    categories = list(getattr(province, "categories", ()))
    if codes is None:  # a province column given as plain strings
        categories = sorted({str(v) for v in np.asarray(province)})
        codes = np.searchsorted(categories, np.asarray(province).astype(str))
    keys["area"] = (np.asarray(codes)[rows], categories)
    bands = np.zeros(block.size, dtype=np.int64)
    for number, (_, low, _high) in enumerate(AGE_BANDS):
        bands[age >= low] = number
    keys["age_band"] = (bands[rows], [label for label, _, _ in AGE_BANDS])
    keys["household_type"] = (_household_types(block, age)[rows], list(HOUSEHOLD_TYPES))

    # Only subjects eligible under either version change anything but the subject counts:
    # the counts and sums run over them alone (some 15 % of a register for a pension).
    active = np.flatnonzero(now.eligible | new.eligible)
    eligible_now, eligible_draft = now.eligible[active], new.eligible[active]
    amount_now, amount_draft = now.amount[active], new.amount[active]
    both = eligible_now & eligible_draft
    flags = {
        "eligible_now": eligible_now,
        "eligible_draft": eligible_draft,
        "start": ~eligible_now & eligible_draft,
        "stop": eligible_now & ~eligible_draft,
        "gain": both & (amount_draft > amount_now),
        "lose": both & (amount_draft < amount_now),
    }
    pattern = np.zeros(len(active), dtype=np.int64)
    for name, values in flags.items():
        pattern |= values.astype(np.int64) * _BITS[name]
    impact = Impact()
    impact.total.subjects = len(rows)
    for name, values in flags.items():
        setattr(impact.total, name, int(np.count_nonzero(values)))
    impact.total.cost_now = now.total
    impact.total.cost_draft = new.total
    for dimension, (index, labels) in keys.items():
        width = len(labels)
        subjects = np.bincount(index, minlength=width)
        changed = index[active]
        combined = np.bincount(changed * 64 + pattern, minlength=width * 64)
        counted = combined.reshape(width, 64) @ _PATTERN_COUNTS  # (group, count)
        cost_now = _sums(changed, amount_now, width)
        cost_draft = _sums(changed, amount_draft, width)
        cells: dict[str, Cell] = {}
        for number, label in enumerate(labels):
            if not subjects[number]:
                continue
            cell = Cell(**{name: int(counted[number, k]) for k, name in enumerate(COUNTS)})
            cell.subjects = int(subjects[number])
            cell.cost_now = cost_now[number]
            cell.cost_draft = cost_draft[number]
            cells[label] = cell
        impact.by[dimension] = cells
    return impact


def compute_impact(
    population: Population,
    current: Version,
    draft: Version,
    day: date,
    *,
    block_households: int = 200_000,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """Current vs. draft over ``population``, a block of whole households at a time on
    ``threads`` threads; the figures are exact and do not depend on the block size."""
    count = population.household_count
    ranges = [
        (first, min(first + block_households, count)) for first in range(0, count, block_households)
    ] or [(0, 0)]
    result = Impact()

    def work(bounds: tuple[int, int]) -> Impact:
        first, last = bounds
        if last <= first:
            return Impact()
        return _block_impact(population.households(first, last), current, draft, day)

    population.prepare(
        [c for c in ("birth_date", "province", "has_spouse") if c in population.table.column_names]
    )
    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        for part in pool.map(work, ranges):
            result.add(part)
            if progress is not None:
                progress(part.total.subjects)
    return result
