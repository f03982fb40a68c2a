"""A country pack's performance-evaluation rules (the `evaluation` entries of
`countries/<cc>/personnel/personnel.yaml`): who is evaluated how often, and per evaluation
track (a set of grades: Korea's general grades and its Senior Civil Service) the rating scale,
the quota distribution of ratings with the entry's rounding rule, and the performance bonus
rates and bases, if any. Pure: no Django.

The quota is checked from the best rating down, cumulatively: with S 20 / A 40 / B 30 / C 10,
at most 20 % may be S, at most 60 % S or A, at most 90 % S, A or B (so at least 10 % C). A
share of a unit's head count becomes a number of people by the pack's `rounding` (`half_up`:
7 people x 20 % = 1.4, so 1 S; 3 people x 20 % = 0.6, so 1 S; `down`: never above the share).
A minimum "more than N % in the lowest grades" is exact: count x 100 > head count x N.
A limit relative to another rating ("excellent at most 20 % of those rated good", Viet Nam) is a
share of that rating's count, by the same rounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

ROUNDINGS = ("half_up", "down")
KINDS = ("agreement", "work")
#: A rating's code as stored (`personnel.Rating.rating`, 16 characters).
RATING_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")


class EvaluationPackError(ValueError):
    """The evaluation entries are not valid; the message names the file and entry."""


Fail = Callable[[str], EvaluationPackError]


@dataclass(frozen=True)
class Relative:
    """At most `percent` % of the number rated `of` may be rated `ratings`."""

    ratings: tuple[str, ...]
    of: tuple[str, ...]
    percent: int


@dataclass(frozen=True)
class Quota:
    """An evaluation track: its grades, its rating scale (best first, with labels per
    language), the limits on a unit's ratings (cumulative maxima from the best rating down, in
    percent; optionally more than `bottom_percent` % in the `bottom` ratings; limits relative
    to another rating), and its bonus rates and bases (none: no bonus is computed)."""

    name: str
    legal_basis: str
    top_max: tuple[tuple[str, int], ...]
    bottom: tuple[str, ...] = ()
    bottom_percent: int = 0
    ratings: tuple[str, ...] = ("S", "A", "B", "C")
    grades: tuple[str, ...] = ()
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    relative: tuple[Relative, ...] = ()
    bonus_permille: Mapping[str, int] = field(default_factory=dict)
    bonus_base: Mapping[str, int] = field(default_factory=dict)
    bonus_basis: str = ""

    def label(self, rating: str, language: str = "en") -> str:
        """A rating as people read it in `language` (English, then the code, otherwise)."""
        names = self.labels.get(rating, {})
        return names.get(language) or names.get("en") or rating


@dataclass(frozen=True)
class Breach:
    """One limit a distribution breaks: `ratings` hold `count`, the limit is `limit`;
    `over` people too many (a maximum) or too few (a minimum, `minimum` is True)."""

    ratings: tuple[str, ...]
    count: int
    limit: int
    minimum: bool

    @property
    def over(self) -> int:
        return self.limit - self.count if self.minimum else self.count - self.limit


@dataclass(frozen=True)
class EvaluationRules:
    """The evaluation rules from `valid_from`."""

    valid_from: date
    source_title: str
    source_url: str
    rounding: str
    kinds: Mapping[str, tuple[tuple[str, ...], int, str]]  # kind: (grades, per year, basis)
    quotas: Mapping[str, Quota]  # the tracks by name: "general", and e.g. "scs"

    def share(self, head_count: int, percent: int) -> int:
        """`percent` % of `head_count` people as a whole number, by the pack's rounding."""
        if self.rounding == "down":
            return head_count * percent // 100
        return (head_count * percent * 2 + 100) // 200

    def quota_for(self, grade: str) -> Quota:
        """The track of `grade` (the general track for a grade no track names)."""
        for quota in self.quotas.values():
            if grade in quota.grades:
                return quota
        return self.quotas["general"]

    def ratings_for(self, grade: str) -> tuple[str, ...]:
        return self.quota_for(grade).ratings

    def label(self, rating: str, language: str = "en") -> str:
        """A rating code as people read it (the first track whose scale has it)."""
        for quota in self.quotas.values():
            if rating in quota.ratings:
                return quota.label(rating, language)
        return rating

    def breaches(self, quota: Quota, counts: Mapping[str, int]) -> list[Breach]:
        """The limits `counts` (rating: people) break; empty when within the quota."""
        total = sum(counts.get(r, 0) for r in quota.ratings)
        found = []
        cumulative_ratings: list[str] = []
        cumulative_percent = 0
        for rating, percent in quota.top_max:
            cumulative_ratings.append(rating)
            cumulative_percent += percent
            count = sum(counts.get(r, 0) for r in cumulative_ratings)
            limit = self.share(total, cumulative_percent)
            if count > limit:
                found.append(Breach(tuple(cumulative_ratings), count, limit, minimum=False))
        for relative in quota.relative:
            count = sum(counts.get(r, 0) for r in relative.ratings)
            limit = self.share(sum(counts.get(r, 0) for r in relative.of), relative.percent)
            if count > limit:
                found.append(Breach(relative.ratings, count, limit, minimum=False))
        if quota.bottom and total:
            count = sum(counts.get(r, 0) for r in quota.bottom)
            least = total * quota.bottom_percent // 100 + 1  # more than N %, exactly
            if count < least:
                found.append(Breach(quota.bottom, count, least, minimum=True))
        return found

    def allowed(self, quota: Quota, head_count: int) -> dict[str, int]:
        """How many of each rating a unit of `head_count` may give at most, if the better
        ratings use their own limits (the cumulative limit minus the better ones'); a rating
        limited relative to others at most as many as if everyone else had those."""
        allowed: dict[str, int] = {}
        cumulative = 0
        previous = 0
        for rating, percent in quota.top_max:
            cumulative += percent
            limit = self.share(head_count, cumulative)
            allowed[rating] = limit - previous
            previous = limit
        for relative in quota.relative:
            most = 0
            while most < head_count and most + 1 <= self.share(
                head_count - most - 1, relative.percent
            ):
                most += 1
            for rating in relative.ratings:
                allowed[rating] = min(allowed.get(rating, head_count), most)
        for rating in quota.ratings:  # the ratings no maximum names: up to the rest
            allowed.setdefault(rating, head_count - previous)
        return {r: allowed[r] for r in quota.ratings}

    def bonus(self, grade: str, rating: str) -> int | None:
        """The performance bonus in the minor unit, exact (rounded down), None without a base."""
        quota = self.quota_for(grade)
        base = quota.bonus_base.get(grade)
        if base is None or rating not in quota.bonus_permille:
            return None
        return base * quota.bonus_permille[rating] // 1000


