"""Offers: what the government proposes to a resident, and the citizen's answer.

An offer is written by a trigger (a life event, a sweep, a new rule version) from the rules and
the register, and holds everything needed to show the citizen *why* without asking the register
again: the facts used and where they came from, the rule version, the parameters in force, the
amount and the explanation. Change offers only through the `do_*` commands in `services.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel, NeverDeleted
from gov3.registry.models import Person


class OfferStatus(models.TextChoices):
    """Where an offer stands: proposed → notified → viewed → confirmed | declined | expired |
    superseded."""

    PROPOSED = "proposed", _("Proposed")
    NOTIFIED = "notified", _("Notified")
    VIEWED = "viewed", _("Viewed")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


#: Offers waiting for the citizen's answer.
OPEN_STATUSES = (OfferStatus.PROPOSED, OfferStatus.NOTIFIED, OfferStatus.VIEWED)


class OfferTrigger(models.TextChoices):
    """What made gov3 propose the offer."""

    LIFE_EVENT = "life_event", _("A change in the register")
    SWEEP = "sweep", _("A scheduled check")
    RULE_CHANGE = "rule_change", _("A change in the rules")


class Offer(NeverDeleted, models.Model):
    """A proposal of one service version to a recipient, for a subject and a period.

    The recipient answers (the person, or the guardian of a child); the subject is who the
    service is for. At most one offer per (recipient, service, subject, period) is live: a
    superseded offer makes room for its replacement, nothing else does (a declined or expired
    offer is not proposed again for the same period).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    service_id = models.CharField(max_length=60)
    service_version = models.CharField(max_length=30)
    #: `rules.pack.KINDS`: benefit, eligibility, document or reminder.
    service_kind = models.CharField(max_length=16)
    #: The service's name in each language when the offer was made: {"en": …, "ko": …}.
    service_name = models.JSONField(default=dict)
    # No database foreign keys to the register (ADR 0041: offers are written in bulk by the
    # sweep and the school-entry round; persons are never deleted, `NeverDeleted`); the
    # recipient's lookups use `offer_recipient_status`.
    recipient = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="offers_received",
        db_constraint=False,
        db_index=False,
    )
    subject = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="offers_about", db_constraint=False
    )
    #: The subject's first-level area when the offer was made (for take-up statistics).
    province = models.CharField(max_length=20, blank=True)
    #: "" for a one-off or continuing entitlement, "2026" for a yearly service.
    period = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.PROPOSED
    )
    trigger = models.CharField(max_length=12, choices=OfferTrigger.choices)
    #: e.g. {"life_event": 12, "kind": "birth"} or {"sweep": "2026-11-27"}.
    trigger_detail = models.JSONField(default=dict, blank=True)
    evaluated_on = models.DateField(help_text=_("the day the rules were applied"))
    amount = models.BigIntegerField(null=True, blank=True, help_text=_("in the minor unit"))
    currency = models.CharField(max_length=3, blank=True)
    #: Each fact the rule read: [{"name", "value", "source"}], values as text.
    facts = models.JSONField(default=list)
    #: Each parameter in force: [{"path", "value", "valid_from", "source_title", "source_url"}].
    params = models.JSONField(default=list)
    #: [{"title": {lang: …}, "url": …}]
    legal_basis = models.JSONField(default=list)
    #: The explanation per language, as `gov3.offers.explanations` stores it; filled when the
    #: offer is made by a life event, on first view for offers made in bulk by a sweep.
    explanation = models.JSONField(default=dict, blank=True)
    deadline = models.DateField()
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    #: Bumped by every status change: two answers at once → exactly one wins.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "service_id", "subject", "period"],
                condition=~Q(status="superseded"),
                name="one_live_offer_per_recipient_service_subject_period",
            )
        ]
        indexes = [
            models.Index(fields=["service_id", "period", "subject"], name="offer_service_subject"),
            models.Index(fields=["recipient", "status"], name="offer_recipient_status"),
            models.Index(fields=["status", "deadline"], name="offer_status_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.recipient_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def for_someone_else(self) -> bool:
        return self.subject_id != self.recipient_id


class ConsentReceipt(AppendOnlyModel):
    """What a citizen agreed to when confirming an offer, pinned by hashes.

    The agreement text (its version and SHA-256), the offer as it was shown (and its SHA-256),
    when, which account, and who acted for whom (a guardian for a child).
    """

    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="consent")
    agreement_version = models.CharField(max_length=20)
    agreement_language = models.CharField(max_length=5)
    agreement_text = models.TextField()
    agreement_sha256 = models.CharField(max_length=64)
    offer_snapshot = models.JSONField()
    offer_sha256 = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents_given")
    acting_for = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="consents_for"
    )
    channel = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"consent to {self.offer_id} at {self.confirmed_at:%Y-%m-%d %H:%M}"


class OfferNotice(AppendOnlyModel):
    """A notice about an offer already answered or withdrawn: the amount changed, or the offer
    was superseded because the rules changed."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20)
    details = models.JSONField(default=dict)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} on offer {self.offer_id}"


class SweepRun(models.Model):
    """One `gov3 offers sweep`: what it evaluated and wrote, so a rerun can be compared."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    day = models.DateField()
    country = models.CharField(max_length=2)
    services = models.JSONField(default=list)
    eligible = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"sweep {self.day} ({self.created} offers)"


def snapshot_of(offer: Offer) -> dict[str, Any]:
    """The offer as the citizen saw it, for the consent receipt."""
    return {
        "offer": str(offer.public_id),
        "service": offer.service_id,
        "service_version": offer.service_version,
        "service_name": offer.service_name,
        "recipient": str(offer.recipient.public_id),
        "subject": str(offer.subject.public_id),
        "period": offer.period,
        "evaluated_on": offer.evaluated_on.isoformat(),
        "amount": offer.amount,
        "currency": offer.currency,
        "facts": offer.facts,
        "params": offer.params,
        "legal_basis": offer.legal_basis,
        "explanation": offer.explanation,
        "deadline": offer.deadline.isoformat(),
    }


class PublishedService(models.Model):
    """The version of each service whose offers are current: `gov3 offers publish` compares it
    with the installed rules and re-evaluates the services whose version changed."""

    country = models.CharField(max_length=2)
    service_id = models.CharField(max_length=60)
    version = models.CharField(max_length=30)
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "service_id"], name="one_published_version")
        ]

    def __str__(self) -> str:
        return f"{self.country}/{self.service_id} {self.version}"
