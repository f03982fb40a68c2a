"""`gov3 serve` as production runs it: gunicorn with two workers, GOV3_DEBUG=0, behind a
(pretend) proxy, static files collected first. Pages name hashed static files, which come back
compressed and cached for a year; the probes answer over plain HTTP; /metrics adds up every
worker's counts and is hidden from anyone without the token. Stopped by its PID (SIGTERM)."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.databases import copy_sqlite
from tests.servers import free_port, wait_until_answering

pytestmark = pytest.mark.slow

HOST = "gov3.example.go.kr"
TOKEN = "metrics-token-for-the-serving-test"


@pytest.fixture(scope="module")
def served(kr_ready_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("serve") / "var"
    database = var / "gov3.sqlite3"
    copy_sqlite(kr_ready_sqlite, database)
    env = {
        **os.environ,
        "GOV3_DEBUG": "0",
        "GOV3_SECRET_KEY": "s" * 50,
        "GOV3_KEY_PASSPHRASE": "p" * 50,
        "GOV3_ALLOWED_HOSTS": HOST,
        "GOV3_TRUSTED_PROXY": "1",
        "GOV3_VAR_DIR": str(var),
        "GOV3_KEY_DIR": str(var / "keys"),
        "DATABASE_URL": f"sqlite:///{database}",
        "GOV3_METRICS_TOKEN": TOKEN,
        "GOV3_LOG_FORMAT": "json",
    }
    gov3 = [sys.executable, "-m", "gov3.cli"]
    subprocess.run([*gov3, "collectstatic", "--noinput"], env=env, check=True, capture_output=True)
    port = free_port()
    log = var / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*gov3, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, base + "/healthz", log=log)
        yield base
    finally:
        os.kill(server.pid, signal.SIGTERM)  # gov3 serve became the gunicorn master: same PID
        assert server.wait(timeout=30) == 0
    # GOV3_LOG_FORMAT=json: gunicorn's own lines are JSON too (one object a line).
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(
        line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines
    ), log.read_text()[-2000:]


def get(base: str, path: str, **headers: str) -> requests.Response:
    return requests.get(
        base + path,
        headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers},
        timeout=30,
        allow_redirects=False,
    )


def test_pages_name_hashed_static_files_served_compressed(served: str) -> None:
    page = get(served, "/login/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])
    css = re.search(r'href="(/static/gov3/gov3\.[0-9a-f]{12}\.css)"', page.text)
    assert css, "the page names gov3.css without a content hash"
    static = get(served, css.group(1), **{"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in static.headers["Cache-Control"]
    assert "immutable" in static.headers["Cache-Control"]


def test_plain_http_is_redirected_but_the_probes_answer(served: str) -> None:
    plain = requests.get(
        served + "/login/", headers={"Host": HOST}, allow_redirects=False, timeout=30
    )
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{HOST}/login/"
    probe = requests.get(served + "/healthz", headers={"Host": HOST}, timeout=30)
    assert probe.json() == {"status": "ok"}
    ready = requests.get(served + "/readyz", headers={"Host": HOST}, timeout=30)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "signing_keys": "ok", "queue": "ok"}


def test_metrics_add_up_every_worker_and_need_the_token(served: str) -> None:
    for _ in range(6):  # spread over both workers
        assert get(served, "/login/").status_code == 200
    assert get(served, "/metrics").status_code == 404
    metrics = get(served, "/metrics", Authorization=f"Bearer {TOKEN}")
    assert metrics.status_code == 200
    counts = re.findall(
        r'gov3_http_requests_total\{method="GET",status="200",view="portal:login"\} (\S+)',
        metrics.text,
    )
    assert counts
    assert float(counts[0]) >= 6
    assert "/login/" not in metrics.text  # labelled by view name, never by path


def _check_deploy(tmp_path: Path, queue: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOV3_DEBUG": "0",
        "GOV3_SECRET_KEY": secrets.token_urlsafe(50),
        "GOV3_KEY_PASSPHRASE": "p" * 50,
        "GOV3_ALLOWED_HOSTS": HOST,
        "GOV3_VAR_DIR": str(tmp_path),
        "GOV3_TASK_QUEUE": queue,
    }
    return subprocess.run(
        [sys.executable, "-m", "gov3.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    done = _check_deploy(tmp_path, f"sqlite:///{tmp_path / 'tasks.sqlite3'}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_when_jobs_would_run_inside_requests(tmp_path: Path) -> None:
    done = _check_deploy(tmp_path, "immediate")
    assert done.returncode != 0
    assert "gov3.tasks.W001" in done.stdout + done.stderr
    assert "runs background jobs inside web requests" in done.stdout + done.stderr
