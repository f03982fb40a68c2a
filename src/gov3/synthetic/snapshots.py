"""A synthetic registry snapshot, fast: realistic households straight to Parquet, no database.

For benchmarks and tests of the population-scale evaluators at sizes the database cannot reach
quickly (Korea's 51.7 million residents). It draws from the same country-pack statistics as
`gov3 population generate` (`countries/<cc>/population.yaml`): household sizes and kinds
(single, couple, lone parent, couple with children, three generations), ages by 5-year band,
sexes, disabilities rising with age, log-normal incomes, passports, and areas; and fills the
facts the snapshot has (`rules.facts`): ``lives_with_parent`` for children at home and adults
living with their parents, ``birth_order`` from the children's order at home, and so on.

Residents are made in chunks of whole households (one Parquet row group each), every chunk
from its own random stream (``seed`` and the chunk's number), so a snapshot is the same for the
same arguments whatever the number of threads, and memory stays flat at any size. A
household's id is its first member's person id, so chunks need not know about each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from gov3.catalogue.packs import CountryPack
from gov3.rules import snapshot
from gov3.rules.facts import BASE_FACTS, NO_DATE

NDArray = np.ndarray[Any, Any]

_DAYS_PER_YEAR = 365.2425
MAX_AGE = 99
# "5 or more" members splits into 5, 6 and 7 like this (as `gov3 population generate`).
_LARGEST_EXTRA = np.array([0.7, 0.2, 0.1])
# Household kinds.
SINGLE, COUPLE, LONE_PARENT, WITH_PARENT, FAMILY, THREE_GENERATIONS = range(6)
# Relationship codes: the order of `facts.BASE_FACTS["relationship_to_head"].values`.
_RELATIONSHIPS = BASE_FACTS["relationship_to_head"].values
HEAD, SPOUSE, CHILD, PARENT = (
    _RELATIONSHIPS.index(r) for r in ("head", "spouse", "child", "parent")
)
_SEXES = BASE_FACTS["sex"].values  # M, F, X
_DISABILITIES = BASE_FACTS["disability"].values  # none, mild, severe
# Birth order of adults whose mother is not in the household (older generations had more
# children): shares of first, second, third and fourth-or-later children.
_ADULT_BIRTH_ORDER = np.array([0.45, 0.33, 0.15, 0.07])
# Foreign residents, for Korea: Ministry of Justice, Korea Immigration Service statistics 2023
# (about 2.5 million foreign residents, 4.9 % of residents; main nationalities, rounded).
_FOREIGN: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {
    "kr": (
        0.049,
        (
            ("CHN", 0.37),
            ("VNM", 0.11),
            ("THA", 0.08),
            ("USA", 0.06),
            ("UZB", 0.04),
            ("PHL", 0.03),
            ("RUS", 0.03),
            ("NPL", 0.03),
            ("KHM", 0.02),
            ("IDN", 0.02),
            ("MNG", 0.02),
            ("JPN", 0.02),
            ("KAZ", 0.02),
            ("CAN", 0.02),
            ("MMR", 0.02),
            ("LKA", 0.02),
            ("TWN", 0.01),
            ("BGD", 0.01),
            ("IND", 0.01),
            ("PAK", 0.01),
        ),
    ),
}


@dataclass(frozen=True)
class SyntheticSummary:
    """What `generate_snapshot` wrote."""

    path: Path
    residents: int
    households: int
    row_groups: int
    seconds: float


class _Draws:
    """The pack's statistics as vectorised samplers."""

    def __init__(self, pack: CountryPack) -> None:
        stats = pack.population
        self.pack = pack
        self.stats = stats
        per_year = np.zeros(MAX_AGE + 1)
        for band in stats.age_bands:
            end = min(band.end, MAX_AGE)
            per_year[band.start : end + 1] = band.share / (end - band.start + 1)
        self.per_year = per_year
        ages = np.arange(MAX_AGE + 1)
        # The same tilts as `gov3 population generate`: single-person households lean to the
        # young and the old; couples without children to the old; children at home are young.
        self.single = self._table(
            20, MAX_AGE, np.where(ages < 35, 1.6, np.where(ages >= 65, 2.6, 0.8))
        )
        self.couple = self._table(
            25, MAX_AGE, np.where(ages >= 60, 2.2, np.where(ages < 40, 0.4, 1.0))
        )
        self.child = self._table(0, 34, np.where(ages < 20, 0.8, np.where(ages < 30, 0.9, 0.4)))
        self.adult_child_head = self._table(30, 62, np.ones(MAX_AGE + 1))
        sizes = np.array([share for _, share in stats.household_size_shares])
        self.size_cumulative = np.cumsum(sizes / sizes.sum())
        self.largest = len(sizes)
        self.extra_cumulative = np.cumsum(_LARGEST_EXTRA)
        self.majority = pack.age_of_majority
        leaves = pack.leaf_areas
        by_code = {a.code: a for a in pack.areas}

        def province(code: str) -> str:
            area = by_code[code]
            while area.parent_code is not None:
                area = by_code[area.parent_code]
            return area.code

        self.areas = [a.code for a in leaves]
        provinces = sorted({province(code) for code in self.areas})
        self.provinces = provinces
        self.province_of_area = np.array(
            [provinces.index(province(code)) for code in self.areas], dtype=np.int32
        )
        share, nationalities = _FOREIGN.get(pack.code, (0.0, ()))
        self.foreign_share = share
        self.nationalities = [pack.iso3] + [code for code, _ in nationalities]
        weights = np.array([w for _, w in nationalities]) if nationalities else np.ones(0)
        self.foreign_cumulative = np.cumsum(weights / weights.sum()) if len(weights) else weights

    def _table(self, low: int, high: int, tilt: NDArray) -> tuple[int, NDArray]:
        weights = self.per_year[low : high + 1] * tilt[low : high + 1]
        return low, np.cumsum(weights / weights.sum())

    @staticmethod
    def age(table: tuple[int, NDArray], u: NDArray, fraction: NDArray) -> NDArray:
        """Ages (in fractional years) by inverse CDF from one of the age tables."""
        low, cumulative = table
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
        return low + index + fraction


