"""Models of self-service requests (issue 18 item 9): a civil servant's leave and overtime
requests and the decisions of the heads who approve them, level by level. Imported by
`models.py` so that Django registers them with the personnel app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import User
from gov3.personnel.models import Position, StaffRecord


class RequestKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    OVERTIME = "overtime", _("Overtime")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class StaffRequest(models.Model):
    """A leave request (working days from `starts_on` to `ends_on`) or an overtime request
    (`hours` on `starts_on`). `chain` lists the head positions that approve it, in order;
    `waiting_for` is the one whose decision it awaits (none once decided)."""

    record = models.ForeignKey(StaffRecord, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    leave_kind = models.CharField(max_length=20, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    days = models.PositiveSmallIntegerField(default=0)
    hours = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices)
    chain = models.JSONField(default=list)
    waiting_for = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="staff_request_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_on}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class RequestDecision(models.Model):
    """One head's decision on a request, at one level of its chain."""

    request = models.ForeignKey(StaffRequest, on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveSmallIntegerField()
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.request_id}@{self.level} {self.decision}"
