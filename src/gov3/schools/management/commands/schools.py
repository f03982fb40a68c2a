"""`gov3 schools load CODE`: load a country pack's schools and school districts."""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gov3.catalogue.packs import PackError
from gov3.core.errors import Gov3Error
from gov3.core.models import AccessChannel
from gov3.schools.classroom import read_roster
from gov3.schools.entry import current_school_year, do_build_entry_round
from gov3.schools.installed import schools_data
from gov3.schools.services import do_load_schools

ACTOR = "system:schools-load"
EXPORT_ACTOR = "OneRoster export (gov3 schools oneroster)"


class Command(BaseCommand):
    help = (
        "School services. `gov3 schools load CODE` validates the country pack and loads its "
        "schools and school districts (countries/CODE/schools/; safe to run again; load the "
        "pack's areas first with `gov3 country load CODE`). `gov3 schools round CODE "
        "[--year YEAR]` builds the school-entry round: the roster from the register on the "
        "reference date, the schools assigned, the notices sent to the guardians as offers "
        "(run again, it adds only children not yet on the roster). `gov3 schools oneroster "
        "SCHOOL_CODE FILE` writes the school's class lists as OneRoster 1.2 CSV files in a zip "
        "for its classroom system (written to the access log of everyone in it)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,round,oneroster}")
        load = sub.add_parser("load", help="load the pack's schools and school districts")
        load.add_argument("code", help="the country code, e.g. kr")
        build = sub.add_parser("round", help="build the school-entry round and send the notices")
        build.add_argument("code", help="the country code, e.g. kr")
        build.add_argument(
            "--year",
            type=int,
            default=None,
            help="the year of entry (default: the round in season today, or the next one)",
        )

        export = sub.add_parser("oneroster", help="export a school's OneRoster 1.2 CSV zip")
        export.add_argument("school_code", help="the school's code, e.g. KR-S-0001")
        export.add_argument("file", help="where to write the zip, e.g. roster.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "oneroster":
            self._oneroster(options["school_code"], options["file"])
            return
        if options["action"] == "round":
            self._round(options["code"], options["year"])
            return
        code = options["code"]
        try:
            data = schools_data(code)
            created, districts = do_load_schools(ACTOR, code, data)
        except PackError as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            raise CommandError(f"The pack of {code!r} is invalid; nothing was loaded.") from None
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Country {code}: {len(data.schools)} schools ({created} new), "
            f"{districts} school-district entries."
        )

    def _round(self, code: str, year: int | None) -> None:
        school_year = year or current_school_year(code, timezone.localdate())
        try:
            entry_round = do_build_entry_round(ACTOR, code, school_year)
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        counts = Counter(entry_round.placements.values_list("status", flat=True))
        self.stdout.write(
            f"School-entry round {code} {school_year} (reference date "
            f"{entry_round.reference_date.isoformat()}): "
            + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            + "."
        )

    def _oneroster(self, code: str, file: str) -> None:
        try:
            roster = read_roster(
                code, reader=EXPORT_ACTOR, channel=AccessChannel.EXPORT, now=timezone.now()
            )
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        Path(file).write_bytes(roster.zip_bytes())
        counts = ", ".join(
            f"{len(rows)} {name.removesuffix('.csv')}" for name, rows in roster.files.items()
        )
        self.stdout.write(f"OneRoster 1.2 of {code} written to {file}: {counts}.")
