"""`gov3 audit verify`: check the audit log's hash chain."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Audit log tools. `gov3 audit verify` recomputes the hash chain and names the first "
        "broken entry."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify}")
        sub.add_parser("verify", help="check every entry's hash and its link to the one before")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN after {report.checked} good entries: {report.reason}."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries verified.")
