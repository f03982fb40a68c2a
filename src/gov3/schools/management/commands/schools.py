"""`gov3 schools load CODE`: load a country pack's schools and school districts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.catalogue.packs import PackError
from gov3.core.errors import Gov3Error
from gov3.schools.installed import schools_data
from gov3.schools.services import do_load_schools

ACTOR = "system:schools-load"


class Command(BaseCommand):
    help = (
        "School services. `gov3 schools load CODE` validates the country pack and loads its "
        "schools and school districts (countries/CODE/schools/; safe to run again; load the "
        "pack's areas first with `gov3 country load CODE`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load}")
        load = sub.add_parser("load", help="load the pack's schools and school districts")
        load.add_argument("code", help="the country code, e.g. kr")

    def handle(self, *args: Any, **options: Any) -> None:
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
