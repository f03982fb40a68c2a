"""`gov3 registry snapshot`: every living resident's rule facts, from the register to Parquet.

The facts are read with the register's one SQL definition of them (`registry.facts_sql`, which
follows `rules.facts` exactly and agrees with `registry.facts` for one person), streamed in
household order through a server-side cursor on PostgreSQL, and written a row group of whole
households at a time (`rules.snapshot`), so memory stays flat however large the register.
The file is written under a temporary name and moved into place at the end; the export is
recorded in the audit log, since it holds everyone's personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
from django.db import connections, transaction
from django.utils import timezone

from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.facts_sql import facts_query
from gov3.registry.models import Person
from gov3.rules import snapshot
from gov3.rules.facts import FACTS, fact_columns
from gov3.rules.ir import Type

ACTOR = "system:registry-snapshot"
DEFAULT_BATCH = 100_000  # residents fetched (and at most written) at a time


@dataclass(frozen=True)
class SnapshotSummary:
    """What a snapshot run wrote."""

    path: Path
    country: str
    residents: int
    households: int
    row_groups: int
    seconds: float


def _arrow_column(name: str, values: list[Any]) -> Any:
    """Database values as an Arrow column: SQLite gives dates as ISO text and yes/no as 0/1."""
    array = pa.array(values)
    kind = FACTS[name].type if name in FACTS else Type.INT
    if kind is Type.DATE and not pa.types.is_date32(array.type):
        return array.cast(pa.string()).cast(pa.date32())
    if kind is Type.BOOL and not pa.types.is_boolean(array.type):
        return array.cast(pa.bool_())
    return array


def _table(rows: Sequence[Sequence[Any]]) -> Any:
    columns = list(zip(*rows, strict=True))
    return snapshot.table(
        {
            name: _arrow_column(name, list(values))
            for name, values in zip(fact_columns(), columns, strict=True)
        }
    )


def _whole_households(
    batches: Iterator[list[Sequence[Any]]],
) -> Iterator[list[Sequence[Any]]]:
    """Batches of rows cut at household boundaries: a batch's last household is held back
    and joins the next batch (the rows come ordered by household)."""
    carry: list[Sequence[Any]] = []
    for batch in batches:
        rows = carry + batch
        last = rows[-1][1]
        cut = len(rows)
        while cut > 0 and rows[cut - 1][1] == last:
            cut -= 1
        if cut == 0:  # one household so far: wait for more
            carry = rows
            continue
        carry = rows[cut:]
        yield rows[:cut]
    if carry:
        yield carry


def write_snapshot(
    path: Path | str,
    *,
    country: str,
    batch: int = DEFAULT_BATCH,
    using: str = "default",
    progress: Callable[[int, int], None] | None = None,
    actor: str = ACTOR,
    purpose: AccessPurpose = AccessPurpose.SYSTEM_EVALUATION,
) -> SnapshotSummary:
    """Write the rule facts of every living resident of ``country`` to ``path``.

    ``progress`` is called with (residents written so far, residents in all) after each row
    group. An existing file at ``path`` is replaced only when the new one is complete. The
    export is one read of everyone's data: one system entry in the audit log says who exported
    how many residents, for which purpose, on which channel.
    """
    if batch < 1:
        raise ValidationFailedError("The batch size must be at least 1 resident.")
    started = time.perf_counter()
    connection = connections[using]
    try:
        relation = facts_query(connection.vendor)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from None
    total = Person.objects.using(using).filter(country=country, date_of_death__isnull=True).count()
    person = Person._meta.db_table
    columns = ", ".join(f"facts.{name}" for name in fact_columns())
    sql = (
        f"SELECT {columns} FROM {relation} facts "  # noqa: S608 - names from the models
        f"JOIN {person} who ON who.id = facts.person_id WHERE who.country = %s "
        "ORDER BY facts.household_id, facts.person_id"
    )
    written = households = row_groups = 0
    today = timezone.localdate()
    with (
        snapshot.SnapshotWriter(
            path, country=country, source="registry", created=today, details={"residents": total}
        ) as writer,
        transaction.atomic(using=using),  # one consistent reading of the register
    ):
        if connection.vendor == "postgresql":
            # The rows are all wanted: plan for the whole result, not for the first rows (a
            # cursor's default, which picks nested loops and took minutes for 100,000 people).
            with connection.cursor() as setting:
                setting.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        # A server-side cursor on PostgreSQL: rows arrive as they are read, not all at once.
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, [country])

            def fetch() -> Iterator[list[Sequence[Any]]]:
                while True:
                    rows = cursor.fetchmany(batch)
                    if not rows:
                        return
                    yield rows

            for rows in _whole_households(fetch()):
                data = _table(rows)
                writer.write(data)
                ids = data.column("household_id").to_numpy()
                households += 1 + int(np.count_nonzero(ids[1:] != ids[:-1]))
                written += data.num_rows
                row_groups += 1
                if progress is not None:
                    progress(written, total)
        finally:
            cursor.close()
    with transaction.atomic(using=using, durable=True):
        record_audit(
            actor=actor,
            action="registry.snapshot_written",
            target_type="country",
            target_id=country,
            data={
                "path": str(path),
                "residents": written,
                "households": households,
                "purpose": str(purpose),
                "channel": str(AccessChannel.EXPORT),
            },
        )
    return SnapshotSummary(
        path=Path(path),
        country=country,
        residents=written,
        households=households,
        row_groups=row_groups,
        seconds=time.perf_counter() - started,
    )
