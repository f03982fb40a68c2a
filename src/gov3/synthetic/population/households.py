"""Who lives together: household sizes and kinds, ages, sexes and family links, drawn from the
pack's statistics (`_HouseholdSampler`), before any id or row exists.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from gov3.catalogue.packs import CountryPack
from gov3.registry.models import Relationship

MAX_AGE = 99
# Uniform draws per household: enough for the largest household (7 members) and its decisions.
_DRAWS_PER_HOUSEHOLD = 40
_LARGEST_EXTRA = (0.7, 0.2, 0.1)  # "5 or more" splits into 5, 6 and 7 members like this


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
