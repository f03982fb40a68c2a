"""`gov3 verify FILE`: is this document genuine and valid? With `--bundle` it needs no network
and no database: the keys and revocation lists come from an exported bundle."""

from __future__ import annotations

import json
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.documents.core.verify import (
    INVALID,
    STATUS_UNKNOWN,
    VALID,
    BundleError,
    Verdict,
    load_bundle,
)

#: Never read more of a file than this: no gov3 document is larger.
READ_LIMIT = 10 * 1024 * 1024
#: Exit statuses: a script can tell "not valid" from "cannot tell" (CommandError exits 1 too,
#: with its message on standard error).
EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_STATUS_UNKNOWN = 3


class Command(BaseCommand):
    help = (
        "Verify a document: a signed PDF, a file holding the QR code's text, or an SD-JWT VC "
        "(`-` reads standard input). Prints valid / invalid (and why) / revoked / expired / "
        "status unknown and what the document shows. Exit status: 0 valid; 1 invalid, revoked "
        "or expired; 3 genuine but its revocation status unknown (its status list is not in the "
        "bundle: export a newer one) — not valid."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the document, or - for standard input")
        parser.add_argument(
            "--bundle",
            type=Path,
            help="verify offline with this bundle (from /documents/bundle.json or "
            "`gov3 documents export-bundle`); without it the database is used",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(options["file"])
        if options["bundle"] is not None:
            try:
                bundle = options["bundle"].read_bytes()
                verifier = load_bundle(bundle, now=int(time.time()))
            except OSError as error:
                raise CommandError(f"cannot read the bundle: {error}") from error
            except BundleError as error:
                raise CommandError(str(error)) from error
            verdict = verifier.check(data)
        else:
            from gov3.documents.verification import check  # noqa: PLC0415 - needs the database

            verdict = check(data)
        self._print(verdict, as_json=options["json"])
        if verdict.outcome == STATUS_UNKNOWN:
            sys.exit(EXIT_STATUS_UNKNOWN)
        if verdict.outcome != VALID:
            sys.exit(EXIT_NOT_VALID)

    def _read(self, name: str) -> bytes:
        try:
            if name == "-":
                data = sys.stdin.buffer.read(READ_LIMIT + 1)
            else:
                with Path(name).open("rb") as handle:
                    data = handle.read(READ_LIMIT + 1)
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error}") from error
        if len(data) > READ_LIMIT:
            raise CommandError(f"{name} is larger than any gov3 document ({READ_LIMIT} bytes)")
        if not data.strip():
            raise CommandError(f"{name} is empty")
        return data

    def _print(self, verdict: Verdict, *, as_json: bool) -> None:
        if as_json:
            out = {
                "outcome": verdict.outcome,
                "reason": verdict.reason,
                "form": verdict.form,
                "document_type": verdict.document_type,
                "number": verdict.number,
                "claims": verdict.claims,
                "issued_at": verdict.issued_at.isoformat() if verdict.issued_at else None,
                "expires_at": verdict.expires_at.isoformat() if verdict.expires_at else None,
                "status_as_of": (
                    verdict.status_as_of.isoformat() if verdict.status_as_of else None
                ),
                "status_known": verdict.status_known,
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        line = verdict.outcome.upper()
        if verdict.reason:
            line += f" ({verdict.reason})"
        self.stdout.write(line)
        for label, value in (
            ("document", verdict.document_type),
            ("number", verdict.number),
            ("issued", verdict.issued_at.isoformat() if verdict.issued_at else ""),
            ("expires", verdict.expires_at.isoformat() if verdict.expires_at else ""),
            ("status as of", verdict.status_as_of.isoformat() if verdict.status_as_of else ""),
        ):
            if value:
                self.stdout.write(f"{label}: {value}")
        if verdict.outcome == STATUS_UNKNOWN:
            self.stdout.write(
                "revocation status: unknown — the bundle holds no status list for this "
                "document, so a revoked document would look the same; do not accept it until "
                "it is checked online or with a newer bundle"
            )
        elif not verdict.status_known and verdict.outcome != INVALID:
            self.stdout.write("revocation status: not recorded in the document")
        for key, value in verdict.claims.items():
            self.stdout.write(f"  {key}: {value}")
