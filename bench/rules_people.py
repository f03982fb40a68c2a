"""Benchmark: per-person results of the whole ``kr`` catalogue from the Parquet snapshot.

Three paths over the same synthetic snapshot (made by `bench/rules_catalogue.py`'s
`ensure_snapshot`, cached under ``var/bench/``), each run a fresh subprocess so its peak RSS
(``ru_maxrss``) is its own; the table gives the median of the runs:

* ``people`` — `gov3.rules.people.evaluate_people`: one plan for every service, blocks of whole
  households on threads, the snapshot streamed a row group at a time; each record batch is
  reduced to counts and exact totals and dropped (what a sweep writing results out does);
* ``per-service`` — the former way: the snapshot read whole (`Population.read`) and
  `vectorised.evaluate_service` once per service, every result kept;
* ``catalogue`` — `evaluate_catalogue` (counts and totals only), for reference.

Every path's counts and totals are checked against the catalogue's. Each child is pinned to as
many cores as it has threads (`os.sched_setaffinity`), so a one-thread figure is one core's.

    .venv/bin/python bench/rules_people.py                    # 1 M and 10 M, 1 and 2 threads
    .venv/bin/python bench/rules_people.py --sizes 2000 --runs 1 --no-record

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

PATHS = ("people", "per-service", "catalogue")


def _usage(started: float) -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
    }


def child(kind: str, path: str, threads: int) -> dict[str, Any]:
    from gov3.rules.people import amount_column, eligible_column, evaluate_people  # noqa: PLC0415
    from gov3.rules.vectorised import (  # noqa: PLC0415
        Population,
        columns_needed,
        evaluate_catalogue,
        evaluate_service,
        exact_sum,
    )

    pack, params = load_catalogue()
    services = pack.services
    totals: dict[str, list[int]] = {service_id: [0, 0] for service_id in services}
    started = time.perf_counter()
    rows = 0
    if kind == "people":
        for batch in evaluate_people(services, path, params, TODAY, threads=threads):
            rows += batch.num_rows
            for service_id, service in services.items():
                mask = batch.column(eligible_column(service_id)).to_numpy(zero_copy_only=False)
                totals[service_id][0] += int(mask.sum())
                if service.amount is not None:
                    amounts = batch.column(amount_column(service_id)).to_numpy()
                    totals[service_id][1] += exact_sum(amounts)
    elif kind == "per-service":
        population = Population.read(path, columns=sorted(columns_needed(services.values())))
        rows = population.size
        kept = []
        for service_id, service in services.items():
            result = evaluate_service(service, population, params, TODAY)
            kept.append(result)  # the former way holds every result
            totals[service_id] = [result.count, result.total]
    else:
        found = evaluate_catalogue(services, path, params, TODAY, threads=threads)
        totals = {k: [t.count, t.total] for k, t in found.items()}
        rows = max(t.subjects for t in found.values())
    return {**_usage(started), "rows": rows, "totals": totals}


def run_child(kind: str, path: str, threads: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, path, str(threads)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(sizes: list[int], runs: int, threads: list[int], paths: list[str]) -> list[str]:
    rows = []
    for size in sizes:
        path = str(ensure_snapshot(size, 2))
        reference = run_child("catalogue", path, 2)["totals"]
        for kind in paths:
            for count in threads if kind != "per-service" else [1]:
                results = [run_child(kind, path, count) for _ in range(runs)]
                for result in results:
                    assert result["totals"] == reference, f"{kind} disagrees with the catalogue"
                secs = [r["seconds"] for r in results]
                row = (
                    f"| {kind} | {size:,} | {count} | {len(results)} | "
                    f"{statistics.median(secs):.2f} | {min(secs):.2f} | {max(secs):.2f} | "
                    f"{statistics.median(r['cpu_seconds'] for r in results):.1f} | "
                    f"{statistics.median(r['peak_rss_mib'] for r in results):.0f} |"
                )
                print(row, flush=True)
                rows.append(row)
    return rows


HEADER = (
    "| path | residents | threads | runs | median s | min s | max s | median process CPU s | "
    "median peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        kind, path, threads = args.child
        # As many cores as threads: "one core" means one, whatever Arrow's own pool would use.
        os.sched_setaffinity(0, set(range(min(int(threads), os.cpu_count() or 1))))
        print(json.dumps(child(kind, path, int(threads))))
        return
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    print(HEADER, flush=True)
    rows = measure(
        [int(s) for s in args.sizes.split(",")],
        args.runs,
        [int(t) for t in args.threads.split(",")],
        args.paths.split(","),
    )
    loads.append(os.getloadavg()[0])
    if args.no_record:
        return
    sections = [
        "Per-person results of the whole kr catalogue from the snapshot (evaluation only: "
        "the pack is loaded before the clock starts; every path's counts and totals equal "
        "`evaluate_catalogue`'s):",
        "",
        HEADER,
        *rows,
    ]
    record(sections, started, loads, script="rules_people.py")


if __name__ == "__main__":
    main()