def _permille(value: Any, fail: Fail) -> int:
    try:
        exact = Decimal(str(value)) * 10
    except InvalidOperation:
        raise fail(f"bonus rate {value!r} is not a number.") from None
    if exact != exact.to_integral_value() or exact < 0:
        raise fail(f"bonus rate {value!r} must be a percentage with at most one decimal.")
    return int(exact)


def _scale(name: str, entry: Any, fail: Fail) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
    """A track's ratings, best first: codes, or {code, label: {en, ko, vi}}."""
    codes: list[str] = []
    labels: dict[str, dict[str, str]] = {}
    for item in entry or []:
        code = str(item.get("code", "")) if isinstance(item, dict) else str(item)
        if not RATING_CODE.fullmatch(code):
            raise fail(f"track {name}: rating {code!r} is not a code (letters, digits, _; 16).")
        label = item.get("label") if isinstance(item, dict) else None
        if label is not None and (not isinstance(label, dict) or "en" not in label):
            raise fail(f"track {name}: the label of {code} needs at least `en`.")
        codes.append(code)
        labels[code] = {str(k): str(v) for k, v in (label or {}).items()}
    if len(codes) < 3 or len(set(codes)) != len(codes):
        raise fail(f"track {name}: at least 3 ratings, best first, each once.")
    return tuple(codes), labels


def _bonus(name: str, entry: Any, ratings: tuple[str, ...], grades: set[str], fail: Fail) -> Any:
    if not entry:
        return {}, {}, ""
    permille = {str(r): _permille(p, fail) for r, p in (entry.get("percent") or {}).items()}
    if set(permille) != set(ratings) or not entry.get("legal_basis"):
        raise fail(f"track {name}: the bonus needs a percent for every rating and legal_basis.")
    base = {str(g): int(a) for g, a in (entry.get("base") or {}).items()}
    if any(g not in grades for g in base) or any(a <= 0 for a in base.values()):
        raise fail(f"track {name}: bonus base: known grades, positive amounts.")
    return permille, base, str(entry["legal_basis"])


