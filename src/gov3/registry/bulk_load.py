"""Bulk loading of the register: rows written straight into the registry tables, fast.

A loader (the synthetic population generator, `gov3.synthetic.population`; a migration from
another register) hands `BulkWriter` chunks of rows (`BulkRows`, column by column, in the
tables' column order) inside one transaction it owns: PostgreSQL through ``COPY``, SQLite
through batched ``executemany``. Indexes of an empty register are built once after the load,
and the planner's statistics refreshed. Why rows are written directly instead of through the
`do_*` commands per person: docs/adr/0003-bulk-population-load.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from gov3.core.errors import ValidationFailedError
from gov3.registry.models import Address, Household, LifeEvent, Passport, Person

SQLITE_CACHE_KIB = 256 * 1024

ADDRESS_COLUMNS = ("id", "area_id", "street", "postal_code")
HOUSEHOLD_COLUMNS = ("id", "public_id", "address_id", "created_on")
PERSON_COLUMNS = (
    "id",
    "public_id",
    "country",
    "national_id",
    "name_local",
    "name_latin",
    "birth_date",
    "sex",
    "nationality",
    "date_of_death",
    "mother_id",
    "father_id",
    "spouse_id",
    "household_id",
    "relationship_to_head",
    "disability",
    "monthly_income",
    "income_assessed_on",
)
PASSPORT_COLUMNS = ("person_id", "number", "issued_on", "expires_on", "status")
EVENT_COLUMNS = ("person_id", "kind", "occurred_on", "recorded_at", "recorded_by", "details")

# How each column is held in a chunk: "s" a str, "i" an int, "S" a str or None, "I" an int or None.
_KINDS = {
    "address": "iiss",
    "household": "isis",
    "person": "issssssssSIIIissiS",
    "passport": "issss",
    "event": "isssss",
}
# Free-text columns (names, streets): escaped for COPY if the loader says they need it.
_PACK_TEXT = {"address": (2,), "person": (4, 5)}
_COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class BulkRows:
    """One chunk's rows, held column by column in table column order (``None`` is NULL)."""

    address: list[list[Any]] = field(default_factory=list)
    household: list[list[Any]] = field(default_factory=list)
    person: list[list[Any]] = field(default_factory=list)
    passport: list[list[Any]] = field(default_factory=list)
    event: list[list[Any]] = field(default_factory=list)
    deceased: int = 0
    moved: int = 0
    # COPY text per table, filled in by `copy_text` (PostgreSQL) by the generator.
    text: dict[str, str] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> int:
        if table in self.counted:
            return self.counted[table]
        columns: list[list[Any]] = getattr(self, table)
        return len(columns[0]) if columns else 0

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        return list(zip(*getattr(self, table), strict=True))

    @property
    def persons(self) -> list[tuple[Any, ...]]:
        return self.rows("person")

    def copy_text(self, escape_pack_text: bool) -> None:
        """Turn every table into PostgreSQL ``COPY`` text format (then drop the columns)."""
        for table, kinds in _KINDS.items():
            columns: list[list[Any]] = getattr(self, table)
            if not columns:
                continue
            out: list[list[str]] = []
            for index, (kind, values) in enumerate(zip(kinds, columns, strict=True)):
                column = values
                if kind == "i":
                    column = list(map(str, values))
                elif kind in "SI":
                    column = [_COPY_NULL if v is None else str(v) for v in values]
                if escape_pack_text and index in _PACK_TEXT.get(table, ()):
                    column = [v.translate(_COPY_ESCAPES) for v in column]
                out.append(column)
            self.text[table] = "\n".join(map("\t".join, zip(*out, strict=True))) + "\n"
            self.counted[table] = len(columns[0])
            setattr(self, table, [])


def _table(model: Any) -> str:
    return str(model._meta.db_table)


_TABLES = (
    ("address", Address, ADDRESS_COLUMNS),
    ("household", Household, HOUSEHOLD_COLUMNS),
    ("person", Person, PERSON_COLUMNS),
    ("passport", Passport, PASSPORT_COLUMNS),
    ("event", LifeEvent, EVENT_COLUMNS),
)


