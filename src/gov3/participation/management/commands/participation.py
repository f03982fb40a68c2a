"""`gov3 participation load CC`: create the agencies petitions go to (from the pack's
participation policy); `gov3 participation accuracy CC`: the routing classifier's accuracy on
held-back labelled examples."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gov3.accounts.services import do_create_agency
from gov3.participation.core.routing import held_back_accuracy
from gov3.participation.installed import policy

ACTOR = "system:participation"


def load_agencies(country: str) -> int:
    """Create (idempotently) every agency the policy routes petitions to."""
    specs = policy(country).agencies
    for spec in specs.values():
        do_create_agency(
            ACTOR,
            code=spec.code,
            name_local=spec.names.get("ko") or spec.names["en"],
            name_en=spec.names["en"],
            country=country,
        )
    return len(specs)


class Command(BaseCommand):
    help = "Participation: load the agencies of a country's policy; report routing accuracy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "accuracy"])
        parser.add_argument("country", nargs="?", default="kr")

    def handle(self, *args: Any, **options: Any) -> None:
        country = options["country"]
        if options["action"] == "load":
            self.stdout.write(f"{load_agencies(country)} agencies ready for {country}.")
        else:
            accuracy = held_back_accuracy(policy(country).examples)
            self.stdout.write(f"Routing accuracy on held-back examples: {accuracy:.3f}")
