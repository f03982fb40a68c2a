"""Commands of notifications: tell a person something, send the e-mails that are due, mark a
notification read, change what one receives.

`do_notify` is the one entry point for the other apps. Unlike most commands it joins the
caller's transaction instead of owning a durable one: the notice must commit or roll back
together with the decision that caused it, and its e-mail leaves only after that commit.

How an e-mail is let through (docs/notifications.md):

1. the person opted in to e-mail for the kind, and their account has an address;
2. offers and reminders of a person who chose the daily digest wait for it;
3. nothing is sent in the person's quiet hours (legal notices neither; they go first when the
   window opens), except a code the person just asked for (`is_sent_at_once`);
4. at most ``GOV3_NOTIFICATION_DAILY_BUDGET`` e-mails a person a day: legal notices always go
   (and count), the others beyond the budget wait for the next digest.

Every e-mail has an `EmailDelivery` row; a mail server error marks it failed and
``gov3 notifications deliver`` retries it, so nothing is lost.
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, NoReturn

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.notifications.emails import digest_email, notification_email
from gov3.notifications.models import (
    Channel,
    DeferReason,
    DeliveryStatus,
    Digest,
    EmailDelivery,
    Language,
    Notification,
    NotificationKind,
    Preference,
    Priority,
    is_legal_notice,
    is_sent_at_once,
    priority_of,
)
from gov3.notifications.queries import email_address_of, language_for
from gov3.notifications.schedule import in_quiet_hours, next_digest_at, quiet_hours_end
from gov3.registry.models import Person
from gov3.tasks.runner import enqueue

logger = logging.getLogger(__name__)

ACTOR = "system:notifications"
MAX_KEY = 200
MAX_LINK = 500
#: A queued e-mail still unsent after this long was lost between the commit and the send
#: (the process stopped); `deliver` sends it.
STALE_QUEUED = timedelta(minutes=10)
#: A failed e-mail is retried after 5 minutes, then 10, 20 … but at least every 6 hours.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


class Outcome(StrEnum):
    """What happened to one e-mail when it was due."""

    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # already sent or cancelled by someone else


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failed ones."""
    doublings = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def _refuse(message: str) -> NoReturn:
    raise ValidationFailedError(message)


# --- notify ---------------------------------------------------------------------------------


def _checked_texts(texts: Mapping[str, str], what: str) -> dict[str, str]:
    if not isinstance(texts, Mapping) or not any(str(t).strip() for t in texts.values()):
        _refuse(f"Give the notification's {what} in at least one language, e.g. {{'en': '…'}}.")
    unknown = sorted(set(texts) - set(Language.values))
    if unknown:
        _refuse(
            f"The notification's {what} is in {', '.join(unknown)}, which gov3 does not speak; "
            f"use {', '.join(Language.values)}."
        )
    return {language: str(text) for language, text in texts.items()}


def _check_link(link: str) -> None:
    # Only a path on this site or a web address: the link is put in pages and e-mails.
    local = link.startswith("/") and not link.startswith("//")
    if not (local or link.startswith(("https://", "http://"))) or len(link) > MAX_LINK:
        _refuse(
            f"The notification's link {link[:80]!r} must be a path on this site (/me/…) or an "
            f"http(s) address of at most {MAX_LINK} characters."
        )


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY:
        _refuse(f"Give the notification a key of 1 to {MAX_KEY} characters (e.g. 'offer:<id>').")


def _locked_preference(person: Person) -> Preference:
    """The person's preferences, locked for this transaction: two notifications for the same
    person are decided one after the other, so the daily budget holds."""
    preference, _ = Preference.objects.select_for_update().get_or_create(person=person)
    return preference


