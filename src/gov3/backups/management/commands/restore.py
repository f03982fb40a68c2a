"""`gov3 restore FILE`: a gov3 backup into the configured, empty database (ADR 0034)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.backups.engines import BackupError
from gov3.backups.services import restore


class Command(BaseCommand):
    help = (
        "Restore a `gov3 backup` FILE into the configured database (DATABASE_URL), which must "
        "be empty (create it first; a database with tables is refused, never overwritten). A "
        "backup of another engine or of a newer gov3 schema is refused before anything is "
        "changed; an older one is migrated forward. Ends with `gov3 audit verify` and a check "
        "that the key store holds the current issuer keys."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by `gov3 backup`")
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="PostgreSQL: parallel pg_restore jobs (default 2; about the server's cores)",
        )
        parser.add_argument(
            "--set-aside-later-checkpoints",
            action="store_true",
            help=(
                "restore even though signed audit checkpoints were made after the backup (the "
                "entries they cover are lost): keep the checkpoint file under another name, "
                "start a new one, record the restore in the audit log"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def say(line: str) -> None:
            if not quiet:
                self.stdout.write(line)

        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        try:
            report = restore(
                options["file"],
                say=say,
                jobs=options["jobs"],
                set_aside_later_checkpoints=options["set_aside_later_checkpoints"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        made = report.manifest.created_at
        migrated = (
            f"; {len(report.migrated)} migrations applied (the backup was older than this gov3)"
            if report.migrated
            else ""
        )
        self.stdout.write(
            f"Restored the backup of {made} in {time.monotonic() - started:.1f} s{migrated}. "
            f"Logs intact: {report.logs}."
        )
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}.")
