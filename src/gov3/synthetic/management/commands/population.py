"""`gov3 population generate`: a reproducible synthetic population for demos and benchmarks."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.catalogue.packs import PackError
from gov3.core.errors import ValidationFailedError
from gov3.synthetic.population import DEFAULT_BATCH, generate_population


class Command(BaseCommand):
    help = (
        "Synthetic population. `gov3 population generate --country kr --size 20000 --seed 1` "
        "draws households, residents, passports and life events from the country pack's "
        "statistics (countries/<cc>/population.yaml) and bulk-loads them; the same seed gives "
        "the same residents. The country's areas must be loaded first (gov3 country load)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{generate}")
        gen = sub.add_parser("generate", help="generate and load residents into an empty register")
        gen.add_argument("--country", required=True, help="country code, e.g. kr or vn")
        gen.add_argument("--size", type=int, required=True, help="number of residents")
        gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        gen.add_argument(
            "--if-empty",
            action="store_true",
            help="if the country already has residents, say so and exit successfully",
        )
        gen.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"households generated and written at a time (default {DEFAULT_BATCH})",
        )
        gen.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="the day the register describes, YYYY-MM-DD (default: today)",
        )
        gen.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = generate_population(
                options["country"],
                options["size"],
                options["seed"],
                progress=not options["no_progress"],
                batch=options["batch"],
                as_of=options["as_of"],
                if_empty=options["if_empty"],
            )
        except PackError as exc:
            raise CommandError(str(exc)) from None
        except ValidationFailedError as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        if summary.skipped:
            self.stdout.write(
                f"Country {summary.country} already has {summary.existing} residents; "
                "nothing generated (--if-empty)."
            )
            return
        self.stdout.write(
            f"Generated {summary.persons:,} residents of {summary.country} in "
            f"{summary.households:,} households (seed {summary.seed}, as of {summary.as_of}): "
            f"{summary.passports:,} passports, {summary.life_events:,} life events, "
            f"{summary.deceased:,} deceased, {summary.moved:,} households moved; "
            f"{summary.seconds:.1f} s."
        )