def do_notify(
    person: Person,
    kind: NotificationKind,
    *,
    title: dict[str, str],
    body: dict[str, str],
    link: str,
    key: str,
    now: datetime | None = None,
) -> Notification | None:
    """Tell ``person`` something: always recorded in the app, e-mailed by their preferences.

    ``title`` and ``body`` are the texts per language (``{"en": …, "ko": …, "vi": …}``);
    ``link`` is where the details are (a path on this site); ``key`` makes the call
    idempotent: a second call with the same key for the same person creates nothing and
    returns None. Runs inside the caller's transaction; the e-mail is sent by a worker after it
    commits (never if it rolls back), or later by ``gov3 notifications deliver``.
    """
    try:
        kind = NotificationKind(kind)
    except ValueError:
        _refuse(f"{kind!r} is not a kind of notification; use one of NotificationKind.")
    title = _checked_texts(title, "title")
    body = _checked_texts(body, "text")
    _check_link(link)
    _check_key(key)
    at_time = now
    now = now or timezone.now()
    with transaction.atomic():
        if Notification.objects.filter(person=person, key=key).exists():
            return None
        preference = _locked_preference(person)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    person=person,
                    kind=kind,
                    priority=priority_of(kind),
                    key=key,
                    title=title,
                    body=body,
                    link=link,
                    in_app=preference.wants(kind, Channel.IN_APP),
                    created_at=now,
                )
        except IntegrityError:
            return None  # the same key was notified at the same moment by another process
        delivery = _plan_email(notification, preference, now)
        record_audit(
            actor=ACTOR,
            action="notifications.notify",
            target_type="notification",
            target_id=notification.public_id,
            data={
                "person": person.pk,
                "kind": kind.value,
                "key": key,
                "email": delivery.status if delivery else "none",
                "deferred_for": delivery.reason if delivery else "",
            },
        )
        if delivery is not None and delivery.status == DeliveryStatus.QUEUED:
            # A worker sends it once this commits (retried with backoff while the mail server
            # refuses; `deliver` also sends whatever is still queued). A clock the caller set
            # is the sending time too (tests, `deliver --now`).
            enqueue(
                "notifications.send_email",
                key=f"email:{delivery.pk}",
                delivery_id=delivery.pk,
                at=at_time.isoformat() if at_time is not None else None,
            )
    return notification


def _plan_email(
    notification: Notification, preference: Preference, now: datetime
) -> EmailDelivery | None:
    """The notification's e-mail, to send now (queued) or deferred; None if it gets none."""
    if not preference.wants(notification.kind, Channel.EMAIL):
        return None
    if not email_address_of(notification.person):
        return None
    delivery = EmailDelivery(
        person=notification.person,
        notification=notification,
        priority=notification.priority,
        language=language_for(preference),
        status=DeliveryStatus.QUEUED,
        due_at=now,
        created_at=now,
    )
    _admit(delivery, preference, now)
    delivery.save()
    return delivery


def _defer(delivery: EmailDelivery, reason: DeferReason, until: datetime) -> bool:
    delivery.status = DeliveryStatus.DEFERRED
    delivery.reason = reason
    delivery.due_at = until
    return False


def _budget_used(person_id: int, day: Any) -> int:
    return EmailDelivery.objects.filter(
        person_id=person_id, budget_day=day, notification__isnull=False
    ).count()


def _admit(delivery: EmailDelivery, preference: Preference, now: datetime) -> bool:
    """Whether ``delivery`` may go out at ``now``; if not, it is deferred (status, reason and
    ``due_at`` set, not saved). A single e-mail let through counts in today's budget."""
    local = now.astimezone(preference.zone())
    start, end = preference.quiet_start, preference.quiet_end
    single = not delivery.is_digest
    legal = delivery.priority == Priority.LEGAL_NOTICE
    next_digest = partial(next_digest_at, local, settings.GOV3_NOTIFICATION_DIGEST_HOUR, start, end)
    undecided = single and delivery.budget_day is None
    if undecided and not legal and preference.digest == Digest.DAILY:
        return _defer(delivery, DeferReason.DIGEST, next_digest())
    at_once = delivery.notification is not None and is_sent_at_once(delivery.notification.kind)
    if not at_once and in_quiet_hours(local.time(), start, end):
        return _defer(delivery, DeferReason.QUIET_HOURS, quiet_hours_end(local, start, end))
    if undecided:
        budget = settings.GOV3_NOTIFICATION_DAILY_BUDGET
        if not legal and _budget_used(delivery.person_id, local.date()) >= budget:
            return _defer(delivery, DeferReason.BUDGET, next_digest())
        delivery.budget_day = local.date()
    delivery.status = DeliveryStatus.QUEUED
    return True


