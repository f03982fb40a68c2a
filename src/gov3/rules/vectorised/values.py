"""How values are held while evaluating: Python scalars or NumPy arrays (TEXT as codes into a
tuple of strings, DATE as int32 days since 1970), and the calendar arithmetic on days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from gov3.rules.errors import EvaluationError

EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_FIRST_DAY = date.min.toordinal() - _EPOCH_ORDINAL  # 0001-01-01 in days since 1970
_LAST_DAY = date.max.toordinal() - _EPOCH_ORDINAL  # 9999-12-31


NDArray = np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class _Text:
    """A text vector: ``categories[codes[i]]`` is row i's value."""

    codes: NDArray
    categories: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.codes)


# A value while evaluating: a Python scalar (DATE as int days) or one per frame entry.
_V = bool | int | str | NDArray | _Text


def _day(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def _date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def _calendar(days: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """(year, month, day) of each of ``days`` (days since 1970), as int32 arrays.

    Howard Hinnant's ``civil_from_days`` in 32-bit integers: an order of magnitude faster than
    NumPy's datetime64 conversions (and than the same in 64 bits, whose divisions are slow).
    """
    if len(days) and (int(days.min()) < _FIRST_DAY or int(days.max()) > _LAST_DAY):
        raise EvaluationError("A date is outside the years 1 to 9999.")
    z = days.astype(np.int32) + np.int32(719_468)  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year starting 1 March
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


# Calendar parts of a date or of each of an array of dates: (year, month, day).
_Parts = tuple[Any, Any, Any]


def _years_between(a: _Parts, b: _Parts) -> Any:
    """ir: b.year - a.year, less one if (b.month, b.day) < (a.month, a.day)."""
    (ya, ma, da), (yb, mb, db) = a, b
    before = (mb < ma) | ((mb == ma) & (db < da))
    return (yb - ya) - before


def _months_between(a: _Parts, b: _Parts) -> Any:
    """ir: 12 * (b.year - a.year) + b.month - a.month, less one if b.day < a.day."""
    (ya, ma, da), (yb, mb, db) = a, b
    return 12 * (yb - ya) + (mb - ma) - (db < da)


_DATE_DIFFS: dict[str, Callable[[_Parts, _Parts], Any]] = {
    "years_between": _years_between,
    "months_between": _months_between,
}
