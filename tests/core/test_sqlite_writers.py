"""Two requests that read and then write the same row (confirming an offer does) on SQLite: with
SQLite's default deferred transactions one of them fails with "database is locked" — the HTTP
500s of issue 13 — while gov3's configured transactions make the second wait for the first."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

CONFIGURED = settings.DATABASES["default"]

pytestmark = pytest.mark.skipif(
    CONFIGURED["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's writers; PostgreSQL's row locks are tested by the concurrent confirmations",
)


def _race(path: Path, options: dict[str, Any], *, wait: float) -> list[str]:
    """Two threads: each reads the counter, waits until the other has read too, then writes;
    the first holds its transaction a moment. Returns what each thread met."""
    database = {**CONFIGURED, "NAME": str(path), "OPTIONS": options}
    setup = DatabaseWrapper(database, alias="race")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS counter (n INTEGER)")
        cursor.execute("DELETE FROM counter")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    both_read = threading.Barrier(2)
    outcomes: list[str] = []

    def request(first: bool) -> None:
        connection = DatabaseWrapper(database, alias="race")
        connections["race"] = connection  # this thread's "race" database, for atomic()
        try:
            with transaction.atomic(using="race"), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                # an IMMEDIATE transaction holds the other one back before it reads: then the first
                # stops waiting after `wait` seconds
                with suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=wait)
                if not first:
                    time.sleep(0.1)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
                if first:
                    time.sleep(0.3)
            outcomes.append("ok")
        except OperationalError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_sqlite_writers_wait_their_turn_instead_of_failing(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    configured = dict(CONFIGURED["OPTIONS"])
    with django_db_blocker.unblock():  # files of their own, not the test database
        assert _race(tmp_path / "gov3.sqlite3", configured, wait=1) == ["ok", "ok"]
        # the same race with SQLite's default (deferred) transactions: one request fails
        deferred = {**configured, "transaction_mode": None}
        outcomes = _race(tmp_path / "deferred.sqlite3", deferred, wait=60)
    assert sorted(outcomes) == ["database is locked", "ok"]
