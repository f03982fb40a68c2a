"""The queue the jobs go through: Huey, with its storage chosen by ``GOV3_TASK_QUEUE``.

- ``sqlite:///path`` (the default, a file under ``var/``): the embedded queue of ``make demo``
  and of a small installation, no server needed;
- ``redis://host:port/db``: production (one Redis, any number of workers);
- ``immediate``: a job runs in the process that enqueues it, when its transaction commits
  (the test suite; a worker-less set-up for one person).

Huey carries only job ids; what to do is in the `Job` row (docs/adr/0033).
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

logger = logging.getLogger("gov3.tasks")

QUEUE_NAME = "gov3"


class QueueSettingError(ValueError):
    """``GOV3_TASK_QUEUE`` names no queue gov3 knows."""


def make_huey(spec: str) -> Huey:
    """The Huey instance for a ``GOV3_TASK_QUEUE`` value (see the module's docstring)."""
    if spec == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    url = urlsplit(spec)
    if url.scheme == "sqlite":
        path = Path(url.path)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, timeout=20)
    if url.scheme in ("redis", "rediss"):
        return RedisHuey(QUEUE_NAME, url=spec, results=False)
    raise QueueSettingError(
        f"GOV3_TASK_QUEUE={spec!r}: use sqlite:///PATH, redis://HOST:PORT/DB or immediate."
    )


@functools.cache
def huey() -> Huey:
    """The process's queue, made on first use with the jobs' periodic schedules on it."""
    instance = make_huey(settings.GOV3_TASK_QUEUE)
    _define_tasks(instance)
    return instance


def _without_stale_connections(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def inner(*args: Any, **kwargs: Any) -> Any:
        immediate = huey().immediate
        if not immediate:
            close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            if not immediate:
                close_old_connections()

    return inner


_execute: Any = None


def _define_tasks(instance: Huey) -> None:
    from gov3.tasks import runner  # noqa: PLC0415 - runner imports this module

    global _execute  # noqa: PLW0603 - the task object belongs to the one Huey instance
    _execute = instance.task(name="gov3.run_job")(_without_stale_connections(runner.run_job))
    instance.periodic_task(crontab(), name="gov3.requeue_due")(
        _without_stale_connections(runner.requeue_due)
    )
    for kind in runner.scheduled_kinds():
        instance.periodic_task(local_schedule(kind.every), name=f"gov3.schedule.{kind.name}")(
            _without_stale_connections(functools.partial(runner.enqueue_scheduled, kind.name))
        )


def local_schedule(validate: Callable[[datetime], bool]) -> Callable[[datetime], bool]:
    """A job's crontab read in gov3's local time (``TIME_ZONE``): Huey asks with UTC."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def fires(moment: datetime) -> bool:
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return bool(validate(aware.astimezone(zone).replace(tzinfo=None)))

    return fires


def push(job_id: int, *, delay: float = 0) -> None:
    """Hand a job to the workers (``delay`` seconds from now)."""
    huey()
    if delay > 0:
        _execute.schedule(args=(job_id,), delay=delay)
    else:
        _execute(job_id)


def queue_depth() -> int:
    """How many job messages wait in the queue (0 for the immediate queue)."""
    return int(huey().pending_count())
