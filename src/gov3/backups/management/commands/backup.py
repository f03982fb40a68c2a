"""`gov3 backup FILE`: a backup of the configured database (ADR 0034, docs/backups.md)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.backups.engines import BackupError
from gov3.backups.services import backup, outside_the_database


class Command(BaseCommand):
    help = (
        "Back up the configured database (DATABASE_URL) to FILE: PostgreSQL with pg_dump "
        "(custom format, one consistent snapshot), SQLite with the online backup API (safe "
        "while gov3 is serving). FILE appears only when the backup is whole. The keys and the "
        "audit checkpoints are NOT in it: back them up apart (docs/backups.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file to write")
        parser.add_argument(
            "--overwrite", action="store_true", help="replace FILE if it exists (atomically)"
        )
        parser.add_argument(
            "--compress",
            type=int,
            default=6,
            choices=range(10),
            metavar="0-9",
            help="PostgreSQL: pg_dump's compression level (default 6; 1 is faster, larger)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def say(line: str) -> None:
            if not quiet:
                self.stdout.write(line)

        try:
            manifest = backup(
                options["file"],
                say=say,
                overwrite=options["overwrite"],
                compress=options["compress"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = options["file"].stat().st_size
        lengths = ", ".join(f"{name} log {n}" for name, n in manifest.chains.items())
        self.stdout.write(
            f"Backup written: {options['file']} ({size / 2**20:.1f} MiB, {manifest.engine}, "
            f"{lengths}) in {time.monotonic() - started:.1f} s."
        )
        self.stdout.write("Not in this backup, back up apart (docs/backups.md):")
        for item in outside_the_database():
            self.stdout.write(f"  - {item}")
