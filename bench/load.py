"""Benchmark: mixed citizen and officer journeys under load (issue 15, item 6), with Locust.

The production set-up on one machine, all on 127.0.0.1: `gov3 serve` (gunicorn, sync workers,
the documented formula 2 x cores + 1 unless ``--workers``; ``GOV3_DEBUG=0`` and the rest of
`bench/offers.py`'s production environment), one `gov3 tasks worker` on a private Redis
(``redis-server`` on a free port, nothing on disk) as ``GOV3_TASK_QUEUE``, and PostgreSQL: a
database of its own (``bench_load``), a copy of `bench/offers.py`'s generated register
(``--size`` residents, an agency deciding every service) swept for offers as that benchmark
does.

Set up through the real service commands (not timed): ``--citizens`` demo-like citizens with
open offers, each with an account and a resident registration certificate to download;
``--officers`` registry officers of the agency, each with a TOTP device whose secret the load
test knows; ``--cases`` cases waiting for an officer (other residents' offers confirmed).

Then ``locust --headless`` runs `bench/load_journeys.py` (what each journey does is described
there): citizens sign in, open the inbox, open an offer, confirm it, download their
certificate's PDF and have it verified by the public API; officers sign in with password and
TOTP, open the queue and approve a case (which the worker then acts on). Nine citizens to one
officer (``--users`` in all, at least one officer). Locust runs on the same 2 cores as the
server: its CPU time is reported.

Printed: requests/s, p50/p95/p99 (ms) and failures per endpoint group and overall, from Locust's
CSV statistics. ``--record`` appends them to bench/RESULTS.md and keeps Locust's HTML report
(its charts) as ``bench/load-report.html``. Targets (issue 15): ≥ 300 req/s, p99 ≤ 300 ms,
0 errors, over 10 minutes.

    .venv/bin/python bench/load.py --duration 10m --record          # the measurement
    .venv/bin/python bench/load.py --size 1200 --users 2 --duration 5s   # smoke run

Needs ``redis-server`` and locust (dev extras). ``bench_load`` and the register's template
(`bench/offers.py`'s, reused if made the same day) are dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import offers
import task_queue

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
REPORT = ROOT / "bench" / "load-report.html"
LOCUST = str(Path(sys.executable).parent / "locust")
DATABASE = "bench_load"
JOURNEYS = Path(__file__).resolve().parent / "load_journeys.py"
TARGET_RPS, TARGET_P99_MS = 300.0, 300.0
#: Endpoint groups of the report (Locust names start with the group).
GROUPS = ("citizen", "officer", "public")


# -- set-up (a child process with the database's environment) -------------------------------------


def child_setup(citizens: int, officers: int, cases: int, seed: int, out: str) -> dict[str, Any]:
    """The accounts of the load test, made through the service commands; written to `out`."""
    import random  # noqa: PLC0415

    offers.setup_django()
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import Agency, OfficerRole  # noqa: PLC0415
    from gov3.accounts.services import (  # noqa: PLC0415
        do_create_citizen_account,
        do_create_officer_account,
    )
    from gov3.cases.models import OPEN_CASE_STATUSES, Case  # noqa: PLC0415
    from gov3.core.errors import Gov3Error  # noqa: PLC0415
    from gov3.documents.models import DocumentType  # noqa: PLC0415
    from gov3.documents.services import do_issue_certificate  # noqa: PLC0415
    from gov3.offers.models import OPEN_STATUSES, Offer  # noqa: PLC0415
    from gov3.offers.services import do_confirm_offer  # noqa: PLC0415
    from gov3.offers.sweep import run_sweep  # noqa: PLC0415
    from gov3.registry.models import Person  # noqa: PLC0415

    started = time.perf_counter()
    run_sweep(offers.COUNTRY, timezone.localdate(), notify=False)  # as bench/offers.py's sweep
    swept = time.perf_counter() - started

    password = secrets.token_urlsafe(16)
    open_offers = Offer.objects.filter(
        status__in=OPEN_STATUSES, recipient__date_of_death__isnull=True
    )
    recipients = sorted(set(open_offers.values_list("recipient_id", flat=True)))
    random.Random(seed).shuffle(recipients)
    people = iter(recipients)
    names: list[str] = []
    for pk in people:
        if len(names) == citizens:
            break
        person = Person.objects.get(pk=pk)
        user = do_create_citizen_account(
            "bench", person=person, username=f"load-citizen-{pk}", password=password
        )
        try:
            do_issue_certificate(user, person, DocumentType.RESIDENT_REGISTRATION)
        except Gov3Error:
            continue  # not a person this certificate is for: the account stays unused
        names.append(user.username)
    if len(names) < citizens:
        raise SystemExit(f"only {len(names)} citizens with offers and a certificate: generate more")
    agency = Agency.objects.get(code="BENCH")
    waiting = Case.objects.filter(agency=agency, status__in=OPEN_CASE_STATUSES)  # the queue
    for pk in people:
        if waiting.count() >= cases:
            break
        person = Person.objects.get(pk=pk)
        user = do_create_citizen_account(
            "bench", person=person, username=f"load-applicant-{pk}", password=password
        )
        for offer in open_offers.filter(recipient=person):
            try:
                do_confirm_offer(user, offer, expected_version=offer.version, language="en")
            except Gov3Error:
                continue
    officer_accounts = []
    for n in range(officers):
        key = secrets.token_hex(20)
        do_create_officer_account(
            "bench",
            username=f"load-officer-{n}",
            password=password,
            agency=agency,
            role=OfficerRole.REGISTRY_OFFICER,
            totp_key_hex=key,
        )
        officer_accounts.append({"username": f"load-officer-{n}", "totp_key_hex": key})
    accounts = {"password": password, "citizens": names, "officers": officer_accounts}
    Path(out).write_text(json.dumps(accounts), encoding="utf-8")
    return {
        "citizens": len(names),
        "officers": officers,
        "cases": waiting.count(),
        "offers": Offer.objects.count(),
        "sweep_s": round(swept, 1),
        "accounts_s": round(time.perf_counter() - started - swept, 1),
    }


def run_setup(var_dir: str, *args: str) -> dict[str, Any]:
    """`child_setup` in a fresh process with the database's environment."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=offers.child_env(DATABASE, var_dir),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"the set-up failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the servers ----------------------------------------------------------------------------------


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return int(response.status)
    except (OSError, urllib.error.URLError):
        return 0


