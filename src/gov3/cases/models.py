"""Cases: a confirmed offer or an application, until the agency's decision.

Change cases only through the `do_*` commands in `services.py`: each owns its transaction,
writes the audit entry and tells the citizen. Decisions and payment instructions are
append-only records; the case row carries the current state and a version for optimistic
locking (two officers deciding at once: exactly one decision).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import Agency
from gov3.core.models import AppendOnlyModel
from gov3.offers.models import Offer
from gov3.registry.models import Person


class CaseOrigin(models.TextChoices):
    """How the case began."""

    OFFER = "offer", _("Confirmed offer")
    APPLICATION = "application", _("Application")


class CaseStatus(models.TextChoices):
    """Where a case stands."""

    AWAITING = "awaiting", _("Waiting for you")
    IN_REVIEW = "in_review", _("Waiting for an officer")
    RETURNED = "returned", _("Information requested from you")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


#: Cases an officer can still decide.
OPEN_CASE_STATUSES = (CaseStatus.IN_REVIEW, CaseStatus.RETURNED)
#: Cases not yet decided (an awaiting case waits for the applicant's photo or fee first).
UNDECIDED_CASE_STATUSES = (CaseStatus.AWAITING, *OPEN_CASE_STATUSES)


class Case(models.Model):
    """One request for one service by one citizen (for themselves or a child)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    service_id = models.CharField(max_length=60)
    service_version = models.CharField(max_length=30)
    #: `rules.pack.KINDS`: benefit, eligibility, document or reminder.
    service_kind = models.CharField(max_length=16)
    service_name = models.JSONField(default=dict)
    origin = models.CharField(max_length=12, choices=CaseOrigin.choices)
    #: The confirmed offer it came from; unique, so confirming twice opens one case.
    offer = models.OneToOneField(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases_about")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    #: The subject's first-level area (for take-up statistics).
    province = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=CaseStatus.choices)
    #: Sent to an officer although the service is approved automatically (quality control).
    quality_check = models.BooleanField(default=False)
    amount = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    period = models.CharField(max_length=10, blank=True)
    #: Facts, parameters and explanation the decision rests on (from the offer or the check).
    evidence = models.JSONField(default=dict)
    opened_at = models.DateTimeField()
    due_on = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    information_request = models.TextField(blank=True)
    citizen_reply = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="case_queue"),
            models.Index(fields=["applicant", "opened_at"], name="case_applicant"),
            models.Index(fields=["service_id", "status"], name="case_service_status"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} for {self.subject_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class DecisionOutcome(models.TextChoices):
    """What was decided."""

    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for information")


class Decision(AppendOnlyModel):
    """One decision on a case, with its reason; automatic decisions name the rule version."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    reason = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.outcome} on case {self.case_id}"


class PaymentStatus(models.TextChoices):
    """Where a payment instruction stands with the payment provider."""

    INSTRUCTED = "instructed", _("Instructed")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PaymentInstruction(AppendOnlyModel):
    """An approved benefit's instruction to pay, as sent to the payment provider."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=40)
    reference = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    sandbox = models.BooleanField(help_text=_("no money moves: a test provider"))
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for case {self.case_id} ({self.status})"


class FeePayment(AppendOnlyModel):
    """A fee the applicant paid before the case was decided (e.g. for a passport)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fees")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="fees_paid")
    provider = models.CharField(max_length=40)
    reference = models.CharField(max_length=80)
    sandbox = models.BooleanField(help_text=_("no money moves: a test provider"))
    paid_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"fee {self.amount} {self.currency} for case {self.case_id}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class Objection(models.Model):
    """ "This is wrong": a citizen disputes the data or the result of an offer or a case."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="objections")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    service_id = models.CharField(max_length=60)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    created_at = models.DateTimeField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            # One open objection per offer and per case, also under concurrent requests.
            models.UniqueConstraint(
                fields=["offer"],
                condition=models.Q(status="open", offer__isnull=False),
                name="cases_one_open_objection_per_offer",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="open", case__isnull=False),
                name="cases_one_open_objection_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"objection {self.public_id} ({self.status})"
