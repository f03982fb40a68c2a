"""`gov3 registry snapshot --out FILE`: every living resident's rule facts as Parquet."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gov3.core.errors import ValidationFailedError
from gov3.core.models import AccessPurpose
from gov3.registry.snapshot import DEFAULT_BATCH, write_snapshot
from gov3.rules.snapshot import SnapshotError


class Command(BaseCommand):
    help = (
        "Registry exports. `gov3 registry snapshot --out var/facts.parquet` writes the rule "
        "facts of every living resident (rules/facts.py) to one Parquet file, grouped by "
        "household, for `gov3 rules evaluate --backend vectorised` and DuckDB or Spark. "
        "The export is recorded in the audit log."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{snapshot}")
        snap = sub.add_parser("snapshot", help="write every living resident's facts to Parquet")
        snap.add_argument("--out", required=True, type=Path, help="the Parquet file to write")
        snap.add_argument(
            "--country",
            default=None,
            help=f"country code (default: this installation's, {settings.GOV3_COUNTRY})",
        )
        snap.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"residents read and written at a time (default {DEFAULT_BATCH:,})",
        )
        snap.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
        snap.add_argument(
            "--purpose",
            choices=[AccessPurpose.SYSTEM_EVALUATION.value, AccessPurpose.AUDIT.value],
            default=AccessPurpose.SYSTEM_EVALUATION.value,
            help="why everyone's data is exported (recorded in the audit log with the count)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        country = options["country"] or settings.GOV3_COUNTRY
        if out.exists() and out.is_dir():
            raise CommandError(f"{out} is a directory; give the path of the file to write.")
        bar = Progress(
            TextColumn("[bold]reading residents"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=options["no_progress"],
        )
        with bar:
            task = bar.add_task("residents", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                summary = write_snapshot(
                    out,
                    country=country,
                    batch=options["batch"],
                    progress=progress,
                    purpose=AccessPurpose(options["purpose"]),
                )
            except (ValidationFailedError, SnapshotError, OSError) as exc:
                raise CommandError(f"{exc} No snapshot was written.") from None
        self.stdout.write(
            f"Wrote {summary.residents:,} residents of {summary.country} in "
            f"{summary.households:,} households to {summary.path} "
            f"({summary.row_groups} row groups, {summary.seconds:.1f} s)."
        )
