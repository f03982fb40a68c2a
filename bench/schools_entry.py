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

``--keep`` leaves the PostgreSQL database in place at the end and starts from it if it is
there (the round's writes deleted first): versions of the code can then take turns on the same
register without building it again.
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


def _exists(name: str) -> bool:
    found = subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-qAt", "-c",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 - our own name
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return found.stdout.strip() == "1"


def _setup_django(var_dir: Path, *, sqlite: bool, keep: bool = False) -> bool:
    """Point Django at a new database (with ``keep``, the one kept by a run before if it is
    there); whether it is a ready (migrated, areas loaded) copy."""
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["GOV3_TASK_QUEUE"] = "immediate"
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        ready = ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    elif keep and _exists(DATABASE):
        ready = True
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DATABASE}"
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


def _backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL server process serving this connection has used, when it runs
    on this machine (its /proc entry); None otherwise (SQLite, or a server elsewhere)."""
    from django.db import connection  # noqa: PLC0415

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _round() -> tuple[float, float, int, int, float | None]:
    """The round's wall time, this process's CPU time in it, placements and offers, and the CPU
    time of the database server's process in it (None where it cannot be read)."""
    from django.db.models import Count  # noqa: PLC0415

    from gov3.schools.entry import do_build_entry_round  # noqa: PLC0415
    from gov3.schools.models import Placement  # noqa: PLC0415

    backend = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    if os.environ.get("GOV3_BENCH_PROFILE"):
        import cProfile  # noqa: PLC0415

        with cProfile.Profile() as profile:
            entry_round = do_build_entry_round("system:bench", "kr", YEAR, notify=False)
        profile.dump_stats(os.environ["GOV3_BENCH_PROFILE"])
    else:
        entry_round = do_build_entry_round("system:bench", "kr", YEAR, notify=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = _backend_cpu()
    server = None if backend is None or after is None else after - backend
    counts = entry_round.placements.aggregate(placed=Count("pk"), offers=Count("offer"))
    assert Placement.objects.count() == counts["placed"]
    return seconds, cpu, counts["placed"], counts["offers"], server


def _reset() -> None:
    from django.db import connection  # noqa: PLC0415

    from gov3.offers.models import Offer  # noqa: PLC0415
    from gov3.schools.models import EntryRound, Placement  # noqa: PLC0415

    # In SQL: the ORM's delete collects the related objects of 400,000 offers in memory first.
    # Offers and rounds are never deleted (`core.models.NeverDeleted`) but by maintenance, which
    # says so for its session.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET gov3.allow_truncate = on")
        cursor.execute(f"DELETE FROM {Placement._meta.db_table}")  # noqa: S608 - model names
        cursor.execute(
            f"DELETE FROM {Offer._meta.db_table} WHERE service_id = %s",  # noqa: S608
            ["school_enrolment_notice"],
        )
        cursor.execute(f"DELETE FROM {EntryRound._meta.db_table}")  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute("RESET gov3.allow_truncate")
            cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entrants", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database, and start from it"
    )
    args = parser.parse_args()
    keep = args.keep and not args.sqlite
    with tempfile.TemporaryDirectory() as var:
        ready = _setup_django(Path(var), sqlite=args.sqlite, keep=keep)
        from django.core.management import call_command  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415

        try:
            if not ready:
                call_command("migrate", verbosity=0)
            started = time.perf_counter()
            from gov3.registry.models import Person  # noqa: PLC0415

            if keep and Person.objects.count() == 2 * args.entrants:
                print(f"set-up: the kept database's {args.entrants} entrants")
            else:
                _cohort(args.entrants)
                print(f"set-up: {args.entrants} entrants in {time.perf_counter() - started:.1f} s")
            runs = []
            for number in range(args.runs):
                if number or keep:
                    _reset()
                runs.append(_round())
                seconds, cpu, placed, offers, server = runs[-1]
                print(
                    f"run {number + 1}: {seconds:.2f} s (CPU here {cpu:.2f} s"
                    + ("" if server is None else f", database server {server:.2f} s")
                    + f"), {placed} placements, {offers} offers, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        finally:
            connection.close()
            if not args.sqlite and not keep:
                _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    timings = [run[0] for run in runs]
    cpus = [run[1] for run in runs]
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
