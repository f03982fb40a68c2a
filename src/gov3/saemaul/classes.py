"""Which class a village is in for a year, from configurable criteria (pure; no Django).

The 1970s programme classed villages as basic (기초), self-help (자조) or self-reliant (자립),
later adding the welfare village, on household income, village infrastructure and the village
fund. The exact historical thresholds are not known (DOMAIN.md §4), so they are data: a village
is in the highest class whose every threshold it meets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The classes from lowest to highest; the first is the class of a village that meets nothing.
CLASS_PATH = ("basic", "self_help", "self_reliant", "welfare")


@dataclass(frozen=True)
class ClassThreshold:
    """The least a village needs for ``village_class``."""

    village_class: str
    min_household_income_krw: int = 0
    min_infrastructure_items: int = 0
    min_village_fund_krw: int = 0


@dataclass(frozen=True)
class VillageYear:
    """A village's figures for a year."""

    household_income_krw: int
    infrastructure_items: int
    village_fund_krw: int


def meets(figures: VillageYear, threshold: ClassThreshold) -> bool:
    """Whether the figures reach every threshold of a class."""
    return (
        figures.household_income_krw >= threshold.min_household_income_krw
        and figures.infrastructure_items >= threshold.min_infrastructure_items
        and figures.village_fund_krw >= threshold.min_village_fund_krw
    )


def classify(figures: VillageYear, thresholds: Sequence[ClassThreshold]) -> str:
    """The highest class on ``CLASS_PATH`` whose thresholds are all met (at least basic).

    Classes without a threshold are not awarded (e.g. no welfare criteria: no welfare class).
    """
    by_class = {t.village_class: t for t in thresholds}
    result = CLASS_PATH[0]
    for village_class in CLASS_PATH[1:]:
        threshold = by_class.get(village_class)
        if threshold is None or not meets(figures, threshold):
            break
        result = village_class
    return result


def is_promotion(previous: str, current: str) -> bool:
    """Whether ``current`` is further along the path than ``previous``."""
    return CLASS_PATH.index(current) > CLASS_PATH.index(previous)
