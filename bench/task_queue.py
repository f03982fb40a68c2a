"""Benchmark: background work through the real queue (issue 15, ADR 0033).

The production set-up on one machine: PostgreSQL on 127.0.0.1 (a database of its own, created
and dropped here), a private Redis (``redis-server`` on a free loopback port, nothing on disk)
as ``GOV3_TASK_QUEUE``, and one ``gov3 tasks worker --workers 2`` process. The writes are made
by a separate process (as a web request would) through the real service commands.

``birth`` (target: p99 ≤ 500 ms)
    A mother registered (not timed; her own registration's job done first), then her baby's
    birth (`do_register_birth`). Timed: from the birth's COMMIT (the command returned) until a
    second database connection sees the baby's offers (written by the worker).

``passport`` (target: p99 ≤ 2 s)
    A person with a passport expiring in four months and an account (not timed), the renewal
    offer confirmed, the photo provided and the sandbox fee paid (`do_provide`, which approves
    the case: ``GOV3_QC_SAMPLE_RATE=0``). Timed: from the approval's COMMIT until the passport
    the worker issued verifies (`documents.verification.check` of its signed PDF is VALID).
    One passport before the timed ones is not counted (it makes the issuer key, warms fonts).

Each part runs ``--count`` times a run (sequentially, one at a time: latency, not throughput),
``--runs`` runs (default 3); the table gives the median of the runs' p50, p95 and p99.

    .venv/bin/python bench/task_queue.py                     # 3 runs, 100 births, 30 passports
    .venv/bin/python bench/task_queue.py --births 5 --passports 2 --runs 1 --no-record   # smoke

Results are appended to bench/RESULTS.md under "## Background work through the queue".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ready_database
from offers import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
if PG_SERVER.endswith("/postgres"):
    PG_SERVER = PG_SERVER.removesuffix("/postgres")
#: How long a part waits for one job before it calls the run failed.
PATIENCE = 120.0


def psql(sql: str) -> None:
    subprocess.run(["psql", "-q", f"{PG_SERVER}/postgres", "-c", sql], check=True)


@contextmanager
def database() -> Iterator[str]:
    name = f"gov3_bench_queue_{uuid.uuid4().hex[:8]}"
    create, ready = ready_database.create_postgres(name)
    psql(create)
    url = f"{PG_SERVER}/{name}"
    try:
        if not ready:
            env = {**os.environ, "DATABASE_URL": url, "GOV3_TASK_QUEUE": "immediate"}
            gov3 = [sys.executable, "-m", "gov3.cli"]
            subprocess.run([*gov3, "migrate", "-v", "0"], env=env, check=True)
            subprocess.run([*gov3, "country", "load", "kr"], env=env, check=True)
        yield url
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()


@contextmanager
def worker(env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gov3.cli", "tasks", "worker", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


# -- the writer (a child process with the database's environment) ---------------------------------


def _wait(connection: object, sql: str, *parameters: object) -> None:
    """Until `sql`'s one value is true (polled every 5 ms)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        row = connection.execute(sql, parameters).fetchone()  # type: ignore[attr-defined]
        if row and row[0]:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"nothing after {PATIENCE} s: is the worker running? ({sql})")
        time.sleep(0.005)