def _kinds(sizes: NDArray, u: NDArray, three_generation: float) -> NDArray:
    """The kind of each household, given its size (as `gov3 population generate`)."""
    kind = np.full(len(sizes), FAMILY, dtype=np.int8)
    kind[sizes == 1] = SINGLE
    two = sizes == 2
    kind[two & (u < 0.62)] = COUPLE
    kind[two & (u >= 0.62) & (u < 0.92)] = LONE_PARENT
    kind[two & (u >= 0.92)] = WITH_PARENT
    more = sizes >= 3
    kind[more & (u < three_generation)] = THREE_GENERATIONS
    kind[more & (u >= three_generation) & (u < three_generation + 0.12)] = LONE_PARENT
    return kind


def _add_years(days: NDArray, years: int) -> NDArray:
    """The same calendar day ``years`` later (29 February → 28 February in a common year)."""
    moment = days.astype("datetime64[D]")
    months = moment.astype("datetime64[M]")
    day_of_month = (moment - months.astype("datetime64[D]")).astype(np.int64)
    shifted = (months + np.timedelta64(12 * years, "M")).astype("datetime64[D]")
    month_length = (
        (months + np.timedelta64(12 * years + 1, "M")).astype("datetime64[D]") - shifted
    ).astype(np.int64)
    out: NDArray = (shifted + np.minimum(day_of_month, month_length - 1)).astype(np.int64)
    return out