# --- sending --------------------------------------------------------------------------------


class Mailer:
    """One connection to the mail server (Django's EMAIL_BACKEND) for a run of e-mails,
    opened when first needed and opened again after a failure."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail server; raises OSError (smtplib's errors included)."""
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()
        try:
            accepted = self._connection.send_messages([message])
        except Exception:
            self.close()
            raise
        if not accepted:
            raise OSError("the mail server accepted the message for no recipient")

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except OSError:
                logger.info("closing the mail server connection failed", exc_info=True)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _cancel(delivery: EmailDelivery, why: str, items: Iterable[EmailDelivery] = ()) -> Outcome:
    delivery.status = DeliveryStatus.CANCELLED
    delivery.last_error = why
    delivery.save()
    EmailDelivery.objects.filter(pk__in=[i.pk for i in items]).update(
        status=DeliveryStatus.CANCELLED, last_error=why
    )
    return Outcome.CANCELLED


def _digest_items(digest: EmailDelivery, preference: Preference) -> list[EmailDelivery]:
    """The notifications a digest still carries; those whose kind the person has switched
    off by e-mail since are cancelled."""
    items = list(digest.items.filter(status=DeliveryStatus.DEFERRED).select_related("notification"))
    unwanted = [
        i
        for i in items
        if i.notification is not None and not preference.wants(i.notification.kind, Channel.EMAIL)
    ]
    EmailDelivery.objects.filter(pk__in=[i.pk for i in unwanted]).update(
        status=DeliveryStatus.CANCELLED, last_error="e-mail for this kind was switched off"
    )
    return [i for i in items if i not in unwanted]


def _why_not_send(
    notification: Notification | None, preference: Preference, *, address: str, has_items: bool
) -> str:
    """Why an e-mail must not be sent any more (empty: it may be)."""
    if not address:
        return "the person's account has no e-mail address"
    if notification is not None and not preference.wants(notification.kind, Channel.EMAIL):
        return "e-mail for this kind was switched off"
    if notification is None and not has_items:
        return "nothing left to send in the digest"
    return ""


def send_email(
    delivery_id: int, *, now: datetime | None = None, mailer: Mailer | None = None
) -> Outcome:
    """Send one e-mail if it may go now (else defer or cancel it). A mail server error marks
    it failed with the error, to be retried by ``gov3 notifications deliver``.

    The delivery row is the record of the e-mail, so this writes no audit entry of its own
    (``deliver`` audits each run; ``do_notify`` audited the notification).
    """
    now = now or timezone.now()
    own_mailer = mailer is None
    mailer = mailer or Mailer()
    try:
        with transaction.atomic(durable=True):
            return _send_locked(delivery_id, now, mailer)
    finally:
        if own_mailer:
            mailer.close()


def _send_locked(delivery_id: int, now: datetime, mailer: Mailer) -> Outcome:
    delivery = (
        EmailDelivery.objects.select_for_update(of=("self",))
        .select_related("person", "notification")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.CANCELLED):
        return Outcome.SKIPPED
    person = delivery.person
    preference = _locked_preference(person)
    notification = delivery.notification
    items = _digest_items(delivery, preference) if notification is None else []
    address = email_address_of(person)
    why_not = _why_not_send(notification, preference, address=address, has_items=bool(items))
    if why_not:
        return _cancel(delivery, why_not, items)
    if not _admit(delivery, preference, now):
        delivery.save()
        return Outcome.DEFERRED
    language = language_for(preference, delivery.language)
    if notification is None:
        message = digest_email(
            [i.notification for i in items if i.notification is not None],
            to=address,
            name=person.name_local,
            language=language,
        )
    else:
        message = notification_email(
            notification, to=address, name=person.name_local, language=language
        )
    delivery.attempts += 1
    delivery.to_address = address
    try:
        mailer.send(message)
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors; a bad address
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = _describe(error)
        delivery.due_at = now + retry_delay(delivery.attempts)
        delivery.save()
        logger.warning("e-mail %s to person %s failed: %s", delivery.pk, person.pk, error)
        return Outcome.FAILED
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.last_error = ""
    delivery.save()
    EmailDelivery.objects.filter(pk__in=[i.pk for i in items]).update(
        status=DeliveryStatus.SENT, sent_at=now
    )
    return Outcome.SENT


