"""Benchmark: the whole ``kr`` service catalogue over synthetic populations of 1 M, 10 M and
51.7 M residents, from the Parquet snapshot; ``explain`` for one person; PostgreSQL at 1 M
(``--other-size``: the snapshot the explain and PostgreSQL parts use; `make test`'s smoke run
makes it tiny).

Snapshots are made once by `gov3.synthetic.snapshots` and kept under ``var/bench/`` (ignored by
git). Every measured run is a fresh subprocess, so its peak RSS (``ru_maxrss``) is that run's
alone; the table gives the median of the runs. "evaluate s" is `evaluate_catalogue` from the
snapshot file to the totals (reading included); "process s" is the whole subprocess
(interpreter, imports, loading and checking the pack, evaluation).

    .venv/bin/python bench/rules_catalogue.py                        # everything, 3 runs each
    .venv/bin/python bench/rules_catalogue.py --sizes 1000000 --runs 1 --no-record
    .venv/bin/python bench/rules_catalogue.py --parts explain,postgres

Results are appended to bench/RESULTS.md (unless ``--no-record``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "RESULTS.md"
TODAY = date(2026, 1, 1)  # the evaluation day (and the synthetic population's as-of day)
SEED = 1
KOREA = 51_700_000
PG_ADMIN_URL = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "gov3_bench_rules"


def declare_facts() -> int:
    """Declare the kr pack's own facts (its `facts.yaml`), so that a snapshot written here has
    their columns; the number of fact columns."""
    from gov3.rules.declarations import declare_pack_facts  # noqa: PLC0415
    from gov3.rules.facts import FACTS  # noqa: PLC0415

    declare_pack_facts(ROOT / "countries" / "kr")
    return len(FACTS)


def snapshot_path(size: int) -> Path:
    columns = declare_facts()  # a snapshot cached before the pack declared a fact lacks it
    return CACHE / f"kr-{size}-seed{SEED}-{TODAY.isoformat()}-{columns}f.parquet"


def ensure_snapshot(size: int, threads: int) -> Path:
    """The cached synthetic snapshot of ``size`` residents, generated if missing."""
    from gov3.catalogue.packs import load_pack  # noqa: PLC0415
    from gov3.synthetic.snapshots import generate_snapshot  # noqa: PLC0415

    path = snapshot_path(size)
    if not path.exists():
        started = time.perf_counter()
        summary = generate_snapshot(
            path, size, pack=load_pack(ROOT / "countries" / "kr"), as_of=TODAY, seed=SEED,
            threads=threads,
        )  # fmt: skip
        print(
            f"generated {size:,} residents ({summary.households:,} households, "
            f"{path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return path


def load_catalogue() -> tuple[Any, dict[str, Any]]:
    """The kr rule pack and its parameters on `TODAY`."""
    from gov3.rules.pack import load_rules  # noqa: PLC0415

    pack = load_rules(ROOT / "countries" / "kr")
    if not pack.services:
        raise SystemExit("countries/kr has no services to evaluate")
    return pack, pack.params.on(TODAY)


# -- the measured children ----------------------------------------------------------------------


def child_vectorised(path: str, threads: int) -> dict[str, Any]:
    from gov3.rules.vectorised import evaluate_catalogue  # noqa: PLC0415

    pack, params = load_catalogue()
    started = time.perf_counter()
    totals = evaluate_catalogue(pack.services, path, params, TODAY, threads=threads)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "services": len(totals),
        "totals": {k: [t.subjects, t.count, t.total] for k, t in totals.items()},
    }


def child_postgres(url: str) -> dict[str, Any]:
    import psycopg  # noqa: PLC0415

    from gov3.rules.backends import evaluate  # noqa: PLC0415

    pack, params = load_catalogue()
    services = list(pack.services.values())
    with psycopg.connect(url) as connection:
        started = time.perf_counter()
        totals = evaluate(services, "postgres", connection, params=params, today=TODAY)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "totals": {k: [t.count, t.total] for k, t in totals.items()},
    }


def child_explain(path: str, calls: int) -> dict[str, Any]:
    """Median time of `explain_service` (the citizen's explanation) and of `evaluate` (the
    value only) for one person and one service, for each service of the catalogue."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    from gov3.rules.explain import evaluate, explain_service  # noqa: PLC0415
    from gov3.rules.facts import Subject  # noqa: PLC0415

    pack, params = load_catalogue()
    rows = pq.ParquetFile(path).read_row_group(0).slice(0, 2000).to_pylist()
    # A household with children and grandparents if there is one: the largest in the sample.
    by_household: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_household.setdefault(row["household_id"], []).append(row)
    members = max(by_household.values(), key=len)
    facts = [
        {k: v for k, v in m.items() if k not in ("person_id", "household_id")} for m in members
    ]
    subject = Subject(facts[0], facts)
    per_service: dict[str, dict[str, float]] = {}
    for service_id, service in pack.services.items():
        explained, valued = [], []
        for _ in range(calls):
            started = time.perf_counter()
            explain_service(pack, service, subject, TODAY, currency="KRW")
            explained.append(time.perf_counter() - started)
            started = time.perf_counter()
            evaluate(service.eligible, subject, params, TODAY)
            if service.amount is not None:
                evaluate(service.amount, subject, params, TODAY)
            valued.append(time.perf_counter() - started)
        per_service[service_id] = {
            "explain_ms": statistics.median(explained) * 1000,
            "evaluate_ms": statistics.median(valued) * 1000,
        }
    return {"household_size": len(members), "per_service": per_service}


