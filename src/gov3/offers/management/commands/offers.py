"""`gov3 offers …`: sweeps, publishing new rule versions, notifying, expiring."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gov3.offers import sweep
from gov3.offers.models import Offer, OfferStatus
from gov3.offers.publish import publish_services
from gov3.offers.services import do_expire_offers, notify_offers
from gov3.rules.errors import RulesError

ACTOR = "system:offers-cli"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Proactive offers. `sweep` writes an offer for everyone who newly qualifies (safe to "
        "kill and rerun: it never writes an offer twice); `publish` re-evaluates services "
        "whose rules version changed; `notify` tells recipients about offers not yet notified; "
        "`expire` closes unanswered offers past their deadline."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{sweep,publish,notify,expire}"
        )
        run = sub.add_parser("sweep", help="offer services to everyone who newly qualifies")
        run.add_argument("--country", default=settings.GOV3_COUNTRY)
        run.add_argument("--day", type=_day, help="apply the rules as on this day (default today)")
        run.add_argument(
            "--service", action="append", dest="services", help="only this service (repeatable)"
        )
        run.add_argument(
            "--frequency",
            choices=("daily", "monthly", "yearly"),
            help="only the services swept this often",
        )
        run.add_argument("--batch-size", type=int, default=sweep.BATCH, help="offers per commit")
        run.add_argument(
            "--no-notify", action="store_true", help="write the offers only; `notify` later"
        )
        run.add_argument(
            "--snapshot",
            type=Path,
            help="evaluate the rules on this Parquet snapshot of the register "
            "(`gov3 registry snapshot`) instead of in the database",
        )
        publish = sub.add_parser("publish", help="re-evaluate services whose version changed")
        publish.add_argument("--country", default=settings.GOV3_COUNTRY)
        sub.add_parser("notify", help="notify the recipients of offers not yet notified")
        expire = sub.add_parser("expire", help="expire unanswered offers past their deadline")
        expire.add_argument("--day", type=_day)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (RulesError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _sweep(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(service: str, written: int, selected: int) -> None:
            self.stdout.write(f"{service}: {selected:,} selected, {written:,} written")
            self.stdout.flush()

        result = sweep.run_sweep(
            options["country"],
            options["day"],
            services=options["services"],
            frequency=options["frequency"],
            notify=not options["no_notify"],
            batch_size=options["batch_size"],
            progress=progress,
            snapshot=options["snapshot"],
        )
        for service in result.selected:
            self.stdout.write(
                f"{service}: {result.written[service]:,} new offers "
                f"({result.selected[service]:,} qualified without one)"
            )
        self.stdout.write(self.style.SUCCESS(f"{result.total_written:,} offers written"))

    def _publish(self, options: dict[str, Any]) -> None:
        reports = publish_services(options["country"])
        if not reports:
            self.stdout.write("No service changed version; nothing to re-evaluate.")
        for r in reports:
            self.stdout.write(
                f"{r.service} {r.old_version} → {r.new_version}: {r.withdrawn} withdrawn, "
                f"{r.replaced} replaced, {r.amount_notices} amount notices, "
                f"{r.entitlement_notices} entitlement-ended notices, "
                f"{r.new_offers} new offers"
            )

    def _notify(self, options: dict[str, Any]) -> None:
        ids = list(Offer.objects.filter(status=OfferStatus.PROPOSED).values_list("pk", flat=True))
        self.stdout.write(f"{notify_offers(ids):,} offers notified")

    def _expire(self, options: dict[str, Any]) -> None:
        day = options["day"] or timezone.localdate()
        self.stdout.write(f"{do_expire_offers(ACTOR, day):,} offers expired")