def chunk_table(  # noqa: PLR0915 - one pass, column by column
    draws: _Draws, size: int, rng: np.random.Generator, *, as_of: date, first_person: int
) -> Any:
    """``size`` residents in whole households (the last one cut short if needed) as a snapshot
    table; person ids from ``first_person``."""
    stats = draws.stats
    # Household sizes, enough of them, then cut to exactly `size` residents.
    drawn = max(16, int(size / 2.0) + 64)
    while True:
        u = rng.random((drawn, 2))
        sizes = np.searchsorted(draws.size_cumulative, u[:, 0], side="right") + 1
        sizes = np.minimum(sizes, draws.largest)
        largest = sizes == draws.largest
        sizes[largest] += np.searchsorted(draws.extra_cumulative, u[largest, 1], side="right")
        total = np.cumsum(sizes)
        if total[-1] >= size:
            break
        drawn *= 2
    households = int(np.searchsorted(total, size)) + 1
    sizes = sizes[:households].astype(np.int64)
    sizes[-1] -= int(total[households - 1]) - size
    h = households
    n = size

    # What each household is made of: head, a spouse or not, children, grandparents.
    hu = rng.random((h, 16))
    kind = _kinds(sizes, hu[:, 0], stats.three_generation_share)
    spouse = np.isin(kind, (COUPLE, FAMILY, THREE_GENERATIONS)).astype(np.int64)
    grandparents = np.where(kind == WITH_PARENT, 1, 0)
    three = kind == THREE_GENERATIONS
    grandparents[three] = np.where((sizes[three] >= 5) & (hu[three, 1] < 0.5), 2, 1)
    children = sizes - 1 - spouse - grandparents

    # Ages of the household's generations (fractional years).
    head_male = np.where(
        kind == LONE_PARENT,
        hu[:, 2] < 0.3,
        np.where(kind == WITH_PARENT, hu[:, 2] < 0.5, hu[:, 2] < 0.75),
    )
    gap = 4.5 * hu[:, 3] - 0.5  # husbands are about two years older than their wives
    eldest = draws.age(draws.child, hu[:, 4], hu[:, 5])
    mother = np.minimum(eldest + 24 + 12 * hu[:, 6], MAX_AGE + 0.5)
    adult_child = draws.age(draws.adult_child_head, hu[:, 4], hu[:, 5])
    head_age = np.select(
        [kind == SINGLE, kind == COUPLE, np.isin(kind, (WITH_PARENT, THREE_GENERATIONS))],
        [
            draws.age(draws.single, hu[:, 4], hu[:, 5]),
            draws.age(draws.couple, hu[:, 4], hu[:, 5]),
            adult_child,
        ],
        default=np.where(
            (kind == FAMILY) & head_male, np.minimum(mother + gap, MAX_AGE + 0.5), mother
        ),
    )
    # People living alone: more young men and more old women.
    single = kind == SINGLE
    head_male[single] = hu[single, 13] < np.where(head_age[single] < 60, 0.62, 0.38)
    spouse_age = np.where(head_male, head_age - gap, head_age + gap)
    spouse_age = np.minimum(np.maximum(spouse_age, draws.majority + hu[:, 7]), MAX_AGE + 0.5)
    youngest_parent = np.where(spouse == 1, np.minimum(head_age, spouse_age), head_age)
    # Three generations: the head's children are 24-36 years younger than the head.
    eldest = np.where(three, youngest_parent - 24 - 12 * hu[:, 8], eldest)
    eldest = np.where(eldest < 0, 2 * hu[:, 9], eldest)
    eldest = np.minimum(eldest, youngest_parent - draws.majority)
    old_age = np.minimum(head_age + 24 + 10 * hu[:, 10], MAX_AGE + 0.5)

    # One row per resident.
    starts = np.zeros(h, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    hh = np.repeat(np.arange(h), sizes)
    position = np.arange(n) - starts[hh]
    first_child = 1 + spouse[hh]
    child_index = position - first_child
    is_head = position == 0
    is_spouse = (position == 1) & (spouse[hh] == 1)
    is_child = (child_index >= 0) & (child_index < children[hh])
    is_grandparent = ~is_head & ~is_spouse & ~is_child
    grandparent_index = child_index - children[hh]

    pu = rng.random((n, 8))
    # Children: the eldest first, the next ones 1.5-4.5 years apart (a few twins at 0).
    # Children: the eldest first, each next one 1.5-4.5 years younger (or, when that would be
    # before today, born some time after the previous one).
    most = int(children.max()) if h else 0
    ages = np.zeros((h, max(most, 1)))
    ages[:, 0] = np.maximum(eldest, 0.0)
    gaps = rng.random((h, max(most, 1), 2))
    for k in range(1, most):
        previous = ages[:, k - 1]
        following = previous - 1.5 - 3 * gaps[:, k, 0]
        ages[:, k] = np.where(following >= 0, following, previous * gaps[:, k, 1])
    child_age = ages[hh, np.clip(child_index, 0, max(most, 1) - 1)]
    grandparent_age = np.where(
        grandparent_index == 1,
        np.maximum(old_age[hh] - 2 * pu[:, 1], head_age[hh] + 20),
        old_age[hh],
    )
    age = np.select(
        [is_head, is_spouse, is_child],
        [head_age[hh], spouse_age[hh], child_age],
        default=np.minimum(grandparent_age, MAX_AGE + 0.5),
    )
    age = np.clip(age, 0.0, MAX_AGE + 0.99)
    today = snapshot.days(as_of)
    birth = today - np.maximum(1, (age * _DAYS_PER_YEAR).astype(np.int64))

    # Sexes: heads as drawn, spouses the other; two grandparents are a man and a woman.
    male = np.select(
        [is_head, is_spouse, is_child],
        [head_male[hh], ~head_male[hh], pu[:, 2] < 0.512],  # 105 boys per 100 girls at birth
        default=np.where(grandparents[hh] == 2, grandparent_index == 0, pu[:, 2] < 0.3),
    )
    relationship = np.select(
        [is_head, is_spouse, is_child], [HEAD, SPOUSE, CHILD], default=PARENT
    ).astype(np.int8)
    has_spouse = (is_head | is_spouse) & (spouse[hh] == 1) | (
        is_grandparent & (grandparents[hh] == 2)
    )
    lives_with_parent = is_child | (is_head & (grandparents[hh] > 0))
    adult_order = 1 + np.searchsorted(np.cumsum(_ADULT_BIRTH_ORDER), pu[:, 3], side="right")
    birth_order = np.where(is_child, child_index + 1, np.minimum(adult_order, 4)).astype(np.int16)

    # Disability rises with age; the scale keeps the pack's share.
    years = age.astype(np.int64)
    d_weight = np.select(
        [years < 20, years < 40, years < 60, years < 80], [0.3, 0.6, 1.0, 2.0], 3.0
    )
    d_prob = np.minimum(stats.disability_share * n * d_weight / d_weight.sum(), 0.9)
    disabled = pu[:, 4] < d_prob
    severe = rng.random(n) < stats.disability_severe_share
    disability = np.where(disabled, np.where(severe, 2, 1), 0).astype(np.int8)

    # Income: log-normal for earners; fewer earners and lower incomes from 65.
    working = (years >= draws.majority) & (years < 65)
    older = years >= 65
    earning_share = np.where(
        working, stats.earning_share_working_age, np.where(older, stats.earning_share_older, 0.0)
    )
    earns = pu[:, 5] < earning_share
    median = np.where(older, stats.older_median_factor, 1.0) * stats.income_median_monthly
    raw = median * np.exp(stats.income_sigma * rng.standard_normal(n))
    step_money = stats.income_round_to
    income = np.where(earns, np.maximum(np.round(raw / step_money), 1) * step_money, 0).astype(
        np.int64
    )
    assessed = earns | ((years >= draws.majority) & (pu[:, 6] < 0.25))

    # Passports: adults more than children and the very old; issued within the validity
    # period (not before birth), a tenth of holders left theirs to expire in the last 3 years.
    p_weight = np.select([years < 1, years < 19, years < 70], [0.2, 0.8, 1.2], 0.6)
    p_prob = np.minimum(stats.passport_share_valid * n * p_weight / p_weight.sum(), 0.95)
    qu = rng.random((n, 2))
    has_passport = pu[:, 7] < p_prob
    validity = draws.pack.passport.validity_years
    window = int(validity * _DAYS_PER_YEAR)
    lapsed = qu[:, 0] < 0.1
    issued = today - (qu[:, 1] * window).astype(np.int64)
    issued = np.where(
        lapsed, today - window - (qu[:, 1] * 3 * _DAYS_PER_YEAR).astype(np.int64), issued
    )
    issued = np.maximum(issued, birth)
    expiry = np.where(has_passport, _add_years(issued, validity), snapshot.days(NO_DATE))

    # Where: an area per household; a few foreign households.
    area = rng.integers(0, len(draws.areas), size=h)
    foreign = hu[:, 11] < draws.foreign_share
    nationality = np.zeros(h, dtype=np.int32)
    if len(draws.foreign_cumulative):
        picked = np.searchsorted(draws.foreign_cumulative, hu[:, 12], side="right")
        nationality = np.where(
            foreign, 1 + np.minimum(picked, len(draws.foreign_cumulative) - 1), 0
        ).astype(np.int32)

    person_ids = first_person + np.arange(n, dtype=np.int64)
    household_ids = person_ids[starts][hh]
    return snapshot.table(
        {
            "person_id": person_ids,
            "household_id": household_ids,
            "birth_date": birth.astype(np.int32),
            "sex": snapshot.text_column(np.where(male, 0, 1).astype(np.int8), _SEXES, "sex"),
            "nationality": snapshot.text_column(
                nationality[hh], draws.nationalities, "nationality"
            ),
            "area": snapshot.text_column(area[hh].astype(np.int32), draws.areas, "area"),
            "province": snapshot.text_column(
                draws.province_of_area[area][hh], draws.provinces, "province"
            ),
            "relationship_to_head": snapshot.text_column(
                relationship, _RELATIONSHIPS, "relationship_to_head"
            ),
            "has_spouse": has_spouse,
            "lives_with_parent": lives_with_parent,
            "birth_order": birth_order,
            "disability": snapshot.text_column(disability, _DISABILITIES, "disability"),
            "monthly_income": income,
            "income_assessed": assessed,
            "has_passport": has_passport,
            "passport_expiry": expiry.astype(np.int32),
        }
    )


def generate_snapshot(
    path: Path | str,
    size: int,
    *,
    pack: CountryPack,
    as_of: date,
    seed: int = 1,
    chunk_rows: int = snapshot.DEFAULT_ROW_GROUP_ROWS,
    threads: int = 2,
    progress: Callable[[int], None] | None = None,
) -> SyntheticSummary:
    """Write a snapshot of ``size`` synthetic residents of ``pack``'s country, as on
    ``as_of``, reproducibly from ``seed``; ``progress`` is called with the residents written
    after each chunk."""
    if size < 1:
        raise ValueError("The population size must be at least 1.")
    started = time.perf_counter()
    draws = _Draws(pack)
    chunks = [(start, min(chunk_rows, size - start)) for start in range(0, size, chunk_rows)]

    def make(number: int) -> Any:
        start, rows = chunks[number]
        rng = np.random.default_rng([seed, number])
        return chunk_table(draws, rows, rng, as_of=as_of, first_person=1 + start)

    households = 0
    details = {"seed": seed, "size": size, "as_of": as_of.isoformat(), "chunk_rows": chunk_rows}
    with (
        snapshot.SnapshotWriter(
            path, country=pack.code, source="synthetic", created=as_of, details=details
        ) as writer,
        ThreadPoolExecutor(max_workers=max(threads, 1)) as pool,
    ):
        for data in _in_order(pool, make, len(chunks), ahead=max(threads, 1) + 1):
            writer.write(data)
            ids = data.column("household_id").to_numpy()
            households += int(np.count_nonzero(ids[1:] != ids[:-1])) + 1
            if progress is not None:
                progress(data.num_rows)
    return SyntheticSummary(
        path=Path(path),
        residents=size,
        households=households,
        row_groups=len(chunks),
        seconds=time.perf_counter() - started,
    )


def _in_order(
    pool: ThreadPoolExecutor, make: Callable[[int], Any], count: int, ahead: int
) -> Iterator[Any]:
    """``make(0)``, ``make(1)`` … computed on ``pool`` at most ``ahead`` ahead, in order."""
    pending: list[Future[Any]] = []
    number = 0
    while number < count or pending:
        while number < count and len(pending) < ahead:
            pending.append(pool.submit(make, number))
            number += 1
        yield pending.pop(0).result()
