"""The engines' own backup tools: `pg_dump`/`pg_restore` for PostgreSQL, the online backup API
for SQLite. Each writes or reads the payload of a gov3 backup file (`archive.py`).

PostgreSQL connection details go to the tools through the libpq environment (PGHOST, PGUSER,
PGPASSWORD, …), never on their command line, where other users of the server could read them
in the process list.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from gov3.core.errors import Gov3Error

Say = Callable[[str], None]

#: Django's connection OPTIONS that libpq also reads from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}
#: What `pg_dump -v` and `pg_restore -v` print for each table's data: shown as progress.
_PROGRESS = re.compile(r"(dumping contents of table|processing data for table) \"?([^\"]+)\"?")


class BackupError(Gov3Error):
    """A backup or restore cannot go on; the message says why and what to do."""


def libpq_environment(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """The process environment for pg_dump/pg_restore connecting to Django's database."""
    # Django's connection reads the same PG* variables (libpq): keep them, and let the
    # configured database's own details override them.
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGAPPNAME": "gov3-backup",
    }
    options = settings_dict.get("OPTIONS") or {}
    pairs.update({variable: options.get(name) for name, variable in _LIBPQ_OPTIONS.items()})
    env.update({key: str(value) for key, value in pairs.items() if value not in (None, "")})
    return env


def pg_tool(name: str) -> str:
    """The path of pg_dump/pg_restore: in GOV3_PG_BIN if set, else on PATH."""
    directory = os.environ.get("GOV3_PG_BIN", "")
    path = str(Path(directory) / name) if directory else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(
            f"{name} was not found{' in GOV3_PG_BIN' if directory else ' on PATH'}: install "
            "the PostgreSQL client of your server's version (Debian: postgresql-client-N) or "
            "set GOV3_PG_BIN to the directory that holds it."
        )
    return path


def tool_version(path: str) -> tuple[str, int]:
    """The tool's `--version` line and its major version."""
    done = subprocess.run(  # noqa: S603 - a PostgreSQL tool found by pg_tool, fixed arguments
        [path, "--version"], capture_output=True, text=True, check=False
    )
    line = done.stdout.strip()
    found = re.search(r"\) (\d+)", line)
    if done.returncode != 0 or found is None:
        raise BackupError(f"{path} --version did not answer as a PostgreSQL tool: {line!r}")
    return line, int(found.group(1))


def check_dump_version(path: str, server_major: int) -> str:
    """pg_dump dumps servers of its own major version or older only."""
    line, major = tool_version(path)
    if major < server_major:
        raise BackupError(
            f"{line} cannot dump a PostgreSQL {server_major} server: pg_dump must be of the "
            f"server's major version or newer. Install postgresql-client-{server_major} and "
            "put it first on PATH or set GOV3_PG_BIN to its bin directory."
        )
    return line


def check_restore_version(path: str, dumped_with: str) -> None:
    """pg_restore reads archives of its own major version or older only."""
    line, major = tool_version(path)
    found = re.search(r"\) (\d+)", dumped_with)
    if found and int(found.group(1)) > major:
        raise BackupError(
            f"this backup was made with {dumped_with}, which {line} cannot read: use "
            f"pg_restore {found.group(1)} or newer (GOV3_PG_BIN)."
        )


def run_with_progress(command: list[str], env: dict[str, str], say: Say, what: str) -> None:
    """Run a pg tool with -v, showing each table it reaches; fail with its last lines."""
    started = time.monotonic()
    tail: list[str] = []
    with subprocess.Popen(  # noqa: S603 - pg_dump/pg_restore, arguments made here
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            found = _PROGRESS.search(line)
            if found:
                say(f"  {time.monotonic() - started:6.1f} s  {found.group(2)}")
            elif "error" in line.lower() or "warning" in line.lower() or "fatal" in line.lower():
                tail = [*tail[-19:], line.rstrip()]
        code = process.wait()
    if code != 0:
        raise BackupError(f"{what} failed (exit {code}):\n" + "\n".join(tail))


# -- SQLite ---------------------------------------------------------------------------------------


def sqlite_backup(source: str, target: Path) -> None:
    """Copy the live database `source` into the new file `target` with the online backup API.

    One step (pages=-1): the copy reads one consistent snapshot. In WAL mode (gov3's) readers
    do not block writers, so the application keeps writing while the copy runs; a step-wise
    copy would instead restart after every write made by another connection."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as read,
        closing(sqlite3.connect(target)) as write,
    ):
        read.backup(write)
        write.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        found = write.execute("PRAGMA quick_check").fetchone()[0]
        if found != "ok":
            raise BackupError(f"the copy fails SQLite's quick_check: {found}")


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        return list(database.execute(sql).fetchall())


def sqlite_tables(path: str) -> int:
    """How many tables the SQLite database at `path` has (0 for no file or an empty one)."""
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(path, timeout=30)) as database:
        count: int = database.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
    return count


def sqlite_restore(payload: Path, target: str) -> None:
    """Copy the database file `payload` into the (empty) database `target`."""
    with (
        closing(sqlite3.connect(f"file:{payload}?mode=ro", uri=True)) as read,
        closing(sqlite3.connect(target, timeout=30)) as write,
    ):
        found = read.execute("PRAGMA quick_check").fetchone()[0]
        if found != "ok":
            raise BackupError(f"the backup's database fails SQLite's quick_check: {found}")
        read.backup(write)
        write.execute("PRAGMA journal_mode=WAL")
    os.chmod(target, 0o600)
