"""Eight confirmations of one offer at once, against a real server (runserver, threaded) on
its own database, SQLite and PostgreSQL: every request gets an answer (never a 5xx, never
"database is locked") and exactly one case is opened. The database starts as a copy of the
run's ready one (migrated, kr's areas loaded: `kr_ready_sqlite`, `kr_ready_postgres`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.databases import copy_sqlite, postgres_server
from tests.servers import free_port, wait_until_answering

pytestmark = pytest.mark.slow

GOV3 = str(Path(sys.executable).with_name("gov3"))
PASSWORD = "correct horse battery staple"

SET_UP = """
import json
from datetime import date
from django.utils import timezone
from gov3.accounts.services import do_create_agency, do_create_citizen_account
from gov3.offers.models import Offer
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import AreaRecord, do_load_areas, do_register_birth, do_register_person
do_load_areas("test", "kr", [
    AreaRecord("11", None, "province", "서울특별시", "Seoul"),
    AreaRecord("11110", "11", "municipality", "종로구", "Jongno-gu"),
    AreaRecord("1111051500", "11110", "district", "청운효자동", "Cheongunhyoja-dong"),
])
do_create_agency("test", code="kr-district", name_local="종로구청", name_en="Jongno-gu",
                 country="kr", services=["*"])
mother = do_register_person("test", country="kr",
    national_id=national_id_scheme("kr").make(date(1985, 5, 1), "F", 91001),
    name_local="김영희", name_latin="KIM YOUNGHEE", birth_date=date(1985, 5, 1), sex="F",
    nationality="KOR", area_code="1111051500", street="세종대로 1")
do_create_citizen_account("test", person=mother, username="younghee", password=PASSWORD)
baby = do_register_birth("test", mother=mother, father=None, name_local="이하늘",
    name_latin="LEE HANEUL", birth_date=timezone.localdate(), sex="F")
offer = Offer.objects.get(subject=baby, service_id="child_allowance")
print(json.dumps({"offer": str(offer.public_id), "version": offer.version}))
""".replace("PASSWORD", repr(PASSWORD))

COUNT = """
from gov3.cases.models import Case
from gov3.offers.models import ConsentReceipt
print(Case.objects.count(), ConsentReceipt.objects.count())
"""


def gov3(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [GOV3, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# The PostgreSQL case is marked so that the PostgreSQL pass of `make test` selects it (it uses
# no Django test database, and that pass keeps only the tests that touch a database).
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated database of its own with one offer, served by a threaded runserver."""
    env = {**os.environ, "GOV3_VAR_DIR": str(tmp_path / "var"), "GOV3_DEBUG": "1"}
    env["GOV3_QC_SAMPLE_RATE"] = "0"
    created = ""
    if request.param == "sqlite":
        database = tmp_path / "var" / "gov3.sqlite3"
        copy_sqlite(request.getfixturevalue("kr_ready_sqlite"), database)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        ready = request.getfixturevalue("kr_ready_postgres")  # skips when there is no server
        created = f"gov3_conc_{uuid.uuid4().hex[:10]}"
        admin = postgres_server() or ""
        env["DATABASE_URL"] = f"{admin}/{created}"
        import psycopg  # noqa: PLC0415 - only for this case

        with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{created}" TEMPLATE "{ready}"')
    try:
        facts = json.loads(gov3(env, "shell", "-c", SET_UP).strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [GOV3, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_answering(server, base + "/login/", seconds=180)
            env["OFFER"], env["VERSION"], env["BASE"] = (
                facts["offer"],
                str(facts["version"]),
                base,
            )
            yield request.param, env
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        if created:
            with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def test_eight_confirmations_at_once_open_exactly_one_case(
    server: tuple[str, dict[str, str]],
) -> None:
    _, env = server
    base = env["BASE"]
    session = requests.Session()
    session.get(base + "/login/", timeout=10)
    signed_in = session.post(
        base + "/login/",
        data={
            "username": "younghee",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": base + "/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    cookies = session.cookies.get_dict()
    url = f"{base}/api/v1/offers/{env['OFFER']}/confirm"

    def confirm(_: int) -> int:
        response = requests.post(
            url,
            json={"version": int(env["VERSION"])},
            cookies=cookies,
            headers={"X-CSRFToken": cookies["csrftoken"], "Referer": base + "/"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(confirm, range(8)))
    assert all(status < 500 for status in statuses), statuses
    assert 200 in statuses
    assert set(statuses) <= {200, 409, 422}, statuses
    cases, receipts = map(int, gov3(env, "shell", "-c", COUNT).strip().splitlines()[-1].split())
    assert (cases, receipts) == (1, 1)
