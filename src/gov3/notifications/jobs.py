"""Background jobs of notifications: send one e-mail, and every few minutes whatever is due
(held for quiet hours, deferred to the digest, refused by the mail server earlier).

A refused e-mail is not a failed job: its delivery row keeps the error and its own retry time
(5 minutes, doubling to 6 hours: docs/notifications.md), and the scheduled `deliver_due` sends
it then."""

from __future__ import annotations

from datetime import datetime

from huey import crontab

from gov3.notifications.services import do_deliver_due, send_email
from gov3.tasks.runner import job


@job("notifications.send_email", attempts=8)
def send(*, delivery_id: int, at: str | None = None) -> None:
    send_email(delivery_id, now=datetime.fromisoformat(at) if at else None)


@job("notifications.deliver_due", every=crontab(minute="*/5"))
def deliver_due() -> None:
    do_deliver_due()
