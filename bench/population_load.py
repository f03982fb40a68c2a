"""Benchmark: generate and bulk-load a synthetic population on SQLite and PostgreSQL.

Each run is a fresh subprocess with a fresh database (a SQLite file in a temporary directory, or
a PostgreSQL database created for the run and dropped after), so that its peak RSS
(``ru_maxrss``) is that run's alone. Migrations and the country's areas are loaded first and
not timed; the timed part is `generate_population` (generation and load, one transaction).
"CPU s" is every process's CPU for that part (the writer and the child process generating the
rows); "writer CPU s" the writer's alone.

For ``--country kr`` each run's database may start as a copy of a ready one instead of being
migrated (`bench/ready_database.py`).

    .venv/bin/python bench/population_load.py                  # 100k and 1M, 3 runs each
    .venv/bin/python bench/population_load.py --sizes 100000 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = os.environ.get("GOV3_BENCH_PG_DB", "gov3_bench")


def child(backend_url: str, size: int, seed: int, country: str, ready: bool) -> None:
    """Run inside the subprocess: migrate and load areas (unless `ready`), then time the
    population load."""
    os.environ["DATABASE_URL"] = backend_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415 - settings read DATABASE_URL when first imported

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    from gov3.synthetic.population import generate_population  # noqa: PLC0415

    if not ready:
        call_command("migrate", verbosity=0)
        call_command("country", "load", country, stdout=open(os.devnull, "w"))  # noqa: SIM115
    started, cpu = time.perf_counter(), time.process_time()
    children = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    summary = generate_population(country, size, seed, progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # The rows are generated in a child process (waited for, so counted here).
    children = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - children
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu + children,
                "writer_cpu_seconds": cpu,
                "peak_rss_mib": peak_kib / 1024,
                "households": summary.households,
                "passports": summary.passports,
                "life_events": summary.life_events,
            }
        )
    )


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", PG_ADMIN_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def one_run(backend: str, size: int, seed: int, country: str) -> dict[str, float]:
    """One measured run in a fresh subprocess and a fresh database."""
    with tempfile.TemporaryDirectory(prefix="gov3-bench-") as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.sqlite3"
            ready = country == "kr" and ready_database.copy_sqlite(f"{tmp}/bench.sqlite3")
        else:
            _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
            create, ready = ready_database.create_postgres(PG_BENCH_DB, use_ready=country == "kr")
            _psql(create)
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"
        try:
            env = {**os.environ, "GOV3_VAR_DIR": tmp}
            arguments = [url, str(size), str(seed), country, "ready" if ready else "migrate"]
            done = subprocess.run(
                [sys.executable, __file__, "--child", *arguments],
                check=True,
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
            )
        finally:
            if backend == "postgresql":
                _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmark matrix and print a Markdown table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--country", default="kr")
    parser.add_argument("--child", nargs=5, metavar=("URL", "SIZE", "SEED", "COUNTRY", "SETUP"))
    args = parser.parse_args()
    if args.child:
        url, size, seed, country, setup = args.child
        child(url, int(size), int(seed), country, ready=setup == "ready")
        return
    print(
        "| backend | residents | runs | median s | min s | max s | median CPU s | "
        "median writer CPU s | median peak RSS MiB | load (1 min) after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            results = []
            for _ in range(args.runs):
                results.append(one_run(backend, size, args.seed, args.country))
                print(  # each run, for the record (stderr keeps the table clean)
                    f"{backend} {size:,}: {results[-1]['seconds']:.1f} s wall, "
                    f"{results[-1]['cpu_seconds']:.1f} s CPU, load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
            secs = [r["seconds"] for r in results]
            rss = [r["peak_rss_mib"] for r in results]
            cpu = [r["cpu_seconds"] for r in results]
            writer = [r.get("writer_cpu_seconds", r["cpu_seconds"]) for r in results]
            print(
                f"| {backend} | {size:,} | {len(results)} | {statistics.median(secs):.1f} | "
                f"{min(secs):.1f} | {max(secs):.1f} | {statistics.median(cpu):.1f} | "
                f"{statistics.median(writer):.1f} | {statistics.median(rss):.0f} | "
                f"{os.getloadavg()[0]:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
