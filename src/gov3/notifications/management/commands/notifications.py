"""`gov3 notifications deliver`: send the e-mails that are due (run it every few minutes)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gov3.notifications.services import do_deliver_due


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now {text!r} is not a date and time; write it like 2026-03-02T07:30+09:00."
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Notifications. `gov3 notifications deliver` sends the e-mails that are due: those "
        "held during the recipients' quiet hours (legal notices first), retries of e-mails the "
        "mail server refused, and the daily digests (one e-mail per person listing the day's "
        "notifications, most important first). Safe to run again at any time; run it every "
        "few minutes (cron or a systemd timer). See docs/notifications.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{deliver}")
        deliver = sub.add_parser("deliver", help="send the e-mails that are due now")
        deliver.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="act as if it were this time (ISO 8601; default: now), e.g. to test a set-up",
        )
        deliver.add_argument(
            "--no-progress", action="store_true", help="do not show a progress bar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = Progress(
            TextColumn("[bold]sending e-mails"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=options["no_progress"],
        )
        with bar:
            task = bar.add_task("e-mails", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = do_deliver_due(now=options["now"], progress=progress)
        self.stdout.write(
            f"Sent {report.sent} e-mails and {report.digests} daily digests "
            f"(carrying {report.digest_items} notifications); {report.deferred} wait for "
            f"quiet hours or the digest; {report.cancelled} cancelled."
        )
        if report.failed:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.failed} e-mails failed and will be retried by the next run; "
                    "see the e-mail deliveries in the admin for the mail server's answer."
                )
            )
