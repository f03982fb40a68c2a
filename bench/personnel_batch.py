"""Benchmark: a batch order of 5,000 transfers (issue 18 item 5; target ≤ 30 s).

Timed, per run, on a fresh agency: `gov3.personnel.batch.do_issue_batch` (each line checked as
a single order: the position, the grade band and pay table, overlaps, the backdating window,
the tenure rules; every order numbered and audited) and `do_approve_batch` (each order checked
again, its appointment written, the civil servant's officer post — what they may do in gov3 —
changed from the effective date, every approval audited). Every transferee has an officer
account with a post, so each approval moves a post. Set-up (bulk rows: people, records,
appointments held for 4 years, accounts and posts) is not timed.

    .venv/bin/python bench/personnel_batch.py                      # 5,000 transfers, 3 runs, SQLite
    .venv/bin/python bench/personnel_batch.py --postgres           # the same on PostgreSQL
    .venv/bin/python bench/personnel_batch.py --transfers 50 --runs 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


@contextmanager
def _database(var_dir: Path, postgres: bool) -> Iterator[bool]:
    """Point Django at a fresh database; whether it is a ready (migrated) copy."""
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        yield ready_database.copy_sqlite(var_dir / "bench.sqlite3")
        return
    import psycopg  # noqa: PLC0415

    name = f"bench_personnel_batch_{os.getpid()}"
    create, ready = ready_database.create_postgres(name)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(create)
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    try:
        yield ready
    finally:
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _agency(run: int, transfers: int) -> tuple[Any, Any, list[Any]]:
    """A fresh agency: an HR unit (its head and an HR officer), unit A where `transfers` civil
    servants have held their posts for 4 years, unit B with as many free posts. Returns the
    HR officer, the head and the batch's lines."""
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import AccountKind, Agency, OfficerPost, User  # noqa: PLC0415
    from gov3.personnel.batch import BatchLine  # noqa: PLC0415
    from gov3.personnel.models import Appointment, Position, StaffRecord, Unit  # noqa: PLC0415
    from gov3.registry.models import Person  # noqa: PLC0415

    today = timezone.localdate()
    start = today - timedelta(days=4 * 365)
    code = f"bench-b{run}"
    agency = Agency.objects.create(code=code, name_local="일괄부", name_en="B", country="kr")
    units = {
        key: Unit.objects.create(
            agency=agency, code=f"{code}-{key}", name_local=key, name_en=key, opened_on=start
        )
        for key in ("hr", "a", "b")
    }

    def position(unit: str, n: int, band: tuple[str, str], **extra: Any) -> Position:
        return Position(
            unit=units[unit],
            code=f"{code}-{unit}{n:05d}",
            title_local="담당",
            title_en="Officer",
            grade_high=band[0],
            grade_low=band[1],
            job_series="administration",
            position_type="general",
            gov3_role=extra.pop("role", "welfare_officer"),
            **extra,
        )

    head_post, hr_post = Position.objects.bulk_create(
        [
            position("hr", 0, ("G3", "G4"), role="hr_officer", is_head=True),
            position("hr", 1, ("G5", "G7"), role="hr_officer"),
        ]
    )
    held = Position.objects.bulk_create(position("a", n, ("G6", "G9")) for n in range(transfers))
    free = Position.objects.bulk_create(position("b", n, ("G6", "G9")) for n in range(transfers))
    people = Person.objects.bulk_create(
        Person(
            country="kr",
            national_id=f"R{run}{n:08d}",
            name_local=f"직원{n}",
            name_latin=f"STAFF {n}",
            birth_date=date(1985, 1, 1),
            sex="F",
            nationality="KOR",
        )
        for n in range(transfers + 2)
    )
    users = User.objects.bulk_create(
        User(
            username=f"{code}-u{n}",
            kind=AccountKind.OFFICER,
            agency=agency,
            role="hr_officer" if n >= transfers else "welfare_officer",
        )
        for n in range(transfers + 2)
    )
    OfficerPost.objects.bulk_create(
        OfficerPost(
            user=user,
            agency=agency,
            role=user.role,
            starts_on=start,
            reference="bench",
            recorded_at=timezone.now(),
        )
        for user in users
    )
    records = StaffRecord.objects.bulk_create(
        StaffRecord(
            person=person,
            account=user,
            employee_number=f"R{run}{n:07d}",
            country="kr",
            entry="grade9_exam",
            entered_on=start,
        )
        for n, (person, user) in enumerate(zip(people, users, strict=True))
    )
    posts = [*held, head_post, hr_post]
    Appointment.objects.bulk_create(
        Appointment(
            record=record,
            position=post,
            grade="G4" if post is head_post else "G7",
            step=3,
            starts_on=start,
        )
        for record, post in zip(records, posts, strict=True)
    )
    effective = today + timedelta(days=1)
    lines = [
        BatchLine(
            employee_number=record.employee_number, position=post.code, effective_on=effective
        )
        for record, post in zip(records[:transfers], free, strict=True)
    ]
    return users[-1], users[-2], lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    issued, approved, totals = [], [], []
    with (
        tempfile.TemporaryDirectory() as var,
        _database(Path(var), args.postgres) as ready,
    ):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
        import django  # noqa: PLC0415

        django.setup()
        from django.core.management import call_command  # noqa: PLC0415

        if not ready:
            call_command("migrate", verbosity=0)
        from django.db import connection  # noqa: PLC0415

        from gov3.personnel.batch import do_approve_batch, do_issue_batch  # noqa: PLC0415
        from gov3.personnel.models import OrderStatus  # noqa: PLC0415

        backend = connection.vendor
        for run in range(args.runs):
            made = time.perf_counter()
            hr, head, lines = _agency(run, args.transfers)
            made = time.perf_counter() - made
            start = time.perf_counter()
            batch = do_issue_batch(hr, lines)
            middle = time.perf_counter()
            batch = do_approve_batch(head, batch.pk)
            end = time.perf_counter()
            assert batch.status == OrderStatus.APPROVED
            assert batch.orders.filter(status=OrderStatus.APPROVED).count() == args.transfers
            issued.append(middle - start)
            approved.append(end - middle)
            totals.append(end - start)
            print(
                f"run {run + 1}: set-up (not timed) {made:.1f} s; issue {middle - start:.2f} s, "
                f"approve {end - middle:.2f} s, total {end - start:.2f} s",
                flush=True,
            )

    def fmt(values: list[float]) -> str:
        return (
            f"median {statistics.median(values):.2f} s (runs: "
            + ", ".join(f"{v:.2f}" for v in values)
            + ")"
        )

    print(f"database {backend}, transfers {args.transfers}, runs {args.runs}")
    print(f"batch issue (checks, numbers, audit): {fmt(issued)}")
    print(f"batch approval (checks, appointments, posts, audit): {fmt(approved)}")
    print(f"batch of transfers, issue + approval: {fmt(totals)}")


if __name__ == "__main__":
    main()
