"""`gov3 schools load CODE`: load a country pack's schools and school districts."""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from oauth2_provider.models import Application

from gov3.accounts.models import User
from gov3.catalogue.packs import PackError
from gov3.core.errors import Gov3Error
from gov3.core.models import AccessChannel
from gov3.schools.classroom import (
    do_assign_classes,
    do_register_classroom_client,
    do_register_teacher,
    parse_class_spec,
    read_roster,
    school_of,
)
from gov3.schools.entry import current_school_year, do_build_entry_round
from gov3.schools.installed import schools_data
from gov3.schools.models import Teacher
from gov3.schools.services import do_load_schools

ACTOR = "system:schools-load"
EXPORT_ACTOR = "OneRoster export (gov3 schools oneroster)"
CLI_ACTOR = "system:schools-cli"


class Command(BaseCommand):
    help = (
        "School services. `gov3 schools load CODE` validates the country pack and loads its "
        "schools and school districts (countries/CODE/schools/; safe to run again; load the "
        "pack's areas first with `gov3 country load CODE`). `gov3 schools round CODE "
        "[--year YEAR]` builds the school-entry round: the roster from the register on the "
        "reference date, the schools assigned, the notices sent to the guardians as offers "
        "(run again, it adds only children not yet on the roster). `gov3 schools oneroster "
        "SCHOOL_CODE FILE` writes the school's class lists as OneRoster 1.2 CSV files in a zip "
        "for its classroom system (written to the access log of everyone in it). `gov3 schools "
        "teacher USERNAME SCHOOL_CODE [--class YEAR:GRADE:CLASS]` makes an account a teacher; "
        "`gov3 schools classroom-client SCHOOL_CODE CLIENT_ID SCOPE...` registers an OAuth "
        "client (made in the admin) as the school's classroom system with the scopes granted. "
        "`gov3 schools year-end SCHOOL_CODE FROM_YEAR --on DATE [--hold NUMBER...] [--dry-run]` "
        "promotes or graduates every learner still enrolled in FROM_YEAR (those held back "
        "repeat their grade); run again, it changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{load,round,oneroster,teacher,classroom-client}"
        )
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
        teacher = sub.add_parser("teacher", help="make an account a teacher at a school")
        teacher.add_argument("username", help="the teacher's gov3 account (a registered person)")
        teacher.add_argument("school_code", help="the school's code, e.g. KR-S-0001")
        teacher.add_argument(
            "--class",
            dest="classes",
            action="append",
            default=[],
            metavar="YEAR:GRADE:CLASS",
            help="a class they teach, e.g. 2027:1:2 (repeat for more)",
        )
        lms = sub.add_parser(
            "classroom-client", help="register an OAuth client as a school's classroom system"
        )
        lms.add_argument("school_code", help="the school's code, e.g. KR-S-0001")
        lms.add_argument("client_id", help="the client id of an OAuth client made in the admin")
        lms.add_argument("scopes", nargs="+", help="the scopes granted, e.g. openid profile school")

        year_end = sub.add_parser(
            "year-end", help="promote and graduate a school's learners at year end"
        )
        year_end.add_argument("school_code", help="the school's code, e.g. KR-S-0001")
        year_end.add_argument("from_year", type=int, help="the school year that ends")
        year_end.add_argument(
            "--on", required=True, help="the day the new school year starts (YYYY-MM-DD)"
        )
        year_end.add_argument(
            "--hold", nargs="*", default=[], help="learner numbers held back (repeat the grade)"
        )
        year_end.add_argument("--dry-run", action="store_true", help="show the plan only")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "year-end":
            from gov3.schools.year_end_cli import run_year_end  # noqa: PLC0415

            run_year_end(self.stdout, options)
            return
        if options["action"] == "oneroster":
            self._oneroster(options["school_code"], options["file"])
            return
        if options["action"] == "teacher":
            self._teacher(options["username"], options["school_code"], options["classes"])
            return
        if options["action"] == "classroom-client":
            self._client(options["school_code"], options["client_id"], options["scopes"])
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
            roster = read_roster(code, reader=EXPORT_ACTOR, channel=AccessChannel.EXPORT)
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        Path(file).write_bytes(roster.zip_bytes())
        counts = ", ".join(
            f"{len(rows)} {name.removesuffix('.csv')}" for name, rows in roster.files.items()
        )
        self.stdout.write(f"OneRoster 1.2 of {code} written to {file}: {counts}.")

    def _teacher(self, username: str, code: str, classes: list[str]) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        try:
            parsed = [parse_class_spec(spec) for spec in classes]
            school = school_of(code)
            teacher = Teacher.objects.filter(user=user, school=school).first()
            if teacher is None:
                do_register_teacher(CLI_ACTOR, user, school, parsed)
            elif parsed:
                do_assign_classes(CLI_ACTOR, teacher, parsed)
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{username} teaches at {code}: {len(parsed)} class(es) added.")

    def _client(self, code: str, client_id: str, scopes: list[str]) -> None:
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            raise CommandError(f"No OAuth client has the id {client_id!r}; make it in the admin.")
        try:
            do_register_classroom_client(CLI_ACTOR, application, school_of(code), scopes)
        except Gov3Error as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{client_id} is a classroom client of {code}: {' '.join(scopes)}.")
