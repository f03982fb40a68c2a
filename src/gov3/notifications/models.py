"""Notifications: what gov3 tells a person, in the app and by e-mail, and what they chose to get.

Change these rows only through the `do_*` commands in `services.py` (each is audited). A
`Notification` is recorded for every message; an `EmailDelivery` records each e-mail (sent,
waiting for quiet hours or the digest, or failed and to be retried), so nothing is lost.
"""

from __future__ import annotations

import uuid
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.registry.models import Person


class NotificationKind(models.TextChoices):
    """What a notification is about; its priority follows from it (`priority_of`)."""

    OFFER = "offer", _("New offers")
    AMOUNT_CHANGED = "amount_changed", _("Changes to the amount of a benefit")
    ENTITLEMENT_ENDED = "entitlement_ended", _("Entitlements that end under new rules")
    OFFER_WITHDRAWN = "offer_withdrawn", _("Offers withdrawn")
    DECISION = "decision", _("Decisions on my applications")
    INFORMATION_REQUESTED = "information_requested", _("Requests for more information")
    REMINDER = "reminder", _("Reminders of deadlines")
    DOCUMENT_REVOKED = "document_revoked", _("Documents revoked")
    CODE = "code", _("Codes you asked for (e.g. to add a document to a wallet)")


class Priority(models.IntegerChoices):
    """Which message goes first: a legal notice, then an offer, then a reminder."""

    LEGAL_NOTICE = 3, _("Legal notice")
    OFFER = 2, _("Offer")
    REMINDER = 1, _("Reminder")


class Channel(models.TextChoices):
    """Where a notification reaches the person."""

    IN_APP = "in_app", _("On this website")
    EMAIL = "email", _("By e-mail")


_PRIORITY = {NotificationKind.OFFER: Priority.OFFER, NotificationKind.REMINDER: Priority.REMINDER}


def priority_of(kind: str) -> Priority:
    """The priority of a kind: offers and reminders by name, everything else is a legal notice
    (a decision, a change or a revocation the person has a right to be told of)."""
    return _PRIORITY.get(NotificationKind(kind), Priority.LEGAL_NOTICE)


def is_legal_notice(kind: str) -> bool:
    """Legal notices cannot be switched off in the app and are never held back by the budget."""
    return priority_of(kind) == Priority.LEGAL_NOTICE


#: Kinds the person asked for a moment ago and that expire within minutes (a one-time code):
#: sent at once, quiet hours or not.
_SENT_AT_ONCE = {NotificationKind.CODE}


def is_sent_at_once(kind: str) -> bool:
    """Whether an e-mail of this kind ignores quiet hours (it is a legal notice as well: never
    held back by the digest or the budget)."""
    return NotificationKind(kind) in _SENT_AT_ONCE


def default_opt_in(kind: str, channel: str) -> bool:
    """Everything in the app; e-mail for legal notices and offers, not for reminders."""
    return channel == Channel.IN_APP or priority_of(kind) != Priority.REMINDER


class Digest(models.TextChoices):
    """How often e-mails about offers and reminders come."""

    IMMEDIATE = "immediate", _("Straight away, one e-mail each")
    DAILY = "daily", _("Once a day, all in one e-mail (daily digest)")


class Language(models.TextChoices):
    """The languages a notification can be written in."""

    KO = "ko", _("Korean")
    EN = "en", _("English")
    VI = "vi", _("Vietnamese")


#: Quiet hours unless the person chooses others: no e-mail from 22:00 to 07:00.
DEFAULT_QUIET_START = time(22, 0)
DEFAULT_QUIET_END = time(7, 0)


class Preference(models.Model):
    """What one person wants to receive, how and when; until they save it the defaults apply."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notification_preference"
    )
    opt_in = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('"<kind>:<channel>": true or false; a missing entry takes the default'),
    )
    digest = models.CharField(max_length=9, choices=Digest.choices, default=Digest.IMMEDIATE)
    quiet_start = models.TimeField(default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(default=DEFAULT_QUIET_END)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text=_("empty: the time zone of this service")
    )
    language = models.CharField(
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("empty: the language of the website"),
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notification preferences of {self.person}"

    def wants(self, kind: str, channel: str) -> bool:
        """Whether the person gets ``kind`` through ``channel``; legal notices always in-app."""
        if channel == Channel.IN_APP and is_legal_notice(kind):
            return True
        value = self.opt_in.get(f"{kind}:{channel}")
        return default_opt_in(kind, channel) if value is None else bool(value)

    def zone(self) -> ZoneInfo:
        """The person's time zone, else the service's (settings.TIME_ZONE)."""
        try:
            return ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)


class Notification(models.Model):
    """One message to a person, recorded whatever the channels; shown in the app unless they
    switched the kind off there when it was sent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    key = models.CharField(
        max_length=200, help_text=_("the caller's key; the same key is never notified twice")
    )
    title = models.JSONField(help_text=_("the title in each language"))
    body = models.JSONField(help_text=_("the text in each language"))
    link = models.CharField(max_length=500)
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="notification_unique_key")
        ]
        indexes = [models.Index(fields=["person", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.person_id}: {self.text_in(self.title, 'en')}"

    @staticmethod
    def text_in(texts: dict[str, str], language: str) -> str:
        """The text in ``language``, else English, else any language given."""
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")

    def title_in(self, language: str) -> str:
        return self.text_in(self.title, language)

    def body_in(self, language: str) -> str:
        return self.text_in(self.body, language)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_legal_notice(self) -> bool:
        return self.priority == Priority.LEGAL_NOTICE


class DeliveryStatus(models.TextChoices):
    """Where an e-mail is on its way."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred")
    FAILED = "failed", _("Failed, to be retried")
    CANCELLED = "cancelled", _("Cancelled")


class DeferReason(models.TextChoices):
    """Why an e-mail waits."""

    NONE = "", _("Not deferred")
    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    BUDGET = "budget", _("Daily limit reached: in the next digest")
    DIGEST = "digest", _("In the daily digest")


class EmailDelivery(models.Model):
    """One e-mail: a single notification, or a daily digest carrying several (its ``items``).

    Sent now, deferred until ``due_at`` (quiet hours, the digest) or failed and retried at
    ``due_at``; ``gov3 notifications deliver`` sends what is due.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="email_deliveries")
    notification = models.ForeignKey(
        Notification,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="email_deliveries",
        help_text=_("empty for a digest"),
    )
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        help_text=_("the digest e-mail that carries this notification"),
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    status = models.CharField(max_length=9, choices=DeliveryStatus.choices)
    reason = models.CharField(
        max_length=11, choices=DeferReason.choices, blank=True, default=DeferReason.NONE
    )
    due_at = models.DateTimeField(help_text=_("not to be sent before this time"))
    budget_day = models.DateField(
        null=True, blank=True, help_text=_("the day whose e-mail budget this e-mail counts in")
    )
    to_address = models.EmailField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "email deliveries"
        indexes = [
            models.Index(fields=["status", "due_at"], name="delivery_due"),
            models.Index(fields=["person", "budget_day"], name="delivery_budget"),
        ]
        constraints = [
            # A digest (no notification) is never itself carried by another digest.
            models.CheckConstraint(
                condition=Q(notification__isnull=False) | Q(digest__isnull=True),
                name="delivery_digest_not_nested",
            ),
        ]

    def __str__(self) -> str:
        what = "digest" if self.is_digest else f"notification {self.notification_id}"
        return f"e-mail ({what}) to person {self.person_id}: {self.status}"

    @property
    def is_digest(self) -> bool:
        return self.notification_id is None
