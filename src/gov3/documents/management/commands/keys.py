"""`gov3 keys …`: list the issuer keys, rotate the key of a document type (docs/keys.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.documents.issuers import current_key, do_rotate_key
from gov3.documents.models import DocumentType, IssuerKey

ACTOR = "system:keys-cli"


class Command(BaseCommand):
    help = (
        "Issuer keys. `list` shows every key (current and retired: retired keys stay "
        "published so old documents verify); `rotate` retires the current key of a document "
        "type and makes a new one that signs from now on; `ensure` makes the first key of every "
        "type that has none."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,rotate,ensure}")
        sub.add_parser("list", help="every issuer key, current and retired")
        rotate = sub.add_parser("rotate", help="a new key for a document type")
        rotate.add_argument(
            "--document-type", required=True, choices=DocumentType.values, dest="document_type"
        )
        sub.add_parser("ensure", help="make a key for each document type that has none")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for key in IssuerKey.objects.order_by("document_type", "created_at"):
                state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "current"
                self.stdout.write(
                    f"{key.document_type:22} {key.kid}  {key.store}  "
                    f"created {key.created_at:%Y-%m-%d}  {state}"
                )
        elif action == "rotate":
            try:
                key = do_rotate_key(options["document_type"], actor=ACTOR)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{key.document_type}: new key {key.kid} signs from now on")
        else:
            for document_type in DocumentType.values:
                key = current_key(document_type)
                self.stdout.write(f"{document_type:22} {key.kid}")
