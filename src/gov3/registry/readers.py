"""Readers of declared facts: how a register other than the built-in ones is read.

A country pack declares a fact (`gov3.rules.declarations`: type, default, register, reader
and its options); the reader named there reads it, in the two forms every consumer needs:

* `Reader.for_people` — the ORM, for the people of one household (`registry.facts`, which
  explain, offers and cases use);
* `Reader.sql` — one ``(SELECT person_id, value …)`` relation for everyone (`registry.facts_sql`,
  which `gov3 rules evaluate --backend sqlite|postgres` runs on and `gov3 registry snapshot`
  writes to Parquet).

A person the register holds nothing about has no row; the fact then takes its declared
default. Both forms must agree (`tests/registry/test_declared_facts.py` compares them with the
snapshot). A new register is a model, a reader registered here (`register_reader`) and a
declaration in the pack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from django.db.models import Max

from gov3.registry.models import Vaccination
from gov3.rules.facts import Fact
from gov3.rules.ir import Value


class Reader(Protocol):
    """Reads one declared fact from its register."""

    def for_people(self, person_ids: Sequence[int], options: Mapping[str, str]) -> dict[int, Value]:
        """The fact of each of `person_ids` the register holds something about."""
        ...

    def sql(self, vendor: str, options: Mapping[str, str]) -> str:
        """``(SELECT person_id, value FROM …)``: one row per person the register holds
        something about (`vendor` is Django's, "sqlite" or "postgresql")."""
        ...


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class LatestVaccination:
    """The day of a person's latest dose of the vaccine named by the option ``vaccine``."""

    def for_people(self, person_ids: Sequence[int], options: Mapping[str, str]) -> dict[int, Value]:
        rows = (
            Vaccination.objects.filter(person_id__in=person_ids, vaccine=options["vaccine"])
            .values("person_id")
            .annotate(last=Max("given_on"))
        )
        return {row["person_id"]: row["last"] for row in rows}

    def sql(self, vendor: str, options: Mapping[str, str]) -> str:
        table = Vaccination._meta.db_table
        vaccine = _literal(options["vaccine"])
        return (
            f"(SELECT person_id, MAX(given_on) AS value FROM {table} "  # noqa: S608 - checked option
            f"WHERE vaccine = {vaccine} GROUP BY person_id)"
        )


READERS: dict[str, Reader] = {"latest_vaccination": LatestVaccination()}


def register_reader(name: str, reader: Reader) -> None:
    """Make `reader` available to packs under `name` (an app calls this in ``ready()``)."""
    if name in READERS and READERS[name] is not reader:
        raise ValueError(f"a fact reader called `{name}` is already registered")
    READERS[name] = reader


class UnknownReaderError(LookupError):
    """A declared fact names a reader no app registered."""


def reader_for(name: str, fact: Fact) -> Reader:
    """The reader of declared fact `name`."""
    reader = READERS.get(fact.reader)
    if reader is None:
        raise UnknownReaderError(
            f"fact `{name}` is read by `{fact.reader}`, which no app registers; known readers: "
            f"{', '.join(sorted(READERS))}"
        )
    return reader