class BulkWriter:
    """Writes chunks of rows straight into the registry tables inside the caller's transaction."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw: Any = connection.connection
        self.sqlite_pragmas: dict[str, Any] = {}
        self.rebuild: list[str] = []

    def first_ids(self) -> dict[str, int]:
        """Reserve the id ranges this load will use (the caller holds the tables' write lock)."""
        out: dict[str, int] = {}
        with connection.cursor() as cursor:
            for key, model in (("person", Person), ("household", Household), ("address", Address)):
                table = _table(model)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
                highest = int(cursor.fetchone()[0])
                if self.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, int(row[0]) if row else 0)
                out[key] = highest + 1
        return out

    def tune(self) -> None:
        """Set this connection up for a bulk load, before its transaction (undone by `restore`).

        SQLite only, and for this connection only (ADR 0003):

        - a bigger page cache: the random public ids and national ids make index inserts land
          all over the B-trees, and SQLite's default 2 MB cache then rereads pages constantly.
          Capped, so memory stays bounded;
        - no fsync (``synchronous = OFF``): a crash mid-load loses only this uncommitted load
          (the WAL keeps the file consistent). SQLite refuses the change inside a transaction,
          so a load run inside an outer transaction (tests) keeps the usual level;
        - temporary structures in memory (also only outside a transaction).
        """
        if self.vendor != "sqlite":
            return
        wanted = [("cache_size", f"-{SQLITE_CACHE_KIB}")]
        if not self.raw.in_transaction:
            # Foreign keys are checked once, set-based, before commit (`finish`), as Django's
            # loaddata does, instead of one lookup per inserted row.
            wanted += [("synchronous", "OFF"), ("temp_store", "MEMORY"), ("foreign_keys", "OFF")]
        for pragma, value in wanted:
            self.sqlite_pragmas[pragma] = self.raw.execute(f"PRAGMA {pragma}").fetchone()[0]
            self.raw.execute(f"PRAGMA {pragma} = {value}")

    def lock(self) -> None:
        """Keep other writers out of the tables whose ids this load assigns itself."""
        if self.vendor == "postgresql":
            tables = ", ".join(_table(m) for m in (Address, Household, Person))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
                # Only this transaction's commit skips waiting for the WAL flush; a crash just
                # after it could lose the load, never corrupt the database (ADR 0003).
                cursor.execute("SET LOCAL synchronous_commit = off")

    def suspend_indexes(self) -> None:
        """Into an empty register, load first and build indexes and constraints afterwards.

        Maintaining B-trees on random keys row by row is most of a bulk load's cost; building
        them once from the loaded rows is several times faster (PostgreSQL manual, "Populating
        a Database"). Only when the registry tables are empty, inside the load's transaction:
        the definitions are read from the database itself and recreated exactly, constraints
        validate every row when they are added back, and a failure rolls everything back.
        """
        if Person.objects.exists():
            return
        tables = [_table(model) for _, model, _ in _TABLES]
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                self._suspend_postgresql(cursor, tables)
            else:
                self._suspend_sqlite(cursor, tables)

    def _suspend_postgresql(self, cursor: Any, tables: list[str]) -> None:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Run the checks still queued in this transaction (ALTER TABLE refuses to run while
        # deferred foreign-key events are pending), then defer again as Django expects.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        constraints: list[tuple[str, str, str, str]] = []
        for table in tables:
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [table],
            )
            constraints += [(table, name, kind, sql) for name, kind, sql in cursor.fetchall()]
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
            self.rebuild += [sql for _, sql in cursor.fetchall()]
        # Foreign keys go first and come back last; plain indexes come back before constraints.
        for table, name, _kind, _sql in sorted(constraints, key=lambda c: c[2] != "f"):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary",
            [tables],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        self.rebuild += [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}'
            for table, name, _kind, sql in sorted(constraints, key=lambda c: c[2] == "f")
        ]

    def _suspend_sqlite(self, cursor: Any, tables: list[str]) -> None:
        # Indexes that lead with a foreign-key column stay: SQLite's deferred foreign-key checks
        # look child rows up through them, and without them every insert scans the table.
        keep: set[tuple[str, str]] = set()
        cursor.execute("PRAGMA foreign_keys")
        checking_foreign_keys = bool(cursor.fetchone()[0])
        for table in tables if checking_foreign_keys else []:
            cursor.execute(f'PRAGMA foreign_key_list("{table}")')
            keep |= {(table, row[3]) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        for name, sql, table in cursor.fetchall():
            if table not in tables:
                continue
            cursor.execute(f'PRAGMA index_info("{name}")')
            leading = cursor.fetchone()[2]
            if (table, leading) in keep:
                continue
            cursor.execute(f'DROP INDEX "{name}"')
            self.rebuild.append(sql)

    def _check_sqlite_foreign_keys(self) -> None:
        """With SQLite's per-row checks off for the load, check every new row's references."""
        with connection.cursor() as cursor:
            for _, model, _ in _TABLES:
                cursor.execute(f'PRAGMA foreign_key_check("{_table(model)}")')
                broken = cursor.fetchall()
                if broken:
                    table, rowid, parent, _ = broken[0]
                    raise ValidationFailedError(
                        f"The load wrote {len(broken)} row(s) in {table} that refer to missing "
                        f"rows in {parent} (first: row {rowid}); nothing was saved."
                    )

    def rebuild_indexes(self) -> None:
        """Recreate what `suspend_indexes` took away (validating every constraint)."""
        with connection.cursor() as cursor:
            for sql in self.rebuild:
                cursor.execute(sql)
        self.rebuild.clear()

    def restore(self) -> None:
        """Put this connection's SQLite settings back (after the transaction has ended), and
        refresh the planner's statistics of the tables just filled."""
        for pragma, value in self.sqlite_pragmas.items():
            self.raw.execute(f"PRAGMA {pragma} = {int(value)}")
        self.sqlite_pragmas.clear()
        analyze(*(model for _, model, _ in _TABLES))

    def write(self, rows: BulkRows) -> None:
        for key, model, columns in _TABLES:
            table = _table(model)
            names = ", ".join(columns)
            if self.vendor == "postgresql":
                text = rows.text.get(key)
                if text is None:
                    if not rows.count(key):
                        continue
                    rows.copy_text(escape_pack_text=True)
                    text = rows.text[key]
                with (
                    self.raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
                ):
                    copy.write(text)
            elif rows.count(key):
                marks = ", ".join("?" * len(columns))
                self.raw.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - model table names
                    zip(*getattr(rows, key), strict=True),
                )

    def finish(self) -> None:
        """Rebuild suspended indexes; move PostgreSQL's id sequences past the assigned ids."""
        self.rebuild_indexes()
        if self.sqlite_pragmas.get("foreign_keys"):
            self._check_sqlite_foreign_keys()
        if self.vendor == "sqlite":
            return
        with connection.cursor() as cursor:
            for model in (Address, Household, Person):
                table = _table(model)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )


def analyze(*models: type[Model]) -> None:
    """Refresh the planner's statistics of the tables just filled: a bulk load leaves them
    describing empty tables until autovacuum (if any) runs, and queries over the register
    pick bad plans meanwhile (bench/RESULTS.md, offers)."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
