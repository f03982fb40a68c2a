"""Run compiled rules (`gov3.rules.sql`) on a database: SQLite, PostgreSQL, DuckDB or Spark.

A connection is whatever the engine's Python client gives: a `sqlite3.Connection`, a psycopg
connection (or Django's connection: anything with ``cursor()``), a DuckDB connection, or a
`pyspark.sql.SparkSession`. The facts are read from a relation: the table ``facts`` (see
`load_facts`), a registry query (`gov3.registry.facts_sql`) or, in DuckDB, the Parquet snapshot
read in place (`sql.parquet_relation`).

DuckDB over a snapshot is a second, independent implementation and the SQL an analyst can run;
it takes about 2 to 3 times the vectorised evaluator's CPU time (ADR 0032). Per-person results at
national scale come from `gov3.rules.people` (and `gov3 offers sweep --snapshot`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS as ALL_FACTS
from gov3.rules.facts import KEY_COLUMNS, complete, fact_columns
from gov3.rules.ir import Type, Value
from gov3.rules.sql import FACTS, ServiceRules, catalogue_query, rows_query

Backend = Literal["sqlite", "postgres", "duckdb", "spark"]

#: Column types of a ``facts`` table, per backend.
_TYPES: dict[str, dict[Type, str]] = {
    "sqlite": {
        Type.BOOL: "INTEGER",
        Type.INT: "INTEGER",
        Type.MONEY: "INTEGER",
        Type.DATE: "TEXT",
        Type.TEXT: "TEXT",
    },
    "postgres": {
        Type.BOOL: "BOOLEAN",
        Type.INT: "BIGINT",
        Type.MONEY: "BIGINT",
        Type.DATE: "DATE",
        Type.TEXT: "TEXT",
    },
}
_TABLE = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class ServiceTotal:
    """How many are eligible for a service and the exact sum of their amounts."""

    count: int
    total: int


#: What the engines say when a 64-bit integer overflows (SQLite, PostgreSQL, DuckDB, Spark).
_OVERFLOW = ("integer overflow", "out of range", "overflow in", "arithmetic_overflow")


def run(backend: Backend, connection: Any, sql: str) -> list[tuple[Any, ...]]:
    """Every row `sql` returns on `connection`. A number beyond 64 bits is refused as every
    evaluator refuses it: `EvaluationError`."""
    try:
        return _run(backend, connection, sql)
    except EvaluationError:
        raise
    except Exception as error:
        if any(words in str(error).lower() for words in _OVERFLOW):
            raise EvaluationError(
                "A number in the rule goes beyond 64 bits for some people; the rule cannot be "
                f"evaluated for these facts ({backend}: {str(error).splitlines()[0]})."
            ) from error
        raise


def _run(backend: Backend, connection: Any, sql: str) -> list[tuple[Any, ...]]:
    if backend == "spark":
        return [tuple(row) for row in connection.sql(sql).collect()]
    if backend == "duckdb":
        return list(connection.execute(sql).fetchall())
    if backend not in ("sqlite", "postgres"):
        raise ValueError(f"unknown backend {backend!r}")
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _integer(value: Any) -> int:
    """An exact integer from the driver (PostgreSQL NUMERIC, DuckDB HUGEINT are exact)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    # SQLite turns an integer that overflows 64 bits into a float: refuse, never round.
    raise EvaluationError(f"the database returned {value!r} where a whole number was expected")


def evaluate(
    services: Sequence[ServiceRules],
    backend: Backend,
    connection: Any,
    *,
    params: Mapping[str, Value],
    today: date,
    relation: str = FACTS,
) -> dict[str, ServiceTotal]:
    """Per service id: the number eligible (households for a household service) and the exact
    total of their amounts (0 for a service without an amount), in one pass over the facts."""
    sql = catalogue_query(services, backend, params, today, relation)
    rows = run(backend, connection, sql)
    (row,) = rows
    return {
        service.id: ServiceTotal(_integer(row[2 * n]), _integer(row[2 * n + 1]))
        for n, service in enumerate(services)
    }


def database_value(value: Any, kind: Type) -> Value:
    """A database value as the rule language's Python value."""
    if value is None:
        raise EvaluationError("the database returned no value (NULL) for a rule")
    if kind is Type.BOOL:
        return bool(value)
    if kind in (Type.INT, Type.MONEY):
        return _integer(value)
    if kind is Type.DATE:
        return date.fromisoformat(value) if isinstance(value, str) else value
    return str(value)


def evaluate_rows(
    node: ir.Node,
    backend: Backend,
    connection: Any,
    *,
    params: Mapping[str, Value],
    today: date,
    relation: str = FACTS,
) -> dict[int, Value]:
    """The value of `node` for every person in `relation`, by person id."""
    sql = rows_query(node, backend, params, today, relation)
    return {
        int(person): database_value(value, node.type)
        for person, value in run(backend, connection, sql)
    }


