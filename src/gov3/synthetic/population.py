"""A synthetic population for demos, tests and benchmarks, drawn from a country pack's statistics.

`generate_population` builds residents household by household (heads, spouses, children with
their parents, some three-generation households), with national id numbers from the country's
scheme, names, addresses, incomes, disabilities, passports, deaths and moves, and bulk-loads
them through the register's bulk loader (`gov3.registry.bulk_load`: PostgreSQL through ``COPY``,
SQLite through batched ``executemany``). Households are made and written in chunks, so memory
stays flat whatever the size; rows are built column-wise with NumPy on a second thread while the
first writes the previous chunk. Generated data is not the register: this package sits above
the domain apps (docs/architecture.md), and the register depends on nothing above it.

Everything random comes from one seeded NumPy generator, so the same seed, pack and as-of date
give the same rows, national ids and public ids. Why this writes rows directly instead of calling
the `do_*` commands per person: docs/adr/0003-bulk-population-load.md.
"""

from __future__ import annotations

import bisect
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
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
from gov3.core.dates import add_years
from gov3.core.errors import ValidationFailedError
from gov3.registry.bulk_load import BulkRows, BulkWriter
from gov3.registry.models import (
    Area,
    LifeEventKind,
    Passport,
    PassportStatus,
    Person,
    Relationship,
)
from gov3.registry.national_ids import KoreanRRN, VietnameseCitizenId, national_id_scheme

ACTOR = "system:population-generate"
DEFAULT_BATCH = 5000
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


def _public_ids(rng: np.random.Generator, row_ids: np.ndarray) -> list[str]:
    """One UUID (version 4 layout) per row, as 32 hex digits, from the seeded generator.

    The first 48 bits are the row's id, the other 74 free bits random: ids rise with the
    rows, so the unique index grows at its end (like UUIDv7) instead of taking every insert at
    a random place, which is what made the SQLite load slow. 74 random bits still make a
    neighbour's public id impossible to guess.
    """
    n = len(row_ids)
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    prefix = row_ids.astype(">u8").view(np.uint8).reshape(n, 8)[:, 2:]
    raw[:, :6] = prefix
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex().encode("ascii")
    return _ascii_strings(np.frombuffer(text, dtype=np.uint8).reshape(n, 32))


def _ascii_strings(chars: np.ndarray) -> list[str]:
    """Rows of a 2-D array of ASCII codes as a list of str (one per row), without a Python loop."""
    n, width = chars.shape
    if n == 0:
        return []
    packed = np.ascontiguousarray(chars, dtype=np.uint8).view(f"S{width}").ravel()
    out: list[str] = packed.astype(f"U{width}").tolist()
    return out


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """The decimal digits of non-negative ints, zero-padded to ``width``: shape (n, width)."""
    out = np.empty((len(values), width), dtype=np.int64)
    rest = values.astype(np.int64)
    for position in range(width - 1, -1, -1):
        rest, out[:, position] = np.divmod(rest, 10)
    return out


RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)


