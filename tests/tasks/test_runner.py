"""Jobs: recorded with the write that causes them, run once, retried with backoff, parked
when they keep failing, and retried by an operator."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from gov3.core.models import AuditEntry
from gov3.tasks import queue, runner
from gov3.tasks.models import Job, JobStatus

pytestmark = pytest.mark.django_db

RAN: list[dict[str, Any]] = []
BROKEN = {"yes": True}


@runner.job("tests.record")
def _record(**arguments: Any) -> None:
    RAN.append(arguments)


@runner.job("tests.flaky", attempts=3)
def _flaky(*, n: int) -> None:
    if BROKEN["yes"]:
        raise ConnectionError("the other system does not answer")
    RAN.append({"n": n})


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    RAN.clear()
    BROKEN["yes"] = True
    yield
    RAN.clear()


def test_a_job_runs_once_when_its_write_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        made = runner.enqueue("tests.record", n=1)
        assert RAN == []  # not before the commit
    assert made is not None
    assert RAN == [{"n": 1}]
    job = Job.objects.get(pk=made.pk)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    # Handed out again (a duplicate message, a requeue): it does not run twice.
    assert runner.run_job(made.pk) == JobStatus.DONE
    assert RAN == [{"n": 1}]


def test_a_job_of_a_write_that_rolls_back_never_exists_nor_runs(
    django_capture_on_commit_callbacks: Any,
) -> None:
    class RefusedError(Exception):
        pass

    def refused_write() -> None:
        with transaction.atomic():
            runner.enqueue("tests.record", n=2)
            raise RefusedError

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RefusedError):
        refused_write()
    assert callbacks == []
    assert not Job.objects.exists()
    assert RAN == []


def test_enqueueing_an_unknown_job_is_refused() -> None:
    with transaction.atomic(), pytest.raises(Exception, match="no job is named"):
        runner.enqueue("tests.no_such_job")
    assert not Job.objects.exists()


def test_a_key_makes_enqueueing_idempotent(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = runner.enqueue("tests.record", key="birth:7", n=4)
        second = runner.enqueue("tests.record", key="birth:7", n=4)
    assert first is not None
    assert second is None
    assert RAN == [{"n": 4}]


def test_a_failing_job_is_retried_with_backoff_then_parked_and_an_operator_retries_it(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.GOV3_TASK_RETRY_SECONDS = 10
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        made = runner.enqueue("tests.flaky", n=5)
    assert made is not None
    job = Job.objects.get(pk=made.pk)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "does not answer" in job.last_error
    first_wait = job.not_before - timezone.now()
    assert timedelta(seconds=8) < first_wait <= timedelta(seconds=10)
    # Not due yet: handing it out early does nothing.
    assert runner.run_job(job.pk) == JobStatus.PENDING
    Job.objects.filter(pk=job.pk).update(not_before=timezone.now())
    assert runner.run_job(job.pk) == JobStatus.PENDING
    job.refresh_from_db()
    assert timedelta(seconds=18) < job.not_before - timezone.now() <= timedelta(seconds=20)
    Job.objects.filter(pk=job.pk).update(not_before=timezone.now())
    assert runner.run_job(job.pk) == JobStatus.FAILED  # the third of three attempts

    out = StringIO()
    call_command("tasks", "failed", stdout=out)
    assert f"{job.pk}\ttests.flaky\t3 attempts" in out.getvalue()
    assert "does not answer" in out.getvalue()

    BROKEN["yes"] = False
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks", "retry", str(job.pk), stdout=StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert RAN == [{"n": 5}]
    retried = AuditEntry.objects.get(action="tasks.retried")
    assert retried.target_id == str(job.pk)
    assert retried.actor == "operator:cli"


def test_retrying_a_job_that_did_not_fail_or_does_not_exist_is_refused() -> None:
    with transaction.atomic():
        made = runner.enqueue("tests.record", n=6)
    assert made is not None
    with pytest.raises(CommandError, match="only failed jobs are retried"):
        call_command("tasks", "retry", str(made.pk))
    with pytest.raises(CommandError, match="there is no job 999999"):
        call_command("tasks", "retry", "999999")
    with pytest.raises(CommandError, match="give a job id or --all"):
        call_command("tasks", "retry")
    assert Job.objects.get(pk=made.pk).status == JobStatus.PENDING
    assert not AuditEntry.objects.filter(action="tasks.retried").exists()


def test_a_job_left_running_by_a_dead_worker_is_handed_out_after_its_lease(
    settings: Any,
) -> None:
    settings.GOV3_TASK_REQUEUE_AFTER_SECONDS = 120
    now = timezone.now()
    with transaction.atomic():
        made = runner.enqueue("tests.record", n=7)
    assert made is not None
    # A worker took it and died: running, its lease not over yet.
    Job.objects.filter(pk=made.pk).update(
        status=JobStatus.RUNNING, attempts=1, not_before=now + timedelta(minutes=5)
    )
    assert runner.run_job(made.pk) == JobStatus.RUNNING  # nobody else may take it yet
    assert runner.requeue_due(now) == 0
    assert RAN == []
    # Its lease over, the scheduler hands it out again (the immediate queue runs it here).
    Job.objects.filter(pk=made.pk).update(not_before=now - timedelta(seconds=1))
    assert runner.requeue_due() == 1
    assert RAN == [{"n": 7}]
    job = Job.objects.get(pk=made.pk)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_the_scheduler_enqueues_each_job_at_its_time() -> None:
    """The nightly sweeps, expiry, e-mail and the bundle: if one fell off the schedule, offers
    would stop coming, unanswered ones stay open, e-mails wait, verifiers go stale."""
    fires = {k.name: queue.local_schedule(k.every) for k in runner.scheduled_kinds()}
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")  # the test settings' TIME_ZONE

    def at(name: str, *local: int) -> bool:
        # Huey asks in UTC, without a zone; the schedule is in local time.
        moment = datetime(*local, tzinfo=seoul).astimezone(UTC).replace(tzinfo=None)
        return bool(fires[name](moment))

    assert at("offers.sweep_daily", 2026, 3, 17, 2, 0)
    assert not at("offers.sweep_daily", 2026, 3, 17, 2, 1)
    assert at("offers.sweep_monthly", 2026, 4, 1, 3, 0)
    assert not at("offers.sweep_monthly", 2026, 4, 2, 3, 0)
    assert at("offers.sweep_yearly", 2027, 1, 1, 4, 0)
    assert not at("offers.sweep_yearly", 2027, 2, 1, 4, 0)
    assert at("offers.expire", 2026, 3, 17, 0, 30)
    assert [m for m in range(60) if at("notifications.deliver_due", 2026, 3, 17, 9, m)] == list(
        range(0, 60, 5)
    )
    assert [h for h in range(24) if at("documents.publish_bundle", 2026, 3, 17, h, 7)] == list(
        range(24)
    )
