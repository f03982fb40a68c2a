"""PostgreSQL restarted while gov3 serves: requests in the outage get a clean 503 (a page, or
JSON under /api/; no traceback), nothing half-written stays, and the same gunicorn serves again
once the database is back, without being restarted. A PostgreSQL server of the test's own
(initdb on a free port), holding a copy of the run's migrated kr database."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.databases import postgres_server
from tests.servers import free_port, wait_until_answering

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PATIENCE = 120


class Postgres:
    """A throwaway PostgreSQL server (as the postgres user when run as root)."""

    def __init__(self) -> None:
        # Not under pytest's temporary directory: the postgres user cannot enter root's.
        directory = Path(tempfile.mkdtemp(prefix="gov3-pg-"))
        self.directory = directory
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not found:
            pytest.fail("PostgreSQL's server binaries are not installed")
        self.bin = Path(found[-1])
        self.data = directory / "data"
        self.port = free_port()
        self.data.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(directory, "postgres")
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / tool), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, capture_output=True, timeout=PATIENCE)

    def start(self) -> None:
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1"
        log = str(self.directory / "server.log")  # else the server holds our output pipe open
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, *, check: bool = True) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=check)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"


@pytest.fixture
def served(kr_ready_postgres: str, tmp_path: Path) -> Iterator[tuple[str, Postgres]]:
    database = Postgres()
    database.start()
    try:
        # The run's migrated kr database, copied onto this server.
        subprocess.run(
            ["psql", "-q", f"{database.url}/postgres", "-c", "CREATE DATABASE gov3"], check=True
        )
        with subprocess.Popen(
            ["pg_dump", "--no-owner", f"{postgres_server()}/{kr_ready_postgres}"],
            stdout=subprocess.PIPE,
        ) as dump:
            subprocess.run(
                ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{database.url}/gov3"],
                stdin=dump.stdout,
                check=True,
                capture_output=True,
            )
        assert dump.returncode == 0
        env = {
            **os.environ,
            "GOV3_DEBUG": "0",
            "GOV3_SECRET_KEY": "s" * 50,
            "GOV3_KEY_PASSPHRASE": "p" * 50,
            "GOV3_ALLOWED_HOSTS": "127.0.0.1",
            "GOV3_SSL_REDIRECT": "0",
            "GOV3_STATIC_MANIFEST": "0",
            "GOV3_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"{database.url}/gov3",
        }
        port = free_port()
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gov3.cli",
                    "serve",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(server, base + "/healthz", seconds=PATIENCE, log=log)
            yield base, database
        finally:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            server.wait(timeout=30)
    finally:
        database.stop(check=False)  # the test may have left it stopped
        database.remove()


def test_requests_during_a_database_restart_fail_cleanly_and_the_server_recovers(
    served: tuple[str, Postgres],
) -> None:
    base, database = served
    api = base + "/api/v1/open-data/take-up"

    def sign_in() -> requests.Response:
        """A sign-in attempt with a wrong password: a page that reads the database."""
        token = requests.get(base + "/login/", timeout=30).cookies["csrftoken"]
        # The cookie is marked Secure (production): sent by hand over the test's plain HTTP.
        return requests.post(
            base + "/login/",
            data={"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token},
            cookies={"csrftoken": token},
            headers={"Referer": base + "/login/"},
            timeout=30,
        )

    assert sign_in().status_code == 200  # the form again, with its error
    assert requests.get(api, timeout=30).status_code == 200
    assert requests.get(base + "/readyz", timeout=30).status_code == 200

    database.stop()
    during = sign_in()
    assert during.status_code == 503
    assert during.headers["Retry-After"] == "60"
    assert "Traceback" not in during.text
    assert "아무것도 변경되지 않았습니다" in during.text  # "nothing was changed", in Korean
    failed_api = requests.get(api, timeout=30)
    assert failed_api.status_code == 503
    assert failed_api.json()["code"] == "unavailable"
    ready = requests.get(base + "/readyz", timeout=30)
    assert ready.status_code == 503
    assert "database" in ready.text
    assert requests.get(base + "/healthz", timeout=30).status_code == 200  # the process lives

    database.start()
    # The same server, not restarted: its stale connections are checked and replaced.
    assert sign_in().status_code == 200
    for url in (api, base + "/readyz"):
        assert requests.get(url, timeout=30).status_code == 200, url