@dataclass
class DeliveryReport:
    """What one run of ``deliver`` did."""

    sent: int = 0
    digests: int = 0
    digest_items: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def anything(self) -> bool:
        return any(asdict(self).values())


def _due_singles(now: datetime) -> list[int]:
    """E-mails due now, legal notices first: after quiet hours, retries, and queued ones
    whose send after the commit never happened."""
    due = (
        Q(status=DeliveryStatus.DEFERRED, reason=DeferReason.QUIET_HOURS, due_at__lte=now)
        | Q(status=DeliveryStatus.FAILED, due_at__lte=now)
        | Q(status=DeliveryStatus.QUEUED, created_at__lte=now - STALE_QUEUED)
    )
    return list(
        EmailDelivery.objects.filter(due)
        .order_by("-priority", "due_at", "pk")
        .values_list("pk", flat=True)
    )


def _waiting_for_digest(now: datetime) -> Q:
    return Q(
        status=DeliveryStatus.DEFERRED,
        reason__in=[DeferReason.DIGEST, DeferReason.BUDGET],
        digest__isnull=True,
        due_at__lte=now,
    )


def _digest_people(now: datetime) -> list[int]:
    return list(
        EmailDelivery.objects.filter(_waiting_for_digest(now))
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )


def _gather_digest(person_id: int, now: datetime) -> int | None:
    """Put the person's waiting notifications into one new digest e-mail; its id."""
    with transaction.atomic(durable=True):
        person = Person.objects.get(pk=person_id)
        preference = _locked_preference(person)
        items = list(
            EmailDelivery.objects.select_for_update().filter(
                _waiting_for_digest(now), person_id=person_id
            )
        )
        if not items:
            return None
        digest = EmailDelivery.objects.create(
            person=person,
            notification=None,
            priority=max(i.priority for i in items),
            language=language_for(preference, items[0].language),
            status=DeliveryStatus.QUEUED,
            due_at=now,
            created_at=now,
        )
        EmailDelivery.objects.filter(pk__in=[i.pk for i in items]).update(digest=digest)
    return digest.pk


