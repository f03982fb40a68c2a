"""do_notify and delivery against a real SMTP server on loopback: the language, the commit,
idempotency, opt-in, the daily budget, quiet hours, the digest and retries after a failure."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from gov3.accounts.models import User
from gov3.core.audit import verify_chain
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.notifications.models import (
    DeferReason,
    DeliveryStatus,
    Digest,
    EmailDelivery,
    Notification,
    NotificationKind,
    Preference,
)
from gov3.notifications.queries import notifications_for, unread_count
from gov3.notifications.services import do_deliver_due, do_mark_read, do_notify, do_set_preferences
from gov3.registry.models import Person
from gov3.tasks.models import Job, JobStatus
from tests.conftest import SmtpServer
from tests.notifications.conftest import (
    ADDRESS,
    DAY,
    DIGEST_TIME,
    MORNING,
    NIGHT,
    Notify,
    texts,
)

pytestmark = pytest.mark.django_db


def _prefer(person: Person, **changes: Any) -> None:
    settings: dict[str, Any] = {
        "digest": Digest.IMMEDIATE,
        "quiet_start": time(22),
        "quiet_end": time(7),
        **changes,
    }
    do_set_preferences("younghee", person, **settings)


def _status(notification: Notification | None) -> tuple[str, str]:
    assert notification is not None
    delivery = notification.email_deliveries.get()
    return delivery.status, delivery.reason


# --- what arrives, and in which language ---------------------------------------------------


def test_the_email_arrives_in_the_language_the_person_chose(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, language="vi")
    notification = notify(mother, NotificationKind.DECISION, "case:1:decided")

    [mail] = smtp_server.messages
    assert mail.to == [ADDRESS]
    assert mail.subject == "Title case:1:decided (tiếng Việt)"
    assert "Kính gửi 김영희," in mail.text
    assert "Body case:1:decided (tiếng Việt)" in mail.text
    assert "http://127.0.0.1:8000/me/offers/1/" in mail.text
    assert "http://127.0.0.1:8000/me/notifications/preferences/" in mail.text
    assert 'href="http://127.0.0.1:8000/me/offers/1/"' in mail.html
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert _status(notification) == (DeliveryStatus.SENT, "")


def test_without_a_choice_the_active_language_is_used_and_links_use_the_site_url(
    mother: Person, smtp_server: SmtpServer, notify: Notify, settings: Any
) -> None:
    settings.GOV3_SITE_URL = "https://gov3.example.kr"
    with translation.override("ko"):
        notify(mother, NotificationKind.OFFER, "offer:ko")
    [mail] = smtp_server.messages
    assert mail.subject == "Title offer:ko (한국어)"
    assert "김영희님, 안녕하세요." in mail.text
    assert "https://gov3.example.kr/me/offers/1/" in mail.text
    assert "https://gov3.example.kr/me/notifications/preferences/" in mail.text


def test_a_missing_language_falls_back_to_english(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, language="vi")
    notify(mother, NotificationKind.OFFER, "offer:en", title={"en": "Only in English"})
    assert smtp_server.messages[0].subject == "Only in English"


def test_a_person_without_an_account_gets_the_notification_in_the_app_only(
    family: dict[str, Person], smtp_server: SmtpServer, notify: Notify
) -> None:
    stranger = family["stranger"]
    notification = notify(stranger, NotificationKind.DECISION, "case:2")
    assert notification is not None
    assert list(notifications_for(stranger)) == [notification]
    assert not EmailDelivery.objects.exists()
    assert smtp_server.messages == []


def test_an_account_without_an_email_address_gets_no_email(
    citizen: User, smtp_server: SmtpServer, notify: Notify
) -> None:
    assert citizen.person is not None
    notify(citizen.person, NotificationKind.DECISION, "case:3")
    assert unread_count(citizen.person) == 1
    assert smtp_server.messages == []


# --- the commit, idempotency and bad input ---------------------------------------------------


def test_nothing_is_recorded_or_sent_when_the_callers_transaction_rolls_back(
    mother: Person, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    def decide_then_fail() -> None:
        with transaction.atomic():
            do_notify(
                mother,
                NotificationKind.DECISION,
                title=texts("Approved"),
                body=texts("Your application was approved."),
                link="/me/cases/1/",
                key="case:1:decided",
                now=DAY,
            )
            raise RuntimeError("the decision could not be saved")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        decide_then_fail()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not EmailDelivery.objects.exists()
    assert smtp_server.messages == []


def test_the_same_key_notifies_once(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    first = notify(mother, NotificationKind.OFFER, "offer:42")
    again = notify(mother, NotificationKind.OFFER, "offer:42")
    assert first is not None
    assert again is None
    assert Notification.objects.filter(person=mother).count() == 1
    assert len(smtp_server.messages) == 1


def test_the_same_key_for_another_person_is_another_notification(
    family: dict[str, Person], mother: Person, notify: Notify
) -> None:
    assert notify(mother, NotificationKind.OFFER, "offer:42") is not None
    assert notify(family["stranger"], NotificationKind.OFFER, "offer:42") is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": {}}, "at least one language"),
        ({"title": {"fr": "Bonjour"}}, "fr, which gov3 does not speak"),
        ({"link": "javascript:alert(1)"}, "must be a path on this site"),
        ({"link": "//evil.example/"}, "must be a path on this site"),
        ({"key": ""}, "key of 1 to 200 characters"),
        ({"kind": "gossip"}, "not a kind of notification"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_recorded(
    mother: Person, changes: dict[str, Any], message: str
) -> None:
    call: dict[str, Any] = {
        "kind": NotificationKind.OFFER,
        "title": texts("t"),
        "body": texts("b"),
        "link": "/me/offers/1/",
        "key": "offer:1",
        **changes,
    }
    kind = call.pop("kind")
    with pytest.raises(ValidationFailedError, match=message):
        do_notify(mother, kind, **call)
    assert not Notification.objects.exists()


def test_every_notification_is_in_the_audit_log(mother: Person, notify: Notify) -> None:
    notification = notify(mother, NotificationKind.DECISION, "case:9")
    assert notification is not None
    entry = AuditEntry.objects.get(action="notifications.notify")
    assert entry.target_id == str(notification.public_id)
    assert entry.data["kind"] == "decision"
    assert verify_chain().ok


# --- opt-in --------------------------------------------------------------------------------


def test_no_email_for_a_kind_the_person_switched_off(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, channels={"offer": {"email": False}})
    notification = notify(mother, NotificationKind.OFFER, "offer:1")
    assert notification is not None
    assert notification.in_app
    assert not EmailDelivery.objects.exists()
    assert smtp_server.messages == []


def test_reminders_come_by_email_only_when_asked(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    notify(mother, NotificationKind.REMINDER, "reminder:1")
    assert smtp_server.messages == []
    _prefer(mother, channels={"reminder": {"email": True}})
    notify(mother, NotificationKind.REMINDER, "reminder:2")
    assert len(smtp_server.messages) == 1


def test_a_kind_switched_off_in_the_app_is_recorded_but_not_listed(
    mother: Person, notify: Notify
) -> None:
    _prefer(mother, channels={"offer": {"in_app": False}})
    notification = notify(mother, NotificationKind.OFFER, "offer:1")
    assert notification is not None
    assert not notification.in_app
    assert list(notifications_for(mother)) == []
    assert unread_count(mother) == 0


def test_legal_notices_cannot_be_switched_off_in_the_app(mother: Person) -> None:
    with pytest.raises(ValidationFailedError, match="cannot be switched off"):
        _prefer(mother, channels={"decision": {"in_app": False}})
    assert not Preference.objects.filter(person=mother).exists()  # the refusal saved nothing


def test_legal_notice_email_respects_the_opt_in(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, channels={"decision": {"email": False}})
    notification = notify(mother, NotificationKind.DECISION, "case:1")
    assert notification is not None
    assert notification.in_app
    assert smtp_server.messages == []


# --- budget --------------------------------------------------------------------------------


def test_the_sixth_offer_of_the_day_waits_for_the_digest_but_a_legal_notice_still_goes(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    offers = [
        notify(mother, NotificationKind.OFFER, f"offer:{n}", now=DAY + timedelta(minutes=n))
        for n in range(6)
    ]
    assert len(smtp_server.messages) == 5
    assert _status(offers[5]) == (DeliveryStatus.DEFERRED, DeferReason.BUDGET)

    decision = notify(mother, NotificationKind.DECISION, "case:1", now=DAY + timedelta(hours=1))
    assert _status(decision) == (DeliveryStatus.SENT, "")
    assert len(smtp_server.messages) == 6
    assert smtp_server.messages[-1].subject == "Title case:1 (en)"

    # The sixth offer is in the next morning's digest, not lost.
    report = do_deliver_due(now=DIGEST_TIME)
    assert (report.digests, report.digest_items) == (1, 1)
    assert "Title offer:5 (en)" in smtp_server.messages[-1].text
    assert _status(offers[5]) == (DeliveryStatus.SENT, DeferReason.BUDGET)


def test_the_budget_is_per_day_and_a_setting(
    mother: Person, smtp_server: SmtpServer, notify: Notify, settings: Any
) -> None:
    settings.GOV3_NOTIFICATION_DAILY_BUDGET = 1
    notify(mother, NotificationKind.OFFER, "offer:1")
    notify(mother, NotificationKind.OFFER, "offer:2")
    notify(mother, NotificationKind.OFFER, "offer:3", now=DAY + timedelta(days=1))
    assert [m.subject for m in smtp_server.messages] == ["Title offer:1 (en)", "Title offer:3 (en)"]


# --- quiet hours -----------------------------------------------------------------------------


def test_quiet_hours_hold_emails_and_deliver_sends_them_legal_notices_first(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    offer = notify(mother, NotificationKind.OFFER, "offer:1", now=NIGHT)
    decision = notify(mother, NotificationKind.DECISION, "case:1", now=NIGHT + timedelta(hours=1))
    assert smtp_server.messages == []
    assert _status(offer) == (DeliveryStatus.DEFERRED, DeferReason.QUIET_HOURS)
    assert _status(decision) == (DeliveryStatus.DEFERRED, DeferReason.QUIET_HOURS)
    assert unread_count(mother) == 2  # in the app at once

    assert do_deliver_due(now=MORNING - timedelta(minutes=1)).sent == 0
    assert smtp_server.messages == []

    report = do_deliver_due(now=MORNING)
    assert report.sent == 2
    assert [m.subject for m in smtp_server.messages] == ["Title case:1 (en)", "Title offer:1 (en)"]
    assert do_deliver_due(now=MORNING + timedelta(hours=1)).sent == 0  # nothing twice


def test_a_code_the_person_just_asked_for_is_sent_in_quiet_hours(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    decision = notify(mother, NotificationKind.DECISION, "case:1", now=NIGHT)
    code = notify(mother, NotificationKind.CODE, "wallet-offer:1", now=NIGHT)
    assert _status(decision) == (DeliveryStatus.DEFERRED, DeferReason.QUIET_HOURS)
    assert _status(code) == (DeliveryStatus.SENT, DeferReason.NONE)
    assert [m.subject for m in smtp_server.messages] == ["Title wallet-offer:1 (en)"]


def test_quiet_hours_are_the_persons_own(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    # 10:00 in Seoul is 08:00 in Ho Chi Minh City, inside quiet hours that end at 09:00 there.
    _prefer(mother, quiet_start=time(21), quiet_end=time(9), time_zone="Asia/Ho_Chi_Minh")
    notification = notify(mother, NotificationKind.OFFER, "offer:1", now=DAY)
    assert _status(notification) == (DeliveryStatus.DEFERRED, DeferReason.QUIET_HOURS)
    do_deliver_due(now=DAY + timedelta(hours=1))
    assert len(smtp_server.messages) == 1


# --- digest --------------------------------------------------------------------------------


def test_the_daily_digest_lists_the_days_items_most_important_first(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, digest=Digest.DAILY, channels={"reminder": {"email": True}})
    notify(mother, NotificationKind.REMINDER, "reminder:1")
    notify(mother, NotificationKind.OFFER, "offer:1", now=DAY + timedelta(minutes=5))
    notify(mother, NotificationKind.DECISION, "case:1", now=DAY + timedelta(minutes=9))
    # A legal notice does not wait for the digest.
    assert [m.subject for m in smtp_server.messages] == ["Title case:1 (en)"]

    assert do_deliver_due(now=DIGEST_TIME - timedelta(minutes=1)).digests == 0
    report = do_deliver_due(now=DIGEST_TIME)
    assert (report.digests, report.digest_items) == (1, 2)
    digest = smtp_server.messages[-1]
    assert digest.subject == "Your notifications: 2 new"
    assert digest.text.index("Title offer:1 (en)") < digest.text.index("Title reminder:1 (en)")
    assert "[Offer]" in digest.text
    assert "http://127.0.0.1:8000/me/notifications/preferences/" in digest.text
    assert "Title offer:1 (en)" in digest.html
    assert do_deliver_due(now=DIGEST_TIME + timedelta(hours=1)).digests == 0
    carried = EmailDelivery.objects.filter(digest__isnull=False)
    assert {d.status for d in carried} == {DeliveryStatus.SENT}


def test_the_digest_is_in_the_persons_language(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, digest=Digest.DAILY, language="ko")
    notify(mother, NotificationKind.OFFER, "offer:1")
    do_deliver_due(now=DIGEST_TIME)
    [digest] = smtp_server.messages
    assert "Title offer:1 (한국어)" in digest.text
    assert "새 알림 1건" in digest.subject


def test_a_kind_switched_off_after_it_was_held_is_not_sent(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    notification = notify(mother, NotificationKind.OFFER, "offer:1", now=NIGHT)
    _prefer(mother, channels={"offer": {"email": False}})
    report = do_deliver_due(now=MORNING)
    assert (report.sent, report.cancelled) == (0, 1)
    assert _status(notification) == (DeliveryStatus.CANCELLED, DeferReason.QUIET_HOURS)
    assert smtp_server.messages == []


# --- failures and retries --------------------------------------------------------------------


def test_a_failed_send_is_kept_and_retried_by_deliver(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    smtp_server.stop()
    notification = notify(mother, NotificationKind.DECISION, "case:1")
    assert notification is not None
    delivery = notification.email_deliveries.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error

    # Still down at the first retry: failed again, tried later.
    report = do_deliver_due(now=DAY + timedelta(minutes=5))
    assert report.failed == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.due_at == DAY + timedelta(minutes=15)

    smtp_server.start()
    assert do_deliver_due(now=DAY + timedelta(minutes=10)).sent == 0  # not due yet
    assert do_deliver_due(now=DAY + timedelta(minutes=15)).sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.SENT,
        3,
        "",
    )
    [mail] = smtp_server.messages
    assert mail.subject == "Title case:1 (en)"


def test_a_mail_server_down_for_a_while_gets_every_email_once_when_it_is_back(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    smtp_server.stop()
    for n in range(3):
        notify(mother, NotificationKind.DECISION, f"case:{n}")
    deliveries = EmailDelivery.objects.filter(person=mother)
    assert [d.status for d in deliveries] == [DeliveryStatus.FAILED] * 3
    # Each e-mail's job ran and left the retry to the delivery's own schedule (not parked).
    jobs = Job.objects.filter(name="notifications.send_email")
    assert sorted(jobs.values_list("status", flat=True)) == [JobStatus.DONE] * 3

    smtp_server.start()
    assert do_deliver_due(now=DAY + timedelta(minutes=15)).sent == 3
    assert do_deliver_due(now=DAY + timedelta(hours=2)).sent == 0  # nothing goes twice
    assert sorted(m.subject for m in smtp_server.messages) == [
        f"Title case:{n} (en)" for n in range(3)
    ]
    assert {d.status for d in deliveries.all()} == {DeliveryStatus.SENT}


def test_a_failed_digest_is_retried_with_its_items(
    mother: Person, smtp_server: SmtpServer, notify: Notify
) -> None:
    _prefer(mother, digest=Digest.DAILY)
    notify(mother, NotificationKind.OFFER, "offer:1")
    smtp_server.stop()
    assert do_deliver_due(now=DIGEST_TIME).failed == 1
    smtp_server.start()
    report = do_deliver_due(now=DIGEST_TIME + timedelta(minutes=5))
    assert report.sent == 1
    [digest] = smtp_server.messages
    assert "Title offer:1 (en)" in digest.text
    assert not EmailDelivery.objects.filter(status=DeliveryStatus.DEFERRED).exists()


def test_an_email_whose_send_after_commit_never_ran_is_sent_by_deliver(
    mother: Person, smtp_server: SmtpServer
) -> None:
    # The process stopped between the commit and the send: the hook never ran.
    do_notify(
        mother,
        NotificationKind.DECISION,
        title=texts("Approved"),
        body=texts("Approved."),
        link="/me/cases/1/",
        key="case:1",
        now=DAY,
    )
    assert EmailDelivery.objects.get().status == DeliveryStatus.QUEUED
    assert do_deliver_due(now=DAY + timedelta(minutes=1)).sent == 0  # may still be sending
    assert do_deliver_due(now=DAY + timedelta(minutes=10)).sent == 1
    assert len(smtp_server.messages) == 1


def test_deliver_command_reports_what_it_did(
    mother: Person, smtp_server: SmtpServer, notify: Notify, capsys: Any
) -> None:
    notify(mother, NotificationKind.OFFER, "offer:1", now=NIGHT)
    notify(mother, NotificationKind.DECISION, "case:1", now=NIGHT)
    call_command("notifications", "deliver", "--now", MORNING.isoformat(), "--no-progress")
    out = capsys.readouterr().out
    assert "Sent 2 e-mails and 0 daily digests" in out
    assert len(smtp_server.messages) == 2
    assert AuditEntry.objects.filter(action="notifications.deliver").count() == 1


def test_deliver_command_warns_about_failures(
    mother: Person, smtp_server: SmtpServer, notify: Notify, capsys: Any
) -> None:
    notify(mother, NotificationKind.OFFER, "offer:1", now=NIGHT)
    smtp_server.stop()
    call_command("notifications", "deliver", "--now", MORNING.isoformat(), "--no-progress")
    assert "1 e-mails failed and will be retried" in capsys.readouterr().out


def test_deliver_command_refuses_a_bad_time() -> None:
    from django.core.management.base import CommandError  # noqa: PLC0415

    with pytest.raises(CommandError, match="not a date and time"):
        call_command("notifications", "deliver", "--now", "tomorrow", "--no-progress")


# --- read ----------------------------------------------------------------------------------


def test_marking_read_is_only_for_ones_own_notifications(
    family: dict[str, Person], mother: Person, notify: Notify
) -> None:
    notification = notify(mother, NotificationKind.OFFER, "offer:1")
    assert notification is not None
    with pytest.raises(NotFoundError):
        do_mark_read("someone", family["stranger"], notification.public_id)
    notification.refresh_from_db()
    assert notification.read_at is None
    do_mark_read("younghee", mother, notification.public_id, now=DAY)
    do_mark_read("younghee", mother, notification.public_id, now=DAY + timedelta(hours=1))
    notification.refresh_from_db()
    assert notification.read_at == DAY  # the first reading counts
    assert unread_count(mother) == 0
