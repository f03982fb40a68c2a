"""A country pack's performance-evaluation rules (the `evaluation` entries of
`countries/<cc>/personnel/personnel.yaml`): who is evaluated how often, the quota distribution
of ratings with its rounding rule, and the performance bonus rates and bases. Pure: no Django.

The quota is checked from the best rating down, cumulatively: with S 20 / A 40 / B 30 / C 10,
at most 20 % may be S, at most 60 % S or A, at most 90 % S, A or B (so at least 10 % C). A
share of a unit's head count becomes a number of people by the pack's `rounding` (`half_up`:
7 people x 20 % = 1.4, so 1 S; 3 people x 20 % = 0.6, so 1 S; `down`: never above the share).
A minimum "more than N % in the lowest grades" is exact: count x 100 > head count x N.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

ROUNDINGS = ("half_up", "down")
KINDS = ("agreement", "work")


class EvaluationPackError(ValueError):
    """The evaluation entries are not valid; the message names the file and entry."""


Fail = Callable[[str], EvaluationPackError]


@dataclass(frozen=True)
class Quota:
    """Limits on a unit's ratings: cumulative maxima from the best rating down (percent), and
    optionally more than `bottom_percent` % in the `bottom` ratings."""

    name: str
    legal_basis: str
    top_max: tuple[tuple[str, int], ...]
    bottom: tuple[str, ...] = ()
    bottom_percent: int = 0


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
    ratings: tuple[str, ...]
    kinds: Mapping[str, tuple[tuple[str, ...], int, str]]  # kind: (grades, per year, basis)
    quotas: Mapping[str, Quota]  # "general", "scs"
    scs_grades: tuple[str, ...]
    bonus_permille: Mapping[str, int]  # rating: per mille of the base (172.5 % = 1725)
    bonus_base: Mapping[str, int]  # grade: yearly base amount, minor unit
    bonus_basis: str

    def share(self, head_count: int, percent: int) -> int:
        """`percent` % of `head_count` people as a whole number, by the pack's rounding."""
        if self.rounding == "down":
            return head_count * percent // 100
        return (head_count * percent * 2 + 100) // 200

    def quota_for(self, grade: str) -> Quota:
        return self.quotas[
            "scs" if grade in self.scs_grades and "scs" in self.quotas else "general"
        ]

    def breaches(self, quota: Quota, counts: Mapping[str, int]) -> list[Breach]:
        """The limits `counts` (rating: people) break; empty when within the quota."""
        total = sum(counts.get(r, 0) for r in self.ratings)
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
        if quota.bottom and total:
            count = sum(counts.get(r, 0) for r in quota.bottom)
            least = total * quota.bottom_percent // 100 + 1  # more than N %, exactly
            if count < least:
                found.append(Breach(quota.bottom, count, least, minimum=True))
        return found

    def allowed(self, quota: Quota, head_count: int) -> dict[str, int]:
        """How many of each rating a unit of `head_count` may give at most, if the better
        ratings use their own limits (the cumulative limit minus the better ones')."""
        allowed: dict[str, int] = {}
        cumulative = 0
        previous = 0
        for rating, percent in quota.top_max:
            cumulative += percent
            limit = self.share(head_count, cumulative)
            allowed[rating] = limit - previous
            previous = limit
        for rating in self.ratings:  # the ratings no maximum names: up to the rest
            allowed.setdefault(rating, head_count - previous)
        return allowed

    def bonus(self, grade: str, rating: str) -> int | None:
        """The performance bonus in the minor unit, exact (rounded down), None without a base."""
        base = self.bonus_base.get(grade)
        if base is None or rating not in self.bonus_permille:
            return None
        return base * self.bonus_permille[rating] // 1000


def _permille(value: Any, fail: Fail) -> int:
    try:
        exact = Decimal(str(value)) * 10
    except InvalidOperation:
        raise fail(f"bonus rate {value!r} is not a number.") from None
    if exact != exact.to_integral_value() or exact < 0:
        raise fail(f"bonus rate {value!r} must be a percentage with at most one decimal.")
    return int(exact)


def _quota(name: str, entry: dict[str, Any], ratings: tuple[str, ...], fail: Fail) -> Quota:
    top = entry.get("top_max") or {}
    if not isinstance(top, dict) or not entry.get("legal_basis"):
        raise fail(f"quota {name} needs top_max (rating: percent) and legal_basis.")
    order = [r for r in ratings if r in top]
    if list(top) != order or order != list(ratings[: len(order)]):
        raise fail(f"quota {name}: top_max must list the best ratings first, in order.")
    if sum(int(p) for p in top.values()) > 100:
        raise fail(f"quota {name}: the maxima add up to more than 100 %.")
    bottom = entry.get("bottom_more_than") or {}
    bottom_ratings = tuple(str(r) for r in bottom.get("ratings") or ())
    if any(r not in ratings for r in bottom_ratings):
        raise fail(f"quota {name}: bottom_more_than names an unknown rating.")
    return Quota(
        name=name,
        legal_basis=str(entry["legal_basis"]),
        top_max=tuple((str(r), int(p)) for r, p in top.items()),
        bottom=bottom_ratings,
        bottom_percent=int(bottom.get("percent", 0)),
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
    ratings = tuple(str(r) for r in entry.get("ratings") or ())
    if len(ratings) < 3 or len(set(ratings)) != len(ratings):
        raise fail("evaluation ratings: at least 3, best first, each once.")
    kinds: dict[str, tuple[tuple[str, ...], int, str]] = {}
    for kind, spec in (entry.get("kinds") or {}).items():
        grades = tuple(str(g) for g in spec.get("grades") or ())
        if kind not in KINDS or not grades or any(g not in grade_codes for g in grades):
            raise fail(f"evaluation kind {kind!r}: a known kind with known grades.")
        if int(spec.get("per_year", 0)) not in (1, 2) or not spec.get("legal_basis"):
            raise fail(f"evaluation kind {kind}: per_year 1 or 2 and legal_basis.")
        kinds[str(kind)] = (grades, int(spec["per_year"]), str(spec["legal_basis"]))
    quotas = {
        str(name): _quota(str(name), spec, ratings, fail)
        for name, spec in (entry.get("quotas") or {}).items()
    }
    if "general" not in quotas:
        raise fail("evaluation quotas need a general quota.")
    bonus = entry.get("bonus") or {}
    permille = {str(r): _permille(p, fail) for r, p in (bonus.get("percent") or {}).items()}
    if set(permille) != set(ratings) or not bonus.get("legal_basis"):
        raise fail("evaluation bonus needs a percent for every rating and legal_basis.")
    base = {str(g): int(a) for g, a in (bonus.get("base") or {}).items()}
    if any(g not in grade_codes for g in base) or any(a <= 0 for a in base.values()):
        raise fail("evaluation bonus base: known grades, positive amounts.")
    return EvaluationRules(
        valid_from=entry["valid_from"],
        source_title=str(source["title"]),
        source_url=str(source["url"]),
        rounding=rounding,
        ratings=ratings,
        kinds=kinds,
        quotas=quotas,
        scs_grades=tuple(str(g) for g in entry.get("scs_grades") or ()),
        bonus_permille=permille,
        bonus_base=base,
        bonus_basis=str(bonus["legal_basis"]),
    )
