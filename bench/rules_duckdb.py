"""Benchmark: the DuckDB backend against the vectorised evaluator, the whole ``kr`` catalogue
from the same Parquet snapshot, one core each (issue 17, item 5: target within 1.5x).

* ``vectorised`` — `evaluate_catalogue(..., threads=1)`;
* ``duckdb`` — `gov3.rules.backends.evaluate(services, "duckdb", ...)` over
  `sql.parquet_relation(path)`, on a connection with ``threads = 1``.

Every run is a fresh subprocess pinned to one CPU (`os.sched_setaffinity`); the clock starts
after the pack is loaded (and the DuckDB connection made) and stops at the totals, and "CPU s"
is the process's user + system time over that span. Snapshots are those of
`bench/rules_catalogue.py` (`ensure_snapshot`, cached under ``var/bench/``). DuckDB's counts and
totals must equal the vectorised ones, or the run stops.

    .venv/bin/python bench/rules_duckdb.py                    # 1 M and 10 M, 3 runs each
    .venv/bin/python bench/rules_duckdb.py --sizes 2000 --runs 1 --no-record

Results are appended to bench/RESULTS.md (unless ``--no-record``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from rules_catalogue import ROOT, TODAY, ensure_snapshot, load_catalogue, record

ENGINES = ("vectorised", "duckdb")
CPU = 0  # the core every measured child is pinned to
TARGET = 1.5


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(engine: str, path: str) -> dict[str, Any]:
    os.sched_setaffinity(0, {CPU})
    pack, params = load_catalogue()
    if engine == "vectorised":
        from gov3.rules.vectorised import evaluate_catalogue  # noqa: PLC0415

        cpu, started = _cpu(), time.perf_counter()
        result = evaluate_catalogue(pack.services, path, params, TODAY, threads=1)
    else:
        import duckdb  # noqa: PLC0415

        from gov3.rules.backends import evaluate  # noqa: PLC0415
        from gov3.rules.sql import parquet_relation  # noqa: PLC0415

        connection = duckdb.connect(config={"threads": 1})
        cpu, started = _cpu(), time.perf_counter()
        result = evaluate(  # type: ignore[assignment]
            list(pack.services.values()),
            "duckdb",
            connection,
            params=params,
            today=TODAY,
            relation=parquet_relation(path),
        )
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu() - cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "totals": {k: [t.count, t.total] for k, t in result.items()},
    }


def run_child(engine: str, path: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, path],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(size: int, runs: int) -> list[str]:
    """The table rows for one size: each engine's medians, then the ratio."""
    path = str(ensure_snapshot(size, 2))
    results: dict[str, list[dict[str, Any]]] = {engine: [] for engine in ENGINES}
    for _ in range(runs):  # alternate, so that a noisy minute falls on both engines
        for engine in ENGINES:
            results[engine].append(run_child(engine, path))
    expected = results["vectorised"][0]["totals"]
    for engine, runs_of in results.items():
        for result in runs_of:
            if result["totals"] != expected:
                raise SystemExit(f"{engine} at {size:,}: counts or totals differ from vectorised")
    cpu = {e: statistics.median(r["cpu_seconds"] for r in results[e]) for e in ENGINES}
    rows = []
    for engine in ENGINES:
        cpus = [r["cpu_seconds"] for r in results[engine]]
        rows.append(
            f"| {engine} | {size:,} | {runs} | {cpu[engine]:.2f} | {min(cpus):.2f} | "
            f"{max(cpus):.2f} | {statistics.median(r['seconds'] for r in results[engine]):.2f} | "
            f"{statistics.median(r['peak_rss_mib'] for r in results[engine]):.0f} |"
        )
    ratio = cpu["duckdb"] / cpu["vectorised"]
    verdict = "met" if ratio <= TARGET else "not met"
    rows.append(
        f"| duckdb / vectorised | {size:,} | | **{ratio:.2f}x** | | | | "
        f"target {TARGET}x: {verdict} |"
    )
    return rows


HEADER = (
    "| engine | residents | runs | median CPU s | min CPU s | max CPU s | median wall s | "
    "median peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    print(HEADER, flush=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for row in measure(size, args.runs):
            print(row, flush=True)
            rows.append(row)
    loads.append(os.getloadavg()[0])
    if args.no_record:
        return
    import duckdb  # noqa: PLC0415

    sections = [
        "Whole kr catalogue from the snapshot, one core (CPU s: the evaluation only, after the "
        "pack is loaded; DuckDB's counts and totals equal the vectorised ones):",
        "",
        HEADER,
        *rows,
    ]
    note = (
        f", DuckDB {duckdb.__version__}; each run a fresh process pinned to CPU {CPU}, DuckDB "
        "with `threads = 1`"
    )
    record(sections, started, loads, script="rules_duckdb.py", machine_note=note)


if __name__ == "__main__":
    main()
