"""The rule facts of every living resident as one SQL query over the register's tables.

`gov3 rules evaluate --backend sqlite|postgres` runs the compiled rules (`gov3.rules.sql`) on
this relation inside the live database, without a snapshot. It reads each fact exactly as
`gov3.rules.facts` defines it and `gov3.registry.facts` reads it for one person (a test
compares the two): SQLite gets dates as ISO text and yes/no as 0/1, PostgreSQL real ``DATE``
and ``BOOLEAN`` columns, which is what `gov3.rules.sql` expects of each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connections

from gov3.registry.models import (
    Address,
    Area,
    AreaLevel,
    Household,
    Passport,
    PassportStatus,
    Person,
)
from gov3.registry.readers import reader_for
from gov3.rules.backends import Backend, ServiceTotal, evaluate, evaluate_rows
from gov3.rules.facts import FACTS, NO_DATE, declared
from gov3.rules.ir import Node, Type, Value
from gov3.rules.sql import ServiceRules

#: Django's database vendor → the rules backend that runs SQL on it.
BACKENDS: dict[str, Backend] = {"sqlite": "sqlite", "postgresql": "postgres"}


def _yes(condition: str) -> str:
    # NULL (a missing parent or household) must read as "no", never as NULL.
    return f"CASE WHEN {condition} THEN TRUE ELSE FALSE END"


def facts_query(vendor: str) -> str:
    """The ``(SELECT …)`` relation of facts for Django database `vendor` ("sqlite" or
    "postgresql"), one row per living resident with `rules.facts.KEY_COLUMNS` first."""
    if vendor not in BACKENDS:
        raise ValueError(
            f"rules cannot run in a {vendor} database; use SQLite or PostgreSQL, "
            "or evaluate a snapshot (gov3 registry snapshot)"
        )
    person, passport = Person._meta.db_table, Passport._meta.db_table
    household, address, area = Household._meta.db_table, Address._meta.db_table, Area._meta.db_table
    no_date = f"'{NO_DATE.isoformat()}'" if vendor == "sqlite" else f"DATE '{NO_DATE.isoformat()}'"
    province = AreaLevel.PROVINCE.value
    declared_columns, declared_joins = _declared_sql(vendor)
    # A district's province is at most two levels up (AreaLevel: province → municipality →
    # district), so three joins find it wherever the address points.
    return f"""(
SELECT
    p.id AS person_id,
    COALESCE(p.household_id, -p.id) AS household_id,
    p.birth_date AS birth_date,
    p.sex AS sex,
    p.nationality AS nationality,
    COALESCE(a0.code, '') AS area,
    COALESCE(CASE WHEN a0.level = '{province}' THEN a0.code
                  WHEN a1.level = '{province}' THEN a1.code
                  WHEN a2.level = '{province}' THEN a2.code END, '') AS province,
    CASE WHEN p.household_id IS NULL THEN 'head' ELSE p.relationship_to_head END
        AS relationship_to_head,
    {_yes("s.id IS NOT NULL AND s.date_of_death IS NULL")} AS has_spouse,
    {
        _yes(
            "p.household_id IS NOT NULL AND ("
            "(m.household_id = p.household_id AND m.date_of_death IS NULL) OR "
            "(f.household_id = p.household_id AND f.date_of_death IS NULL))"
        )
    } AS lives_with_parent,
    COALESCE(siblings.birth_order, 1) AS birth_order,
    p.disability AS disability,
    p.monthly_income AS monthly_income,
    {_yes("p.income_assessed_on IS NOT NULL")} AS income_assessed,
    {_yes("valid.expiry IS NOT NULL")} AS has_passport,
    COALESCE(valid.expiry, {no_date}) AS passport_expiry{declared_columns}
FROM {person} p
LEFT JOIN {person} m ON m.id = p.mother_id
LEFT JOIN {person} f ON f.id = p.father_id
LEFT JOIN {person} s ON s.id = p.spouse_id
LEFT JOIN {household} h ON h.id = p.household_id
LEFT JOIN {address} ad ON ad.id = h.address_id
LEFT JOIN {area} a0 ON a0.id = ad.area_id
LEFT JOIN {area} a1 ON a1.id = a0.parent_id
LEFT JOIN {area} a2 ON a2.id = a1.parent_id
LEFT JOIN (
    -- 1 + the mother's children born strictly earlier, living or not: RANK() exactly
    SELECT id, RANK() OVER (PARTITION BY mother_id ORDER BY birth_date) AS birth_order
    FROM {person} WHERE mother_id IS NOT NULL
) siblings ON siblings.id = p.id
LEFT JOIN (
    SELECT person_id, MAX(expires_on) AS expiry FROM {passport}
    WHERE status = '{PassportStatus.VALID.value}' GROUP BY person_id
) valid ON valid.person_id = p.id{declared_joins}
WHERE p.date_of_death IS NULL
)"""  # noqa: S608 - table and column names from the models, no outside input


def _default_sql(value: Value, kind: Type, vendor: str) -> str:
    """A declared fact's default as an SQL literal."""
    if kind is Type.DATE:
        assert isinstance(value, date)
        return f"'{value.isoformat()}'" if vendor == "sqlite" else f"DATE '{value.isoformat()}'"
    if kind is Type.BOOL:
        return "TRUE" if value else "FALSE"
    if kind in (Type.INT, Type.MONEY):
        return str(int(value))  # type: ignore[arg-type]
    return "'" + str(value).replace("'", "''") + "'"


