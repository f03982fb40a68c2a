"""The databases of a test run, migrated once and copied wherever a test needs one.

Migrating an empty database (the project's migrations, ~12 CPU-seconds) used to happen for
every xdist worker's test database and for every ready database, on both passes of
`make test`: seven times a run. Now each engine's migrations run once per run, into a
*migrated template*, and every other database starts as a copy of it:

* each worker's Django test database (SQLite: a file copied with the backup API, so the
  pass's tests run on a file like the demo's, not in memory; PostgreSQL:
  `CREATE DATABASE … TEMPLATE`), where Django's own `migrate` then finds nothing to do;
* the *ready* databases (migrated, kr's areas loaded) that tests running a real server or
  command start from (`kr_ready_sqlite`, `kr_ready_postgres` in `tests/conftest.py`).

They live in a directory shared by the workers of a run and, under `make test`, by both passes
(`scripts/run-tests` makes it, fills it beside the lint gates with
`python -m tests.databases prepare` and removes it with `python -m tests.databases remove DIR`);
a bare `pytest` makes its own and removes it at the end. The PostgreSQL databases made
here are listed in the directory, and dropped with it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SHARED_DIRECTORY = "GOV3_TEST_SHARED_DIR"
GOV3 = str(Path(sys.executable).with_name("gov3"))

#: The PostgreSQL databases made in a shared directory, one "server name" per line.
_POSTGRES_MADE = "postgres-databases"

_MIGRATE = "from django.core.management import call_command; call_command('migrate', verbosity=0)"
_LOAD_KR = (
    "from django.core.management import call_command; "
    "call_command('country', 'load', 'kr', verbosity=0)"
)


def make_shared_directory() -> Path:
    """A new directory for a run's databases: in memory (/dev/shm) where there is one."""
    memory = Path("/dev/shm")  # noqa: S108 - mkdtemp below makes a private (0700) directory
    parent = str(memory) if memory.is_dir() and os.access(memory, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="gov3-tests-", dir=parent))


def remove_shared_directory(shared: Path) -> None:
    """Drop the PostgreSQL databases made in `shared`, then remove it."""
    made = shared / _POSTGRES_MADE
    if made.exists():
        import psycopg  # noqa: PLC0415 - only when a test made a PostgreSQL database

        for line in made.read_text().splitlines():
            server, name = line.split()
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(shared, ignore_errors=True)


def shared_directory() -> Path:
    return Path(os.environ[SHARED_DIRECTORY])


@contextmanager
def _one_process_at_a_time(name: str) -> Iterator[None]:
    with (shared_directory() / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run_gov3(code: str, database_url: str, var_dir: Path) -> None:
    """Run Python `code` in `gov3 shell` on the database at `database_url`."""
    env = {**os.environ, "DATABASE_URL": database_url, "GOV3_VAR_DIR": str(var_dir)}
    done = subprocess.run(
        [GOV3, "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"gov3 shell -c {code!r}: {done.stderr[-3000:]}"


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database (with the backup API: whole, whatever its journal holds)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(target)) as write:
        read.backup(write)


def postgres_server() -> str | None:
    """The run's PostgreSQL server without a database name, or None (a SQLite-only run)."""
    from tests.rules.test_sql import postgres_url  # noqa: PLC0415 - one definition of it

    url = postgres_url()
    if url is None:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def create_postgres_database(server: str, prefix: str, template: str | None = None) -> str:
    """A new database on `server` (a copy of `template`, if given), dropped with the run."""
    import psycopg  # noqa: PLC0415 - only for PostgreSQL runs

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with (shared_directory() / _POSTGRES_MADE).open("a") as made:
        made.write(f"{server} {name}\n")
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    return name


def _made_once(name: str, make: Callable[[], object]) -> str:
    """What `make()` returns, made by the first process of the run to ask and kept in a file
    for the others."""
    record = shared_directory() / f"{name}.made"
    with _one_process_at_a_time(name):
        if not record.exists():
            record.write_text(str(make()))
    return record.read_text()


def _sqlite_after(code: str, name: str, start: Path | None = None) -> Path:
    """A SQLite file (a copy of `start`, or new) after `code` ran on it in `gov3 shell`."""
    making = shared_directory() / name
    database = making / "gov3.sqlite3"
    if start is not None:
        copy_sqlite(start, database)
    run_gov3(code, f"sqlite:///{database}", making)
    return database


def _postgres_after(server: str, code: str, name: str, template: str | None = None) -> str:
    """A PostgreSQL database (a copy of `template`, or new) after `code` ran on it."""
    database = create_postgres_database(server, name, template)
    run_gov3(code, f"{server}/{database}", shared_directory() / name)
    return database


def migrated_sqlite() -> Path:
    """A SQLite file with every migration applied and nothing else, made once a run."""
    return Path(_made_once("migrated-sqlite", lambda: _sqlite_after(_MIGRATE, "migrated-sqlite")))


def migrated_postgres(server: str) -> str:
    """The name of a PostgreSQL database with every migration applied, made once a run."""
    return _made_once(
        "migrated-postgres", lambda: _postgres_after(server, _MIGRATE, "gov3_migrated")
    )


def ready_sqlite() -> Path:
    """A SQLite file migrated and with kr's areas loaded, made once a run."""
    return Path(
        _made_once(
            "kr-ready-sqlite",
            lambda: _sqlite_after(_LOAD_KR, "kr-ready-sqlite", migrated_sqlite()),
        )
    )


def ready_postgres(server: str) -> str:
    """The name of a PostgreSQL database migrated and with kr's areas loaded, made once a run."""
    return _made_once(
        "kr-ready-postgres",
        lambda: _postgres_after(server, _LOAD_KR, "gov3_ready_kr", migrated_postgres(server)),
    )


def start_test_database_from_the_template(settings_dict: dict[str, Any], worker: str) -> bool:
    """Point Django's test database settings at a copy of the migrated template; whether Django
    must keep the database it finds (SQLite: the copy is made here) instead of making it."""
    test = settings_dict.setdefault("TEST", {})
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        copy = shared_directory() / f"test-{worker}.sqlite3"
        copy_sqlite(migrated_sqlite(), copy)
        test["NAME"] = str(copy)
        return True
    server = postgres_server()
    assert server is not None, "a PostgreSQL run without a PostgreSQL URL"
    test["TEMPLATE"] = migrated_postgres(server)  # Django makes `CREATE DATABASE … TEMPLATE`
    return False


def prepare() -> None:
    """Make the run's migrated templates and ready databases (SQLite, and PostgreSQL when the
    run has a server) ahead of the tests: `scripts/run-tests` does it beside the lint gates."""
    migrated_sqlite()
    server = postgres_server()
    if server is not None:
        migrated_postgres(server)
    ready_sqlite()
    if server is not None:
        ready_postgres(server)


if __name__ == "__main__":  # scripts/run-tests: python -m tests.databases make|prepare|remove
    if sys.argv[1:] == ["make"]:
        sys.stdout.write(f"{make_shared_directory()}\n")
    elif sys.argv[1:] == ["prepare"]:
        prepare()
    elif sys.argv[1:2] == ["remove"] and len(sys.argv) == 3:
        remove_shared_directory(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m tests.databases make | prepare | remove DIRECTORY")
