"""A ready database for a benchmark to start from instead of migrating one: migrated, with kr's
areas loaded. The test suite's smoke runs give one (to skip the migrations); a real benchmark
run without them migrates as before. What is timed is the same either way.

* ``GOV3_BENCH_TEMPLATE_SQLITE``: a SQLite file, copied with the backup API;
* ``GOV3_BENCH_TEMPLATE_PG``: a PostgreSQL database on the benchmark's server, copied with
  ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

SQLITE = "GOV3_BENCH_TEMPLATE_SQLITE"
POSTGRES = "GOV3_BENCH_TEMPLATE_PG"


def copy_sqlite(target: Path | str) -> bool:
    """Copy the ready SQLite database to `target`, if there is one; whether there was."""
    ready = os.environ.get(SQLITE, "")
    if ready:
        with closing(sqlite3.connect(ready)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    return bool(ready)


def create_postgres(name: str, *, use_ready: bool = True) -> tuple[str, bool]:
    """The SQL creating PostgreSQL database `name`, as a copy of the ready one if there is one
    (and `use_ready`); and whether it is a copy."""
    ready = os.environ.get(POSTGRES, "") if use_ready else ""
    return f"CREATE DATABASE {name}" + (f' TEMPLATE "{ready}"' if ready else ""), bool(ready)
