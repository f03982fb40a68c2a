"""Benchmark: `gov3 backup` and `gov3 restore` of a register with offers, on PostgreSQL.

The register is the offers benchmark's (`bench/offers.py`): ``--size`` generated residents
(default 1,000,000) written by the bulk loader (`gov3 population generate`), an agency deciding
every service, then swept once (`gov3 offers sweep --country kr --no-notify`) so that it holds
the offers a year of sweeps would make. It is kept for the day as a template database
(``bench_backup_src_<size>_s<seed>``) and dropped at the end unless ``--keep``.

Each run times, as an operator runs them (each a fresh `gov3` process, DEBUG off):

* ``gov3 backup FILE`` of that database (pg_dump custom format, compression ``--compress``);
* ``gov3 restore FILE --jobs N`` into a new empty database (pg_restore, then the checks a
  restore makes: migrations, `audit verify`, issuer keys), dropped after the run.

Target (issue 15): ≤ 3 min each way at 1,000,000 residents. Results are appended to
bench/RESULTS.md (unless ``--no-record``).

    .venv/bin/python bench/backup.py                         # 1,000,000 residents, 3 runs
    .venv/bin/python bench/backup.py --size 10000 --runs 1 --no-record
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import offers  # the offers benchmark's register, databases and machine description
from offers import COUNTRY, database_exists, drop, gov3, psql

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
PREFIX = "bench_backup"
TARGET_S = 180.0
HEADING = "## Backup and restore (issue 15) (`bench/backup.py`)"
INTRO = (
    "`gov3 backup` and `gov3 restore` (each a fresh `gov3` process, wall time) of the offers "
    "benchmark's register swept once, on PostgreSQL; target ≤ 3 min each way at 1,000,000 "
    "residents. Every run appends a section like those below."
)


def source(size: int, seed: int, var_dir: str) -> str:
    """The swept register to back up, made once a day from the offers benchmark's register."""
    name = f"{PREFIX}_src_{size}_s{seed}"
    stamp = f"gov3 bench swept register of {datetime.now(UTC).date().isoformat()}"
    if database_exists(name):
        about = "shobj_description(oid, 'pg_database')"
        if psql(f"SELECT {about} FROM pg_database WHERE datname = '{name}'") == stamp:  # noqa: S608
            print(f"reusing {name}", flush=True)
            return name
        drop(name)
    register = offers.template(size, seed, var_dir)
    offers.copy_of(register, name)
    started = time.perf_counter()
    print(gov3(name, var_dir, "offers", "sweep", "--country", COUNTRY, "--no-notify"), flush=True)
    print(f"swept in {time.perf_counter() - started:.0f} s", flush=True)
    psql("ANALYZE", name)
    psql(f"COMMENT ON DATABASE {name} IS '{stamp}'")
    return name


def timed(database: str, var_dir: str, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [offers.GOV3, *args],
        capture_output=True,
        text=True,
        env=offers.child_env(database, var_dir),
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"gov3 {' '.join(args)} failed (exit {done.returncode})")
    for line in done.stdout.splitlines():
        if line.startswith(("Backup written", "Restored")):
            print(line, flush=True)
    return seconds


def counts(database: str) -> dict[str, int]:
    return {
        "residents": int(psql("SELECT count(*) FROM registry_person", database)),
        "offers": int(psql("SELECT count(*) FROM offers_offer", database)),
        "bytes": int(psql(f"SELECT pg_database_size('{database}')")),
    }


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="generated residents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="measured backup + restore runs")
    parser.add_argument("--jobs", type=int, default=2, help="pg_restore jobs")
    parser.add_argument("--compress", type=int, default=6, help="pg_dump compression level")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the registers for next time")
    args = parser.parse_args()
    started_at = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    work = Path(tempfile.mkdtemp(prefix="gov3-bench-backup-"))
    var_dir = str(work / "var")
    name = source(args.size, args.seed, var_dir)
    found = counts(name)
    backups: list[float] = []
    restores: list[float] = []
    size = 0
    try:
        for run in range(1, args.runs + 1):
            file = work / "register.backup"
            backups.append(
                timed(
                    name, var_dir, "backup", str(file), "--overwrite", f"--compress={args.compress}"
                )
            )
            size = file.stat().st_size
            target = f"{PREFIX}_restored"
            drop(target)
            psql(f"CREATE DATABASE {target}")
            restores.append(timed(target, var_dir, "restore", str(file), f"--jobs={args.jobs}"))
            restored = counts(target)
            assert (restored["residents"], restored["offers"]) == (
                found["residents"],
                found["offers"],
            ), (restored, found)
            drop(target)
            print(
                f"run {run}: backup {backups[-1]:.1f} s, restore {restores[-1]:.1f} s", flush=True
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            drop(name)
            drop(f"{offers.PREFIX}_tpl_{args.size}_s{args.seed}")
    loads.append(os.getloadavg()[0])
    met = max(statistics.median(backups), statistics.median(restores)) <= TARGET_S
    lines = [
        f"| {found['residents']:,} | {found['offers']:,} | {found['bytes'] / 2**20:,.0f} MiB | "
        f"{size / 2**20:,.0f} MiB | {fmt(backups)} | {fmt(restores)} | "
        f"{'met' if met else 'MISSED'} |",
    ]
    header = [
        "| residents | offers | database | backup file | `gov3 backup` | `gov3 restore` "
        "| ≤ 3 min |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    print("\n".join(header + lines))
    if args.no_record:
        return
    command = "bench/backup.py " + " ".join(sys.argv[1:])
    text = []
    if HEADING not in RESULTS.read_text(encoding="utf-8"):
        text += ["", HEADING, "", INTRO]
    text += [
        "",
        f"### Backup and restore, run of {started_at:%Y-%m-%d %H:%M} UTC (`bench/backup.py`)",
        "",
        f"- Command: `.venv/bin/python {command.strip()}`",
        f"- Machine: {offers.machine()}",
        f"- Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f} (shared machine)",
        f"- {args.runs} runs; median (range). pg_dump -Z{args.compress}, pg_restore --jobs "
        f"{args.jobs}; the restore time includes its checks (migrations, `audit verify`, keys).",
        "",
        *header,
        *lines,
    ]
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
