"""`gov3 personnel steps --on DATE`: the yearly step increases due on a day (safe to run
again: a second run on the same day changes nothing)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gov3.personnel.steps import do_advance_steps


class Command(BaseCommand):
    help = "Personnel administration. `gov3 personnel steps --on DATE`: yearly step increases."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{steps}")
        steps = sub.add_parser("steps", help="advance the steps due on a day (default: today)")
        steps.add_argument("--on", default="", help="the day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on must be a date YYYY-MM-DD, not {options['on']!r}.") from None
        run = do_advance_steps(on)
        for inc in run.increases:
            self.stdout.write(
                f"{inc.employee_number} {inc.grade} step {inc.old_step} -> {inc.new_step}: "
                f"monthly pay {inc.old_pay} -> {inc.new_pay}"
            )
        for country in run.no_rule:
            self.stdout.write(f"country {country}: the pack has no step-increase rule on {on}")
        self.stdout.write(
            f"{len(run.increases)} step increases on {on.isoformat()}; "
            f"{run.at_top} at the top step already."
        )