def rrn_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Korean RRN check digits for an (n, 12) array of digits, as python-stdnum computes them."""
    return (11 - (bodies @ RRN_WEIGHTS) % 11) % 10


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
        # int64 arithmetic is exact while space² fits; otherwise Python ints (object arrays).
        self.dtype: Any = np.int64 if self.space < 3_000_000_000 else object

    def take(self, count: int) -> list[str]:
        """The next ``count`` numbers not already taken."""
        out: list[str] = []
        while len(out) < count:
            need = count - len(out)
            if self.next_index + need > self.space:
                raise ValidationFailedError("The passport number format has no numbers left.")
            index = np.arange(self.next_index, self.next_index + need, dtype=np.int64)
            self.next_index += need
            base = (index.astype(self.dtype) + self.offset) % self.space
            values = ((self.multiplier % self.space) * base) % self.space
            numbers = self._format(values)
            if self.taken:
                numbers = [n for n in numbers if n not in self.taken]
            out.extend(numbers)
        return out

    def _format(self, values: np.ndarray) -> list[str]:
        chars = np.empty((len(values), len(self.pattern)), dtype=np.uint8)
        slots = [i for i, ch in enumerate(self.pattern) if ch in "#@"]
        for i, ch in enumerate(self.pattern):
            if ch not in "#@":
                chars[:, i] = ord(ch)
        rest = values
        for position, radix in zip(reversed(slots), reversed(self.radices), strict=True):
            digit = (rest % radix).astype(np.int64)
            rest = rest // radix
            chars[:, position] = digit + (48 if radix == 10 else 65)
        return _ascii_strings(chars)


def _column(values: np.ndarray, present: np.ndarray) -> list[Any]:
    """``values`` where ``present``, else None, as a list of Python objects."""
    out = np.full(len(values), None, dtype=object)
    out[present] = values[present]
    result: list[Any] = out.tolist()
    return result


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


class _RowBuilder:
    """Assigns ids and draws each person's attributes; keeps only bounded state between chunks.

    Everything is computed column-wise with NumPy; the only per-row Python work left is the
    JSON of life events and the household composition (`_HouseholdSampler`).
    """

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
        self.area_id_array = np.array([a for a, _ in area_ids], dtype=np.int64)
        self.area_codes = _objects([c for _, c in area_ids])
        self.next_id = dict(first_ids)
        self.scheme = national_id_scheme(pack.code)
        self.passport_numbers = _PassportNumbers(pack.passport.number_format, rng, taken_passports)
        self.recorded_at = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
        self.text_dates = text_dates
        # SQLite's text for aware datetimes is UTC without an offset; COPY gets the offset.
        self.recorded_at_value = (
            self.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
            if text_dates
            else self.recorded_at.isoformat(sep=" ")
        )
        # Every day a row can name: a century of birth dates up to the last passport expiry.
        validity = pack.passport.validity_years
        self.day_base = self.as_of_ordinal - int((MAX_AGE + 2) * 366)
        last = add_years(as_of, validity + 1).toordinal()
        days = [date.fromordinal(o) for o in range(self.day_base, last + 1)]
        self.day_text = _objects([d.isoformat() for d in days])
        self.day_year = np.array([d.year for d in days], dtype=np.int64)
        self.day_month = np.array([d.month for d in days], dtype=np.int64)
        self.day_dom = np.array([d.day for d in days], dtype=np.int64)
        # Passports: issued in the last `validity` years; expiry of each possible issue day.
        self.issue_first = add_years(as_of, -validity).toordinal() + 1
        self.expiry = np.array(
            [
                add_years(date.fromordinal(o), validity).toordinal()
                for o in range(self.issue_first, self.as_of_ordinal + 1)
            ],
            dtype=np.int64,
        )
        # Serial counters per "namespace" of national ids (birth date and sex in Korea, birth
        # year and sex in Viet Nam): a dense array over the days (or years) a birth can fall on.
        self.serials = np.zeros(2 * len(days), dtype=np.int64)
        self.namespaces: dict[tuple[int, str], str] = {}
        self.serial_by_namespace: dict[str, int] = {}
        names = self.stats.names
        self.surname_local = _objects([p.local for p in names.surnames])
        self.surname_latin = _objects([p.latin for p in names.surnames])
        self.pack_text_needs_escape = any(
            ch in text
            for text in [
                *self.stats.street_names,
                *(
                    p.local + p.latin
                    for pool in (
                        names.surnames,
                        names.given_male,
                        names.given_female,
                        names.middle_male,
                        names.middle_female,
                    )
                    for p in pool
                ),
                names.join_local,
                names.given_join_local,
                names.given_join_latin,
            ]
            for ch in "\\\t\n\r"
        )

    def _ids(self, table: str, count: int) -> np.ndarray:
        first = self.next_id[table]
        self.next_id[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)

    def _days(self, ordinals: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.day_text[ordinals - self.day_base]
        return out

    def national_id(self, birth: date, sex: str) -> str:
        """One number the slow way, through the scheme (for schemes not vectorised below)."""
        key = (birth.toordinal(), sex)
        namespace = self.namespaces.get(key)
        if namespace is None:
            namespace = self.namespaces[key] = self.scheme.make(birth, sex, 0)
        serial = self.serial_by_namespace.get(namespace, 0) + 1
        self.serial_by_namespace[namespace] = serial
        return self.scheme.make(birth, sex, serial)

    def _serials(self, keys: np.ndarray, limit: int) -> np.ndarray:
        """1, 2, 3 … per key, in row order, continuing from earlier chunks."""
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        new_group = np.empty(len(keys), dtype=bool)
        new_group[:1] = True
        new_group[1:] = ordered[1:] != ordered[:-1]
        starts = np.flatnonzero(new_group)
        group = np.cumsum(new_group) - 1
        rank = np.arange(len(keys)) - starts[group]
        serials = np.empty(len(keys), dtype=np.int64)
        serials[order] = self.serials[ordered] + rank + 1
        self.serials += np.bincount(keys, minlength=len(self.serials))
        if len(serials) and serials.max() >= limit:
            raise ValidationFailedError("Too many residents born alike for the national id scheme.")
        return serials

    def national_ids(self, births: np.ndarray, female: np.ndarray) -> list[str]:
        """National id numbers for people born on ``births`` (ordinals), vectorised."""
        n = len(births)
        day = births - self.day_base
        year = self.day_year[day]
        yy = year % 100
        sex_bit = female.astype(np.int64)
        if isinstance(self.scheme, KoreanRRN):
            serial = self._serials(2 * day + sex_bit, 97_000)
            digits = np.empty((n, 13), dtype=np.int64)
            digits[:, 0:2] = _digits(yy, 2)
            digits[:, 2:4] = _digits(self.day_month[day], 2)
            digits[:, 4:6] = _digits(self.day_dom[day], 2)
            century = np.array([[9, 0], [1, 2], [3, 4]], dtype=np.int64)
            digits[:, 6] = century[year // 100 - 18, sex_bit]
            digits[:, 7:12] = _digits(serial, 5)
            digits[:, 12] = rrn_check_digits(digits[:, :12])
            return _ascii_strings(digits + 48)
        if isinstance(self.scheme, VietnameseCitizenId):
            first_year = int(self.day_year[0])
            serial = self._serials(2 * (year - first_year) + sex_bit, 1_000_000)
            province = self.scheme.province_code
            chars = np.empty((n, len(province) + 9), dtype=np.int64)
            chars[:, : len(province)] = [ord(c) for c in province]
            p = len(province)
            chars[:, p] = 48 + 2 * ((year - 1900) // 100) + sex_bit
            chars[:, p + 1 : p + 3] = _digits(yy, 2) + 48
            chars[:, p + 3 : p + 9] = _digits(serial, 6) + 48
            return _ascii_strings(chars)
        return [
            self.national_id(date.fromordinal(int(b)), "F" if f else "M")
            for b, f in zip(births.tolist(), female.tolist(), strict=True)
        ]

    def _names(self, male: np.ndarray, surnames: np.ndarray) -> tuple[list[str], list[str]]:
        """Local and Latin full names: surname, middle name if the pack has them, given name."""
        names = self.stats.names
        n = len(male)
        syllables = names.given_syllables
        draw = self.rng.random((n, syllables + 1))

        def pick(
            pool_male: Sequence[NamePart], pool_female: Sequence[NamePart], u: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Parts drawn from each sex's pool; the mask says who got one (pools may be empty)."""
            local = np.full(n, "", dtype=object)
            latin = np.full(n, "", dtype=object)
            got = np.zeros(n, dtype=bool)
            for pool, mask in ((pool_male, male), (pool_female, ~male)):
                if not pool:
                    continue
                index = np.minimum((u[mask] * len(pool)).astype(np.int64), len(pool) - 1)
                local[mask] = _objects([p.local for p in pool])[index]
                latin[mask] = _objects([p.latin for p in pool])[index]
                got |= mask
            return local, latin, got

        given_local, given_latin, _ = pick(names.given_male, names.given_female, draw[:, 0])
        for s in range(1, syllables):
            more_local, more_latin, _ = pick(names.given_male, names.given_female, draw[:, s])
            given_local = given_local + names.given_join_local + more_local
            given_latin = given_latin + names.given_join_latin + more_latin
        local = self.surname_local[surnames]
        latin = self.surname_latin[surnames]
        if names.middle_male or names.middle_female:
            middle_local, middle_latin, has_middle = pick(
                names.middle_male, names.middle_female, draw[:, syllables]
            )
            local = np.where(has_middle, local + names.join_local + middle_local, local)
            latin = np.where(has_middle, latin + " " + middle_latin, latin)
        local = local + names.join_local + given_local
        latin = latin + " " + given_latin
        return local.tolist(), latin.tolist()

    def build(self, chunk: _Chunk) -> BulkRows:  # noqa: PLR0915 - one pass, column by column
        rows = BulkRows()
        stats, rng = self.stats, self.rng
        as_of = self.as_of_ordinal
        members = chunk.members
        n = len(members)
        h = len(chunk.sizes)
        ages = np.array([m.age for m in members])
        male = np.array([m.sex == "M" for m in members])
        surnames = np.array([m.surname for m in members], dtype=np.int64)
        mother = np.array([m.mother for m in members], dtype=np.int64)
        father = np.array([m.father for m in members], dtype=np.int64)
        spouse = np.array([m.spouse for m in members], dtype=np.int64)
        youngest = np.array([m.youngest_child_age for m in members])
        relationship = [_RELATIONSHIP[m.relationship] for m in members]
        household_of = np.array(chunk.household_of, dtype=np.int64)
        sizes = np.array(chunk.sizes, dtype=np.int64)
        head_age = np.array(chunk.head_age)

        alive_draw = rng.random(n)
        day_draw = rng.random((n, 4))
        person_ids = self._ids("person", n)
        household_ids = self._ids("household", h)
        address_ids = self._ids("address", h)
        public_ids = _public_ids(rng, np.concatenate([person_ids, household_ids]))

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

        # Passports: adults more than children and the very old; scaled to the pack's share.
        p_weight = np.select([ages < 1, ages < 19, ages < 70], [0.2, 0.8, 1.2], 0.6)
        p_prob = np.minimum(stats.passport_share_valid * n * p_weight / p_weight.sum(), 0.95)
        has_passport = (rng.random(n) < p_prob) & ~dead

        # Names: surnames come from the household composition (children take their father's).
        name_local, name_latin = self._names(male, surnames)

        moved_draw = rng.random((h, 4))
        leaf_draw = rng.integers(0, len(self.areas), size=(h, 2))
        street_draw = rng.integers(0, len(stats.street_names), size=h)
        number_draw = rng.integers(1, 301, size=h)

        window_dead = int(stats.deceased_within_years * _DAYS_PER_YEAR)
        window_moved = int(stats.moved_within_years * _DAYS_PER_YEAR)
        births = as_of - np.maximum(1, (ages * _DAYS_PER_YEAR).astype(np.int64))

        # Households and their addresses.
        area_index = leaf_draw[:, 0]
        other = leaf_draw[:, 1]
        other = np.where(other == area_index, (other + 1) % len(self.areas), other)
        moves = moved_draw[:, 0] < stats.moved_share
        moved_on = as_of - 1 - (moved_draw[:, 1] * window_moved).astype(np.int64)
        adult_years = np.maximum(head_age - self.pack.age_of_majority, 0.1)
        created = np.where(
            moves, moved_on, as_of - (moved_draw[:, 2] * adult_years * _DAYS_PER_YEAR).astype(int)
        )
        heads = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        created = np.maximum(created, births[heads])
        street_names = _objects(list(stats.street_names))
        streets = street_names[street_draw] + " " + _objects(number_draw.astype(str).tolist())
        address_id_list = address_ids.tolist()
        rows.address = [
            address_id_list,
            self.area_id_array[area_index].tolist(),
            streets.tolist(),
            [""] * h,
        ]
        rows.household = [
            household_ids.tolist(),
            public_ids[n:],
            address_id_list,
            self._days(created).tolist(),
        ]
        rows.moved = int(moves.sum())

        # Deaths after the children's births, within the pack's window.
        finite = np.isfinite(youngest)
        after_children = np.where(
            finite, as_of - (np.where(finite, youngest, 0) * _DAYS_PER_YEAR).astype(np.int64) + 1, 0
        )
        earliest = np.maximum(np.maximum(as_of - window_dead, births + 1), after_children)
        latest = as_of - 1
        died = dead & (earliest <= latest)
        death = earliest + (day_draw[:, 0] * (latest - earliest + 1)).astype(np.int64)
        death = np.where(died, death, 0)
        rows.deceased = int(died.sum())

        def link(index: np.ndarray) -> list[Any]:
            return _column(person_ids[np.maximum(index, 0)].astype(object), index >= 0)

        mother_ids, father_ids = link(mother), link(father)
        assessed = as_of - 1 - (day_draw[:, 1] * 365).astype(np.int64)
        disability = np.where(disabled, np.where(severe, "severe", "mild"), "none")
        person_id_list = person_ids.tolist()
        birth_text = self._days(births)
        rows.person = [
            person_id_list,
            public_ids[:n],
            [self.pack.code] * n,
            self.national_ids(births, ~male),
            name_local,
            name_latin,
            birth_text.tolist(),
            np.where(male, "M", "F").tolist(),
            [self.pack.iso3] * n,
            _column(self._days(np.where(died, death, as_of)), died),
            mother_ids,
            father_ids,
            link(spouse),
            (household_ids[household_of]).tolist(),
            relationship,
            disability.tolist(),
            income.astype(np.int64).tolist(),
            _column(self._days(np.where(earns, assessed, as_of)), earns),
        ]

        # Passports.
        holders = np.flatnonzero(has_passport)
        issued_earliest = np.maximum(births[holders], self.issue_first)
        issued = issued_earliest + (day_draw[holders, 3] * (as_of - issued_earliest + 1)).astype(
            np.int64
        )
        issued = np.minimum(issued, as_of)
        expires = self.expiry[issued - self.issue_first]
        numbers = self.passport_numbers.take(len(holders))
        expires_text = self._days(expires).tolist()
        issued_text = self._days(issued).tolist()
        rows.passport = [
            person_ids[holders].tolist(),
            numbers,
            issued_text,
            expires_text,
            [PassportStatus.VALID.value] * len(holders),
        ]

        # Life events, per person in this order: birth, disability, move, passport, death.
        birth_details = [
            _json_object({"mother": m, "father": f})
            for m, f in zip(mother_ids, father_ids, strict=True)
        ]
        disabled_at = np.flatnonzero(disabled)
        disabled_on = births[disabled_at] + (
            day_draw[disabled_at, 2] * (as_of - births[disabled_at])
        ).astype(np.int64)
        person_moved_on = moved_on[household_of]
        movers = np.flatnonzero(
            moves[household_of] & (person_moved_on > births) & (~died | (death > person_moved_on))
        )
        from_codes = self.area_codes[other[household_of[movers]]].tolist()
        to_codes = self.area_codes[area_index[household_of[movers]]].tolist()
        dead_at = np.flatnonzero(died)
        parts = [
            (np.arange(n), 0, births, birth_details, LifeEventKind.BIRTH),
            (
                disabled_at,
                1,
                disabled_on,
                [f'{{"degree": "{d}"}}' for d in disability[disabled_at].tolist()],
                LifeEventKind.DISABILITY_REGISTRATION,
            ),
            (
                movers,
                2,
                person_moved_on[movers],
                [
                    f'{{"from_area": "{a}", "to_area": "{b}"}}'
                    for a, b in zip(from_codes, to_codes, strict=True)
                ],
                LifeEventKind.MOVE,
            ),
            (
                holders,
                3,
                issued,
                [
                    f'{{"number": "{a}", "expires_on": "{b}"}}'
                    for a, b in zip(numbers, expires_text, strict=True)
                ],
                LifeEventKind.PASSPORT_ISSUED,
            ),
            (dead_at, 4, death[dead_at], ["{}"] * len(dead_at), LifeEventKind.DEATH),
        ]
        who = np.concatenate([p[0] for p in parts])
        rank = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
        order = np.lexsort((rank, who))
        kinds = np.concatenate([np.full(len(p[0]), p[4].value, dtype=object) for p in parts])
        details = np.concatenate([_objects(p[3]) for p in parts])
        on = np.concatenate([p[2] for p in parts])
        m = len(order)
        rows.event = [
            person_ids[who[order]].tolist(),
            kinds[order].tolist(),
            self._days(on[order]).tolist(),
            [self.recorded_at_value] * m,
            [ACTOR] * m,
            details[order].tolist(),
        ]
        return rows


