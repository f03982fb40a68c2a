"""`gov3 personnel import|export`: an agency's organisation (units, positions) and personnel
records as CSV (one file per kind) or JSON (one document). Import checks every row first and
imports nothing if one is wrong, printing each problem with its line.

`gov3 personnel steps --on DATE`: the yearly step increases due on a day (safe to run again: a
second run on the same day changes nothing)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gov3.accounts.models import Agency
from gov3.core.access import log_access
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.personnel import transfer
from gov3.personnel.steps import do_advance_steps
from gov3.personnel.transfer_views import EXPORT_PARTS

ACTOR = "system:personnel-cli"


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise CommandError(f"no agency with the code {code!r}")
    return agency


class Command(BaseCommand):
    help = (
        "Import or export an agency's units, positions and personnel records (CSV per kind, "
        "or one JSON document). An import with any bad row imports nothing. `steps --on DATE`: "
        "the yearly step increases due on a day."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,export,steps}")
        steps = sub.add_parser("steps", help="advance the steps due on a day (default: today)")
        steps.add_argument("--on", default="", help="the day, YYYY-MM-DD")
        for name, about in (("import", "import a file"), ("export", "write a file")):
            action = sub.add_parser(name, help=about)
            action.add_argument("--agency", required=True, help="the agency's code")
            action.add_argument("--format", choices=("csv", "json"), default="json")
            action.add_argument(
                "--kind", choices=transfer.KINDS, help="what a CSV file holds (CSV only)"
            )
            if name == "import":
                action.add_argument("file", type=Path)
            else:
                action.add_argument("-o", "--output", type=Path, help="default: standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "steps":
            self._steps(options["on"])
            return
        agency = _agency(options["agency"])
        fmt, kind = options["format"], options["kind"] or ""
        if fmt == "csv" and not kind:
            raise CommandError("--kind is needed with --format csv")
        if options["action"] == "import":
            self._import(agency, options["file"], fmt, kind)
        else:
            self._export(agency, options["output"], fmt, kind)

    def _import(self, agency: Agency, path: Path, fmt: str, kind: str) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        try:
            parsed = transfer.read(transfer.decode(data), fmt, kind)
            result = transfer.do_import(ACTOR, agency, parsed)
        except transfer.ImportRefusedError as refused:
            for problem in refused.problems:
                self.stderr.write(f"{path}: {problem}")
            if refused.more:
                self.stderr.write(f"... and {refused.more} more problems")
            raise CommandError("nothing was imported") from None
        self.stdout.write(
            f"imported {result.units} units, {result.positions} positions, "
            f"{result.staff} personnel records, {result.reorganisations} reorganisations, "
            f"{result.moves} position moves into {agency.code}"
        )

    def _export(self, agency: Agency, output: Path | None, fmt: str, kind: str) -> None:
        day = timezone.localdate()
        if fmt == "json":
            documents = {k: transfer.export_rows(agency, k, day) for k in transfer.KINDS}
            staff = documents["staff"]
            text = transfer.as_json(agency, documents, day)
        else:
            staff = transfer.export_rows(agency, kind, day)
            text = transfer.as_csv(kind, staff)
        ids = transfer.person_ids(staff)
        if ids:
            log_access(
                subject_ids=ids,
                actor_id=None,
                actor_label=ACTOR,
                agency=agency.name_local,
                purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
                channel=AccessChannel.EXPORT,
                what=EXPORT_PARTS,
            )
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")

    def _steps(self, on_text: str) -> None:
        try:
            on = date.fromisoformat(on_text) if on_text else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on must be a date YYYY-MM-DD, not {on_text!r}.") from None
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
