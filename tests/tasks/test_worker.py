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
from tests.servers import free_port

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


PASSPORT_CASE = """
import io
from datetime import date, timedelta
from django.utils import timezone
from gov3.accounts.services import do_create_agency, do_create_citizen_account
from gov3.cases.models import Case
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_record_passport_issued, do_register_person
do_create_agency("test", code="kr-district", name_local="종로구청", name_en="Jongno-gu Office",
                 country="kr", services=["*"])
mother = do_register_person(
    "test:registry-office", country="kr",
    national_id=national_id_scheme("kr").make(date(1975, 5, 1), "F", 96001),
    name_local="김영희", name_latin="KIM YOUNGHEE", birth_date=date(1975, 5, 1), sex="F",
    nationality="KOR", area_code="11110-01", street="세종대로 1")
citizen = do_create_citizen_account("test", person=mother, username="younghee",
                                    password="correct horse battery staple")
today = timezone.localdate()
do_record_passport_issued("test", mother, number="M001A0001",
    issued_on=today - timedelta(days=3530), expires_on=today + timedelta(days=120))
offer = Offer.objects.get(service_id="passport_renewal", recipient=mother)
do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
print(Case.objects.get(offer=offer).pk)
"""

PROVIDE_PHOTO = """
import io
from gov3.accounts.models import User
from gov3.cases.models import Case
from gov3.cases.services import do_provide
from gov3.documents import photos
from PIL import Image
# A portrait-shaped photo (tests/documents/test_passport.py draws the same; importing it
# would load the suite's conftest, which makes this process's queue immediate).
image = Image.new("RGB", (600, 771), (235, 235, 230))
for y in range(771 // 5, 771 * 4 // 5):
    for x in range(600 // 4, 600 * 3 // 4, 4):
        image.putpixel((x, y), (200, 160, 130))
jpeg = io.BytesIO()
image.save(jpeg, "JPEG")
case = Case.objects.get(pk=int(sys.argv[-1]))
photo = photos.check(io.BytesIO(jpeg.getvalue()))
case = do_provide(User.objects.get(person=case.applicant), case, expected_version=case.version,
                  provided={"photo": photo.sha256}, store=lambda c: photos.store(c, photo))
print(case.status)
"""

#: A worker that stops for good in the middle of issuing a passport: its number allocated,
#: nothing signed or stored yet (a marker file says it got there).
SLOW_WORKER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
import django
django.setup()
from gov3.documents import services
issue = services._issue
def stalled(*args, **kwargs):
    with open(sys.argv[1], "w") as marker:
        marker.write("number allocated")
    time.sleep(600)
    return issue(*args, **kwargs)
services._issue = stalled
from django.core.management import call_command
call_command("tasks", "worker")
"""


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
            count(environment, "SELECT count(*) FROM tasks_job WHERE status <> 'done'"),
        )

    child = shell(environment, REGISTER_BIRTH, "1")
    # The offers, then their notices (a job of its own): nothing left waiting.
    wait_for(lambda: offers_and_waiting(child)[0] > 0, "the birth's offers")
    wait_for(lambda: offers_and_waiting(child)[1] == 0, "the offers' notices")

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
    wait_for(lambda: offers_and_waiting(second)[1] == 0, "their notices")
    offers = offers_and_waiting(second)[0]
    gov3(environment, "tasks", "requeue")  # handing it out again changes nothing
    time.sleep(1)
    assert offers_and_waiting(second) == (offers, 0)
    assert offers_and_waiting(child)[0] > 0


def test_a_worker_killed_while_issuing_a_passport_issues_it_once_after_a_restart(
    environment: dict[str, str], tmp_path: Path
) -> None:
    environment = {**environment, "GOV3_TASK_LEASE_SECONDS": "2", "GOV3_QC_SAMPLE_RATE": "0"}
    case = gov3({**environment, "GOV3_TASK_QUEUE": "immediate"}, "shell", "-c", PASSPORT_CASE)
    # The photo and fee approve the case; its passport is a job for the workers.
    assert shell(environment, "import sys\n" + PROVIDE_PHOTO, case) == "approved"
    marker = tmp_path / "stalled"
    stalled = subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER, str(marker)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(marker.exists, "the worker reaching the middle of the issuance")
    finally:
        stalled.send_signal(signal.SIGKILL)
        stalled.wait(timeout=30)
    numbers = "SELECT count(*) FROM documents_passportnumber WHERE case_id = %s"
    assert count(environment, numbers, case) == 1  # allocated, kept, never given out again
    issued = "SELECT count(*) FROM documents_issueddocument WHERE case_id = %s"
    assert count(environment, issued, case) == 0

    restarted = subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", "tasks", "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2.5)  # the dead worker's lease runs out
        gov3(environment, "tasks", "requeue")
        wait_for(lambda: count(environment, issued, case) == 1, "the passport issued")
        gov3(environment, "tasks", "requeue")  # once more: nothing changes
        time.sleep(1)
    finally:
        restarted.send_signal(signal.SIGINT)
        restarted.wait(timeout=30)
    assert count(environment, issued, case) == 1
    assert count(environment, numbers, case) == 2
    # The number the dead worker allocated is on no passport; every number is on at most one.
    unused = (
        "SELECT count(*) FROM documents_passportnumber n WHERE n.case_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM registry_passport p WHERE p.number = n.number)"
    )
    assert count(environment, unused, case) == 1
    twice = (
        "SELECT count(*) FROM (SELECT number FROM registry_passport GROUP BY number "
        "HAVING count(*) > 1) t"
    )
    assert count(environment, twice) == 0
    failed = "SELECT count(*) FROM tasks_job WHERE status <> 'done'"
    assert count(environment, failed) == 0
