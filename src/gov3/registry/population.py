"""A synthetic population for demos, tests and benchmarks, drawn from a country pack's statistics.

`generate_population` builds residents household by household (heads, spouses, children with
their parents, some three-generation households), with national id numbers from the country's
scheme, names, addresses, incomes, disabilities, passports, deaths and moves, and bulk-loads
them: PostgreSQL through ``COPY``, SQLite through batched ``executemany``. Households are made and
written in chunks, so memory stays flat whatever the size.

Everything random comes from one seeded NumPy generator, so the same seed, pack and as-of date
give the same rows, national ids and public ids. Why this writes rows directly instead of calling
the `do_*` commands per person: docs/adr/0003-bulk-population-load.md.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gov3.catalogue.packs import CountryPack, NamePart, load_pack, pack_path
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.registry.models import (
    Address,
    Area,
    Household,
    LifeEvent,
    LifeEventKind,
    Passport,
    PassportStatus,
    Person,
    Relationship,
)
from gov3.registry.national_ids import national_id_scheme

ACTOR = "system:population-generate"
DEFAULT_BATCH = 5000
SQLITE_CACHE_KIB = 256 * 1024
MAX_AGE = 99
_DAYS_PER_YEAR = 365.2425
# Uniform draws per household: enough for the largest household (7 members) and its decisions.
_DRAWS_PER_HOUSEHOLD = 40
_LARGEST_EXTRA = (0.7, 0.2, 0.1)  # "5 or more" splits into 5, 6 and 7 members like this


class PopulationExistsError(ValidationFailedError):
    """The country already has residents; generating would mix synthetic and existing people."""


@dataclass(frozen=True)
class PopulationSummary:
    """What a generation run did (or, with ``skipped``, why it did nothing)."""

    country: str
    size: int
    seed: int
    as_of: date
    households: int = 0
    persons: int = 0
    passports: int = 0
    life_events: int = 0
    deceased: int = 0
    moved: int = 0
    seconds: float = 0.0
    skipped: bool = False
    existing: int = 0


# --- sampling -------------------------------------------------------------------------------


@dataclass
class _Member:
    """One person of a household being built; references are indices within the chunk."""

    relationship: str
    age: float
    sex: str
    surname: int
    mother: int = -1
    father: int = -1
    spouse: int = -1
    youngest_child_age: float = math.inf


@dataclass
class _Chunk:
    """A batch of households and their members, before ids are assigned."""

    sizes: list[int] = field(default_factory=list)
    head_age: list[float] = field(default_factory=list)
    members: list[_Member] = field(default_factory=list)
    household_of: list[int] = field(default_factory=list)


class _AgeTable:
    """Inverse-CDF sampling of ages in ``[low, high]`` from the pack's 5-year bands."""

    def __init__(
        self, per_year: Sequence[float], low: int, high: int, tilt: Callable[[int], float]
    ):
        self.low = low
        weights = [per_year[a] * tilt(a) for a in range(low, high + 1)]
        total = 0.0
        self.cumulative: list[float] = []
        for w in weights:
            total += w
            self.cumulative.append(total)

    def draw(self, u: float, fraction: float) -> float:
        index = bisect.bisect_right(self.cumulative, u * self.cumulative[-1])
        return self.low + min(index, len(self.cumulative) - 1) + fraction


def _per_year(pack: CountryPack) -> list[float]:
    shares = [0.0] * (MAX_AGE + 1)
    for band in pack.population.age_bands:
        end = min(band.end, MAX_AGE)
        years = end - band.start + 1
        for age in range(band.start, end + 1):
            shares[age] = band.share / years
    return shares


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    out: list[float] = []
    running = 0.0
    for w in weights:
        running += w / total
        out.append(running)
    out[-1] = 1.0
    return out


