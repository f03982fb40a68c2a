"""Benchmark: the school-entry round for a national cohort (issue 20, target ≤ 30 s on
PostgreSQL for kr's ≈ 400,000 entrants).

``round`` (timed): `gov3.schools.entry.do_build_entry_round("kr", 2027, notify=False)`, as
`gov3 schools entry-round` runs it: the cohort selected from the register by the notice
service's rule (one SQL query), each child assigned a school of the district of their
registered address, a placement written for each and the guardian's offer naming the school
and why. Between runs the round's placements and offers are deleted (not timed).

Set-up (not timed): a migrated PostgreSQL database (or SQLite with ``--sqlite``) with kr's areas
and schools; N children born in 2020 (the 2027 entrants) and their mothers, one household each,
spread over the areas the 2027 school districts cover; every school's first-grade places raised
so that the cohort fits (the benchmark times the writing, not the overflow rule).

    .venv/bin/python bench/schools_entry.py                         # 400,000 entrants, 3 runs
    .venv/bin/python bench/schools_entry.py --entrants 200 --runs 1  # the smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("GOV3_BENCH_DB", "gov3_bench_schools_entry")
YEAR = 2027
CHUNK = 20_000


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def _setup_django(var_dir: Path, *, sqlite: bool) -> bool:
    """Point Django at a new database; whether it is a ready (migrated, areas loaded) copy."""
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["GOV3_TASK_QUEUE"] = "immediate"
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        ready = ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    else:
        _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        create, ready = ready_database.create_postgres(DATABASE)
        _psql(create)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()
    return ready


def _cohort(entrants: int) -> None:
    """kr's schools with room for everyone; `entrants` children born in 2020 and their mothers."""
    from django.db import connection  # noqa: PLC0415

    from gov3.catalogue.management.commands.country import load_country_areas  # noqa: PLC0415
    from gov3.registry.models import Address, Area, Household, Person  # noqa: PLC0415
    from gov3.schools.installed import schools_data  # noqa: PLC0415
    from gov3.schools.models import DistrictEntry, School  # noqa: PLC0415
    from gov3.schools.services import do_load_schools  # noqa: PLC0415

    if not Area.objects.exists():
        load_country_areas("kr")
    do_load_schools("bench", "kr", schools_data("kr"))
    School.objects.update(entry_places=entrants)
    area_ids = sorted(
        set(DistrictEntry.objects.filter(school_year=YEAR).values_list("area_id", flat=True))
    )
    addresses = Address.objects.bulk_create(
        Address(area_id=area, street=f"벤치로 {n}") for n, area in enumerate(area_ids)
    )
    for start in range(0, entrants, CHUNK):
        numbers = range(start, min(start + CHUNK, entrants))
        homes = Household.objects.bulk_create(
            Household(address=addresses[n % len(addresses)], created_on=date(2019, 1, 1))
            for n in numbers
        )
        mothers = Person.objects.bulk_create(
            Person(
                country="kr",
                national_id=f"900101-2{n:06d}",
                name_local=f"김엄마{n}",
                name_latin=f"KIM MOTHER {n}",
                birth_date=date(1990, 1, 1),
                sex="F",
                nationality="KOR",
                household=home,
                relationship_to_head="head",
            )
            for n, home in zip(numbers, homes, strict=True)
        )
        Person.objects.bulk_create(
            Person(
                country="kr",
                national_id=f"200101-4{n:06d}",
                name_local=f"김아이{n}",
                name_latin=f"KIM CHILD {n}",
                birth_date=date(2020, 1 + n % 12, 1 + n % 28),
                sex="M" if n % 2 else "F",
                nationality="KOR",
                mother=mother,
                household=home,
                relationship_to_head="child",
            )
            for n, mother, home in zip(numbers, mothers, homes, strict=True)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _round() -> tuple[float, float, int, int]:
    """The round's wall time, this process's CPU time in it, placements and offers."""
    from django.db.models import Count  # noqa: PLC0415

    from gov3.schools.entry import do_build_entry_round  # noqa: PLC0415
    from gov3.schools.models import Placement  # noqa: PLC0415

    start, cpu = time.perf_counter(), time.process_time()
    if os.environ.get("GOV3_BENCH_PROFILE"):
        import cProfile  # noqa: PLC0415

        with cProfile.Profile() as profile:
            entry_round = do_build_entry_round("system:bench", "kr", YEAR, notify=False)
        profile.dump_stats(os.environ["GOV3_BENCH_PROFILE"])
    else:
        entry_round = do_build_entry_round("system:bench", "kr", YEAR, notify=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = entry_round.placements.aggregate(placed=Count("pk"), offers=Count("offer"))
    assert Placement.objects.count() == counts["placed"]
    return seconds, cpu, counts["placed"], counts["offers"]


def _reset() -> None:
    from gov3.offers.models import Offer  # noqa: PLC0415
    from gov3.schools.models import EntryRound, Placement  # noqa: PLC0415

    Placement.objects.all().delete()
    Offer.objects.filter(service_id="school_enrolment_notice").delete()
    EntryRound.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entrants", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        ready = _setup_django(Path(var), sqlite=args.sqlite)
        from django.core.management import call_command  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415

        try:
            if not ready:
                call_command("migrate", verbosity=0)
            started = time.perf_counter()
            _cohort(args.entrants)
            print(f"set-up: {args.entrants} entrants in {time.perf_counter() - started:.1f} s")
            runs = []
            for number in range(args.runs):
                if number:
                    _reset()
                runs.append(_round())
                print(
                    f"run {number + 1}: {runs[-1][0]:.2f} s (CPU here {runs[-1][1]:.2f} s), "
                    f"{runs[-1][2]} placements, {runs[-1][3]} offers, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        finally:
            connection.close()
            if not args.sqlite:
                _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    timings = [seconds for seconds, _, _, _ in runs]
    cpus = [cpu for _, cpu, _, _ in runs]
    load = os.getloadavg()[0]
    print(
        f"{platform.node()} {os.cpu_count()} cores, load {load:.1f}; "
        f"{'SQLite' if args.sqlite else 'PostgreSQL'}, {args.entrants} entrants, {args.runs} runs"
    )
    print(
        f"School-entry round: median {statistics.median(timings):.2f} s (runs: "
        + ", ".join(f"{t:.2f}" for t in timings)
        + f"); CPU in this process: median {statistics.median(cpus):.2f} s"
    )


if __name__ == "__main__":
    main()
