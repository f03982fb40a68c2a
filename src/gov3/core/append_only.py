"""Database-level protection of append-only tables (PostgreSQL triggers).

The application already refuses to change these rows (`AppendOnlyModel`); the trigger makes a
stray `UPDATE` in a shell or a bug in a bulk path fail as well. SQLite deployments rely on the
hash chain to detect such changes.
"""

from __future__ import annotations

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
