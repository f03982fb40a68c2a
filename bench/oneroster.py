"""Benchmark: the OneRoster 1.2 export of one school (issue 20 item 7, target ≤ 2 s).

``export`` (target: median ≤ 2 s for a 2,000-learner school)
    `gov3.schools.classroom.read_roster` then `Roster.zip_bytes`, as `gov3 schools oneroster`
    and the REST endpoint do: the school's open enrolments and teachers read, the files built,
    one access-log entry written for every learner and teacher in it, the zip written in
    memory. Set-up (a migrated SQLite database in a temporary directory with kr's areas and
    schools; N learners in classes of 30 over grades 1 to 6, one teacher a class, made with
    bulk inserts) is not timed.

    .venv/bin/python bench/oneroster.py                      # 2,000 learners, 5 runs
    .venv/bin/python bench/oneroster.py --learners 60 --runs 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

SCHOOL = "KR-S-0001"
YEAR = 2027


def _setup_django(var_dir: Path) -> None:
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()


def _school(learners: int) -> None:
    """kr's schools; `learners` first- to sixth-graders at SCHOOL and their teachers."""
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import AccountKind, User  # noqa: PLC0415
    from gov3.catalogue.management.commands.country import load_country_areas  # noqa: PLC0415
    from gov3.registry.models import Area, Person  # noqa: PLC0415
    from gov3.schools.installed import schools_data  # noqa: PLC0415
    from gov3.schools.models import (  # noqa: PLC0415
        Enrolment,
        Learner,
        School,
        Teacher,
        TeachingAssignment,
    )
    from gov3.schools.services import do_load_schools  # noqa: PLC0415

    if not Area.objects.exists():
        load_country_areas("kr")
    do_load_schools("bench", "kr", schools_data("kr"))
    school = School.objects.get(code=SCHOOL)
    now = timezone.now()
    people = Person.objects.bulk_create(
        Person(
            country="kr",
            national_id=f"200101-3{n:06d}",
            name_local=f"김학생{n}",
            name_latin=f"KIM STUDENT {n}",
            birth_date=date(2014 + n % 6, 1 + n % 12, 1 + n % 28),
            sex="M" if n % 2 else "F",
            nationality="KOR",
        )
        for n in range(learners)
    )
    pupils = Learner.objects.bulk_create(
        Learner(country="kr", number=f"B{n:08d}", person=p, registered_at=now)
        for n, p in enumerate(people)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            learner=pupil,
            school=school,
            school_year=YEAR,
            grade=1 + n % 6,
            class_name=str(1 + (n // 6) // 30),
            started_on=date(YEAR, 3, 2),
        )
        for n, pupil in enumerate(pupils)
    )
    classes = sorted(
        set(Enrolment.objects.filter(school=school).values_list("grade", "class_name"))
    )
    staff = Person.objects.bulk_create(
        Person(
            country="kr",
            national_id=f"800101-1{n:06d}",
            name_local=f"이선생{n}",
            name_latin=f"LEE TEACHER {n}",
            birth_date=date(1980, 1, 1),
            sex="F",
            nationality="KOR",
        )
        for n in range(len(classes))
    )
    accounts = User.objects.bulk_create(
        User(username=f"teacher{n}", kind=AccountKind.CITIZEN, person=p)
        for n, p in enumerate(staff)
    )
    teachers = Teacher.objects.bulk_create(
        Teacher(user=account, school=school, registered_at=now) for account in accounts
    )
    TeachingAssignment.objects.bulk_create(
        TeachingAssignment(teacher=t, school_year=YEAR, grade=grade, class_name=name)
        for t, (grade, name) in zip(teachers, classes, strict=True)
    )


def _export() -> tuple[float, int]:
    from gov3.core.models import AccessChannel  # noqa: PLC0415
    from gov3.schools.classroom import read_roster  # noqa: PLC0415

    start = time.perf_counter()
    roster = read_roster(SCHOOL, reader="bench", channel=AccessChannel.EXPORT)
    size = len(roster.zip_bytes())
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        _setup_django(Path(var))
        from django.core.management import call_command  # noqa: PLC0415

        if not os.environ.get(ready_database.SQLITE):
            call_command("migrate", verbosity=0)
        _school(args.learners)
        _export()  # warm
        runs = [_export() for _ in range(args.runs)]
    timings = [seconds for seconds, _size in runs]
    print(f"learners {args.learners}, runs {args.runs}, zip {runs[0][1]} bytes")
    print(
        f"OneRoster export of one school: median {statistics.median(timings):.3f} s (runs: "
        + ", ".join(f"{t:.3f}" for t in timings)
        + ")"
    )


if __name__ == "__main__":
    main()
