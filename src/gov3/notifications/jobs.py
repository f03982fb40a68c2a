"""Background jobs of notifications: send one e-mail, and every few minutes whatever is due
(held for quiet hours, deferred to the digest, refused by the mail server earlier)."""

from __future__ import annotations

from datetime import datetime

from huey import crontab

from gov3.notifications.services import Outcome, do_deliver_due, send_email
from gov3.tasks.runner import job


class MailServerRefusedError(RuntimeError):
    """The mail server did not take the e-mail; the job is retried with backoff."""


@job("notifications.send_email", attempts=8)
def send(*, delivery_id: int, at: str | None = None) -> None:
    outcome = send_email(delivery_id, now=datetime.fromisoformat(at) if at else None)
    if outcome is Outcome.FAILED:
        raise MailServerRefusedError(f"e-mail delivery {delivery_id} was not accepted")


@job("notifications.deliver_due", every=crontab(minute="*/5"))
def deliver_due() -> None:
    do_deliver_due()
