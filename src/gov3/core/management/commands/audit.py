"""`gov3 audit verify` and `gov3 audit checkpoint`: check and anchor the audit and access logs."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.core.checkpoints import CheckpointError, make_checkpoint, read_checkpoints, verify_logs


class Command(BaseCommand):
    help = (
        "Audit log tools. `gov3 audit checkpoint` signs each log's length and newest hash with "
        "the audit key and appends it to the checkpoint file (run it regularly, e.g. hourly "
        "from cron). `gov3 audit verify` recomputes both hash chains (audit log, access log) "
        "and checks them against every signed checkpoint: removed, changed or recomputed "
        "entries are reported and the command fails."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,checkpoint}")
        verify = sub.add_parser(
            "verify", help="check both chains and every signed checkpoint; fail if broken"
        )
        verify.add_argument(
            "--checkpoints",
            type=Path,
            help="a checkpoint file kept elsewhere (default: the one in GOV3_AUDIT_DIR)",
        )
        sub.add_parser("checkpoint", help="sign the logs' heads and append the checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            try:
                checkpoint = make_checkpoint()
            except CheckpointError as error:
                raise CommandError(str(error)) from None
            lengths = ", ".join(f"{n}: {c['length']}" for n, c in checkpoint.chains.items())
            self.stdout.write(f"Checkpoint signed at {checkpoint.at.isoformat()} ({lengths}).")
            return
        try:
            given = read_checkpoints(options["checkpoints"]) if options["checkpoints"] else None
        except CheckpointError as error:
            raise CommandError(str(error)) from None
        report = verify_logs(given)
        counts = ", ".join(f"{r.chain} log {r.checked} entries" for r in report.chains)
        if not report.ok:
            raise CommandError("Logs BROKEN: " + "; ".join(report.problems) + f". ({counts})")
        anchored = (
            f" up to the checkpoint of {report.checkpoint.at.isoformat()}"
            if report.checkpoint
            else " (no signed checkpoint yet: run `gov3 audit checkpoint`)"
        )
        self.stdout.write(f"Logs intact: {counts} verified{anchored}.")
