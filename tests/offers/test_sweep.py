"""`gov3 offers sweep`: exactly who qualifies gets an offer, once — also after a SIGKILL."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gov3.catalogue.installed import rules_pack
from gov3.offers.models import Offer, OfferTrigger
from gov3.offers.proposals import recipient_for
from gov3.offers.services import do_view_offer
from gov3.offers.sweep import run_sweep, swept_services
from gov3.registry.facts_sql import evaluate_registry_rows
from gov3.registry.models import Person
from gov3.registry.services import do_register_death
from gov3.registry.snapshot import write_snapshot
from gov3.synthetic.population import generate_population
from tests.conftest import ACTOR
from tests.databases import copy_sqlite

DAY = date(2026, 3, 2)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def population(db: None) -> None:
    call_command("country", "load", "kr", stdout=io.StringIO())
    generate_population("kr", 800, 11, progress=False, as_of=DAY)


def _expected() -> set[tuple[str, int, int]]:
    """(service, subject, recipient) for everyone the rules say yes to, found independently:
    the rules evaluated per resident, the recipient by the Python rule."""
    pack = rules_pack("kr")
    expected = set()
    people = {p.pk: p for p in Person.objects.select_related("mother", "father")}
    for service in swept_services("kr"):
        params = pack.params_on(service, DAY)
        values = evaluate_registry_rows(service.eligible, params=params, today=DAY)
        for person_id, eligible in values.items():
            if not eligible:
                continue
            recipient = recipient_for(service, people[person_id], DAY)
            if recipient is not None:
                expected.add((service.id, person_id, recipient.pk))
    return expected


def _written() -> set[tuple[str, int, int]]:
    return set(Offer.objects.values_list("service_id", "subject_id", "recipient_id"))


def test_a_sweep_offers_exactly_what_the_rules_say_and_a_rerun_nothing(population: None) -> None:
    first = run_sweep("kr", DAY, notify=False, batch_size=97)
    assert first.total_written > 100
    assert _written() == _expected()
    assert set(Offer.objects.values_list("trigger", flat=True)) == {OfferTrigger.SWEEP}
    assert Offer.objects.filter(service_id="basic_pension").exclude(amount=None).exists()
    # a passport reminder is offered once per passport: its period is the expiry date
    reminders = Offer.objects.filter(service_id="passport_renewal").select_related("subject")
    assert reminders.exists()
    for offer in reminders:
        expiry = offer.subject.passports.filter(status="valid").latest("expires_on").expires_on
        assert offer.period == expiry.isoformat()
    # a swept offer carries its facts; the rest is added when it is first opened
    pension = Offer.objects.filter(service_id="basic_pension").first()
    assert pension is not None
    assert pension.facts
    assert pension.legal_basis == []
    do_view_offer(pension)
    pension.refresh_from_db()
    assert pension.status == "viewed"
    assert pension.legal_basis[0]["url"].startswith("https://")
    assert {p["path"] for p in pension.params} >= {"basic_pension.income_limit_single"}
    assert pension.explanation["ko"]["eligible"] is True
    second = run_sweep("kr", DAY, notify=False)
    assert second.total_written == 0
    assert Offer.objects.count() == first.total_written


def _offers_in_full() -> set[tuple[object, ...]]:
    return {
        (o.service_id, o.subject_id, o.recipient_id, o.period, o.amount, o.province,
         json.dumps(o.facts, sort_keys=True), o.deadline)
        for o in Offer.objects.all()
    }  # fmt: skip


def test_a_sweep_from_the_snapshot_writes_what_the_sweep_in_the_database_writes(
    population: None, tmp_path: Path
) -> None:
    path = tmp_path / "kr.parquet"
    write_snapshot(path, country="kr", batch=300)  # several row groups
    # Someone the rules say yes to dies after the snapshot was written: no offer.
    subject = min(subject for _, subject, _ in _expected())
    do_register_death(ACTOR, Person.objects.get(pk=subject), died_on=DAY)
    assert subject not in {s for _, s, _ in _expected()}

    from_snapshot = run_sweep("kr", DAY, notify=False, batch_size=97, snapshot=path)
    assert from_snapshot.total_written > 100
    assert _written() == _expected()
    offers = _offers_in_full()
    assert run_sweep("kr", DAY, notify=False, snapshot=path).total_written == 0  # a rerun
    details = list(Offer.objects.values_list("trigger_detail", flat=True))
    assert all(detail["snapshot"] == "kr.parquet" for detail in details)

    Offer.objects.all().delete()
    in_the_database = run_sweep("kr", DAY, notify=False)
    assert _offers_in_full() == offers
    assert in_the_database.written == from_snapshot.written


def test_a_snapshot_of_another_country_or_no_snapshot_is_refused(
    population: None, tmp_path: Path
) -> None:
    path = tmp_path / "kr.parquet"
    write_snapshot(path, country="kr")
    with pytest.raises(ValueError, match="not of 'vn'"):
        run_sweep("vn", DAY, notify=False, snapshot=path)
    with pytest.raises(CommandError, match="There is no snapshot"):
        call_command(
            "offers", "sweep", "--day", DAY.isoformat(), "--snapshot",
            str(tmp_path / "missing.parquet"), stdout=io.StringIO(),
        )  # fmt: skip
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(ValueError, match="not a Parquet file"):
        run_sweep("kr", DAY, notify=False, snapshot=tmp_path / "bad.parquet")
    assert not Offer.objects.exists()


def test_an_unknown_service_is_refused_and_nothing_written(population: None) -> None:
    with pytest.raises(ValueError, match="not swept"):
        run_sweep("kr", DAY, services=["no_such_service"], notify=False)
    with pytest.raises(ValueError, match="not swept"):
        run_sweep("kr", DAY, services=["resident_registration_certificate"], notify=False)
    assert not Offer.objects.exists()


def _gov3(database: Path, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "GOV3_VAR_DIR": str(database.parent),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,  # type: ignore[arg-type]
    )


def _run(database: Path, *args: str) -> str:
    process = _gov3(database, *args)
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0, out
    return out


def _offers(database: Path) -> set[tuple[str, ...]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT service_id, subject_id, recipient_id, period, status FROM offers_offer"
        ).fetchall()
    return {tuple(str(v) for v in row) for row in rows}


@pytest.mark.slow
def test_a_sweep_killed_mid_way_and_rerun_gives_exactly_the_uninterrupted_offers(
    tmp_path: Path, kr_ready_sqlite: Path
) -> None:
    databases = [tmp_path / "a" / "gov3.sqlite3", tmp_path / "b" / "gov3.sqlite3"]
    for database in databases:
        database.parent.mkdir()
    copy_sqlite(kr_ready_sqlite, databases[0])  # migrated, kr's areas loaded
    _run(
        databases[0],
        "population",
        "generate",
        "--country",
        "kr",
        "--size",
        "1500",
        "--seed",
        "5",
        "--as-of",
        DAY.isoformat(),
    )
    # the same register twice: one swept without interruption, one killed and swept again
    with sqlite3.connect(databases[0]) as source, sqlite3.connect(databases[1]) as copy:
        source.backup(copy)
    sweep = ("offers", "sweep", "--day", DAY.isoformat(), "--batch-size", "25", "--no-notify")
    uninterrupted = _run(databases[0], *sweep)
    assert "offers written" in uninterrupted

    with _gov3(databases[1], *sweep) as process:
        assert process.stdout is not None
        progress_lines = 0
        for line in process.stdout:
            if " written" in line:
                progress_lines += 1
            if progress_lines == 3:
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    partial = _offers(databases[1])
    assert 0 < len(partial) < len(_offers(databases[0]))

    _run(databases[1], *sweep)
    assert _offers(databases[1]) == _offers(databases[0])
