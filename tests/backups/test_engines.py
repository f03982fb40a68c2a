"""The PostgreSQL tools are found, version-checked and given the connection details without a
password on their command line (no database needed: a stand-in pg_dump answers `--version`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gov3.backups import engines


def _stand_in(directory: Path, name: str, version: str) -> str:
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)
    return str(tool)


def test_a_pg_dump_older_than_the_server_is_refused_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOV3_PG_BIN", str(tmp_path))
    with pytest.raises(engines.BackupError, match="pg_dump was not found in GOV3_PG_BIN"):
        engines.pg_tool("pg_dump")
    _stand_in(tmp_path, "pg_dump", "14.11")
    dump = engines.pg_tool("pg_dump")
    with pytest.raises(engines.BackupError, match="Install postgresql-client-16"):
        engines.check_dump_version(dump, 16)
    assert engines.check_dump_version(dump, 13) == "pg_dump (PostgreSQL) 14.11"

    restore = _stand_in(tmp_path, "pg_restore", "14.11")
    with pytest.raises(engines.BackupError, match="use pg_restore 16 or newer"):
        engines.check_restore_version(restore, "pg_dump (PostgreSQL) 16.2")
    engines.check_restore_version(restore, "pg_dump (PostgreSQL) 14.1")


def test_connection_details_go_through_the_environment() -> None:
    env = engines.libpq_environment(
        {
            "NAME": "gov3",
            "USER": "gov3",
            "PASSWORD": "s3cret pass",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "verify-full"},
        }
    )
    assert env["PGPASSWORD"] == "s3cret pass"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.internal",
        "5433",
        "gov3",
        "gov3",
    )
    assert env["PGSSLMODE"] == "verify-full"
