"""With real commits (no test transaction around the test): the e-mail leaves only after the
caller's transaction commits, and never when it rolls back."""

from __future__ import annotations

import pytest
from django.db import transaction

from gov3.notifications.models import DeliveryStatus, EmailDelivery, Notification, NotificationKind
from gov3.notifications.services import do_notify
from gov3.registry.models import Person
from tests.conftest import SmtpServer
from tests.notifications.conftest import ADDRESS, DAY, texts

pytestmark = pytest.mark.django_db(transaction=True)


def _decide(person: Person, key: str) -> None:
    do_notify(
        person,
        NotificationKind.DECISION,
        title=texts("Your application was decided"),
        body=texts("It was approved."),
        link="/me/cases/1/",
        key=key,
        now=DAY,
    )


def test_the_email_leaves_after_the_callers_commit(mother: Person, smtp_server: SmtpServer) -> None:
    with transaction.atomic():
        _decide(mother, "case:1:decided")
        assert smtp_server.messages == []  # not before the decision is committed
    [mail] = smtp_server.messages
    assert mail.to == [ADDRESS]
    assert mail.subject == "Your application was decided (en)"
    delivery = EmailDelivery.objects.get(notification__key="case:1:decided")
    assert delivery.status == DeliveryStatus.SENT


def test_a_rolled_back_decision_notifies_nobody(mother: Person, smtp_server: SmtpServer) -> None:
    def decide_then_fail() -> None:
        with transaction.atomic():
            _decide(mother, "case:1:decided")
            raise RuntimeError("the decision could not be saved")

    with pytest.raises(RuntimeError):
        decide_then_fail()
    # (Registering the family may have notified offers already: only this key matters.)
    assert not Notification.objects.filter(key="case:1:decided").exists()
    assert not EmailDelivery.objects.filter(notification__key="case:1:decided").exists()
    assert smtp_server.messages == []


def test_called_outside_any_transaction_it_sends_at_once(
    mother: Person, smtp_server: SmtpServer
) -> None:
    _decide(mother, "case:2:decided")
    assert len(smtp_server.messages) == 1
