"""Benchmark: importing 100,000 personnel records (issue 18 item 11; target ≤ 60 s).

``import`` (target: ≤ 60 s for 100,000 records, SQLite and PostgreSQL)
    `gov3.personnel.transfer`: parse the staff CSV (employee number, register id number, entry
    track and date, position, grade, step, start), check every row against the file and the
    database (the person by id number, alive, without a record; numbers unused; the
    position's agency and grade band), then write the records and their appointments in one
    transaction with one audit entry. Set-up (a fresh database per run: migrated or copied
    from the ready one; the register's persons, the agency's units and positions; the CSV
    text) is not timed. Each run is a fresh process on a fresh database.

    .venv/bin/python bench/personnel_import.py                        # 100,000, 3 runs, both
    .venv/bin/python bench/personnel_import.py --records 200 --runs 1 --databases sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_SERVER = PG_SERVER.removesuffix("/postgres")
UNIT_SIZE = 50


def _child(records: int) -> None:
    """One run in this process, on the database of DATABASE_URL: set up, then time."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    if not os.environ.get("BENCH_READY"):
        call_command("migrate", verbosity=0)
    from gov3.accounts.models import Agency  # noqa: PLC0415
    from gov3.personnel import transfer  # noqa: PLC0415
    from gov3.personnel.models import Position, StaffRecord, Unit  # noqa: PLC0415
    from gov3.registry.models import Person  # noqa: PLC0415

    agency = Agency.objects.create(code="bench-imp", name_local="인사처", name_en="I", country="kr")
    opened = date(2000, 1, 1)
    units = Unit.objects.bulk_create(
        Unit(
            agency=agency,
            code=f"bi-u{n:05d}",
            name_local=f"과{n}",
            name_en=f"D{n}",
            authorised_headcount=UNIT_SIZE,
            opened_on=opened,
        )
        for n in range((records + UNIT_SIZE - 1) // UNIT_SIZE)
    )
    Position.objects.bulk_create(
        Position(
            unit=unit,
            code=f"bi-p{n:05d}",
            title_local="담당",
            title_en="Officer",
            grade_high="G5",
            grade_low="G9",
            job_series="administration",
            position_type="general",
        )
        for n, unit in enumerate(units)
    )
    for first in range(0, records, 5000):
        Person.objects.bulk_create(
            Person(
                country="kr",
                national_id=f"B{n:012d}",
                name_local=f"직원{n}",
                name_latin=f"STAFF {n}",
                birth_date=date(1980, 1, 1),
                sex="F",
                nationality="KOR",
            )
            for n in range(first, min(first + 5000, records))
        )
    grades = ["G5", "G6", "G7", "G8", "G9"]
    lines = ["employee_number,id_number,entry,entered_on,position,grade,step,starts_on"]
    lines += [
        f"I{n:08d},B{n:012d},grade9_exam,2010-03-01,bi-p{n // UNIT_SIZE:05d},"
        f"{grades[n % 5]},{n % 9 + 1},2020-01-01"
        for n in range(records)
    ]
    text = "\n".join(lines) + "\n"
    start, cpu = time.perf_counter(), time.process_time()
    result = transfer.do_import("bench", agency, transfer.read_csv("staff", text))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.staff == records == StaffRecord.objects.count()
    # CPU time of this process (with SQLite, the database's work too; not PostgreSQL's server).
    print(
        json.dumps(
            {"seconds": elapsed, "cpu": cpu, "bytes": len(text.encode()), "records": records}
        )
    )


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-q", f"{PG_SERVER}/postgres", "-c", sql], check=True)


def _run(database: str, records: int, var: Path) -> dict[str, float]:
    env = {**os.environ, "GOV3_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "gov3.settings"}
    env.pop("BENCH_READY", None)
    name = ""
    if database == "sqlite":
        path = var / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        if ready_database.copy_sqlite(path):
            env["BENCH_READY"] = "1"
    else:
        name = f"gov3_bench_import_{uuid.uuid4().hex[:8]}"
        create, ready = ready_database.create_postgres(name)
        _psql(create)
        env["DATABASE_URL"] = f"{PG_SERVER}/{name}"
        if ready:
            env["BENCH_READY"] = "1"
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--records", str(records)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise SystemExit(f"{database} run failed:\n{done.stdout}\n{done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if name:
            _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.records)
        return
    with tempfile.TemporaryDirectory() as var:
        for database in args.databases.split(","):
            runs = []
            for n in range(args.runs):
                runs.append(_run(database, args.records, Path(var)))
                print(
                    f"  {database} run {n + 1}: {runs[-1]['seconds']:.2f} s "
                    f"(CPU of the importing process {runs[-1].get('cpu', 0):.2f} s)",
                    flush=True,
                )
            timings = [r["seconds"] for r in runs]
            print(
                f"{database}: import of {args.records} personnel records "
                f"({runs[0]['bytes'] / 1e6:.1f} MB CSV): median "
                f"{statistics.median(timings):.2f} s (runs: "
                + ", ".join(f"{t:.2f}" for t in timings)
                + ")"
            )


if __name__ == "__main__":
    main()
