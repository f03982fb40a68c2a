"""Benchmark: generate and bulk-load a synthetic population on SQLite and PostgreSQL.

Each run is a fresh subprocess with a fresh database (a SQLite file in a temporary directory, or
a PostgreSQL database created for the run and dropped after), so that its peak RSS
(``ru_maxrss``) is that run's alone. Migrations and the country's areas are loaded first and
not timed; the timed part is `generate_population` (generation and load, one transaction).

A database that is already migrated with kr's areas loaded may be given instead (the test
suite's smoke run does, to skip the migrations; the timed part is the same): a SQLite file in
``GOV3_BENCH_TEMPLATE_SQLITE``, copied for each run, and the name of a PostgreSQL database on
the ``GOV3_BENCH_PG`` server in ``GOV3_BENCH_TEMPLATE_PG``, each run's database made from it
(``CREATE DATABASE … TEMPLATE``). Only for ``--country kr``; without them every run migrates.

    .venv/bin/python bench/population_load.py                  # 100k and 1M, 3 runs each
    .venv/bin/python bench/population_load.py --sizes 100000 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "gov3_bench"
#: A ready database (migrated, kr's areas loaded) to start each run from, by backend.
READY = {"sqlite": "GOV3_BENCH_TEMPLATE_SQLITE", "postgresql": "GOV3_BENCH_TEMPLATE_PG"}


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
    started = time.perf_counter()
    summary = generate_population(country, size, seed, progress=False)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mib": peak_kib / 1024,
                "households": summary.households,
                "passports": summary.passports,
                "life_events": summary.life_events,
            }
        )
    )


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", PG_ADMIN_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def one_run(backend: str, size: int, seed: int, country: str) -> dict[str, float]:
    """One measured run in a fresh subprocess and a fresh database."""
    ready = os.environ.get(READY[backend], "") if country == "kr" else ""
    with tempfile.TemporaryDirectory(prefix="gov3-bench-") as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.sqlite3"
            if ready:
                with (
                    closing(sqlite3.connect(ready)) as source,
                    closing(sqlite3.connect(f"{tmp}/bench.sqlite3")) as copy,
                ):
                    source.backup(copy)
        else:
            _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
            _psql(f"CREATE DATABASE {PG_BENCH_DB}" + (f' TEMPLATE "{ready}"' if ready else ""))
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
    print("| backend | residents | runs | median s | min s | max s | median peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            results = [one_run(backend, size, args.seed, args.country) for _ in range(args.runs)]
            secs = [r["seconds"] for r in results]
            rss = [r["peak_rss_mib"] for r in results]
            print(
                f"| {backend} | {size:,} | {len(results)} | {statistics.median(secs):.1f} | "
                f"{min(secs):.1f} | {max(secs):.1f} | {statistics.median(rss):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
