"""When an e-mail may go out: quiet hours and the daily digest, as plain time arithmetic.

Pure: nothing from Django. Every datetime is aware and in the recipient's own time zone, so
"22:00" means 22:00 where they live, on any day (daylight saving included).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """Whether the local clock time ``moment`` falls in the quiet hours [start, end).

    The window may run over midnight (22:00-07:00); ``start == end`` means no quiet hours.
    """
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _at(local: datetime, day_offset: int, clock: time) -> datetime:
    day = local.date() + timedelta(days=day_offset)
    return datetime.combine(day, clock, tzinfo=local.tzinfo)


def quiet_hours_end(local_now: datetime, start: time, end: time) -> datetime:
    """The first moment at or after ``local_now`` outside the quiet hours."""
    if not in_quiet_hours(local_now.time(), start, end):
        return local_now
    today_end = _at(local_now, 0, end)
    return today_end if today_end > local_now else _at(local_now, 1, end)


def next_digest_at(local_now: datetime, digest_hour: int, start: time, end: time) -> datetime:
    """When the digest of the day of ``local_now`` goes out: the next morning at
    ``digest_hour`` o'clock, or when that morning's quiet hours end if that is later."""
    morning = _at(local_now, 1, time(digest_hour))
    return quiet_hours_end(morning, start, end)
