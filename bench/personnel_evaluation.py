"""Benchmark: the evaluation distribution of every unit of an agency (issue 18 item 7).

``distribution`` (target: ≤ 2 s for 100,000 civil servants, all units)
    `gov3.personnel.evaluation.agency_distributions` for one work-evaluation period: who is
    rated in each unit (appointments on the reference day, grouped by unit and grade), the
    ratings given (grouped by unit, grade and rating), and each unit's quota check with the
    pack's rounding, as the committee's calibration view computes it. N civil servants in
    units of 10 (grades 5 to 9), every one rated from a fixed seed (about one unit in three
    over the quota). Set-up (a migrated SQLite database in a temporary directory, bulk rows)
    is not timed.

    .venv/bin/python bench/personnel_evaluation.py                 # 100,000 people, 5 runs
    .venv/bin/python bench/personnel_evaluation.py --people 200 --runs 1
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

UNIT_SIZE = 10
GRADES = ["G5", "G6", "G6", "G7", "G7", "G7", "G8", "G8", "G9", "G9"]
# Each unit's ratings from one of these patterns (10 people): within the quota or over it.
PATTERNS = ["SSAAAABBBC", "SAAAABBBCC", "SSSAAAABBC", "SSAAAAABBC", "SAAAABBBBC", "SSAAABBBCC"]


def _setup_django(var_dir: Path) -> None:
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()


def _organisation(people: int) -> int:
    """One agency, `people` civil servants in units of 10, all rated; returns the period."""
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import AccountKind, Agency, User  # noqa: PLC0415
    from gov3.personnel.models import (  # noqa: PLC0415
        Appointment,
        EvaluationPeriod,
        PeriodStatus,
        Position,
        Rating,
        StaffRecord,
        Unit,
    )
    from gov3.registry.models import Person  # noqa: PLC0415

    rng = random.Random(18)
    day = date(2026, 12, 31)
    start = day - timedelta(days=800)
    agency = Agency.objects.create(code="bench-ev", name_local="평가부", name_en="E", country="kr")
    rater = User.objects.create(
        username="bench-head", kind=AccountKind.OFFICER, agency=agency, role="hr_officer"
    )
    period = EvaluationPeriod.objects.create(
        agency=agency,
        kind="work",
        year=2026,
        half=2,
        reference_day=day,
        status=PeriodStatus.OPEN,
        opened_by=rater,
    )
    units = Unit.objects.bulk_create(
        Unit(
            agency=agency,
            code=f"bench-u{n:05d}",
            name_local=f"과{n}",
            name_en=f"Division {n}",
            opened_on=start,
        )
        for n in range((people + UNIT_SIZE - 1) // UNIT_SIZE)
    )
    positions = Position.objects.bulk_create(
        Position(
            unit=unit,
            code=f"bench-p{unit.code}",
            title_local="담당",
            title_en="Officer",
            grade_high="G5",
            grade_low="G9",
            job_series="administration",
            position_type="general",
        )
        for unit in units
    )
    batch = 5000
    for first in range(0, people, batch):
        count = min(batch, people - first)
        persons = Person.objects.bulk_create(
            Person(
                country="kr",
                national_id=f"B{first + n:09d}",
                name_local=f"직원{first + n}",
                name_latin=f"STAFF {first + n}",
                birth_date=date(1980, 1, 1),
                sex="F",
                nationality="KOR",
            )
            for n in range(count)
        )
        records = StaffRecord.objects.bulk_create(
            StaffRecord(
                person=person,
                employee_number=f"B{first + n:08d}",
                country="kr",
                entry="grade9_exam",
                entered_on=start,
            )
            for n, person in enumerate(persons)
        )
        appointments, ratings = [], []
        for n, record in enumerate(records):
            number = first + n
            unit_no, seat = divmod(number, UNIT_SIZE)
            if seat == 0:
                pattern = rng.choice(PATTERNS)
            grade = GRADES[seat]
            appointments.append(
                Appointment(
                    record=record,
                    position=positions[unit_no],
                    grade=grade,
                    step=3,
                    starts_on=start,
                )
            )
            ratings.append(
                Rating(
                    period=period,
                    record=record,
                    unit=units[unit_no],
                    grade=grade,
                    rating=pattern[seat],
                    rater=rater,
                    rated_at=timezone.now(),
                )
            )
        Appointment.objects.bulk_create(appointments)
        Rating.objects.bulk_create(ratings)
    return period.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        _setup_django(Path(var))
        from django.core.management import call_command  # noqa: PLC0415

        if not os.environ.get(ready_database.SQLITE):
            call_command("migrate", verbosity=0)
        from gov3.personnel.evaluation import agency_distributions  # noqa: PLC0415
        from gov3.personnel.models import EvaluationPeriod  # noqa: PLC0415

        made = time.perf_counter()
        period_id = _organisation(args.people)
        made = time.perf_counter() - made
        timings = []
        for _ in range(args.runs):
            period = EvaluationPeriod.objects.select_related("agency").get(pk=period_id)
            start = time.perf_counter()
            rows = agency_distributions(period)
            timings.append(time.perf_counter() - start)
        units = len(rows)
        over = sum(1 for row in rows if row.breaches)
        rated = sum(row.rated for row in rows)
    print(f"people {args.people}, units {units}, rated {rated}, runs {args.runs}")
    print(f"set-up (not timed) {made:.1f} s; units over the quota: {over}")
    print(
        "evaluation distribution, all units: median "
        f"{statistics.median(timings):.3f} s (runs: " + ", ".join(f"{t:.3f}" for t in timings) + ")"
    )


if __name__ == "__main__":
    main()
