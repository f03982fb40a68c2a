"""Declare jobs, enqueue them with the write that causes them, run them once, retry them with
backoff, park the ones that keep failing (docs/adr/0033)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from gov3.core import events
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.metrics import TASK_OLDEST_AGE, TASK_QUEUE_DEPTH, TASKS_FAILED, TASKS_PARKED
from gov3.core.request_ids import bound_request_id, current_request_id
from gov3.tasks import queue
from gov3.tasks.models import Job, JobStatus

logger = logging.getLogger("gov3.tasks")


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its handler and how it is retried and scheduled."""

    name: str
    handler: Callable[..., object]
    attempts: int
    #: How long one run may take before another worker may take the job over (None: the
    #: default, ``GOV3_TASK_LEASE_SECONDS``).
    lease: timedelta | None
    #: A Huey ``crontab`` for jobs the scheduler enqueues, else None.
    every: Any = None


_KINDS: dict[str, JobKind] = {}


def job(
    name: str, *, attempts: int = 5, lease: timedelta | None = None, every: Any = None
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Declare a job (in an app's ``jobs`` module). The handler takes the job's arguments as
    keywords, must be idempotent (running it twice changes nothing the second time) and owns
    its transactions."""

    def declare(handler: Callable[..., object]) -> Callable[..., object]:
        if name in _KINDS and _KINDS[name].handler is not handler:
            raise ValueError(f"two jobs are named {name!r}")
        _KINDS[name] = JobKind(name, handler, attempts, lease, every)
        return handler

    return declare


def kind_of(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise NotFoundError(f"no job is named {name!r}") from None


def scheduled_kinds() -> list[JobKind]:
    return [kind for kind in _KINDS.values() if kind.every is not None]


def enqueue(name: str, *, key: str | None = None, **arguments: Any) -> Job | None:
    """Record a job inside the caller's transaction and hand it to the workers when that
    commits. With ``key``, a second job with the same key is not created (returns None)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue must run inside the transaction of the write it follows")
    kind = kind_of(name)
    now = timezone.now()
    if key is not None and Job.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            created = Job.objects.create(
                name=name,
                arguments=arguments,
                key=key,
                max_attempts=kind.attempts,
                not_before=now,
                created_at=now,
                request_id=current_request_id(),
            )
    except IntegrityError:
        return None  # the same key was enqueued at the same moment by another process
    job_id = created.pk
    # robust: a queue that is down fails no request; the job waits in the table and the
    # scheduler hands it out (`requeue_due`) once the queue is back.
    transaction.on_commit(lambda: _push(job_id), robust=True)
    return created


def enqueue_signal(signal: str, **instances: models.Model) -> Job | None:
    """Send one of `gov3.core.events`' signals in a worker after this transaction commits,
    with these model instances (reloaded there) as its arguments."""
    if not hasattr(events, signal):
        raise ValueError(f"gov3.core.events has no signal {signal!r}")
    refs = {name: [obj._meta.label_lower, obj.pk] for name, obj in instances.items()}
    key = signal + ":" + ":".join(f"{ref[0]}={ref[1]}" for ref in refs.values())
    return enqueue("events.send", key=key, signal=signal, instances=refs)


@job("events.send")
def _send_signal(*, signal: str, instances: dict[str, list[Any]]) -> None:
    loaded = {}
    for name, (label, pk) in instances.items():
        loaded[name] = apps.get_model(label).objects.get(pk=pk)
    getattr(events, signal).send(sender=None, **loaded)


def _push(job_id: int, *, delay: float = 0) -> None:
    try:
        queue.push(job_id, delay=delay)
    except Exception:
        logger.exception("job %s could not be queued; the scheduler will hand it out later", job_id)


# --- running ----------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    """Seconds before the next try: the base, doubling each attempt, at most an hour."""
    base = settings.GOV3_TASK_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def run_job(job_id: int) -> str:
    """Run one job if it is due and nobody else runs it; returns its status afterwards."""
    now = timezone.now()
    job_row = Job.objects.filter(pk=job_id).first()
    if job_row is None:
        return "missing"
    try:
        kind = kind_of(job_row.name)
    except NotFoundError:
        _finish(job_row.pk, JobStatus.FAILED, f"no job is named {job_row.name!r} in this version")
        return JobStatus.FAILED
    due = Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING)
    lease = kind.lease or timedelta(seconds=settings.GOV3_TASK_LEASE_SECONDS)
    claimed = Job.objects.filter(due, pk=job_id, not_before__lte=now).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        not_before=now + lease,
    )
    if not claimed:
        return Job.objects.get(pk=job_id).status
    job_row.refresh_from_db()
    # The job's log lines and audit entries carry the id of the request that caused it (a
    # scheduled job gets one of its own).
    with bound_request_id(job_row.request_id or None):
        try:
            kind.handler(**job_row.arguments)
        except Exception as error:
            TASKS_FAILED.labels(task=job_row.name).inc()
            return _failed(job_row, error)
    _finish(job_row.pk, JobStatus.DONE, "")
    return JobStatus.DONE


