"""Quiet hours and the digest time, as plain clock arithmetic (no database)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from gov3.notifications.schedule import in_quiet_hours, next_digest_at, quiet_hours_end

SEOUL = ZoneInfo("Asia/Seoul")
NIGHT = (time(22), time(7))


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_run_over_midnight(clock: time, quiet: bool) -> None:
    assert in_quiet_hours(clock, *NIGHT) is quiet


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    assert in_quiet_hours(time(13, 0), time(12), time(14))
    assert not in_quiet_hours(time(14, 0), time(12), time(14))
    assert not in_quiet_hours(time(3, 0), time(0), time(0))  # same start and end: none


def test_the_window_ends_the_next_morning_or_the_same_morning() -> None:
    evening = datetime(2026, 3, 2, 23, 0, tzinfo=SEOUL)
    assert quiet_hours_end(evening, *NIGHT) == datetime(2026, 3, 3, 7, 0, tzinfo=SEOUL)
    early = datetime(2026, 3, 3, 5, 0, tzinfo=SEOUL)
    assert quiet_hours_end(early, *NIGHT) == datetime(2026, 3, 3, 7, 0, tzinfo=SEOUL)
    noon = datetime(2026, 3, 3, 12, 0, tzinfo=SEOUL)
    assert quiet_hours_end(noon, *NIGHT) == noon


def test_the_digest_goes_the_next_morning_after_the_quiet_hours() -> None:
    monday = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)
    assert next_digest_at(monday, 8, *NIGHT) == datetime(2026, 3, 3, 8, 0, tzinfo=SEOUL)
    late_sleeper = (time(22), time(9, 30))
    assert next_digest_at(monday, 8, *late_sleeper) == datetime(2026, 3, 3, 9, 30, tzinfo=SEOUL)


def test_local_time_is_the_recipients_own_across_a_daylight_saving_change() -> None:
    # Sydney leaves daylight saving on 5 April 2026 at 03:00: 07:00 is still 07:00 local.
    sydney = ZoneInfo("Australia/Sydney")
    night = datetime(2026, 4, 4, 23, 0, tzinfo=sydney)
    end = quiet_hours_end(night, *NIGHT)
    assert (end.hour, end.minute, end.day) == (7, 0, 5)
    assert end.utcoffset() != night.utcoffset()
