"""Database-level protection of append-only tables (PostgreSQL triggers).

The application already refuses to change these rows (`AppendOnlyModel`); the trigger makes a
stray `UPDATE` in a shell or a bug in a bulk path fail as well. SQLite deployments rely on the
hash chain to detect such changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION gov3_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'gov3: % on % is refused: this table is append-only', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def append_only_trigger_migration(*tables: str) -> migrations.RunPython:
    """A migration operation that adds the append-only trigger to ``tables`` on PostgreSQL."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION, params=None)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gov3_refuse_change()"
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return migrations.RunPython(forwards, backwards, elidable=False)


# --- installed after every `migrate` (post_migrate), for every append-only table ---------------

#: Maintenance (and the test suite's flush between tests) may empty the tables on purpose:
#: `SET gov3.allow_truncate = on` in that session. Nothing in gov3 sets it.
_GUARD_FUNCTIONS = """
CREATE OR REPLACE FUNCTION gov3_refuse_truncate() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('gov3.allow_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'gov3: TRUNCATE on % is refused: its rows are never removed', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION gov3_chain_head_forward() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('gov3.allow_truncate', true), '') = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'gov3: DELETE on % is refused: a chain head is never removed',
      TG_TABLE_NAME;
  END IF;
  IF NEW.id <> OLD.id OR NEW.length <= OLD.length THEN
    RAISE EXCEPTION 'gov3: the chain head % may only move forward (% -> % entries)',
      TG_TABLE_NAME, OLD.length, NEW.length;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION gov3_refuse_delete() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('gov3.allow_truncate', true), '') = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'gov3: DELETE on % is refused: its rows are never removed', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def install_append_only_guards(
    connection: Any, append_only: list[str], heads: list[str], never_deleted: Sequence[str] = ()
) -> None:
    """On PostgreSQL: refuse TRUNCATE of the append-only tables, of the chain heads and of the
    tables whose rows are never deleted, refuse DELETE of the latter, and let a chain head only
    move forward (idempotent; run after every migration)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_GUARD_FUNCTIONS)
        for table in never_deleted:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gov3_refuse_delete()"
            )
        for table in [*append_only, *heads, *never_deleted]:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION gov3_refuse_truncate()"
            )
        for table in heads:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_forward BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gov3_chain_head_forward()"
            )