class _HouseholdSampler:
    """Draws household compositions: who lives together, their ages, sexes and family links."""

    def __init__(self, pack: CountryPack, rng: np.random.Generator) -> None:
        stats = pack.population
        self.rng = rng
        self.majority = pack.age_of_majority
        per_year = _per_year(pack)
        # Single-person households lean to the young and the old (Statistics Korea 2023: people
        # in their 20s-30s and over 60 head most of them).
        self.single = _AgeTable(
            per_year, 20, MAX_AGE, lambda a: 1.6 if a < 35 else (2.6 if a >= 65 else 0.8)
        )
        self.couple = _AgeTable(
            per_year, 25, MAX_AGE, lambda a: 2.2 if a >= 60 else (0.4 if a < 40 else 1.0)
        )
        # Children living with their parents: most are minors, fewer adults the older they are.
        self.child = _AgeTable(
            per_year, 0, 34, lambda a: 0.8 if a < 20 else (0.9 if a < 30 else 0.4)
        )
        self.adult_child_head = _AgeTable(per_year, 30, 62, lambda a: 1.0)
        size_shares = [s for _, s in stats.household_size_shares]
        self.size_cumulative = _cumulative(size_shares)
        self.largest = len(size_shares)
        self.extra_cumulative = _cumulative(_LARGEST_EXTRA)
        self.surname_cumulative = _cumulative([p.share for p in stats.names.surnames])
        self.three_generation = stats.three_generation_share
        self.male_share = stats.males_per_100_females / (100 + stats.males_per_100_females)

    def sizes(self, n: int) -> list[int]:
        """Household sizes for ``n`` households."""
        u = self.rng.random((n, 2)).tolist()
        out = []
        for a, b in u:
            size = bisect.bisect_right(self.size_cumulative, a) + 1
            if size >= self.largest:
                size = self.largest + bisect.bisect_right(self.extra_cumulative, b)
            out.append(min(size, self.largest + len(_LARGEST_EXTRA) - 1))
        return out

    def surname(self, u: float) -> int:
        return min(
            bisect.bisect_right(self.surname_cumulative, u), len(self.surname_cumulative) - 1
        )

    def fill(self, chunk: _Chunk, sizes: list[int]) -> None:
        """Add one household per entry of ``sizes`` to ``chunk``."""
        draws = self.rng.random((len(sizes), _DRAWS_PER_HOUSEHOLD)).tolist()
        for size, r in zip(sizes, draws, strict=True):
            start = len(chunk.members)
            household = len(chunk.sizes)
            self._compose(chunk.members, size, iter(r))
            added = len(chunk.members) - start
            chunk.sizes.append(added)
            chunk.head_age.append(chunk.members[start].age)
            chunk.household_of.extend([household] * added)

    def _compose(self, members: list[_Member], size: int, r: Iterator[float]) -> None:
        kind = next(r)
        if size == 1:
            age = self.single.draw(next(r), next(r))
            male = next(r) < (0.62 if age < 60 else 0.38)
            members.append(
                _Member(Relationship.HEAD, age, "M" if male else "F", self.surname(next(r)))
            )
        elif size == 2 and kind < 0.62:
            self._couple(members, self.couple.draw(next(r), next(r)), r)
        elif size == 2 and kind < 0.92:
            self._lone_parent(members, 1, r)
        elif size == 2:
            self._with_parents(members, 1, 0, r, with_spouse=False)
        elif kind < self.three_generation:
            grandparents = 2 if size >= 5 and next(r) < 0.5 else 1
            self._with_parents(members, grandparents, size - 2 - grandparents, r, with_spouse=True)
        elif kind < self.three_generation + 0.12:
            self._lone_parent(members, size - 1, r)
        else:
            self._family(members, size - 2, r)

    def _couple(
        self,
        members: list[_Member],
        age: float,
        r: Iterator[float],
        *,
        head_is_mother: bool = False,
    ) -> None:
        """A head and spouse; ``age`` is the head's, or the wife's with ``head_is_mother``."""
        head_male = next(r) < 0.75
        # Husbands are on average about two years older than their wives.
        gap = 4.5 * next(r) - 0.5
        head_age = min(age + gap, MAX_AGE + 0.5) if head_is_mother and head_male else age
        spouse_age = head_age - gap if head_male else head_age + gap
        spouse_age = min(max(spouse_age, self.majority + next(r)), MAX_AGE + 0.5)
        head = len(members)
        members.append(
            _Member(Relationship.HEAD, head_age, "M" if head_male else "F", self.surname(next(r)))
        )
        members.append(
            _Member(
                Relationship.SPOUSE,
                spouse_age,
                "F" if head_male else "M",
                self.surname(next(r)),
                spouse=head,
            )
        )
        members[head].spouse = head + 1

    def _mother_age(self, r: Iterator[float]) -> tuple[float, float]:
        """The eldest child's age (from the pack's ages) and a mother's age 24-36 years more."""
        eldest = self.child.draw(next(r), next(r))
        return eldest, min(eldest + 24 + 12 * next(r), MAX_AGE + 0.5)

    def _family(self, members: list[_Member], children: int, r: Iterator[float]) -> None:
        """A couple and their children; ages are drawn from the eldest child up."""
        eldest, mother_age = self._mother_age(r)
        head = len(members)
        self._couple(members, mother_age, r, head_is_mother=True)
        self._children(members, head, head + 1, children, r, eldest=eldest)

    def _lone_parent(self, members: list[_Member], children: int, r: Iterator[float]) -> None:
        eldest, age = self._mother_age(r)
        male = next(r) < 0.3
        head = len(members)
        members.append(_Member(Relationship.HEAD, age, "M" if male else "F", self.surname(next(r))))
        self._children(members, head, -1, children, r, eldest=eldest)

    def _with_parents(
        self,
        members: list[_Member],
        grandparents: int,
        children: int,
        r: Iterator[float],
        *,
        with_spouse: bool,
    ) -> None:
        """A head living with one or two of their own parents, a spouse if any, and children."""
        head_age = self.adult_child_head.draw(next(r), next(r))
        head = len(members)
        if with_spouse:
            self._couple(members, head_age, r)
        else:
            members.append(
                _Member(
                    Relationship.HEAD,
                    head_age,
                    "M" if next(r) < 0.5 else "F",
                    self.surname(next(r)),
                )
            )
        if len(members) - head == 2 and children:
            self._children(members, head, head + 1, children, r)
        elif children:
            self._children(members, head, -1, children, r)
        old_age = min(head_age + 24 + 10 * next(r), MAX_AGE + 0.5)
        first = len(members)
        sexes = ["M", "F"] if grandparents == 2 else ["F" if next(r) < 0.7 else "M"]
        for sex in sexes:
            age = old_age if sex == "M" else max(old_age - 2 * next(r), head_age + 20)
            members.append(_Member(Relationship.PARENT, age, sex, self.surname(next(r))))
        if grandparents == 2:
            members[first].spouse, members[first + 1].spouse = first + 1, first
        for index in range(first, len(members)):
            grandparent = members[index]
            grandparent.youngest_child_age = min(grandparent.youngest_child_age, head_age)
            if grandparent.sex == "M":
                members[head].father = index
                members[head].surname = grandparent.surname  # children take the father's surname
            else:
                members[head].mother = index

    def _children(
        self,
        members: list[_Member],
        a: int,
        b: int,
        count: int,
        r: Iterator[float],
        *,
        eldest: float | None = None,
    ) -> None:
        parents = [members[a]] + ([members[b]] if b >= 0 else [])
        mother = next((i for i in (a, b) if i >= 0 and members[i].sex == "F"), -1)
        father = next((i for i in (a, b) if i >= 0 and members[i].sex == "M"), -1)
        youngest_parent = min(p.age for p in parents)
        # Mothers here have their first child at 24-36 and the next ones 1.5-4.5 years apart.
        age = youngest_parent - 24 - 12 * next(r) if eldest is None else eldest
        if age < 0:
            age = 2 * next(r)
        surname = members[father].surname if father >= 0 else members[a].surname
        for _ in range(count):
            age = min(age, youngest_parent - self.majority)
            age = max(age, 0.0)
            members.append(
                _Member(
                    Relationship.CHILD,
                    age,
                    "M" if next(r) < 0.512 else "F",  # 105 boys per 100 girls at birth
                    surname,
                    mother=mother,
                    father=father,
                )
            )
            for parent in parents:
                parent.youngest_child_age = min(parent.youngest_child_age, age)
            step = 1.5 + 3 * next(r)
            age = age - step if age - step >= 0 else age * next(r)