@contextmanager
def serve(env: dict[str, str], workers: int) -> Iterator[str]:
    """`gov3 serve` on a free loopback port, until it answers /healthz."""
    port = offers.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "60"],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while status_of(base + "/healthz") != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gov3 serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def warm_up(base: str, workers: int) -> None:
    """Each worker imports the application on its first request: not what is measured."""
    for _ in range(4 * workers):
        for path in ("/login/", "/verify/", "/officer/login/"):
            status_of(base + path)


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of the web server (gunicorn's master and workers), of the task worker,
    and of the whole machine (busy time of all cores: other users' work included)."""
    import psutil  # noqa: PLC0415 - comes with locust

    def spent(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:
            return 0.0
        return float(times.user + times.system)

    found = {"server": 0.0, "worker": 0.0}
    for child in psutil.Process().children():
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        kind = (
            "server"
            if " serve " in command or "gunicorn" in command
            else "worker"
            if "tasks worker" in command
            else ""
        )
        if kind:
            family = [child, *child.children(recursive=True)]
            found[kind] += sum(spent(p) for p in family)
    machine = psutil.cpu_times()
    found["machine"] = float(
        machine.user + machine.system + machine.nice + machine.irq + machine.softirq
    )
    return found


def run_locust(
    args: argparse.Namespace, base: str, env: dict[str, str], out: Path
) -> tuple[float, float]:
    """Locust, headless; its CSV and HTML under `out`; its CPU seconds and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [LOCUST, "-f", str(JOURNEYS), "--headless", "--host", base, "-u", str(args.users),
         "-r", str(args.spawn_rate), "-t", args.duration, "--stop-timeout", "10",
         "--csv", str(out / "load"), "--html", str(out / "report.html"), "--only-summary",
         "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not (out / "load_stats.csv").exists():
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"locust failed (exit {done.returncode})")
    if done.stderr.strip():
        print(done.stderr[-2000:], flush=True)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu, wall


# -- figures --------------------------------------------------------------------------------------


def read_stats(out: Path) -> list[dict[str, Any]]:
    """Locust's per-name rows and its 'Aggregated' row (percentiles in ms)."""
    with (out / "load_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return [
        {
            "name": row["Name"] or "Aggregated",
            "method": row["Type"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"] or 0),
            "p95": float(row["95%"] or 0),
            "p99": float(row["99%"] or 0),
        }
        for row in rows
    ]


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = "**all**" if row["name"] == "Aggregated" else f"{row['method']} {row['name']}"
        lines.append(
            f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['failures']:,} |"
        )
    return lines


def failures(out: Path) -> list[str]:
    path = out / "load_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as found:
        return [
            f"{r['Method']} {r['Name']}: {r['Error']} ({r['Occurrences']} times)"
            for r in csv.DictReader(found)
        ]


def record(
    args: argparse.Namespace,
    lines: list[str],
    started: datetime,
    report: Path,
) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    header = []
    if "## Mixed journeys under load (issue 15)" not in text:
        header = [
            "",
            "## Mixed journeys under load (issue 15) (`bench/load.py`)",
            "",
            "Locust's citizen and officer journeys against `gov3 serve` + one `gov3 tasks "
            "worker` on Redis + PostgreSQL, all on 127.0.0.1 of the same 2-core machine as "
            "Locust itself; see the script's docstring. Target: ≥ 300 req/s, p99 ≤ 300 ms, "
            "0 errors, 10 minutes.",
        ]
    command = ".venv/bin/python bench/load.py " + " ".join(sys.argv[1:])
    body = [
        "",
        f"### Run of {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Command: `{command.strip()}`",
        f"- Machine: {offers.machine()}, Redis, locust {locust_version()}",
        "- Shared machine: other engineers run their tests on it (load averages below).",
        f"- Charts: `bench/{report.name}` (Locust's HTML report of this run).",
        "",
        *lines,
    ]
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(header + body).rstrip("\n") + "\n")


def locust_version() -> str:
    done = subprocess.run([LOCUST, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split()[1] if done.returncode == 0 else "?"


# -- main -----------------------------------------------------------------------------------------


def main() -> None:  # noqa: PLR0915 - one straight sequence
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000, help="residents of the register")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=60, help="Locust users (citizens+officers)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--duration", default="10m", help="Locust's run time, e.g. 10m, 5s")
    parser.add_argument("--wait", default="0.5,1.5", help="seconds between a user's journeys")
    parser.add_argument("--citizens", type=int, default=0, help="accounts (default: users)")
    parser.add_argument("--cases", type=int, default=0, help="cases waiting (default 20/officer)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: formula)")
    parser.add_argument(
        "--keep", action="store_true", help="keep bench_load and the register's template"
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_setup(*map(int, args.child[:4]), args.child[4])))
        return
    if shutil.which("redis-server") is None:
        raise SystemExit("needs redis-server")
    officer_users = max(1, args.users // 10)
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="gov3-bench-load-") as var_dir:
        out = Path(var_dir)
        clock = time.perf_counter()
        source = offers.template(args.size, args.seed, var_dir)
        offers.copy_of(source, DATABASE)
        try:
            accounts = out / "accounts.json"
            made = run_setup(
                var_dir,
                str(args.citizens or args.users),
                str(officer_users),
                str(args.cases or 20 * officer_users),
                str(args.seed),
                str(accounts),
            )
            print(f"set up ({time.perf_counter() - clock:.0f} s): {made}", flush=True)
            offers.psql("ANALYZE", DATABASE)  # autovacuum is off on this server
            with task_queue.redis() as queue_url:
                env = {
                    **offers.child_env(DATABASE, var_dir),
                    "GOV3_TASK_QUEUE": queue_url,
                    "GOV3_LOAD_ACCOUNTS": str(accounts),
                    "GOV3_LOAD_OFFICERS": str(officer_users),
                    "GOV3_LOAD_WAIT": args.wait,
                    # Behind nginx, which ends TLS (deploy/nginx): the journeys say so.
                    "GOV3_TRUSTED_PROXY": "1",
                }
                workers = args.workers or 2 * (os.cpu_count() or 1) + 1
                clock = time.perf_counter()
                with task_queue.worker(env), serve(env, workers) as base:
                    warm_up(base, workers)
                    print(f"serving ({time.perf_counter() - clock:.0f} s)", flush=True)
                    before = cpu_seconds()
                    cpu, wall = run_locust(args, base, env, out)
                    used = {k: v - before[k] for k, v in cpu_seconds().items()}
                    depth = offers.psql(
                        "SELECT count(*) FROM tasks_job WHERE status <> 'done'", DATABASE
                    )
            rows = read_stats(out)
            errors = failures(out)
            if REPORT.parent.exists() and args.record:
                shutil.copyfile(out / "report.html", REPORT)
        finally:
            if not args.keep:
                offers.drop(DATABASE)
                offers.drop(source)
    loads.append(os.getloadavg()[0])
    overall = next(r for r in rows if r["name"] == "Aggregated")
    met = (
        overall["rps"] >= TARGET_RPS
        and overall["p99"] <= TARGET_P99_MS
        and overall["failures"] == 0
    )
    lines = [
        f"{args.users} Locust users ({officer_users} officers, the rest citizens), "
        f"{args.spawn_rate:g} started a second, {args.duration} (wall {wall:.0f} s), "
        f"{args.wait} s between a user's journeys; `gov3 serve` with {workers} sync workers; "
        f"register of {args.size:,} residents, {made['offers']:,} offers; "
        f"{made['citizens']} citizens, {made['cases']} cases waiting at the start. Locust's own "
        f"CPU: {cpu:.0f} s ({100 * cpu / wall:.0f} % of one core); the web server's "
        f"{used['server']:.0f} s ({100 * used['server'] / wall:.0f} %), the task worker's "
        f"{used['worker']:.0f} s ({100 * used['worker'] / wall:.0f} %), the whole machine's "
        f"{used['machine']:.0f} s ({100 * used['machine'] / wall:.0f} % of one core, of "
        f"{100 * (os.cpu_count() or 1)} %: the rest went to PostgreSQL, Redis and other users' "
        "work). Jobs not done at the end: "
        f"{depth}. Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f}.",
        "",
        *table(rows),
        "",
        f"Target ≥ {TARGET_RPS:.0f} req/s, p99 ≤ {TARGET_P99_MS:.0f} ms, 0 errors: "
        f"**{'met' if met else 'not met'}**.",
    ]
    if errors:
        lines += ["", "Errors:", "", *(f"- {e}" for e in errors)]
    print("\n".join(lines), flush=True)
    if args.record:
        record(args, lines, started, REPORT)
        size = REPORT.stat().st_size
        print(f"report kept as {REPORT.relative_to(ROOT)} ({size / 1e6:.2f} MB)", flush=True)


if __name__ == "__main__":
    main()