def _declared_sql(vendor: str) -> tuple[str, str]:
    """The columns and joins of the facts packs declared: each fact's reader gives a relation
    of (person_id, value), joined to the person; no row means the declared default."""
    columns, joins = [], []
    for number, (name, fact) in enumerate(declared().items()):
        alias = f"declared_{number}"
        relation = reader_for(name, fact).sql(vendor, dict(fact.options))
        default = _default_sql(fact.default, fact.type, vendor)
        value = f"{alias}.value"
        if fact.type is Type.BOOL:  # yes/no as each database writes it, never NULL
            read = f"CASE WHEN {value} IS NULL THEN {default} WHEN {value} THEN TRUE ELSE FALSE END"
        else:
            read = f"COALESCE({value}, {default})"
        columns.append(f",\n    {read} AS {name}")
        joins.append(f"\nLEFT JOIN {relation} {alias} ON {alias}.person_id = p.id")
    return "".join(columns), "".join(joins)


def _database(using: str) -> tuple[Backend, Any, str]:
    connection = connections[using]
    return BACKENDS.get(connection.vendor, "sqlite"), connection, facts_query(connection.vendor)


def evaluate_registry(
    services: Sequence[ServiceRules],
    *,
    params: Mapping[str, Value],
    today: date,
    using: str = "default",
) -> dict[str, ServiceTotal]:
    """Evaluate `services` over every living resident of the register in database `using`:
    per service id, the number eligible and the exact total of their amounts."""
    backend, connection, relation = _database(using)
    return evaluate(services, backend, connection, params=params, today=today, relation=relation)


def evaluate_registry_rows(
    node: Node, *, params: Mapping[str, Value], today: date, using: str = "default"
) -> dict[int, Value]:
    """The value of `node` for every living resident of the register, by person id."""
    backend, connection, relation = _database(using)
    return evaluate_rows(node, backend, connection, params=params, today=today, relation=relation)


def registry_facts(using: str = "default") -> dict[int, dict[str, Value]]:
    """Every living resident's facts as plain values, by person id (for checks and tests)."""
    _, connection, relation = _database(using)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {relation} AS facts ORDER BY person_id")  # noqa: S608
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    facts: dict[int, dict[str, Value]] = {}
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for name, fact in FACTS.items():
            if fact.type is Type.DATE and isinstance(values[name], str):  # SQLite: ISO text
                values[name] = date.fromisoformat(values[name])
            elif fact.type is Type.BOOL:  # SQLite: 0/1
                values[name] = bool(values[name])
        facts[int(values["person_id"])] = values
    return facts