def child(part: str, count: int, serial: int) -> dict[str, list[float]]:  # noqa: PLR0915
    """Make `count` births or passports through the queue and time each (seconds)."""
    import io  # noqa: PLC0415
    from datetime import date, timedelta  # noqa: PLC0415

    import django  # noqa: PLC0415
    import psycopg  # noqa: PLC0415

    django.setup()
    from django.utils import timezone  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    from gov3.accounts.models import User  # noqa: PLC0415
    from gov3.accounts.services import do_create_agency, do_create_citizen_account  # noqa: PLC0415
    from gov3.cases.models import Case  # noqa: PLC0415
    from gov3.cases.services import do_provide  # noqa: PLC0415
    from gov3.documents import photos  # noqa: PLC0415
    from gov3.documents.core import verify  # noqa: PLC0415
    from gov3.documents.models import IssuedDocument  # noqa: PLC0415
    from gov3.documents.verification import check  # noqa: PLC0415
    from gov3.offers.models import Offer  # noqa: PLC0415
    from gov3.offers.services import do_confirm_offer  # noqa: PLC0415
    from gov3.registry.national_ids import national_id_scheme  # noqa: PLC0415
    from gov3.registry.services import (  # noqa: PLC0415
        do_record_passport_issued,
        do_register_birth,
        do_register_person,
    )

    watcher = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    today = timezone.localdate()
    scheme = national_id_scheme("kr")

    def person(n: int, born: date, sex: str) -> object:
        return do_register_person(
            "bench:registry-office",
            country="kr",
            national_id=scheme.make(born, sex, 10_000 + serial * 1000 + n),
            name_local="김영희",
            name_latin="KIM YOUNGHEE",
            birth_date=born,
            sex=sex,
            nationality="KOR",
            area_code="11110-01",
            street="세종대로 1",
        )

    times: list[float] = []
    if part == "birth":
        for n in range(count):
            mother = person(n, date(1990, 3, 1), "F")
            # Her registration's job done first: the worker is idle when the birth is timed.
            _wait(watcher, "SELECT count(*) = 0 FROM tasks_job WHERE status <> 'done'")
            child_person = do_register_birth(
                "bench:registry-office",
                mother=mother,  # type: ignore[arg-type]
                father=None,
                name_local="이하늘",
                name_latin="LEE HANEUL",
                birth_date=today,
                sex="F",
            )
            start = time.perf_counter()
            _wait(
                watcher, "SELECT count(*) FROM offers_offer WHERE subject_id = %s", child_person.pk
            )
            times.append(time.perf_counter() - start)
        return {"times": times}

    do_create_agency(
        "bench",
        code=f"kr-q{serial}",
        name_local="종로구청",
        name_en="Jongno-gu Office",
        country="kr",
        services=["*"],
    )
    image = Image.new("RGB", (600, 771), (235, 235, 230))
    for y in range(771 // 5, 771 * 4 // 5):
        for x in range(600 // 4, 600 * 3 // 4, 4):
            image.putpixel((x, y), (200, 160, 130))
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG")
    for n in range(count + 1):  # the first is not counted
        holder = person(n, date(1975, 5, 1), "F")
        account = do_create_citizen_account(
            "bench", person=holder, username=f"holder-{serial}-{n}", password="x" * 20
        )
        do_record_passport_issued(
            "bench",
            holder,
            number=f"M{serial:03d}A{n:04d}",  # type: ignore[arg-type]
            issued_on=today - timedelta(days=3530),
            expires_on=today + timedelta(days=120),
        )
        # The renewal offer made and its notice sent (the worker changes the offer meanwhile).
        _wait(watcher, "SELECT count(*) = 0 FROM tasks_job WHERE status <> 'done'")
        offer = Offer.objects.get(service_id="passport_renewal", recipient=holder)
        do_confirm_offer(account, offer, expected_version=offer.version, language="en")
        case = Case.objects.get(offer=offer)
        photo = photos.check(io.BytesIO(jpeg.getvalue()))
        user = User.objects.get(pk=account.pk)
        do_provide(
            user,
            case,
            expected_version=case.version,
            provided={"photo": photo.sha256},
            store=lambda c, photo=photo: photos.store(c, photo),
        )
        start = time.perf_counter()
        _wait(watcher, "SELECT count(*) FROM documents_issueddocument WHERE case_id = %s", case.pk)
        document = IssuedDocument.objects.get(case=case)
        outcome = check(bytes(document.pdf)).outcome
        if outcome != verify.VALID:
            raise SystemExit(f"the passport of case {case.pk} does not verify: {outcome}")
        if n:
            times.append(time.perf_counter() - start)
    return {"times": times}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--births", type=int, default=100)
    parser.add_argument("--passports", type=int, default=30)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        part, count, serial = args.child
        print(json.dumps(child(part, int(count), int(serial))))
        return

    rows: dict[str, list[tuple[float, float, float]]] = {"birth": [], "passport": []}
    with tempfile.TemporaryDirectory(prefix="gov3-bench-queue-") as var_dir:
        for run in range(args.runs):
            with database() as url, redis() as queue_url:
                env = {
                    **os.environ,
                    "DATABASE_URL": url,
                    "DJANGO_SETTINGS_MODULE": "gov3.settings",
                    "GOV3_VAR_DIR": var_dir,
                    "GOV3_KEY_DIR": str(Path(var_dir) / "keys"),
                    "GOV3_TASK_QUEUE": queue_url,
                    "GOV3_QC_SAMPLE_RATE": "0",
                }
                with worker(env):
                    for part, count in (("birth", args.births), ("passport", args.passports)):
                        done = subprocess.run(
                            [sys.executable, __file__, "--child", part, str(count), str(run)],
                            env=env,
                            capture_output=True,
                            text=True,
                            check=False,
                            cwd=ROOT,
                        )
                        if done.returncode:
                            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
                            raise SystemExit(f"the {part} part failed")
                        times = json.loads(done.stdout.strip().splitlines()[-1])["times"]
                        row = tuple(1000 * percentile(times, q) for q in (0.5, 0.95, 0.99))
                        rows[part].append(row)  # type: ignore[arg-type]
                        print(
                            f"run {run + 1} {part}: p50 {row[0]:.0f} ms, p95 {row[1]:.0f} ms, "
                            f"p99 {row[2]:.0f} ms ({len(times)} timed)",
                            flush=True,
                        )

    targets = {"birth": 500, "passport": 2000}
    what = {
        "birth": f"birth registered → its offers visible ({args.births} a run)",
        "passport": f"approval → passport verifiable ({args.passports} a run)",
    }
    lines = [
        "| what | p50 ms | p95 ms | p99 ms | target p99 | runs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for part, found in rows.items():
        medians = [statistics.median(r[i] for r in found) for i in range(3)]
        lines.append(
            f"| {what[part]} | {medians[0]:,.0f} | {medians[1]:,.0f} | {medians[2]:,.0f} | "
            f"≤ {targets[part]:,} | {len(found)} |"
        )
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        command = "python bench/task_queue.py " + " ".join(sys.argv[1:])
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(
                f"\n## Background work through the queue (issue 15)\n\n{stamp}; {machine}; "
                f"`{command}`; PostgreSQL and Redis on 127.0.0.1, one worker process (2 "
                "threads); the median over the runs of each run's percentile.\n\n"
                f"{table}\n"
            )


if __name__ == "__main__":
    main()