def _rows(rows: Iterable[Mapping[str, Value]]) -> list[dict[str, Value]]:
    """`rows` with every fact present, checked for the keys and the types."""
    completed = []
    for number, row in enumerate(rows):
        unknown = set(row) - set(fact_columns())
        if unknown:
            raise ValueError(f"row {number}: unknown fact(s) {', '.join(sorted(unknown))}")
        full: dict[str, Value] = {}
        for key in KEY_COLUMNS:
            value = row.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"row {number}: `{key}` must be a whole number, got {value!r}")
            full[key] = value
        for name, value in complete(row).items():
            kind = ALL_FACTS[name].type
            wanted: type | tuple[type, ...] = {
                Type.BOOL: bool,
                Type.INT: int,
                Type.MONEY: int,
                Type.DATE: date,
                Type.TEXT: str,
            }[kind]
            if not isinstance(value, wanted) or (kind is not Type.BOOL and isinstance(value, bool)):
                raise ValueError(f"row {number}: `{name}` must be {kind}, got {value!r}")
            full[name] = value
        completed.append(full)
    return completed


def load_facts(
    backend: Backend,
    connection: Any,
    rows: Iterable[Mapping[str, Value]],
    table: str = FACTS,
) -> int:
    """Create (or replace) a temporary table of facts from plain rows (missing facts take
    their defaults); return the number of rows. For tests and small populations."""
    if not _TABLE.fullmatch(table):
        raise ValueError(f"not a plain table name: {table!r}")
    full = _rows(rows)
    if backend == "spark":
        _load_spark(connection, full, table)
    elif backend == "duckdb":
        _load_duckdb(connection, full, table)
    elif backend in ("sqlite", "postgres"):
        _load_sql(backend, connection, full, table)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    return len(full)


def _sqlite_value(value: Value) -> Value:
    """Dates as Django stores them in SQLite (ISO text), booleans as 0/1."""
    if isinstance(value, date):
        return value.isoformat()
    return int(value) if isinstance(value, bool) else value


def _load_sql(backend: str, connection: Any, rows: list[dict[str, Value]], table: str) -> None:
    types = _TYPES[backend]
    kinds = {**dict.fromkeys(KEY_COLUMNS, Type.INT), **{n: f.type for n, f in ALL_FACTS.items()}}
    columns = ", ".join(f"{name} {types[kinds[name]]} NOT NULL" for name in fact_columns())
    cursor = connection.cursor()
    try:
        if backend == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS temp.{table}")
            cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
            marks = ", ".join("?" for _ in fact_columns())
            cursor.executemany(
                f"INSERT INTO temp.{table} VALUES ({marks})",  # noqa: S608 - fixed names
                [tuple(_sqlite_value(row[name]) for name in fact_columns()) for row in rows],
            )
        else:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
            with cursor.copy(
                f"COPY pg_temp.{table} ({', '.join(fact_columns())}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row([row[name] for name in fact_columns()])
    finally:
        cursor.close()
    if backend == "sqlite":
        connection.commit()


def _arrow_table(rows: list[dict[str, Value]]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - loaders only

    arrow = {
        Type.BOOL: pa.bool_(),
        Type.INT: pa.int64(),
        Type.MONEY: pa.int64(),
        Type.DATE: pa.date32(),
        Type.TEXT: pa.string(),
    }
    fields = [pa.field(key, pa.int64(), nullable=False) for key in KEY_COLUMNS] + [
        pa.field(name, arrow[fact.type], nullable=False) for name, fact in ALL_FACTS.items()
    ]
    schema = pa.schema(fields)
    return pa.table({name: [row[name] for row in rows] for name in fact_columns()}, schema=schema)


def _load_duckdb(connection: Any, rows: list[dict[str, Value]], table: str) -> None:
    staged = f"{table}_arrow_rows"
    connection.register(staged, _arrow_table(rows))
    try:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {staged}"  # noqa: S608
        )
    finally:
        connection.unregister(staged)


def _load_spark(session: Any, rows: list[dict[str, Value]], table: str) -> None:
    from pyspark.sql import types as st  # noqa: PLC0415 - Spark is optional

    spark_types = {
        Type.BOOL: st.BooleanType(),
        Type.INT: st.LongType(),
        Type.MONEY: st.LongType(),
        Type.DATE: st.DateType(),
        Type.TEXT: st.StringType(),
    }
    schema = st.StructType(
        [st.StructField(key, st.LongType(), nullable=False) for key in KEY_COLUMNS]
        + [
            st.StructField(name, spark_types[fact.type], nullable=False)
            for name, fact in ALL_FACTS.items()
        ]
    )
    data = [tuple(row[name] for name in fact_columns()) for row in rows]
    session.createDataFrame(data, schema).createOrReplaceTempView(table)
