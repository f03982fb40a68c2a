"""Every benchmark still runs: each one once, with tiny sizes and one run, in a process of its
own, against the run's PostgreSQL server. Speed is not asserted here (bench/RESULTS.md holds
the measured figures); what breaks the build is a benchmark that no longer runs because the code
under it changed (a moved function it times, a setting it must pass). The benchmarks that
migrate a database of their own start from a copy of the run's ready one instead
(``GOV3_BENCH_TEMPLATE_*``: migrated, kr's areas loaded, made once a run); what they time
runs as in a real benchmark run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import postgres_server

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"

pytestmark = pytest.mark.postgres


def _server_url() -> str:
    """The run's PostgreSQL server without a database name (the benchmarks make their own)."""
    server = postgres_server()
    if server is None:
        if os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
            raise RuntimeError("GOV3_REQUIRE_POSTGRES is set but the run has no PostgreSQL URL")
        pytest.skip("the benchmarks' smoke runs need PostgreSQL (the PostgreSQL pass runs them)")
    return server


@pytest.fixture(autouse=True, scope="session")
def _postgres_first() -> None:
    """Skip before the ready databases are made when the run has no PostgreSQL."""
    _server_url()


def run_benchmark(
    script: str,
    *args: str,
    tmp_path: Path,
    database_in_url: bool,
    ready_sqlite: Path | None = None,
    ready_postgres: str | None = None,
) -> str:
    server = _server_url()
    env = {
        **os.environ,
        "GOV3_BENCH_PG": f"{server}/postgres" if database_in_url else server,
        "GOV3_VAR_DIR": str(tmp_path / "var"),
    }
    if ready_sqlite is not None:
        env["GOV3_BENCH_TEMPLATE_SQLITE"] = str(ready_sqlite)
    if ready_postgres is not None:
        env["GOV3_BENCH_TEMPLATE_PG"] = ready_postgres
    for name in ("DATABASE_URL", "GOV3_DATABASE_TESTS_ONLY", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_population_load(tmp_path: Path, kr_ready_sqlite: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "population_load.py",
        "--sizes",
        "300",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=True,
        ready_sqlite=kr_ready_sqlite,
        ready_postgres=kr_ready_postgres,
    )
    assert "sqlite" in out
    assert "postgresql" in out


def test_rules_catalogue(tmp_path: Path) -> None:
    out = run_benchmark(
        "rules_catalogue.py",
        "--sizes",
        "2000",
        "--runs",
        "1",
        "--explain-calls",
        "5",
        "--other-size",
        "2000",
        "--no-record",
        tmp_path=tmp_path,
        database_in_url=True,
    )
    assert "| 2,000 | 1 |" in out  # the vectorised catalogue
    assert "| basic_pension |" in out  # explain
    assert "| postgresql | 2,000 | 1 |" in out


@pytest.mark.parametrize(
    ("script", "rows"),
    [
        ("rules_people.py", ("people", "per-service", "catalogue")),
        ("rules_duckdb.py", ("vectorised", "duckdb", "duckdb / vectorised")),
    ],
)
def test_rules_per_person_and_duckdb(tmp_path: Path, script: str, rows: tuple[str, ...]) -> None:
    out = run_benchmark(
        script,
        "--sizes",
        "2000",
        "--runs",
        "1",
        "--no-record",
        tmp_path=tmp_path,
        database_in_url=True,
    )
    for row in rows:
        assert f"| {row} | 2,000 |" in out


def test_documents(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "documents.py",
        "--runs",
        "1",
        "--seconds",
        "0.05",
        "--passports",
        "1",
        "--no-record",
        "--no-profile",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "`sdjwt.issue` (credential)" in out
    assert "approve" in out


def test_offers(tmp_path: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "offers.py",
        "--event-size",
        "1200",
        "--births",
        "3",
        "--sweep-size",
        "1200",
        "--runs",
        "1",
        "--duration",
        "1",
        "--warmup",
        "1",
        "--workers",
        "1",
        "--clients",
        "2",
        "--no-record",
        "--no-profile",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    assert "sweep run 1" in out
    assert "Citizen inbox under load" in out


def test_identity(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "identity.py",
        "--runs",
        "1",
        "--calls",
        "5",
        "--sign-ins",
        "2",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "passkey verification" in out
    assert "credential endpoint work" in out
    assert "sign-in callback" in out


def test_backup(tmp_path: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "backup.py",
        "--size",
        "300",
        "--runs",
        "1",
        "--no-record",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    assert "Backup written" in out
    assert "Restored the backup" in out
    assert "| 300 |" in out


def test_personnel(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "personnel.py",
        "--officers",
        "8",
        "--calls",
        "40",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "what may this officer do now, warm cache" in out


def test_personnel_evaluation(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "personnel_evaluation.py",
        "--people",
        "200",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "people 200, units 20, rated 200" in out
    assert "evaluation distribution, all units: median" in out


def test_personnel_import(tmp_path: Path, kr_ready_sqlite: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "personnel_import.py",
        "--records",
        "200",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
        ready_postgres=kr_ready_postgres,
    )
    assert "sqlite: import of 200 personnel records" in out
    assert "postgres: import of 200 personnel records" in out


def test_task_queue(tmp_path: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "task_queue.py",
        "--births",
        "2",
        "--passports",
        "1",
        "--runs",
        "1",
        "--no-record",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    assert "| birth registered → its offers visible (2 a run) |" in out
    assert "| approval → passport verifiable (1 a run) |" in out


def test_oneroster(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "oneroster.py",
        "--learners",
        "40",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "OneRoster export of one school: median" in out


def test_year_end(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "year_end.py",
        "--learners",
        "40",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "Year end of one school: median" in out


def test_load(tmp_path: Path, kr_ready_postgres: str) -> None:
    """Locust's citizen and officer journeys against gov3 serve + a worker on Redis, briefly:
    every journey's requests answered as a person would expect (0 errors)."""
    out = run_benchmark(
        "load.py",
        "--size",
        "600",
        "--users",
        "2",
        "--spawn-rate",
        "2",
        "--duration",
        "6s",
        "--wait",
        "0.2,0.5",
        "--cases",
        "4",
        "--workers",
        "2",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if "|" in line}
    for journey in (
        "GET citizen: inbox",
        "POST citizen: confirm offer",
        "GET citizen: certificate PDF",
        "POST public: verify PDF (API)",
        "POST officer: sign in",
        "GET officer: queue",
        "POST officer: decide (approve)",
    ):
        assert journey in rows, f"{journey} never ran:\n{out[-3000:]}"
    assert rows["**all**"].rstrip(" |").endswith("| 0"), out[-3000:]


def test_schools_entry(tmp_path: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "schools_entry.py",
        "--entrants",
        "60",
        "--runs",
        "2",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    assert "run 2: " in out
    assert "60 placements, 60 offers" in out
    assert "School-entry round: median" in out


def test_request_cost(tmp_path: Path, kr_ready_postgres: str) -> None:
    """The CPU and SQL of each journey step, in one process, briefly: every step answered."""
    out = run_benchmark(
        "request_cost.py",
        "--size",
        "600",
        "--citizens",
        "3",
        "--officers",
        "1",
        "--cases",
        "2",
        "--rounds",
        "1",
        "--prefix",
        "smoke_reqcost",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_postgres=kr_ready_postgres,
    )
    for step in ("citizen: inbox", "public: verify PDF (API)", "officer: queue", "**mixed"):
        assert f"| {step}" in out


def test_personnel_batch(tmp_path: Path, kr_ready_sqlite: Path) -> None:
    out = run_benchmark(
        "personnel_batch.py",
        "--transfers",
        "20",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
    )
    assert "database sqlite, transfers 20, runs 1" in out
    assert "batch of transfers, issue + approval: median" in out


def test_schools_attendance(tmp_path: Path, kr_ready_sqlite: Path, kr_ready_postgres: str) -> None:
    out = run_benchmark(
        "schools_attendance.py",
        "--size",
        "5",
        "--runs",
        "1",
        tmp_path=tmp_path,
        database_in_url=False,
        ready_sqlite=kr_ready_sqlite,
        ready_postgres=kr_ready_postgres,
    )
    assert "| sqlite | POST attendance page |" in out
    assert "| postgresql" in out