# --- turning households into rows -----------------------------------------------------------


@dataclass
class _Rows:
    """Rows of one chunk, in table column order."""

    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    passports: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    deceased: int = 0
    moved: int = 0


ADDRESS_COLUMNS = ("id", "area_id", "street", "postal_code")
HOUSEHOLD_COLUMNS = ("id", "public_id", "address_id", "created_on")
PERSON_COLUMNS = (
    "id",
    "public_id",
    "country",
    "national_id",
    "name_local",
    "name_latin",
    "birth_date",
    "sex",
    "nationality",
    "date_of_death",
    "mother_id",
    "father_id",
    "spouse_id",
    "household_id",
    "relationship_to_head",
    "disability",
    "monthly_income",
    "income_assessed_on",
)
PASSPORT_COLUMNS = ("person_id", "number", "issued_on", "expires_on", "status")
EVENT_COLUMNS = ("person_id", "kind", "occurred_on", "recorded_at", "recorded_by", "details")


def _public_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random (version 4 layout) UUIDs as 32 hex digits, drawn from the seeded generator."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    data = raw.tobytes()
    return [data[i : i + 16].hex() for i in range(0, 16 * n, 16)]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


class _PassportNumbers:
    """Unique passport numbers in the pack's format, in a seeded order that looks random.

    Index i maps to ``(multiplier * (offset + i)) mod space`` with a multiplier coprime to the
    space, which visits every number once before repeating.
    """

    def __init__(self, pattern: str, rng: np.random.Generator, taken: set[str]) -> None:
        self.pattern = pattern
        self.radices = [10 if ch == "#" else 26 for ch in pattern if ch in "#@"]
        self.space = math.prod(self.radices)
        self.multiplier = 2_654_435_761
        while math.gcd(self.multiplier, self.space) != 1:
            self.multiplier += 2
        self.offset = int(rng.integers(0, self.space))
        self.taken = taken
        self.next_index = 0

    def take(self) -> str:
        while True:
            if self.next_index >= self.space:
                raise ValidationFailedError("The passport number format has no numbers left.")
            value = (self.multiplier * (self.offset + self.next_index)) % self.space
            self.next_index += 1
            number = self._format(value)
            if number not in self.taken:
                return number

    def _format(self, value: int) -> str:
        digits: list[str] = []
        for radix in reversed(self.radices):
            value, rest = divmod(value, radix)
            digits.append(str(rest) if radix == 10 else chr(65 + rest))
        out = []
        for ch in self.pattern:
            out.append(digits.pop() if ch in "#@" else ch)
        return "".join(out)


