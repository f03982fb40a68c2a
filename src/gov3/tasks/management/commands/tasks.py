"""`gov3 tasks …`: run a worker (and the scheduler), see the queue, retry parked jobs."""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min
from django.utils import timezone

from gov3.core.errors import Gov3Error
from gov3.tasks import queue
from gov3.tasks.models import Job, JobStatus
from gov3.tasks.runner import do_retry_job, requeue_due

ACTOR = "operator:cli"


class Command(BaseCommand):
    help = (
        "Background jobs (docs/operations.md). `worker` runs jobs from the queue "
        "(GOV3_TASK_QUEUE); with --scheduler it also enqueues the scheduled jobs (sweeps, "
        "expiry, e-mail delivery, the published verification bundle) and hands out jobs a "
        "dead worker left behind: run exactly one scheduler. `status` shows the queue, "
        "`failed` the parked jobs, `retry ID` gives one a new set of attempts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{worker,status,failed,retry,requeue}"
        )
        worker = sub.add_parser("worker", help="run jobs from the queue until stopped")
        worker.add_argument("--workers", type=int, default=1, help="jobs run at once (threads)")
        worker.add_argument(
            "--scheduler",
            action="store_true",
            help="also run the scheduler (exactly one process should)",
        )
        sub.add_parser("status", help="jobs by status, the oldest waiting, the queue's depth")
        sub.add_parser("failed", help="the parked jobs, with their last error")
        retry = sub.add_parser("retry", help="retry a parked job (or every one with --all)")
        retry.add_argument("job", nargs="?", type=int)
        retry.add_argument("--all", action="store_true", help="every parked job")
        sub.add_parser(
            "requeue",
            help="hand out now the jobs that wait (the queue was down) or a dead worker left "
            "(the scheduler does it every minute)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _worker(self, options: dict[str, Any]) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        huey = queue.huey()
        if huey.immediate:
            raise CommandError(
                "GOV3_TASK_QUEUE=immediate runs jobs where they are enqueued: no worker needed"
            )
        logging.getLogger("huey").setLevel(logging.INFO)
        role = "worker and scheduler" if options["scheduler"] else "worker"
        self.stdout.write(f"gov3 {role}: {options['workers']} thread(s) on {huey.storage.name}")
        self.stdout.flush()
        consumer = huey.create_consumer(
            workers=options["workers"],
            worker_type="thread",
            periodic=options["scheduler"],
            check_worker_health=True,
            # An idle worker asks the queue again at least every second (Redis answers at once
            # anyway: it blocks until a job comes; the SQLite queue is polled).
            max_delay=1.0,
        )
        consumer.run()

    def _status(self, options: dict[str, Any]) -> None:
        counts = dict(
            Job.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        for status in JobStatus:
            self.stdout.write(f"{status.value}: {counts.get(status.value, 0)}")
        oldest = Job.objects.filter(status=JobStatus.PENDING).aggregate(at=Min("created_at"))["at"]
        if oldest is not None:
            age = int((timezone.now() - oldest).total_seconds())
            self.stdout.write(f"oldest waiting job: {age:,} s")
        self.stdout.write(f"messages in the queue: {queue.queue_depth():,}")

    def _failed(self, options: dict[str, Any]) -> None:
        parked = Job.objects.filter(status=JobStatus.FAILED).order_by("finished_at")
        if not parked.exists():
            self.stdout.write("No failed jobs.")
            return
        for job in parked:
            self.stdout.write(
                f"{job.pk}\t{job.name}\t{job.attempts} attempts\t"
                f"{job.finished_at:%Y-%m-%d %H:%M:%S}\t{job.last_error.splitlines()[-1:]}"
            )
        self.stdout.write("Retry one with `gov3 tasks retry ID`, all with `--all`.")

    def _requeue(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"{requeue_due()} jobs handed to the workers again")

    def _retry(self, options: dict[str, Any]) -> None:
        if options["all"] == (options["job"] is not None):
            raise CommandError("give a job id or --all (not both)")
        ids = (
            list(Job.objects.filter(status=JobStatus.FAILED).values_list("pk", flat=True))
            if options["all"]
            else [options["job"]]
        )
        for job_id in ids:
            try:
                do_retry_job(job_id, actor=ACTOR)
            except Gov3Error as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"job {job_id} handed to the workers again")