def do_deliver_due(
    *, now: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> DeliveryReport:
    """Send every e-mail that is due: those held for quiet hours (legal notices first),
    retries of failed ones, and the daily digests. ``progress(done, total)`` after each."""
    now = now or timezone.now()
    singles = _due_singles(now)
    people = _digest_people(now)
    total = len(singles) + len(people)
    report = DeliveryReport()
    mailer = Mailer()
    try:
        for done, delivery_id in enumerate(singles, start=1):
            outcome = send_email(delivery_id, now=now, mailer=mailer)
            if outcome != Outcome.SKIPPED:
                setattr(report, outcome.value, getattr(report, outcome.value) + 1)
            if progress is not None:
                progress(done, total)
        for done, person_id in enumerate(people, start=len(singles) + 1):
            digest_id = _gather_digest(person_id, now)
            if digest_id is not None:
                outcome = send_email(digest_id, now=now, mailer=mailer)
                if outcome == Outcome.SENT:
                    report.digests += 1
                    report.digest_items += EmailDelivery.objects.filter(digest_id=digest_id).count()
                elif outcome != Outcome.SKIPPED:
                    setattr(report, outcome.value, getattr(report, outcome.value) + 1)
            if progress is not None:
                progress(done, total)
    finally:
        mailer.close()
    if report.anything:
        with transaction.atomic(durable=True):
            record_audit(
                actor=ACTOR,
                action="notifications.deliver",
                target_type="email_delivery",
                data=asdict(report),
            )
    return report


# --- the citizen's own actions --------------------------------------------------------------


def do_mark_read(
    actor: str, person: Person, public_id: uuid.UUID | str, *, now: datetime | None = None
) -> Notification:
    """Mark one of ``person``'s notifications read (already read: nothing changes). Anyone
    else's notification is not found."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError(gettext("There is no such notification.")) from None
    with transaction.atomic(durable=True):
        notification = (
            Notification.objects.select_for_update()
            .filter(person=person, public_id=wanted, in_app=True)
            .first()
        )
        if notification is None:
            raise NotFoundError(gettext("There is no such notification."))
        if notification.read_at is None:
            notification.read_at = now or timezone.now()
            notification.save(update_fields=["read_at"])
            record_audit(
                actor=actor,
                action="notifications.mark_read",
                target_type="notification",
                target_id=notification.public_id,
            )
    return notification


def _checked_channels(channels: Mapping[str, Mapping[str, bool]]) -> dict[str, bool]:
    opt_in: dict[str, bool] = {}
    for kind, by_channel in channels.items():
        if kind not in NotificationKind.values:
            _refuse(gettext("%(kind)s is not a kind of notification.") % {"kind": kind})
        for channel, wanted in by_channel.items():
            if channel not in Channel.values:
                _refuse(
                    gettext("%(channel)s is not a way to receive notifications.")
                    % {"channel": channel}
                )
            if channel == Channel.IN_APP and is_legal_notice(kind):
                if not wanted:
                    _refuse(
                        gettext(
                            "Legal notices cannot be switched off on this website: you have "
                            "a right to be told of decisions about you. You can still choose "
                            "whether they also come by e-mail."
                        )
                    )
                continue
            opt_in[f"{kind}:{channel}"] = bool(wanted)
    return opt_in


def _checked_zone(name: str) -> str:
    if name and name not in zoneinfo.available_timezones():
        _refuse(
            gettext("%(zone)s is not a time zone we know; use a name such as Asia/Seoul.")
            % {"zone": name}
        )
    return name


def do_set_preferences(
    actor: str,
    person: Person,
    *,
    digest: str,
    quiet_start: time,
    quiet_end: time,
    time_zone: str = "",
    language: str = "",
    channels: Mapping[str, Mapping[str, bool]] | None = None,
    now: datetime | None = None,
) -> Preference:
    """Save what ``person`` wants to receive. ``channels`` maps kinds to
    ``{"in_app": bool, "email": bool}``; kinds and channels left out keep their setting.
    Wrong input is refused and nothing is saved."""
    if digest not in Digest.values:
        _refuse(gettext("Choose whether e-mails come straight away or once a day."))
    if language and language not in Language.values:
        _refuse(gettext("Choose Korean, English or Vietnamese, or the website's language."))
    if not isinstance(quiet_start, time) or not isinstance(quiet_end, time):
        _refuse(gettext("Give the quiet hours as times of day, such as 22:00 and 07:00."))
    opt_in = _checked_channels(channels or {})
    zone = _checked_zone(time_zone)
    with transaction.atomic(durable=True):
        preference = _locked_preference(person)
        preference.opt_in = {**preference.opt_in, **opt_in}
        preference.digest = digest
        preference.quiet_start = quiet_start.replace(second=0, microsecond=0, tzinfo=None)
        preference.quiet_end = quiet_end.replace(second=0, microsecond=0, tzinfo=None)
        preference.time_zone = zone
        preference.language = language
        preference.updated_at = now or timezone.now()
        preference.save()
        record_audit(
            actor=actor,
            action="notifications.set_preferences",
            target_type="person",
            target_id=person.pk,
            data={
                "digest": digest,
                "quiet_hours": f"{preference.quiet_start:%H:%M}-{preference.quiet_end:%H:%M}",
                "time_zone": zone,
                "language": language,
                "opt_in": preference.opt_in,
            },
        )
    return preference
