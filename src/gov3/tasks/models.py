"""Jobs: a row per piece of background work, written in the transaction of the write that
causes it (a birth registered, a case decided, an e-mail planned), so that the work is never
lost when the write commits and never done when it rolls back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("waiting to run")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed, parked for an operator")


class Job(models.Model):
    """One piece of background work: the job's name, its arguments (JSON), and what happened.

    A job is claimed by one worker at a time (``status`` running with a lease); a worker that
    died leaves it running past its lease, and the scheduler hands it out again. A job that
    fails ``max_attempts`` times is parked (failed) until an operator retries it.
    """

    name = models.CharField(_("job name"), max_length=100)
    arguments = models.JSONField(_("arguments"), default=dict)
    #: Makes enqueueing idempotent: a second job with the same key is not created.
    key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("most attempts"), default=5)
    #: Not handed out again before this moment (a retry's backoff, a running job's lease).
    not_before = models.DateTimeField(_("not before"))
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    #: The request that caused the job (the same id is in the request's log lines and audit).
    request_id = models.CharField(_("request id"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "not_before"], name="tasks_job_due")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.status})"
