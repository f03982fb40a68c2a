"""Writing many rows of one model at once, for the national batches (the sweep's offers, the
school-entry round's placements and notices): PostgreSQL takes them through COPY, other
databases through the ORM's ``bulk_create``. The ORM's INSERT of a batch (a model and its field
values prepared for every row, JSON encoded value by value) costs more than the rest of such a
run."""

from __future__ import annotations

import datetime
import decimal
import json
import os
import queue
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from types import TracebackType
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


class Pipeline:
    """Writes run in order on a second thread, on the caller's connection and inside its
    transaction, while the caller prepares the next (PostgreSQL: the database server stores one
    batch while Python builds the next; elsewhere each write runs at once). A write that fails
    stops the rest, and its error is raised to the caller at its next `put` or at the end.

    While the pipeline runs the caller must not use the connection itself."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._thread: threading.Thread | None = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None

    def __enter__(self) -> Pipeline:
        connection = connections[self.using]
        if connection.vendor == "postgresql":
            connection.inc_thread_sharing()
            self._thread = threading.Thread(target=self._run, args=(connection,), daemon=True)
            self._thread.start()
        return self

    def _run(self, connection: Any) -> None:
        connections[self.using] = connection  # this thread's name for the caller's connection
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as error:  # handed to the caller
                    self._error = error

    def put(self, job: Callable[[], None]) -> None:
        if self._thread is None:
            job()
            return
        if self._error is not None:
            raise self._error
        self._jobs.put(job)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._jobs.put(None)
        self._thread.join()
        connections[self.using].dec_thread_sharing()
        if kind is None and self._error is not None:
            raise self._error


def relax_commit(using: str = "default") -> None:
    """Let the current transaction's commit return before its WAL reaches the disk (PostgreSQL's
    ``synchronous_commit = off``, for this transaction only). For a batch a rerun writes again
    when a crash of the server loses it: nothing else is weakened (the data stay consistent)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def next_ids(model: type[Model], count: int, using: str = "default") -> list[int]:
    """`count` new primary keys of `model` drawn from its PostgreSQL sequence (the ids
    `copy_rows` writes when they are among its columns: a caller that must know each row's id
    need not read them back)."""
    if count <= 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def time_ordered_uuids(count: int) -> list[str]:
    """`count` new UUIDs as text, version 7 (RFC 9562: the millisecond, then 74 random bits),
    in increasing order: a batch's rows land at the end of a unique index on them instead of
    on as many random pages as there are rows. What they reveal is when the row was written."""
    millis = time.time_ns() // 1_000_000
    raw = bytearray(os.urandom(16 * count))
    stamp = millis.to_bytes(6, "big")
    for start in range(6):
        raw[start::16] = stamp[start : start + 1] * count
    raw[6::16] = bytes((b & 0x0F) | 0x70 for b in raw[6::16])
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])
    text = raw.hex()
    return sorted(
        f"{text[o : o + 8]}-{text[o + 8 : o + 12]}-{text[o + 12 : o + 16]}-"
        f"{text[o + 16 : o + 20]}-{text[o + 20 : o + 32]}"
        for o in range(0, 32 * count, 32)
    )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _json_text(value: Any) -> str:
    if isinstance(value, EncodedJson):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _written_fields(
    model: type[Model], columns: Sequence[str], common: Mapping[str, Any]
) -> list[Field[Any, Any]]:
    # The primary key only where the caller gives it (`next_ids`).
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in columns]
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
    if not columns:
        raise ValueError("COPY needs at least one column given in each row")
    given = {name: n for n, name in enumerate(columns)}
    if isinstance(rows, str):
        # Each line gets the values every row shares (`common`, else the field's default).
        missing = [
            f.attname
            for f in fields
            if f.attname not in given and f.attname not in common and _new_uuid(f)
        ]
        if missing:
            raise ValueError(f"COPY text without {', '.join(missing)}: give them as columns")
        written = [f for name in columns for f in fields if f.attname == name]
        shared = [f for f in fields if f.attname not in given]
        tail = _shared_tail(shared, common)
        if tail:
            # A line ends at a raw newline: one inside a value is written as the two characters \n.
            rows = rows.replace("\n", tail + "\n")
        with connections[using].cursor() as cursor:
            target = ", ".join(f'"{f.column}"' for f in [*written, *shared])
            with cursor.cursor.copy(f"COPY {model._meta.db_table} ({target}) FROM STDIN") as copy:
                copy.write(rows)
        return
    # The COPY's columns: those given in each row, then one new UUID each where a field's
    # default is one, then the values every row shares, encoded once as the end of every line.
    uuid_fields = [f for f in fields if f.attname not in given and _new_uuid(f)]
    uuid_fields = [f for f in uuid_fields if f.attname not in common]
    shared_fields = [f for f in fields if f.attname not in given and f not in uuid_fields]
    by_name = {f.attname: f for f in fields}
    encoders = [_copy_encoder(by_name[name]) for name in columns]
    tail = _shared_tail(shared_fields, common)
    target = ", ".join(
        f'"{f.column}"'
        for f in [*(by_name[name] for name in columns), *uuid_fields, *shared_fields]
    )
    rows = list(rows)
    uuids = iter(time_ordered_uuids(len(rows) * len(uuid_fields)))
    ends = (
        ["".join(f"\t{next(uuids)}" for _ in uuid_fields) + tail + "\n" for _ in rows]
        if uuid_fields
        else [tail + "\n"] * len(rows)
    )
    with (
        connections[using].cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({target}) FROM STDIN") as copy,
    ):
        # In pieces: the server stores the rows sent while the next piece is encoded.
        for start in range(0, len(rows), _PIECE):
            copy.write(
                "".join(
                    [
                        "\t".join([encode(v) for encode, v in zip(encoders, row, strict=True)])
                        + end
                        for row, end in zip(
                            rows[start : start + _PIECE],
                            ends[start : start + _PIECE],
                            strict=True,
                        )
                    ]
                )
            )


def _shared_tail(fields: Sequence[Field[Any, Any]], common: Mapping[str, Any]) -> str:
    """The end of every COPY line: the values of `fields` every row shares (`common`, else the
    field's default), each after a tab."""
    return "".join(
        "\t" + _copy_encoder(f)(common[f.attname] if f.attname in common else f.get_default())
        for f in fields
    )


#: Rows encoded and sent to COPY at a time.
_PIECE = 500


def _copy_encoder(field: Field[Any, Any]) -> Callable[[Any], str]:
    """How a value of `field` is written in COPY's text format."""
    if isinstance(field, JSONField):
        return _copy_json
    if field.get_internal_type() in _INTEGERS or field.is_relation:
        return _copy_int
    if field.get_internal_type() in ("CharField", "TextField"):
        return _copy_text
    return _copy_value


_INTEGERS = frozenset(
    ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
     "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField")
)  # fmt: skip


def _copy_int(value: Any) -> str:
    return COPY_NULL if value is None else str(int(value))


def _copy_text(value: Any) -> str:
    if value is None:
        return COPY_NULL
    return copy_field(value if type(value) is str else str(_plain(value)))


def _copy_json(value: Any) -> str:
    return COPY_NULL if value is None else copy_field(_json_text(value))


def _copy_value(value: Any) -> str:  # noqa: PLR0911 - one return a type
    if value is None:
        return COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return copy_field(value)
    if isinstance(value, Enum):
        return _copy_value(value.value)
    if isinstance(value, (int, float, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    raise TypeError(f"cannot write {type(value).__name__} through COPY")


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
