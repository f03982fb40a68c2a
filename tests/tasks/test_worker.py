"""The production queue for real: Redis on loopback, a `gov3 tasks worker` process, a
database of its own (SQLite file, PostgreSQL). A birth registered by one process is offered by
the worker; with Redis down the registration still succeeds and nothing is lost."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.databases import copy_sqlite, postgres_server

pytestmark = pytest.mark.slow

#: A busy machine may take long to start processes: the test waits, it times nothing.
PATIENCE = 120

REGISTER_BIRTH = """
import sys
from datetime import date
from django.utils import timezone
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_register_birth, do_register_person
serial = int(sys.argv[-1]) if sys.argv[-1].isdigit() else 1
mother = do_register_person(
    "test:registry-office", country="kr",
    national_id=national_id_scheme("kr").make(date(1990, 3, 1), "F", 95000 + serial),
    name_local="김영희", name_latin="KIM YOUNGHEE", birth_date=date(1990, 3, 1), sex="F",
    nationality="KOR", area_code="11110-01", street="세종대로 1")
child = do_register_birth("test:registry-office", mother=mother, father=None,
    name_local="이하늘", name_latin="LEE HANEUL", birth_date=timezone.localdate(), sex="F")
print(child.pk)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Redis:
    """A private redis-server on a free loopback port (keeps nothing on disk)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def environment(
    request: pytest.FixtureRequest, tmp_path: Path, redis: Redis
) -> Iterator[dict[str, str]]:
    """gov3's environment for a database of its own and the private Redis as the queue."""
    env = {
        **os.environ,
        "GOV3_VAR_DIR": str(tmp_path / "var"),
        "GOV3_DEBUG": "1",
        "GOV3_TASK_QUEUE": f"redis://127.0.0.1:{redis.port}/0",
        "GOV3_TASK_RETRY_SECONDS": "0.5",
        "GOV3_TASK_REQUEUE_AFTER_SECONDS": "0",
    }
    created = ""
    if request.param == "sqlite":
        database = tmp_path / "var" / "gov3.sqlite3"
        copy_sqlite(request.getfixturevalue("kr_ready_sqlite"), database)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        ready = request.getfixturevalue("kr_ready_postgres")
        admin = postgres_server() or ""
        created = f"gov3_tasks_{uuid.uuid4().hex[:10]}"
        import psycopg  # noqa: PLC0415 - only for this case

        with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{created}" TEMPLATE "{ready}"')
        env["DATABASE_URL"] = f"{admin}/{created}"
    try:
        yield env
    finally:
        if created:
            with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def gov3(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gov3.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def shell(env: dict[str, str], script: str, argument: str) -> str:
    # `gov3 shell -c` takes no arguments of its own: the script reads them from sys.argv.
    return gov3(env, "shell", "-c", script.replace("sys.argv[-1]", repr(argument)))


def count(env: dict[str, str], sql: str, *parameters: str) -> int:
    """One number from the database, read directly (starting Django for it takes seconds)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            row = connection.execute(sql.replace("%s", "?"), parameters).fetchone()
    else:
        import psycopg  # noqa: PLC0415 - only for PostgreSQL

        with psycopg.connect(url) as connection:
            row = connection.execute(sql, parameters).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {PATIENCE} s"
        time.sleep(0.3)


@pytest.fixture
def worker(environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", "tasks", "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_birth_is_offered_by_the_worker_and_survives_the_queue_being_down(
    environment: dict[str, str], redis: Redis, worker: subprocess.Popen[bytes]
) -> None:
    def offers_and_waiting(child: str) -> tuple[int, int]:
        return (
            count(environment, "SELECT count(*) FROM offers_offer WHERE subject_id = %s", child),
            count(environment, "SELECT count(*) FROM tasks_job WHERE status = 'pending'"),
        )

    child = shell(environment, REGISTER_BIRTH, "1")
    wait_for(lambda: offers_and_waiting(child)[0] > 0, "the birth's offers")
    assert offers_and_waiting(child)[1] == 0

    # Redis down: the registration still succeeds; its job waits in the database.
    redis.kill()
    second = shell(environment, REGISTER_BIRTH, "2")
    offers, waiting = offers_and_waiting(second)
    assert offers == 0
    assert waiting == 2  # the mother's registration and the birth
    assert worker.poll() is None, "the worker must outlive the queue's outage"

    # Back (empty: Redis kept nothing): the job is handed out again and offered once.
    redis.start()
    gov3(environment, "tasks", "requeue")
    wait_for(lambda: offers_and_waiting(second)[0] > 0, "the offers after the outage")
    offers, waiting = offers_and_waiting(second)
    assert waiting == 0
    gov3(environment, "tasks", "requeue")  # handing it out again changes nothing
    time.sleep(1)
    assert offers_and_waiting(second) == (offers, 0)
    assert offers_and_waiting(child)[0] > 0