def _failed(job_row: Job, error: Exception) -> str:
    text = "".join(traceback.format_exception_only(error)).strip()[:2000]
    if job_row.attempts >= job_row.max_attempts:
        logger.error(
            "job %s (%s) failed %s times and is parked: %s",
            job_row.pk,
            job_row.name,
            job_row.attempts,
            text,
        )
        _finish(job_row.pk, JobStatus.FAILED, text)
        return JobStatus.FAILED
    delay = _backoff(job_row.attempts)
    logger.warning(
        "job %s (%s) failed (attempt %s of %s), retried in %ss: %s",
        job_row.pk,
        job_row.name,
        job_row.attempts,
        job_row.max_attempts,
        int(delay.total_seconds()),
        text,
    )
    Job.objects.filter(pk=job_row.pk).update(
        status=JobStatus.PENDING, not_before=timezone.now() + delay, last_error=text
    )
    _push(job_row.pk, delay=delay.total_seconds())
    return JobStatus.PENDING


def _finish(job_id: int, status: str, error: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), last_error=error
    )


def requeue_due(now: datetime | None = None) -> int:
    """Hand out again the jobs that should be running and are not: queued while the queue was
    down, or left running by a worker that died (past their lease). Run every minute by the
    scheduler; returns how many were handed out."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.GOV3_TASK_REQUEUE_AFTER_SECONDS)
    due = Job.objects.filter(
        Q(status=JobStatus.PENDING, not_before__lte=now - grace)
        | Q(status=JobStatus.RUNNING, not_before__lte=now)
    ).values_list("pk", flat=True)
    count = 0
    for job_id in due.iterator():
        _push(job_id)
        count += 1
    if count:
        logger.info("handed out %s jobs again", count)
    return count


def enqueue_scheduled(name: str) -> None:
    """What the scheduler does at a job's time: enqueue it once for this minute."""
    minute = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        enqueue(name, key=f"{name}@{minute.isoformat()}")


# --- operators --------------------------------------------------------------------------------


def do_retry_job(job_id: int, *, actor: str) -> Job:
    """Give a parked (failed) job a new set of attempts and hand it to the workers."""
    with transaction.atomic(durable=True):
        job_row = Job.objects.select_for_update().filter(pk=job_id).first()
        if job_row is None:
            raise NotFoundError(f"there is no job {job_id}")
        if job_row.status != JobStatus.FAILED:
            raise ValidationFailedError(
                f"job {job_id} is {job_row.get_status_display()}; only failed jobs are retried"
            )
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.PENDING,
            attempts=0,
            not_before=timezone.now(),
            finished_at=None,
        )
        record_audit(
            actor=actor,
            action="tasks.retried",
            target_type="job",
            target_id=job_id,
            data={"name": job_row.name, "last_error": job_row.last_error[:500]},
        )
        transaction.on_commit(lambda: _push(job_id), robust=True)
    job_row.refresh_from_db()
    return job_row


# --- watching ---------------------------------------------------------------------------------


def update_metrics() -> None:
    """Set the queue's gauges from the jobs table (called before each `/metrics` answer)."""
    waiting = Job.objects.filter(status=JobStatus.PENDING)
    TASK_QUEUE_DEPTH.labels(queue=queue.QUEUE_NAME).set(waiting.count())
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest is not None else 0
    TASK_OLDEST_AGE.labels(queue=queue.QUEUE_NAME).set(age)
    parked = dict(
        Job.objects.filter(status=JobStatus.FAILED)
        .values("name")
        .annotate(n=Count("pk"))
        .values_list("name", "n")
    )
    for name in {*parked, *_KINDS}:
        TASKS_PARKED.labels(task=name).set(parked.get(name, 0))


def queue_problem() -> str | None:
    """The readiness check of the queue: None if jobs can be handed to the workers."""
    try:
        queue.queue_depth()
    except Exception as error:
        return f"the task queue does not answer ({type(error).__name__})"
    return None
