"""A sweep and a rule publication at the same time (two gov3 processes on PostgreSQL, whose
writers really run side by side): both finish, no one gets a second live offer, and afterwards
neither a sweep nor a publication finds anything left to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.databases import postgres_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environment(kr_ready_postgres: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    admin = postgres_server() or ""
    name = f"gov3_publish_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{kr_ready_postgres}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{admin}/{name}",
        "GOV3_VAR_DIR": str(tmp_path / "var"),
        "GOV3_DEBUG": "1",
    }
    try:
        yield env
    finally:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def gov3(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run(env: dict[str, str], *args: str) -> str:
    process = gov3(env, *args)
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0, out[-3000:]
    return out


def test_a_sweep_and_a_publication_at_once_give_no_one_a_second_offer(
    environment: dict[str, str], tmp_path: Path
) -> None:
    run(environment, "population", "generate", "--country", "kr", "--size", "800", "--seed", "5")
    run(environment, "offers", "publish")  # the versions in force, recorded
    run(environment, "offers", "sweep", "--no-notify")

    # A new version of the basic pension: one year younger, so more people qualify.
    countries = tmp_path / "countries"
    shutil.copytree(ROOT / "countries" / "kr", countries / "kr")
    service = countries / "kr" / "services" / "basic_pension.yaml"
    text = service.read_text(encoding="utf-8")
    assert 'version: "2026.1"' in text
    assert "age >= params.basic_pension.age\n" in text
    text = text.replace('version: "2026.1"', 'version: "2026.2"').replace(
        "age >= params.basic_pension.age\n", "age >= params.basic_pension.age - 1\n"
    )
    service.write_text(text, encoding="utf-8")
    changed = {**environment, "GOV3_COUNTRIES_DIR": str(countries)}

    sweep = gov3(changed, "offers", "sweep", "--no-notify", "--batch-size", "50")
    publish = gov3(changed, "offers", "publish")
    swept, _ = sweep.communicate(timeout=600)
    published, _ = publish.communicate(timeout=600)
    assert sweep.returncode == 0, swept[-3000:]
    assert publish.returncode == 0, published[-3000:]
    assert "basic_pension 2026.1 → 2026.2" in published

    with psycopg.connect(environment["DATABASE_URL"]) as connection:
        twice = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM offers_offer WHERE status <> 'superseded' "
            "GROUP BY recipient_id, service_id, subject_id, period HAVING count(*) > 1) t"
        ).fetchone()
        younger = connection.execute(
            "SELECT count(*) FROM offers_offer WHERE service_id = 'basic_pension' "
            "AND status <> 'superseded' AND service_version = '2026.2'"
        ).fetchone()
    assert twice == (0,)
    assert younger is not None
    assert younger[0] > 0
    # Nothing is left for either of them to do.
    assert "\n0 offers written" in "\n" + run(changed, "offers", "sweep", "--no-notify")
    assert "nothing to re-evaluate" in run(changed, "offers", "publish")
