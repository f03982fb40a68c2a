"""The school-entry roster at national scale: one SQL query selects the cohort the notice
service's rule selects (compiled from the rule, as the offers sweep does), with each child's
guardian and registered area; the placements and the guardians' offers are then written in
batches, without a query per child (issue 20's target: a national cohort, kr ≈ 400,000
entrants, in 30 s on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from gov3.core.bulk import copy_rows
from gov3.offers.proposals import facts_read, guardian_sql
from gov3.registry.models import Address, Area, Household, Person
from gov3.rules.pack import RulePack, Service
from gov3.schools.models import Placement

#: Rows written per statement.
BATCH = 5_000


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A child the rule selects: who answers for them, where they are registered, and the
    facts the rule read (the offer keeps them)."""

    child_id: int
    guardian_id: int | None
    area_id: int | None
    area_code: str
    province: str
    facts: tuple[Any, ...]


def _date(day: date) -> str:
    return f"'{day.isoformat()}'" if connection.vendor == "sqlite" else f"DATE '{day.isoformat()}'"


def roster_rows(
    round_id: int, pack: RulePack, service: Service, born_in: int, day: date
) -> list[RosterRow]:
    """The children born in ``born_in`` or the year after, living, not yet on the round's
    roster, whom ``service``'s rule selects on ``day``; oldest first (then by id)."""
    # The SQL compiler (SQLGlot) and the facts relation are loaded when a round is built, not
    # whenever the schools app is: `gov3 rules check` starts without them (issue 17, item 6).
    from gov3.registry.facts_sql import BACKENDS, facts_query  # noqa: PLC0415
    from gov3.rules.sql import expression_sql  # noqa: PLC0415

    backend = BACKENDS[connection.vendor]
    params = pack.params_on(service, day)
    eligible = expression_sql(service.eligible, backend, params, day)
    columns = facts_read(service)
    selected = "".join(f', facts."{name}" AS "{name}"' for name in columns)
    person, household = Person._meta.db_table, Household._meta.db_table
    address, area, placement = Address._meta.db_table, Area._meta.db_table, Placement._meta.db_table
    # The rule, the models' table names and dates: no outside input reaches the text.
    sql = f"""
SELECT e.person_id, {guardian_sql("m", "f")},
       ar.id, COALESCE(ar.code, ''), e.sweep_province{"".join(f', e."{n}"' for n in columns)}
FROM (
    SELECT facts.person_id AS person_id, facts.province AS sweep_province,
           facts.birth_date AS sweep_birth_date, {eligible} AS eligible{selected}
    FROM {facts_query(connection.vendor)} AS facts
    WHERE facts.birth_date >= {_date(date(born_in, 1, 1))}
      AND facts.birth_date < {_date(date(born_in + 2, 1, 1))}
) e
JOIN {person} p ON p.id = e.person_id
LEFT JOIN {person} m ON m.id = p.mother_id
LEFT JOIN {person} f ON f.id = p.father_id
LEFT JOIN {household} h ON h.id = p.household_id
LEFT JOIN {address} ad ON ad.id = h.address_id
LEFT JOIN {area} ar ON ar.id = ad.area_id
WHERE e.eligible AND p.country = %s
  AND NOT EXISTS (SELECT 1 FROM {placement} pl WHERE pl.round_id = %s AND pl.child_id = p.id)
ORDER BY e.sweep_birth_date, e.person_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pack.country, round_id])
        rows = cursor.fetchall()
    return [
        RosterRow(
            int(r[0]),
            None if r[1] is None else int(r[1]),
            None if r[2] is None else int(r[2]),
            str(r[3]),
            str(r[4]),
            tuple(r[5:]),
        )
        for r in rows
    ]


def insert_placements(rows: Sequence[dict[str, Any]]) -> None:
    """Write placements (model field values by attname, the same for every row; each gets a new
    `public_id`) inside the caller's transaction: PostgreSQL through COPY, other databases
    through the ORM (`core.bulk.copy_rows`)."""
    if not rows:
        return
    columns = list(rows[0])
    copy_rows(Placement, columns, [[row[name] for name in columns] for row in rows])


def batched(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