class _RowBuilder:
    """Assigns ids and draws each person's attributes; keeps only bounded state between chunks."""

    def __init__(
        self,
        pack: CountryPack,
        rng: np.random.Generator,
        *,
        as_of: date,
        area_ids: list[tuple[int, str]],
        first_ids: dict[str, int],
        taken_passports: set[str],
        text_dates: bool,
    ) -> None:
        self.pack = pack
        self.stats = pack.population
        self.rng = rng
        self.as_of = as_of
        self.as_of_ordinal = as_of.toordinal()
        self.areas = area_ids
        self.next_id = dict(first_ids)
        self.scheme = national_id_scheme(pack.code)
        # Serial counters per "namespace" (the number made with serial 0): per birth date and sex
        # in Korea, per birth year and sex in Viet Nam. Bounded by the number of distinct keys.
        self.namespaces: dict[tuple[int, str], str] = {}
        self.serials: dict[str, int] = {}
        self.passport_numbers = _PassportNumbers(pack.passport.number_format, rng, taken_passports)
        self.recorded_at = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
        self.text_dates = text_dates
        self.days: dict[int, Any] = {}
        self.recorded_at_value: Any = (
            self.recorded_at.strftime("%Y-%m-%d %H:%M:%S") if text_dates else self.recorded_at
        )

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _day(self, ordinal: int) -> Any:
        # Cached: about 40,000 distinct days (a century of birth dates) cover every row.
        value = self.days.get(ordinal)
        if value is None:
            day = date.fromordinal(ordinal)
            value = self.days[ordinal] = day.isoformat() if self.text_dates else day
        return value

    def national_id(self, birth: date, sex: str) -> str:
        key = (birth.toordinal(), sex)
        namespace = self.namespaces.get(key)
        if namespace is None:
            namespace = self.namespaces[key] = self.scheme.make(birth, sex, 0)
        serial = self.serials.get(namespace, 0) + 1
        self.serials[namespace] = serial
        return self.scheme.make(birth, sex, serial)

    def build(self, chunk: _Chunk) -> _Rows:  # noqa: PLR0912, PLR0915 - one pass, in order
        rows = _Rows()
        stats, names, rng = self.stats, self.stats.names, self.rng
        n = len(chunk.members)
        h = len(chunk.sizes)
        ages = np.array([m.age for m in chunk.members])
        alive_draw = rng.random(n)
        day_draw = rng.random((n, 4))
        person_ids = [self._id("person") for _ in range(n)]
        household_ids = [self._id("household") for _ in range(h)]
        address_ids = [self._id("address") for _ in range(h)]
        public_ids = _public_ids(rng, n + h)

        # Deaths: Gompertz-shaped risk (doubling about every 8 years of age), scaled so that the
        # expected share matches the pack; only adults are drawn.
        risk = np.where(ages >= 40, np.exp(0.085 * (ages - 100)), 0.0)
        risk *= stats.deceased_share * n / max(risk.sum(), 1e-12)
        dead = alive_draw < np.minimum(risk, 0.9)

        # Disability rises with age; the scale keeps the pack's overall share.
        d_weight = np.select(
            [ages < 20, ages < 40, ages < 60, ages < 80], [0.3, 0.6, 1.0, 2.0], 3.0
        )
        d_prob = np.minimum(stats.disability_share * n * d_weight / d_weight.sum(), 0.9)
        d_draw = rng.random((n, 2))
        disabled = d_draw[:, 0] < d_prob
        severe = d_draw[:, 1] < stats.disability_severe_share

        # Income: log-normal for earners; fewer earners and lower incomes after 65.
        working = (ages >= self.pack.age_of_majority) & (ages < 65)
        older = ages >= 65
        earns = rng.random(n) < np.where(
            working, stats.earning_share_working_age, np.where(older, stats.earning_share_older, 0)
        )
        median = np.where(older, stats.older_median_factor, 1.0) * stats.income_median_monthly
        raw_income = median * np.exp(stats.income_sigma * rng.standard_normal(n))
        step = stats.income_round_to
        income = np.where(earns, np.maximum(np.round(raw_income / step), 1) * step, 0)
        income_list = income.astype(np.int64).tolist()

        # Passports: adults more than children and the very old; scaled to the pack's share.
        p_weight = np.select([ages < 1, ages < 19, ages < 70], [0.2, 0.8, 1.2], 0.6)
        p_prob = np.minimum(stats.passport_share_valid * n * p_weight / p_weight.sum(), 0.95)
        has_passport = (rng.random(n) < p_prob) & ~dead

        # Names: surnames come from the household composition (children take their father's).
        syllables = names.given_syllables
        given_draw = rng.random((n, syllables + 1)).tolist()

        moved_draw = rng.random((h, 4)).tolist()
        leaf_draw = rng.integers(0, len(self.areas), size=(h, 2)).tolist()
        street_draw = rng.integers(0, len(stats.street_names), size=h).tolist()
        number_draw = rng.integers(1, 301, size=h).tolist()

        window_dead = int(stats.deceased_within_years * _DAYS_PER_YEAR)
        window_moved = int(stats.moved_within_years * _DAYS_PER_YEAR)
        validity = self.pack.passport.validity_years
        nationality = self.pack.iso3
        country = self.pack.code
        birth_ordinals = [
            self.as_of_ordinal - max(1, int(m.age * _DAYS_PER_YEAR)) for m in chunk.members
        ]
        dead_list = dead.tolist()
        disabled_list = disabled.tolist()
        severe_list = severe.tolist()
        passport_list = has_passport.tolist()
        earns_list = earns.tolist()
        days = day_draw.tolist()
        text_dates = self.text_dates

        # Households and their addresses.
        household_moves: list[int | None] = []
        from_areas: list[str] = []
        first = 0
        for k in range(h):
            area_index, other = leaf_draw[k]
            area_id = self.areas[area_index][0]
            if other == area_index:
                other = (other + 1) % len(self.areas)
            move_u, move_day, created_u, _ = moved_draw[k]
            moved_on: int | None = None
            if move_u < stats.moved_share:
                moved_on = self.as_of_ordinal - 1 - int(move_day * window_moved)
            household_moves.append(moved_on)
            from_areas.append(self.areas[other][1])
            head_age = chunk.head_age[k]
            adult_years = max(head_age - self.pack.age_of_majority, 0.1)
            created = moved_on or self.as_of_ordinal - int(created_u * adult_years * _DAYS_PER_YEAR)
            created = max(created, birth_ordinals[first])
            street = f"{stats.street_names[street_draw[k]]} {number_draw[k]}"
            rows.addresses.append((address_ids[k], area_id, street, ""))
            rows.households.append(
                (household_ids[k], public_ids[n + k], address_ids[k], self._day(created))
            )
            if moved_on is not None:
                rows.moved += 1
            first += chunk.sizes[k]

        # People, their passports and their life events.
        for i, member in enumerate(chunk.members):
            k = chunk.household_of[i]
            birth_ordinal = birth_ordinals[i]
            birth = date.fromordinal(birth_ordinal)
            sex = member.sex
            pid = person_ids[i]
            death_ordinal: int | None = None
            if dead_list[i]:
                earliest = max(
                    self.as_of_ordinal - window_dead,
                    birth_ordinal + 1,
                    self.as_of_ordinal - int(member.youngest_child_age * _DAYS_PER_YEAR) + 1
                    if member.youngest_child_age != math.inf
                    else 0,
                )
                latest = self.as_of_ordinal - 1
                if earliest <= latest:
                    death_ordinal = earliest + int(days[i][0] * (latest - earliest + 1))
                    rows.deceased += 1
            draw = given_draw[i]
            given_pool = names.given_male if sex == "M" else names.given_female
            parts: list[NamePart] = []
            for s in range(syllables):
                parts.append(given_pool[int(draw[s] * len(given_pool))])
            surname = names.surnames[member.surname]
            middle_pool = names.middle_male if sex == "M" else names.middle_female
            local_parts = [surname.local]
            latin_parts = [surname.latin]
            if middle_pool:
                middle = middle_pool[int(draw[syllables] * len(middle_pool))]
                local_parts.append(middle.local)
                latin_parts.append(middle.latin)
            local_parts.append(names.given_join_local.join(p.local for p in parts))
            latin_parts.append(names.given_join_latin.join(p.latin for p in parts))
            name_local = names.join_local.join(local_parts)
            name_latin = " ".join(latin_parts)

            mother = person_ids[member.mother] if member.mother >= 0 else None
            father = person_ids[member.father] if member.father >= 0 else None
            spouse = person_ids[member.spouse] if member.spouse >= 0 else None
            income_value = income_list[i]
            assessed = (
                self._day(self.as_of_ordinal - 1 - int(days[i][1] * 365)) if earns_list[i] else None
            )
            disability = ("severe" if severe_list[i] else "mild") if disabled_list[i] else "none"
            rows.persons.append(
                (
                    pid,
                    public_ids[i],
                    country,
                    self.national_id(birth, sex),
                    name_local,
                    name_latin,
                    self._day(birth_ordinal),
                    sex,
                    nationality,
                    self._day(death_ordinal) if death_ordinal is not None else None,
                    mother,
                    father,
                    spouse,
                    household_ids[k],
                    member.relationship,
                    disability,
                    income_value,
                    assessed,
                )
            )
            self._event(rows, pid, LifeEventKind.BIRTH, birth_ordinal, mother=mother, father=father)
            if disabled_list[i]:
                on = birth_ordinal + int(days[i][2] * (self.as_of_ordinal - birth_ordinal))
                self._event(rows, pid, LifeEventKind.DISABILITY_REGISTRATION, on, degree=disability)
            moved_on = household_moves[k]
            if (
                moved_on is not None
                and moved_on > birth_ordinal
                and (death_ordinal is None or death_ordinal > moved_on)
            ):
                self._event(
                    rows,
                    pid,
                    LifeEventKind.MOVE,
                    moved_on,
                    from_area=from_areas[k],
                    to_area=self.areas[leaf_draw[k][0]][1],
                )
            if passport_list[i]:
                earliest = max(birth_ordinal, _add_years(self.as_of, -validity).toordinal() + 1)
                issued_ordinal = earliest + int(days[i][3] * (self.as_of_ordinal - earliest + 1))
                issued = date.fromordinal(min(issued_ordinal, self.as_of_ordinal))
                expires = _add_years(issued, validity)
                number = self.passport_numbers.take()
                rows.passports.append(
                    (
                        pid,
                        number,
                        issued.isoformat() if text_dates else issued,
                        expires.isoformat() if text_dates else expires,
                        PassportStatus.VALID.value,
                    )
                )
                self._event(
                    rows,
                    pid,
                    LifeEventKind.PASSPORT_ISSUED,
                    issued.toordinal(),
                    number=number,
                    expires_on=expires.isoformat(),
                )
            if death_ordinal is not None:
                self._event(rows, pid, LifeEventKind.DEATH, death_ordinal)
        return rows

    def _event(self, rows: _Rows, person: int, kind: str, ordinal: int, **details: Any) -> None:
        rows.events.append(
            (
                person,
                kind,
                self._day(ordinal),
                self.recorded_at_value,
                ACTOR,
                _json_object(details),
            )
        )


