"""Legal periods: the day a period ends, counted in working days or calendar days.

Two ways of counting, both from the country pack:

* ``working_days``: Saturdays, Sundays and public holidays are not counted; with
  ``first_day_counts`` the day of receipt is day 1 when it is a working day (Korea's Civil
  Petitions Treatment Act art. 19(2)), otherwise day 1 is the next working day.
* ``calendar_days``: the first day is not counted (Civil Act art. 157) and a period that would
  end on a Saturday, Sunday or public holiday ends on the next working day (art. 161).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Counting = Literal["working_days", "calendar_days"]
COUNTINGS: tuple[Counting, ...] = ("working_days", "calendar_days")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are not working days: the weekend (0 = Monday … 6 = Sunday) and holidays."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))

    @classmethod
    def of(cls, holidays: Iterable[date], weekend: Iterable[str]) -> WorkingCalendar:
        return cls(frozenset(holidays), frozenset(WEEKDAYS.index(day) for day in weekend))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count


@dataclass(frozen=True)
class Period:
    """A legal period: how many days, how they are counted."""

    days: int
    counting: Counting = "working_days"
    first_day_counts: bool = True


def period_end(start: date, period: Period, calendar: WorkingCalendar) -> date:
    """The last day of ``period`` begun on ``start`` (the act must be done by the end of it)."""
    if period.days < 1:
        raise ValueError("a period is at least one day")
    if period.counting == "calendar_days":
        return calendar.next_working_day(start + timedelta(days=period.days))
    if period.counting != "working_days":
        raise ValueError(f"unknown counting {period.counting!r}")
    day = start if period.first_day_counts else start + timedelta(days=1)
    remaining = period.days
    while True:
        if calendar.is_working_day(day):
            remaining -= 1
            if remaining == 0:
                return day
        day += timedelta(days=1)


def extend(due: date, period: Period, calendar: WorkingCalendar) -> date:
    """The end of an extension of ``period`` that starts the day after ``due``."""
    return period_end(due, Period(period.days, period.counting, first_day_counts=False), calendar)