# -- the parent ---------------------------------------------------------------------------------


def run_child(*args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


@dataclass
class Row:
    label: str
    cells: list[str]


def vectorised(sizes: list[int], runs: int, threads: int) -> list[Row]:
    rows = []
    for size in sizes:
        path = ensure_snapshot(size, threads)
        results = [run_child("vectorised", str(path), str(threads)) for _ in range(runs)]
        assert all(r["totals"] == results[0]["totals"] for r in results)
        secs = [r["seconds"] for r in results]
        rows.append(
            Row(
                f"{size:,}",
                [
                    str(len(results)),
                    f"{statistics.median(secs):.2f}",
                    f"{min(secs):.2f}",
                    f"{max(secs):.2f}",
                    f"{statistics.median(r['cpu_seconds'] for r in results):.1f}",
                    f"{statistics.median(r['process_seconds'] for r in results):.2f}",
                    f"{statistics.median(r['peak_rss_mib'] for r in results):.0f}",
                ],
            )
        )
        print(f"| {rows[-1].label} | " + " | ".join(rows[-1].cells) + " |", flush=True)
    return rows


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", PG_ADMIN_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def load_postgres(path: Path) -> tuple[str, float]:
    """A fresh database with the snapshot's rows in a ``facts`` table (COPY from CSV)."""
    import io  # noqa: PLC0415

    import psycopg  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.csv as pacsv  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    from gov3.rules.facts import FACTS, KEY_COLUMNS  # noqa: PLC0415
    from gov3.rules.ir import Type  # noqa: PLC0415

    _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
    _psql(f"CREATE DATABASE {PG_BENCH_DB}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"
    types = {Type.BOOL: "BOOLEAN", Type.INT: "BIGINT", Type.MONEY: "BIGINT", Type.DATE: "DATE",
             Type.TEXT: "TEXT"}  # fmt: skip
    columns = [f"{k} BIGINT NOT NULL" for k in KEY_COLUMNS] + [
        f"{name} {types[fact.type]} NOT NULL" for name, fact in FACTS.items()
    ]
    started = time.perf_counter()
    handle = pq.ParquetFile(path)
    with psycopg.connect(url) as connection:
        connection.execute(f"CREATE TABLE facts ({', '.join(columns)})")
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY facts FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            for group in range(handle.metadata.num_row_groups):
                data = handle.read_row_group(group)
                plain = pa.table(
                    [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                     for c in data.columns],
                    names=data.column_names,
                )  # fmt: skip
                buffer = io.BytesIO()
                pacsv.write_csv(plain, buffer, pacsv.WriteOptions(include_header=False))
                copy.write(buffer.getvalue())
        connection.execute("ANALYZE facts")
    return url, time.perf_counter() - started


def postgres(runs: int, size: int) -> list[Row]:
    path = ensure_snapshot(size, 2)
    url, load_seconds = load_postgres(path)
    try:
        results = [run_child("postgres", url) for _ in range(runs)]
    finally:
        _psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
    secs = [r["seconds"] for r in results]
    row = Row(
        f"{size:,}",
        [
            str(len(results)),
            f"{statistics.median(secs):.2f}",
            f"{min(secs):.2f}",
            f"{max(secs):.2f}",
            f"{load_seconds:.1f}",
        ],
    )
    print(f"| postgresql | {row.label} | " + " | ".join(row.cells) + " |", flush=True)
    return [row]


def explain(calls: int, size: int) -> tuple[dict[str, Any], list[Row]]:
    result = run_child("explain", str(ensure_snapshot(size, 2)), str(calls))
    rows = [
        Row(service_id, [f"{t['explain_ms']:.3f}", f"{t['evaluate_ms']:.3f}"])
        for service_id, t in result["per_service"].items()
    ]
    for row in rows:
        print(f"| {row.label} | " + " | ".join(row.cells) + " |", flush=True)
    return result, rows


def machine() -> str:
    import numpy  # noqa: PLC0415
    import pyarrow  # noqa: PLC0415

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} vCPU ({model}), {memory:.1f} GiB RAM, Python "
        f"{platform.python_version()}, NumPy {numpy.__version__}, PyArrow {pyarrow.__version__}"
    )