def _json_object(details: dict[str, Any]) -> str:
    """A JSON object of ints, None and plain ASCII strings (codes and numbers), written fast.

    ``json.dumps`` was a tenth of the run time for a million residents; the values written
    here never need escaping (`test_population` checks the result parses as JSON).
    """
    if not details:
        return "{}"
    parts = []
    for key, value in details.items():
        if value is None:
            continue
        parts.append(f'"{key}": {value}' if isinstance(value, int) else f'"{key}": "{value}"')
    return "{" + ", ".join(parts) + "}"


# --- writing --------------------------------------------------------------------------------


def _table(model: Any) -> str:
    return str(model._meta.db_table)


class _BulkWriter:
    """Writes chunks of rows straight into the registry tables inside the caller's transaction."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw: Any = connection.connection

    def first_ids(self) -> dict[str, int]:
        """Reserve the id ranges this load will use (the caller holds the tables' write lock)."""
        out: dict[str, int] = {}
        with connection.cursor() as cursor:
            for key, model in (("person", Person), ("household", Household), ("address", Address)):
                table = _table(model)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
                highest = int(cursor.fetchone()[0])
                if self.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, int(row[0]) if row else 0)
                out[key] = highest + 1
        return out

    def lock(self) -> None:
        """Keep other writers out of the tables whose ids this load assigns itself."""
        if self.vendor == "sqlite":
            # A bigger page cache for this connection: the random public ids and national ids
            # make index inserts land all over the B-trees, and SQLite's default 2 MB cache then
            # rereads pages constantly. Capped, so memory stays bounded.
            self.raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        if self.vendor == "postgresql":
            tables = ", ".join(_table(m) for m in (Address, Household, Person))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")

    def write(self, rows: _Rows) -> None:
        for model, columns, data in (
            (Address, ADDRESS_COLUMNS, rows.addresses),
            (Household, HOUSEHOLD_COLUMNS, rows.households),
            (Person, PERSON_COLUMNS, rows.persons),
            (Passport, PASSPORT_COLUMNS, rows.passports),
            (LifeEvent, EVENT_COLUMNS, rows.events),
        ):
            if not data:
                continue
            table = _table(model)
            if self.vendor == "postgresql":
                with (
                    self.raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    for row in data:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                self.raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - model table names
                    data,
                )

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids this load assigned."""
        if self.vendor == "sqlite":
            self.raw.execute("PRAGMA cache_size = -2000")  # SQLite's default again
            return
        with connection.cursor() as cursor:
            for model in (Address, Household, Person):
                table = _table(model)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )


# --- the command ----------------------------------------------------------------------------


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]generating residents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def generate_population(
    country: str,
    size: int,
    seed: int,
    *,
    progress: bool = True,
    batch: int = DEFAULT_BATCH,
    as_of: date | None = None,
    if_empty: bool = False,
    countries_dir: Path | None = None,
    actor: str = ACTOR,
) -> PopulationSummary:
    """Generate and load ``size`` synthetic residents of ``country``, reproducibly from ``seed``.

    The country's areas must be loaded (`gov3 country load`). If the country already has
    residents, nothing is written: with ``if_empty`` the summary says ``skipped``, otherwise
    `PopulationExistsError` is raised. All rows are written in one transaction, with one audit
    entry, so a failed run leaves nothing behind.
    """
    if size < 1:
        raise ValidationFailedError("The population size must be at least 1.")
    if batch < 1:
        raise ValidationFailedError("The batch size must be at least 1 household.")
    as_of = as_of or timezone.localdate()
    pack = load_pack(pack_path(country, countries_dir or Path(settings.GOV3_COUNTRIES_DIR)))
    started = time.perf_counter()
    existing = Person.objects.filter(country=country).count()
    if existing:
        if if_empty:
            return PopulationSummary(country, size, seed, as_of, skipped=True, existing=existing)
        raise PopulationExistsError(
            f"Country {country!r} already has {existing} residents; a synthetic population is "
            "only generated into an empty register (use --if-empty to skip in that case)."
        )
    leaf_codes = [a.code for a in pack.leaf_areas]
    area_ids = dict(
        Area.objects.filter(country=country, code__in=leaf_codes).values_list("code", "id")
    )
    missing = [c for c in leaf_codes if c not in area_ids]
    if missing:
        raise ValidationFailedError(
            f"{len(missing)} area(s) of country {country!r} are not loaded (e.g. {missing[0]}); "
            f"run `gov3 country load {country}` first."
        )
    areas = [(area_ids[c], c) for c in leaf_codes]

    rng = np.random.Generator(np.random.PCG64(seed))
    sampler = _HouseholdSampler(pack, rng)
    writer = _BulkWriter()
    totals = {"households": 0, "persons": 0, "passports": 0, "events": 0, "dead": 0, "moved": 0}
    with transaction.atomic(durable=True):
        writer.lock()
        # Checked again under the lock: another process may have loaded residents meanwhile.
        if Person.objects.filter(country=country).exists():
            raise PopulationExistsError(f"Country {country!r} got residents while starting.")
        prefix = pack.passport.number_format.split("#")[0].split("@")[0]
        taken = set(
            Passport.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        )
        builder = _RowBuilder(
            pack,
            rng,
            as_of=as_of,
            area_ids=areas,
            first_ids=writer.first_ids(),
            taken_passports=taken,
            text_dates=writer.vendor != "postgresql",
        )
        with _progress(progress) as bar:
            task = bar.add_task("residents", total=size)
            for rows in _chunks(sampler, builder, size, batch):
                writer.write(rows)
                totals["households"] += len(rows.households)
                totals["persons"] += len(rows.persons)
                totals["passports"] += len(rows.passports)
                totals["events"] += len(rows.events)
                totals["dead"] += rows.deceased
                totals["moved"] += rows.moved
                bar.update(task, advance=len(rows.persons))
        writer.finish()
        record_audit(
            actor=actor,
            action="registry.population_generated",
            target_type="country",
            target_id=country,
            data={
                "country": country,
                "size": size,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "households": totals["households"],
                "passports": totals["passports"],
                "life_events": totals["events"],
            },
        )
    return PopulationSummary(
        country=country,
        size=size,
        seed=seed,
        as_of=as_of,
        households=totals["households"],
        persons=totals["persons"],
        passports=totals["passports"],
        life_events=totals["events"],
        deceased=totals["dead"],
        moved=totals["moved"],
        seconds=time.perf_counter() - started,
    )


def _chunks(
    sampler: _HouseholdSampler, builder: _RowBuilder, size: int, batch: int
) -> Iterator[_Rows]:
    """Rows for ``size`` residents, ``batch`` households at a time; the last household is cut
    short if needed so that exactly ``size`` residents are made."""
    made = 0
    while made < size:
        remaining = size - made
        kept: list[int] = []
        for drawn in sampler.sizes(batch):
            if remaining <= 0:
                break
            kept.append(min(drawn, remaining))
            remaining -= kept[-1]
        chunk = _Chunk()
        sampler.fill(chunk, kept)
        made += len(chunk.members)
        yield builder.build(chunk)
