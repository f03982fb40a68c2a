"""`gov3 saemaul …`: the Saemaul programme from the command line."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gov3.core.errors import Gov3Error
from gov3.registry.models import Area
from gov3.saemaul import exchange
from gov3.saemaul.errors import ImportRejectedError
from gov3.saemaul.programme import ProgrammeDataError
from gov3.saemaul.queries import get_round, projects_in, villages_in
from gov3.saemaul.services import (
    do_allocate_round,
    do_classify_villages,
    do_import_projects,
    do_import_results,
    do_import_villages,
    do_load_programme,
)

ACTOR = "system:saemaul-cli"
WHAT = ("villages", "projects", "results", "map")


class Command(BaseCommand):
    help = (
        "Saemaul Undong programme. `gov3 saemaul demo` loads the Haenam demo (idempotent); "
        "`load` reads countries/<cc>/saemaul/; `allocate ROUND`; `classify YEAR`; "
        "`export villages|projects|results|map`; `import villages|projects|results FILE`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{demo,load,allocate,classify,export,import}"
        )
        sub.add_parser("demo", help="load the synthetic Haenam county and replay 1970-71")
        load = sub.add_parser("load", help="load a country's programme data (safe to repeat)")
        load.add_argument("--country", default="kr")
        allocate = sub.add_parser("allocate", help="allocate a round's package (never twice)")
        allocate.add_argument("round", help="round code, e.g. kr-1970-seed")
        allocate.add_argument("--area", help="only villages under this area code")
        classify = sub.add_parser("classify", help="compute the villages' classes for a year")
        classify.add_argument("year", type=int)
        classify.add_argument("--country", default="kr")
        classify.add_argument("--area", help="only villages under this area code")
        export = sub.add_parser("export", help="write villages, projects, results or the map")
        export.add_argument("what", choices=WHAT)
        export.add_argument("--format", choices=("csv", "json", "geojson"), default="csv")
        export.add_argument("--round", help="round code (results)")
        export.add_argument("--area", help="only under this area code")
        importer = sub.add_parser("import", help="import a CSV or JSON file (all or nothing)")
        importer.add_argument("what", choices=WHAT[:3])
        importer.add_argument("file", type=Path)
        importer.add_argument("--country", default="kr")
        importer.add_argument("--round", help="round code (results)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ImportRejectedError as exc:
            raise CommandError("\n".join([str(exc), *(str(p) for p in exc.problems)])) from exc
        except ProgrammeDataError as exc:
            raise CommandError(str(exc)) from exc
        except Gov3Error as exc:
            raise CommandError(str(exc)) from exc

    def _area(self, code: str | None, country: str = "kr") -> Area | None:
        if not code:
            return None
        area = Area.objects.filter(country=country, code=code).first()
        if area is None:
            raise CommandError(f"There is no area {code!r} in {country!r}.")
        return area

    def _demo(self, options: dict[str, Any]) -> None:
        # The demo is above the programme (gov3.demo.saemaul): named, not imported, so the
        # programme imports nothing above it (docs/architecture.md).
        call_command("demo", "saemaul", stdout=self.stdout, stderr=self.stderr)

    def _load(self, options: dict[str, Any]) -> None:
        summary = do_load_programme(ACTOR, options["country"])
        created = (
            ", ".join(f"{n} {what}" for what, n in summary.created.items() if n) or "nothing new"
        )
        self.stdout.write(self.style.SUCCESS(f"Programme data of {options['country']}: {created}"))

    def _allocate(self, options: dict[str, Any]) -> None:
        round_ = get_round(options["round"])
        outcome = do_allocate_round(ACTOR, round_, area=self._area(options["area"], round_.country))
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.round_code}: {outcome.created} villages allocated now, "
                f"{outcome.already_allocated} before, {outcome.over_cap} over the cap; "
                f"quantities {outcome.quantities}"
            )
        )

    def _classify(self, options: dict[str, Any]) -> None:
        outcome = do_classify_villages(
            ACTOR,
            options["year"],
            country=options["country"],
            area=self._area(options["area"], options["country"]),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.year}: {outcome.classified} classified ({outcome.promoted} promoted), "
                f"{outcome.already_classified} already, {outcome.missing_figures} without figures; "
                f"{outcome.counts}"
            )
        )

    def _export(self, options: dict[str, Any]) -> None:
        area = self._area(options["area"])
        what, fmt = options["what"], options["format"]
        if what == "map" or fmt == "geojson":
            text = json.dumps(exchange.villages_geojson(villages_in(area)), ensure_ascii=False)
        elif what == "villages":
            text = (exchange.villages_csv if fmt == "csv" else exchange.villages_json)(
                villages_in(area)
            )
        elif what == "projects":
            text = (exchange.projects_csv if fmt == "csv" else exchange.projects_json)(
                projects_in(area)
            )
        else:
            if not options["round"]:
                raise CommandError("Name the round: --round CODE.")
            round_ = get_round(options["round"])
            text = (exchange.results_csv if fmt == "csv" else exchange.results_json)(round_)
        sys.stdout.write(text)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        text = path.read_text(encoding="utf-8")
        read = exchange.read_json if path.suffix.lower() == ".json" else exchange.read_csv
        what = options["what"]
        if what == "villages":
            outcome = do_import_villages(
                ACTOR, read(text, exchange.VILLAGE_REQUIRED), country=options["country"]
            )
        elif what == "projects":
            outcome = do_import_projects(ACTOR, read(text, exchange.PROJECT_REQUIRED))
        else:
            if not options["round"]:
                raise CommandError("Name the round: --round CODE.")
            outcome = do_import_results(
                ACTOR,
                get_round(options["round"]),
                read(text, ["village_code"]),
                evaluated_on=timezone.localdate(),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {what}: {outcome.created} created, {outcome.updated} updated."
            )
        )
