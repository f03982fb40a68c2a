"""Writing many rows of one model at once, for the national batches (the sweep's offers, the
school-entry round's placements and notices): PostgreSQL takes them through COPY, other
databases through the ORM's ``bulk_create``. The ORM's INSERT of a batch (a model and its field
values prepared for every row, JSON encoded value by value) costs more than the rest of such a
run."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from django.db import connections
from django.db.models import Field, JSONField, Model, UUIDField

#: A NULL in PostgreSQL's COPY text format.
COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class EncodedJson(str):
    """A JSON column's value already encoded (`copy_rows` writes it as it is): a caller writing
    many rows that share most of a JSON value encodes the shared part once."""


def copy_field(text: str) -> str:
    """`text` as a field of PostgreSQL's COPY text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def relax_commit(using: str = "default") -> None:
    """Let the current transaction's commit return before its WAL reaches the disk (PostgreSQL's
    ``synchronous_commit = off``, for this transaction only). For a batch a rerun writes again
    when a crash of the server loses it: nothing else is weakened (the data stay consistent)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _json_text(value: Any) -> str:
    if isinstance(value, EncodedJson):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _written_fields(
    model: type[Model], columns: Sequence[str], common: Mapping[str, Any]
) -> list[Field[Any, Any]]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    known = {f.attname for f in fields}
    unknown = sorted((set(columns) | set(common)) - known)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    return fields


def _new_uuid(field: Field[Any, Any]) -> bool:
    return isinstance(field, UUIDField) and field.default is uuid.uuid4


def copy_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | str,
    *,
    common: Mapping[str, Any] | None = None,
    skip_conflicts: bool = False,
    returning: Sequence[str] = (),
    using: str = "default",
) -> list[tuple[Any, ...]]:
    """Insert rows of `model` inside the caller's transaction: each of `rows` gives the values of
    `columns` (attnames; a JSON value may be given `EncodedJson`), `common` the values shared by
    every row, and every other column takes its field's default (a new random UUID each for a
    ``default=uuid.uuid4`` field). The values of `returning` (column names) of each row
    written, in no particular order.

    On PostgreSQL `rows` may also be text already in COPY's text format (`copy_field`). Without
    `skip_conflicts` or `returning` the rows go straight into the table through COPY;
    with either, only `columns` go through COPY into a temporary table, and one INSERT … SELECT
    adds `common` as parameters (sent once) and skips a row a unique constraint refuses
    (``ON CONFLICT DO NOTHING``). Other databases use ``bulk_create``."""
    common = dict(common or {})
    fields = _written_fields(model, columns, common)
    connection = connections[using]
    if connection.vendor != "postgresql":
        if isinstance(rows, str):
            raise ValueError("COPY text can be written only to PostgreSQL")
        return _bulk_create(
            model, columns, rows, common=common, skip=skip_conflicts, returning=returning,
            using=using,
        )  # fmt: skip
    if not skip_conflicts and not returning:
        _copy_into_table(model, fields, columns, rows, common=common, using=using)
        return []
    return _copy_through_staging(
        model, fields, columns, rows, common=common, returning=returning, using=using
    )


def _bulk_create(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    common: Mapping[str, Any],
    skip: bool,
    returning: Sequence[str],
    using: str,
) -> list[tuple[Any, ...]]:
    json_columns = {f.attname for f in model._meta.concrete_fields if isinstance(f, JSONField)}

    def value(name: str, given: Any) -> Any:
        if name in json_columns and isinstance(given, EncodedJson):
            return json.loads(given)
        return given

    shared = {name: value(name, given) for name, given in common.items()}
    made = model._default_manager.db_manager(using).bulk_create(
        [
            model(**shared, **{name: value(name, v) for name, v in zip(columns, row, strict=True)})
            for row in rows
        ],
        batch_size=2000,
        ignore_conflicts=skip,
    )
    if not returning:
        return []
    if skip:
        raise ValueError("bulk_create cannot say which rows it skipped; read them back instead")
    by_column = {f.column: f.attname for f in model._meta.concrete_fields}
    return [tuple(getattr(obj, by_column.get(c, c)) for c in returning) for obj in made]


def _copy_into_table(
    model: type[Model],
    fields: Sequence[Field[Any, Any]],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | str,
    *,
    common: Mapping[str, Any],
    using: str,
) -> None:
    given = {name: n for n, name in enumerate(columns)}
    if isinstance(rows, str):
        missing = [f.attname for f in fields if f.attname not in given]
        if missing:
            raise ValueError(f"COPY text without {', '.join(missing)}: give them as columns")
        written = [f for name in columns for f in fields if f.attname == name]
        with connections[using].cursor() as cursor:
            target = ", ".join(f'"{f.column}"' for f in written)
            with cursor.cursor.copy(f"COPY {model._meta.db_table} ({target}) FROM STDIN") as copy:
                copy.write(rows)
        return
    # Per column: the row's value (its index), a value shared by all rows, or a new UUID.
    plan: list[tuple[int, Any]] = []
    for f in fields:
        if f.attname in given:
            plan.append((given[f.attname], None))
        elif _new_uuid(f) and f.attname not in common:
            plan.append((-2, None))
        else:
            shared = _plain(common[f.attname] if f.attname in common else f.get_default())
            plan.append((-1, _json_text(shared) if isinstance(f, JSONField) else shared))
    json_at = {given[f.attname] for f in fields if isinstance(f, JSONField) and f.attname in given}
    target = ", ".join(f'"{f.column}"' for f in fields)
    with (
        connections[using].cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({target}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    (_json_text(row[at]) if at in json_at else row[at])
                    if at >= 0
                    else shared
                    if at == -1
                    else uuid.uuid4()
                    for at, shared in plan
                ]
            )


def _copy_through_staging(
    model: type[Model],
    fields: Sequence[Field[Any, Any]],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | str,
    *,
    common: Mapping[str, Any],
    returning: Sequence[str],
    using: str,
) -> list[tuple[Any, ...]]:
    connection = connections[using]
    by_name = {f.attname: f for f in fields}
    staged = [by_name[name] for name in columns]
    # A temporary table per model and set of columns, kept for the session and emptied after
    # each batch (a transaction may write several batches of different shapes).
    staging = f"gov3_copy_{model._meta.db_table}_{zlib.crc32(' '.join(columns).encode()):08x}"
    target, selected, params = [], [], []
    for f in fields:
        target.append(f'"{f.column}"')
        if f.attname in columns:
            selected.append(f'b."{f.column}"')
        elif _new_uuid(f) and f.attname not in common:
            selected.append("gen_random_uuid()")  # a version 4 UUID, as uuid.uuid4()
        else:
            value = _plain(common[f.attname] if f.attname in common else f.get_default())
            selected.append(f"%s::{f.db_type(connection)}")
            params.append(f.get_db_prep_save(value, connection))
    json_at = [n for n, f in enumerate(staged) if isinstance(f, JSONField)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        definition = ", ".join(f'"{f.column}" {f.db_type(connection)}' for f in staged)
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ({definition})")
        names = ", ".join(f'"{f.column}"' for f in staged)
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            if isinstance(rows, str):
                copy.write(rows)
            else:
                for row in rows:
                    values = list(row)
                    for n in json_at:
                        values[n] = _json_text(values[n])
                    copy.write_row(values)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(target)}) SELECT {', '.join(selected)} "  # noqa: S608 - the model's names
            f"FROM {staging} b ON CONFLICT DO NOTHING"
            + (f" RETURNING {', '.join(returning)}" if returning else ""),
            params,
        )
        made = [tuple(row) for row in cursor.fetchall()] if returning else []
        cursor.execute(f"TRUNCATE {staging}")
    return made
