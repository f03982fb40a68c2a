"""`gov3 documents …`: export the offline verification bundle; issue passports whose case was
approved but whose issuance did not finish (e.g. the process stopped)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.cases.models import Case, CaseStatus
from gov3.catalogue.installed import rules_pack
from gov3.documents.models import DocumentType
from gov3.documents.services import issue_passport
from gov3.documents.statuses import open_lists
from gov3.documents.verification import bundle


class Command(BaseCommand):
    help = (
        "Documents. `export-bundle FILE` writes the keys and signed revocation lists an "
        "offline verifier needs (`gov3 verify FILE --bundle …`); `issue-pending` issues the "
        "passports of approved cases that have none yet."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{export-bundle,issue-pending}"
        )
        export = sub.add_parser("export-bundle", help="keys and status lists for offline use")
        export.add_argument("file", type=Path)
        sub.add_parser("issue-pending", help="issue passports of approved cases with none")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-bundle":
            path: Path = options["file"]
            # Every list a document points to, and the one each type's next documents go to.
            open_lists(list(DocumentType.values))
            exported = bundle()
            try:
                path.write_text(json.dumps(exported, indent=1), encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot write {path}: {error}") from error
            lists = len(exported["status_lists"])
            keys = len(exported["jwks"]["keys"])
            self.stdout.write(f"wrote {path}: {keys} key(s), {lists} status list(s)")
            return
        issued = 0
        for case in Case.objects.filter(status=CaseStatus.APPROVED, documents__isnull=True):
            service = rules_pack(case.country).services.get(case.service_id)
            if service is not None and service.issues == "passport":
                issue_passport(case)
                issued += 1
        self.stdout.write(f"issued {issued} passport(s)")
