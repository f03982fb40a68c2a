"""Benchmark: a teacher records the day's attendance for a class of 30 (issue 20 item 4,
target: median server time ≤ 100 ms), on SQLite and on PostgreSQL.

``request``  the whole POST of the attendance page through Django (middleware, session,
             the view, `do_take_attendance`, the redirect), as a phone sends it: 30 learners,
             three tapped absent or late, the rest present by default; a new school day each
             run, so every run writes 30 marks and one audit entry.
``command``  `gov3.schools.work.attendance.do_take_attendance` alone, for another new day.

Set-up (a migrated database with kr's areas and schools, 30 learners in one class, their
teacher) is not timed. Each database runs in a process of its own.

    .venv/bin/python bench/schools_attendance.py                     # both databases, 9 runs
    .venv/bin/python bench/schools_attendance.py --database sqlite --runs 1
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
from datetime import date, timedelta
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "gov3_bench_attendance"
SCHOOL = "KR-S-0001"
YEAR = 2026
FIRST_DAY = date(2026, 4, 1)


def _setup_django(url: str, var_dir: Path) -> None:
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()


def _class(size: int) -> tuple[object, object, list[str]]:
    """kr's schools; one grade-3 class of `size` learners at SCHOOL and its teacher."""
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
            national_id=f"170101-3{n:06d}",
            name_local=f"김학생{n}",
            name_latin=f"KIM STUDENT {n}",
            birth_date=date(2017, 1 + n % 12, 1 + n % 28),
            sex="M" if n % 2 else "F",
            nationality="KOR",
        )
        for n in range(size)
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
            grade=3,
            class_name="1",
            started_on=date(YEAR, 3, 2),
        )
        for pupil in pupils
    )
    person = Person.objects.create(
        country="kr",
        national_id="800101-1000001",
        name_local="이선생",
        name_latin="LEE TEACHER",
        birth_date=date(1980, 1, 1),
        sex="F",
        nationality="KOR",
    )
    user = User.objects.create(username="teacher", kind=AccountKind.CITIZEN, person=person)
    teacher = Teacher.objects.create(user=user, school=school, registered_at=now)
    assignment = TeachingAssignment.objects.create(
        teacher=teacher, school_year=YEAR, grade=3, class_name="1"
    )
    return teacher, assignment, [str(p.public_id) for p in pupils]


def _marks(ids: list[str], run: int) -> dict[str, str]:
    """Three learners not present (absent, late, left early), the rest left to the default."""
    return {
        ids[(run + 0) % len(ids)]: "absent",
        ids[(run + 7) % len(ids)]: "late",
        ids[(run + 13) % len(ids)]: "left_early",
    }


def child(database: str, size: int, runs: int) -> dict[str, object]:
    """Set up, warm up, time; the result as JSON-able data."""
    with tempfile.TemporaryDirectory(prefix="gov3-bench-attendance-") as var:
        var_dir = Path(var)
        if database == "sqlite":
            path = var_dir / "bench.sqlite3"
            ready = ready_database.copy_sqlite(path)
            _setup_django(f"sqlite:///{path}", var_dir)
        else:
            ready = bool(os.environ.get(ready_database.POSTGRES))
            _setup_django(f"{PG_SERVER}/{PG_NAME}", var_dir)
        from django.conf import settings  # noqa: PLC0415
        from django.core.management import call_command  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415
        from django.test import Client  # noqa: PLC0415
        from django.utils import timezone  # noqa: PLC0415

        from gov3.schools.models import AttendanceMark  # noqa: PLC0415
        from gov3.schools.work.attendance import do_take_attendance  # noqa: PLC0415

        if not ready:
            call_command("migrate", verbosity=0)
        settings.ALLOWED_HOSTS = ["*"]
        teacher, assignment, ids = _class(size)
        client = Client()
        client.force_login(teacher.user)  # type: ignore[attr-defined]
        url = f"/school/classes/{assignment.pk}/attendance/"  # type: ignore[attr-defined]
        day = [FIRST_DAY]
        timezone.localdate = lambda *a, **k: day[0]  # type: ignore[assignment]

        def request(run: int) -> float:
            day[0] = FIRST_DAY + timedelta(days=run)
            form = {f"m-{k}": v for k, v in _marks(ids, run).items()}
            start = time.perf_counter()
            response = client.post(url, form)
            elapsed = time.perf_counter() - start
            assert response.status_code == 302, response.status_code
            return elapsed

        def command(run: int) -> float:
            day[0] = FIRST_DAY + timedelta(days=500 + run)
            start = time.perf_counter()
            do_take_attendance(teacher, assignment, day=day[0], marks=_marks(ids, run))  # type: ignore[arg-type]
            return time.perf_counter() - start

        request(0)  # warm: the first request loads templates, URL patterns, the session
        command(0)
        timed_requests = [request(1 + n) for n in range(runs)]
        timed_commands = [command(1 + n) for n in range(runs)]
        assert AttendanceMark.objects.count() == size * (2 * runs + 2)
        server = connection.vendor
        if server == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server += " " + cursor.fetchone()[0]
        return {
            "database": server,
            "size": size,
            "request_ms": [t * 1000 for t in timed_requests],
            "command_ms": [t * 1000 for t in timed_commands],
        }


def _run_child(database: str, size: int, runs: int) -> dict[str, object]:
    if database == "postgresql":
        import psycopg  # noqa: PLC0415

        create, _ready = ready_database.create_postgres(PG_NAME)
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.execute(create)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", database, "--size", str(size),
             "--runs", str(runs)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        if database == "postgresql":
            import psycopg  # noqa: PLC0415

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {database} run failed (exit {done.returncode})")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--size", type=int, default=30, help="learners in the class")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, args.runs)))
        return
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(f"class of {args.size}, {args.runs} runs a measure (a new school day each run)")
    print("| database | measure | median ms | min ms | max ms | target 100 ms |")
    print("|---|---|---:|---:|---:|---|")
    for database in databases:
        result = _run_child(database, args.size, args.runs)
        for key, label in (("request_ms", "POST attendance page"), ("command_ms", "command")):
            values = result[key]
            assert isinstance(values, list)
            median = statistics.median(values)
            print(
                f"| {result['database']} | {label} | {median:.1f} | {min(values):.1f} | "
                f"{max(values):.1f} | {'met' if median <= 100 else 'NOT met'} |"
            )


if __name__ == "__main__":
    main()
