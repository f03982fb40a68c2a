"""`gov3 country check PATH` and `gov3 country load CODE`: validate and load country packs."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gov3.catalogue.packs import CountryPack, PackError, load_pack, pack_path
from gov3.registry.services import AreaRecord, do_load_areas

ACTOR = "system:country-load"
_PLURALS = {"province": "provinces", "municipality": "municipalities", "district": "districts"}


def load_country_areas(
    code: str, countries_dir: Path | None = None
) -> tuple[CountryPack, int, int]:
    """Validate the pack of country ``code`` and load its areas; returns (pack, created, updated).

    Raises `PackError` before anything is written if the pack has a problem.
    """
    pack = load_pack(pack_path(code, countries_dir or Path(settings.GOV3_COUNTRIES_DIR)))
    records = [
        AreaRecord(
            code=a.code,
            parent_code=a.parent_code,
            level=a.level,
            name_local=a.name_local,
            name_en=a.name_en,
        )
        for a in pack.areas  # parents come before children (load_pack orders them)
    ]
    created, updated = do_load_areas(ACTOR, pack.code, records)
    return pack, created, updated


class Command(BaseCommand):
    help = (
        "Country packs. `gov3 country check PATH` validates a pack directory and lists every "
        "problem as file:line: message; `gov3 country load CODE` validates the pack in "
        "GOV3_COUNTRIES_DIR and loads its administrative areas (safe to run again)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{check,load}")
        check = sub.add_parser("check", help="validate a pack; exit 1 and list problems if any")
        check.add_argument("path", help="the pack directory (e.g. countries/kr) or its pack.yaml")
        load = sub.add_parser("load", help="validate a pack and load its areas into the register")
        load.add_argument("code", help="the country code, e.g. kr or vn")
        load.add_argument(
            "--countries-dir",
            type=Path,
            default=None,
            help="where the packs are (default: the GOV3_COUNTRIES_DIR setting)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self._check(options["path"])
        else:
            self._load(options["code"], options["countries_dir"])

    def _check(self, path: str) -> None:
        try:
            pack = load_pack(path)
        except PackError as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) in the pack at {path}; fix them and check again."
            ) from None
        counts = {level: sum(a.level == level for a in pack.areas) for level in pack.area_levels}
        self.stdout.write(
            f"{pack.path}: country pack {pack.code} ({pack.names['en']}) is valid: "
            + ", ".join(f"{n} {_PLURALS[level]}" for level, n in counts.items())
            + f"; currency {pack.currency.code}; national id {pack.national_id.scheme}"
            + (
                f"; {len(pack.schools.schools)} schools, "
                f"{len({(d.school_year, d.area_code) for d in pack.schools.districts})} "
                "school-district entries"
                if pack.schools
                else ""
            )
            + (
                f"; personnel: {len(pack.personnel.grades)} grades, "
                f"{len(pack.personnel.pay_tables)} pay table(s), "
                f"{len(pack.personnel.tenure)} tenure rule(s), "
                f"{len(pack.personnel.evaluation)} set(s) of evaluation rules"
                if pack.personnel
                else ""
            )
            + "."
        )

    def _load(self, code: str, countries_dir: Path | None) -> None:
        try:
            pack, created, updated = load_country_areas(code, countries_dir)
        except PackError as exc:
            for problem in exc.problems:
                self.stdout.write(str(problem))
            raise CommandError(
                f"The pack of {code!r} is invalid ({len(exc.problems)} problem(s)); "
                "nothing was loaded."
            ) from None
        if created or updated:
            self.stdout.write(
                f"Country {pack.code}: {created} area(s) created, {updated} updated "
                f"({len(pack.areas)} in the pack)."
            )
        else:
            self.stdout.write(
                f"Country {pack.code}: nothing changed; all {len(pack.areas)} areas are "
                "already loaded."
            )