def _track(name: str, entry: Any, grade_codes: set[str], fail: Fail) -> Quota:
    if not isinstance(entry, dict):
        raise fail(f"track {name}: a mapping with grades, ratings, quota.")
    grades = tuple(str(g) for g in entry.get("grades") or ())
    if not grades or any(g not in grade_codes for g in grades):
        raise fail(f"track {name}: give its grades, each a grade of the pack.")
    ratings, labels = _scale(name, entry.get("ratings"), fail)
    quota = entry.get("quota") or {}
    top = quota.get("top_max") or {}
    if not isinstance(top, dict) or not quota.get("legal_basis"):
        raise fail(f"quota {name} needs top_max (rating: percent) and legal_basis.")
    order = [r for r in ratings if r in top]
    if list(top) != order or order != list(ratings[: len(order)]):
        raise fail(f"quota {name}: top_max must list the best ratings first, in order.")
    if sum(int(p) for p in top.values()) > 100:
        raise fail(f"quota {name}: the maxima add up to more than 100 %.")
    bottom = quota.get("bottom_more_than") or {}
    bottom_ratings = tuple(str(r) for r in bottom.get("ratings") or ())
    if any(r not in ratings for r in bottom_ratings):
        raise fail(f"quota {name}: bottom_more_than names an unknown rating.")
    relative = []
    for limit in quota.get("relative_max") or []:
        made = Relative(
            tuple(str(r) for r in limit.get("ratings") or ()),
            tuple(str(r) for r in limit.get("of") or ()),
            int(limit.get("percent", 0)),
        )
        if not made.ratings or not made.of or any(r not in ratings for r in made.ratings + made.of):
            raise fail(f"quota {name}: relative_max names unknown ratings.")
        if not 0 < made.percent <= 100:
            raise fail(f"quota {name}: relative_max percent between 1 and 100.")
        relative.append(made)
    permille, base, basis = _bonus(name, entry.get("bonus"), ratings, grade_codes, fail)
    return Quota(
        name=name,
        legal_basis=str(quota["legal_basis"]),
        top_max=tuple((str(r), int(p)) for r, p in top.items()),
        bottom=bottom_ratings,
        bottom_percent=int(bottom.get("percent", 0)),
        ratings=ratings,
        grades=grades,
        labels=labels,
        relative=tuple(relative),
        bonus_permille=permille,
        bonus_base=base,
        bonus_basis=basis,
    )


def parse_rules(entry: Any, grade_codes: set[str], fail: Fail) -> EvaluationRules:
    """One dated `evaluation` entry, checked."""
    if not isinstance(entry, dict) or not isinstance(entry.get("valid_from"), date):
        raise fail("each evaluation entry needs valid_from: YYYY-MM-DD.")
    source = entry.get("source") or {}
    if not source.get("title") or not source.get("url"):
        raise fail(f"evaluation rules from {entry['valid_from']} need a source title and url.")
    rounding = str(entry.get("rounding", ""))
    if rounding not in ROUNDINGS:
        raise fail(f"evaluation rounding must be one of {', '.join(ROUNDINGS)}.")
    kinds: dict[str, tuple[tuple[str, ...], int, str]] = {}
    for kind, spec in (entry.get("kinds") or {}).items():
        grades = tuple(str(g) for g in spec.get("grades") or ())
        if kind not in KINDS or not grades or any(g not in grade_codes for g in grades):
            raise fail(f"evaluation kind {kind!r}: a known kind with known grades.")
        if int(spec.get("per_year", 0)) not in (1, 2) or not spec.get("legal_basis"):
            raise fail(f"evaluation kind {kind}: per_year 1 or 2 and legal_basis.")
        kinds[str(kind)] = (grades, int(spec["per_year"]), str(spec["legal_basis"]))
    tracks = entry.get("tracks") or {}
    if not isinstance(tracks, dict):
        raise fail("evaluation tracks: a mapping of track name to its scale and quota.")
    quotas = {
        str(name): _track(str(name), spec, grade_codes, fail) for name, spec in tracks.items()
    }
    if "general" not in quotas:
        raise fail("evaluation tracks need a general track.")
    seen: set[str] = set()
    for quota in quotas.values():
        if seen & set(quota.grades):
            raise fail(f"track {quota.name}: a grade is in two tracks.")
        seen |= set(quota.grades)
    return EvaluationRules(
        valid_from=entry["valid_from"],
        source_title=str(source["title"]),
        source_url=str(source["url"]),
        rounding=rounding,
        kinds=kinds,
        quotas=quotas,
    )
