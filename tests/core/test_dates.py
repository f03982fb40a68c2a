"""Calendar arithmetic: the edge that breaks naive code is 29 February."""

from __future__ import annotations

from datetime import date

from gov3.core.dates import add_years


def test_add_years_keeps_the_day_and_handles_29_february() -> None:
    assert add_years(date(2026, 11, 27), -19) == date(2007, 11, 27)
    assert add_years(date(2024, 2, 29), -19) == date(2005, 2, 28)
    assert add_years(date(2024, 2, 29), -4) == date(2020, 2, 29)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
