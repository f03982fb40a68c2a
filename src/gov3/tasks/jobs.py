"""The queue's own housekeeping."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab

from gov3.tasks.models import Job, JobStatus
from gov3.tasks.runner import job


@job("tasks.forget_done", every=crontab(hour="1", minute="15"))
def forget_done() -> None:
    """Jobs done longer ago than ``GOV3_TASK_KEEP_DAYS`` are deleted (failed ones stay)."""
    before = timezone.now() - timedelta(days=settings.GOV3_TASK_KEEP_DAYS)
    Job.objects.filter(status=JobStatus.DONE, finished_at__lt=before).delete()