def record(
    sections: list[str],
    started: datetime,
    loads: list[float],
    *,
    script: str = "rules_catalogue.py",
    machine_note: str = "",
) -> None:
    """Append a run to RESULTS.md: when, the command that ran `script`, the machine (and
    `machine_note`), the load before and after, then `sections`."""
    command = " ".join(["python", f"bench/{script}", *sys.argv[1:]])
    lines = [
        "",
        f"### Run of {started:%Y-%m-%d %H:%M} UTC (recorded by `bench/{script}`)",
        "",
        f"- Command: `{command}`",
        f"- Machine: {machine()}{machine_note}",
        f"- Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f}",
        "",
        *sections,
    ]
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=f"1000000,10000000,{KOREA}")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parts", default="vectorised,explain,postgres")
    parser.add_argument("--explain-calls", type=int, default=500)
    parser.add_argument(
        "--other-size",
        type=int,
        default=1_000_000,
        help="residents of the snapshot the explain and PostgreSQL parts use",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "vectorised":
            out = child_vectorised(rest[0], int(rest[1]))
        elif kind == "postgres":
            out = child_postgres(rest[0])
        else:
            out = child_explain(rest[0], int(rest[1]))
        print(json.dumps(out))
        return
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    parts = args.parts.split(",")
    sections: list[str] = []
    if "vectorised" in parts:
        header = (
            "| residents | runs | median evaluate s | min s | max s | median CPU s | "
            "median process s | median peak RSS MiB |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
        print(header, flush=True)
        rows = vectorised([int(s) for s in args.sizes.split(",")], args.runs, args.threads)
        sections += [
            f"Vectorised, whole kr catalogue from the snapshot, {args.threads} threads:",
            "",
            header,
            *(f"| {r.label} | " + " | ".join(r.cells) + " |" for r in rows),
            "",
        ]
    if "explain" in parts:
        header = "| service | median explain ms | median evaluate ms |\n|---|---:|---:|"
        print(header, flush=True)
        result, rows = explain(args.explain_calls, args.other_size)
        sections += [
            f"`explain` for one person (a household of {result['household_size']}) and one "
            f"service, median of {args.explain_calls} calls:",
            "",
            header,
            *(f"| {r.label} | " + " | ".join(r.cells) + " |" for r in rows),
            "",
        ]
    if "postgres" in parts:
        header = (
            "| backend | residents | runs | median s | min s | max s | load s (not timed) |\n"
            "|---|---:|---:|---:|---:|---:|---:|"
        )
        print(header, flush=True)
        rows = postgres(args.runs, args.other_size)
        sections += [
            "PostgreSQL, whole kr catalogue as one compiled query over a `facts` table:",
            "",
            header,
            *(f"| postgresql | {r.label} | " + " | ".join(r.cells) + " |" for r in rows),
            "",
        ]
    loads.append(os.getloadavg()[0])
    if not args.no_record:
        record(sections, started, loads)


if __name__ == "__main__":
    main()
