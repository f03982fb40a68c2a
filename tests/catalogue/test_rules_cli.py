"""`gov3 rules …` on the command line, and the facts it reads from the register."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gov3.catalogue.checks import rules_pack_loads
from gov3.catalogue.installed import rules_pack
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.registry.services import do_record_income_assessment, do_record_passport_issued
from gov3.registry.snapshot import write_snapshot
from gov3.rules.facts import NO_DATE
from gov3.rules.people import amount_column, eligible_column

MINIPACK = Path(__file__).parent.parent / "rules" / "minipack"
ACTOR = "test:registry-office"
BACKEND = {"sqlite": "sqlite", "postgresql": "postgres"}


def run(*args: str) -> str:
    out = StringIO()
    call_command("rules", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_check_summarises_a_valid_pack() -> None:
    assert run("check", str(MINIPACK)) == (
        "minipack: 1 services, 3 parameters, 13 variables, 2 scenario tests — all checked\n"
    )


def test_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "xx"
    shutil.copytree(MINIPACK, broken)
    service = broken / "services" / "pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace("age >=", "agee >="), encoding="utf-8"
    )
    with pytest.raises(CommandError) as caught:
        run("check", str(broken))
    assert "nothing was loaded" in str(caught.value)
    assert "xx/services/pension.yaml:14:11: unknown name `agee`" in str(caught.value)


def test_check_refuses_an_eligibility_service_that_pays(tmp_path: Path) -> None:
    broken = tmp_path / "xx"
    shutil.copytree(MINIPACK, broken)
    service = broken / "services" / "pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace("kind: benefit", "kind: eligibility"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("check", str(broken))
    assert "nothing was loaded" in str(caught.value)
    assert (
        "xx/services/pension.yaml:15:9: an `eligibility` service answers yes or no and pays "
        "nothing: remove `amount:`, or make it `kind: benefit`"
    ) in str(caught.value)


def test_test_reports_a_failing_scenario_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "xx"
    shutil.copytree(MINIPACK, broken)
    service = broken / "services" / "pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace("amount: 342510}", "amount: 1}"),
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 scenario test"):
        call_command("rules", "test", str(broken), stdout=out, stderr=out)
    assert "xx/services/pension.yaml:19: turns 65 today: expected amount 1, got 342510" in (
        out.getvalue()
    )


@pytest.mark.django_db
def test_explain_reads_the_register_and_logs_the_read(family: dict[str, Person]) -> None:
    stranger = family["stranger"]  # born 1960-01-01
    output = run(
        "explain",
        "--person",
        stranger.national_id,
        "--service",
        "pension",
        "--date",
        "2025-06-01",
        "--country",
        str(MINIPACK),
    )
    assert "Pension (pension 1) on 2025-06-01: eligible" in output
    assert "✔ age 65 (population register, birth date 1960-01-01) is at least pension age 65" in (
        output
    )
    assert "Amount: 342,510" in output
    assert "monthly amount: 342,510 KRW (from 2025-01-01; Notice 2025" in output
    entry = AccessLogEntry.objects.get(subject_id=stranger.pk)
    assert entry.purpose == "system_evaluation"
    assert entry.what == "eligibility for pension"


@pytest.mark.django_db
def test_explain_refuses_unknown_people_services_and_dates(family: dict[str, Person]) -> None:
    common = ["--country", str(MINIPACK)]
    with pytest.raises(CommandError, match="no resident has the id 000000-0000000"):
        run("explain", "--person", "000000-0000000", "--service", "pension", *common)
    with pytest.raises(CommandError, match="no service 'pensions'; valid: pension"):
        run("explain", "--person", family["stranger"].national_id, "--service", "pensions", *common)
    with pytest.raises(CommandError, match="has no value on 2019-06-01"):
        run(
            "explain",
            "--person",
            family["stranger"].national_id,
            "--service",
            "pension",
            "--date",
            "2019-06-01",
            *common,
        )
    assert not AccessLogEntry.objects.filter(what="eligibility for pensions").exists()


@pytest.mark.django_db
def test_facts_of_a_family(family: dict[str, Person]) -> None:
    mother, daughter, son = family["mother"], family["daughter"], family["son"]
    do_record_income_assessment(
        ACTOR, mother, monthly_income=2_500_000, assessed_on=date(2025, 3, 1)
    )
    do_record_passport_issued(
        ACTOR, daughter, number="M123A4567", issued_on=date(2020, 1, 2), expires_on=date(2030, 1, 1)
    )
    subject = subject_for(Person.objects.get(pk=son.pk))
    assert subject.facts["lives_with_parent"] is True
    assert subject.facts["birth_order"] == 2  # the daughter was born before him
    assert subject.facts["relationship_to_head"] == "child"
    assert subject.facts["has_passport"] is False
    assert subject.facts["passport_expiry"] == NO_DATE
    assert subject.facts["province"] == "11"
    assert len(subject.members) == 3
    by_birth = {row["birth_date"]: row for row in subject.members}
    assert by_birth[date(1975, 5, 1)]["monthly_income"] == 2_500_000
    assert by_birth[date(1975, 5, 1)]["income_assessed"] is True
    assert by_birth[date(2000, 3, 3)]["passport_expiry"] == date(2030, 1, 1)
    assert by_birth[date(2000, 3, 3)]["birth_order"] == 1
    assert subject_for(family["stranger"]).members == [subject_for(family["stranger"]).facts]


def _table(output: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 3 and cells[0] and cells[0] != "service":
            rows[cells[0]] = (cells[1], cells[2])
    return rows


@pytest.mark.django_db
def test_evaluate_agrees_across_snapshot_and_database(
    family: dict[str, Person], tmp_path: Path
) -> None:
    do_record_income_assessment(
        ACTOR, family["stranger"], monthly_income=1_000_000, assessed_on=date(2025, 1, 2)
    )
    snapshot = tmp_path / "facts.parquet"
    write_snapshot(snapshot, country="kr")
    common = ["evaluate", "--date", "2026-01-15", "--no-progress"]
    from_snapshot = _table(run(*common, "--snapshot", str(snapshot)))
    in_database = _table(run(*common, "--backend", BACKEND[connection.vendor]))
    duck = _table(run(*common, "--backend", "duckdb", "--snapshot", str(snapshot)))
    assert from_snapshot == in_database == duck
    assert from_snapshot["child_allowance"] == ("1", "100,000")  # the son, 5
    assert from_snapshot["basic_pension"][0] == "1"  # the stranger, 66, 1,000,000 a month
    assert from_snapshot["resident_registration_certificate"] == ("4", "—")


@pytest.mark.django_db
def test_evaluate_refuses_what_it_cannot_do(family: dict[str, Person], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no snapshot at .*gov3 registry snapshot"):
        run("evaluate", "--snapshot", str(tmp_path / "missing.parquet"))
    not_parquet = tmp_path / "facts.parquet"
    not_parquet.write_text("name,age\n", encoding="utf-8")
    with pytest.raises(CommandError, match="is not a readable snapshot"):
        run("evaluate", "--snapshot", str(not_parquet))
    other = "sqlite" if connection.vendor == "postgresql" else "postgres"
    with pytest.raises(CommandError, match=f"database is {connection.vendor}"):
        run("evaluate", "--backend", other)
    with pytest.raises(CommandError, match="no service nope"):
        run("evaluate", "--service", "nope")
    with pytest.raises(CommandError, match="has no value on 2019-01-01"):
        run("evaluate", "--date", "2019-01-01", "--backend", BACKEND[connection.vendor])


def test_a_broken_installed_pack_fails_the_system_check(tmp_path: Path, settings: Any) -> None:
    countries = tmp_path / "countries"
    shutil.copytree(MINIPACK, countries / "kr")
    service = countries / "kr" / "services" / "pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace("age >=", "agee >="), encoding="utf-8"
    )
    settings.GOV3_COUNTRIES_DIR = countries
    rules_pack.cache_clear()
    errors = rules_pack_loads()
    assert [error.id for error in errors] == ["gov3.E102"]
    assert "kr/services/pension.yaml:14:11: unknown name `agee`" in (errors[0].hint or "")
    settings.GOV3_COUNTRIES_DIR = MINIPACK.parent.parent.parent / "countries"
    rules_pack.cache_clear()
    assert rules_pack_loads() == []


def test_evaluate_writes_every_persons_results_in_the_same_pass(
    family: dict[str, Person], tmp_path: Path
) -> None:
    """`--people FILE`: the sweep from the snapshot writes each person's results, with the
    same counts and totals as the table, and the export is in the audit log."""
    snapshot = tmp_path / "facts.parquet"
    write_snapshot(snapshot, country="kr")
    common = ["evaluate", "--date", "2026-01-15", "--no-progress", "--snapshot", str(snapshot)]
    out = tmp_path / "people.parquet"
    with_people = _table(run(*common, "--people", str(out)))
    assert with_people == _table(run(*common))
    rows = {row["person_id"]: row for row in pq.read_table(out).to_pylist()}
    assert set(rows) == {person.pk for person in family.values()}
    son = rows[family["son"].pk]
    assert son[eligible_column("child_allowance")] is True
    assert son[amount_column("child_allowance")] == 100_000
    assert rows[family["mother"].pk][eligible_column("child_allowance")] is False
    entry = AuditEntry.objects.filter(action="rules.people_results_written").get()
    assert entry.data["residents"] == 4
    assert entry.data["path"] == str(out)
    with pytest.raises(CommandError, match="--people needs --backend vectorised"):
        run(*common, "--backend", "duckdb", "--people", str(tmp_path / "other.parquet"))
    with pytest.raises(CommandError, match="no directory"):
        run(*common, "--people", str(tmp_path / "missing" / "people.parquet"))
    assert not (tmp_path / "other.parquet").exists()


def test_rules_check_starts_without_the_pdf_signing_and_evaluator_code(tmp_path: Path) -> None:
    """`gov3 rules check` is the pack author's loop: it loads Django and the pack, not the
    PDF and signing libraries (loaded when a decision issues a document) nor the evaluators
    and Parquet (loaded when something is evaluated). Issue 17, item 6."""
    probe = (
        "import sys\n"
        "from gov3.cli import main\n"
        "try:\n"
        "    main(['rules', 'check', 'kr'])\n"
        "finally:\n"
        "    heavy = ('fpdf', 'pyhanko', 'gov3.documents.services', 'pyarrow', 'sqlglot',\n"
        "             'gov3.rules.vectorised', 'gov3.registry.facts_sql')\n"
        "    print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "GOV3_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "LOADED []" in done.stdout, done.stdout + done.stderr[-2000:]