_RELATIONSHIP: dict[str, str] = {str(r.value): str(r.value) for r in Relationship}


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


_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _in_background(items: Iterator[BulkRows], depth: int = 2) -> Iterator[BulkRows]:
    """Run ``items`` on a second thread, at most ``depth`` chunks ahead of the consumer.

    Generation is one sequence drawn from one generator on one thread, so it stays
    deterministic; the consumer (the database writer) overlaps with it.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failed(exc))

    worker = threading.Thread(target=run, name="population-generate", daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


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
    writer = BulkWriter()
    totals = {"households": 0, "persons": 0, "passports": 0, "events": 0, "dead": 0, "moved": 0}
    writer.tune()
    try:
        with transaction.atomic(durable=True):
            writer.lock()
            # Checked again under the lock: another process may have loaded residents meanwhile.
            if Person.objects.filter(country=country).exists():
                raise PopulationExistsError(f"Country {country!r} got residents while starting.")
            writer.suspend_indexes()
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
            chunks = _chunks(sampler, builder, size, batch)
            if writer.vendor == "postgresql":
                # The COPY text is made on the generating thread too: the writing thread then
                # only hands buffers to the server, which works on the other core.
                chunks = _with_copy_text(chunks, builder.pack_text_needs_escape)
            with _progress(progress) as bar:
                task = bar.add_task("residents", total=size)
                for rows in _in_background(chunks):
                    writer.write(rows)
                    totals["households"] += rows.count("household")
                    totals["persons"] += rows.count("person")
                    totals["passports"] += rows.count("passport")
                    totals["events"] += rows.count("event")
                    totals["dead"] += rows.deceased
                    totals["moved"] += rows.moved
                    bar.update(task, advance=rows.count("person"))
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
    finally:
        writer.restore()
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
) -> Iterator[BulkRows]:
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


def _with_copy_text(chunks: Iterator[BulkRows], escape_pack_text: bool) -> Iterator[BulkRows]:
    for rows in chunks:
        rows.copy_text(escape_pack_text)
        yield rows
