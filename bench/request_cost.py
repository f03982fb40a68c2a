"""Benchmark: the cost of one web request, step by step, of `bench/load.py`'s journeys (issue 15).

Throughput on a shared machine says little; the CPU a request costs the web process does not
depend on who else is running. This measures, in one process through Django's whole middleware
stack (the test client, CSRF checks on, no server), each step of the Locust journeys of
`bench/load_journeys.py` against the production set-up's settings (``GOV3_DEBUG=0``,
PostgreSQL, the task queue on a private Redis that no worker empties: a request only enqueues):

- citizen: sign-in page, sign in (Argon2), inbox, offer page, confirm offer, my documents,
  certificate PDF, verify PDF (public API);
- officer: sign-in page, sign in (password + TOTP), queue, case page, decide (approve).

For each step: requests, median CPU ms of this process (``time.process_time``), median wall ms
and SQL statements a request. "Mixed" weighs the steps as the load test's 10-minute run of
2026-12-07 19:48 UTC sent them (``MIX``): the CPU a request of the mixed load costs.

The register is `bench/load.py`'s (a copy of `bench/offers.py`'s generated register, swept for
offers, with its accounts and cases), only smaller by default (``--size``): what one request
reads does not grow with the register (indexes).

    .venv/bin/python bench/request_cost.py                    # print the table
    .venv/bin/python bench/request_cost.py --profile inbox    # and a cProfile of one step
    .venv/bin/python bench/request_cost.py --size 1200 --citizens 3 --rounds 1   # smoke run

The databases are named ``--prefix``\\_tpl…, ``--prefix``\\_ready (after the set-up) and
``--prefix``\\_run (the copy a run measures, dropped after it); ``--keep`` keeps the first two,
and ``--reuse`` then measures a new copy of the same state (before/after comparisons). Needs
``redis-server``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import hmac
import io
import json
import os
import pstats
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load
import offers
import task_queue

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "var" / "bench"
#: Requests of each step in the load test's run of 2026-12-07 19:48 UTC (bench/RESULTS.md).
MIX = {
    "citizen: certificate PDF": 11_883,
    "citizen: confirm offer": 82,
    "citizen: inbox": 11_903,
    "citizen: my documents": 11_888,
    "citizen: offer page": 11_894,
    "citizen: sign in": 45,
    "citizen: sign in page": 45,
    "officer: case page": 122,
    "officer: decide (approve)": 122,
    "officer: queue": 2_300,
    "officer: sign in": 5,
    "officer: sign in page": 5,
    "public: verify PDF (API)": 11_875,
}
SHORT = {
    "inbox": "citizen: inbox",
    "offer": "citizen: offer page",
    "documents": "citizen: my documents",
    "pdf": "citizen: certificate PDF",
    "verify": "public: verify PDF (API)",
    "queue": "officer: queue",
    "case": "officer: case page",
}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OFFER_LINK = re.compile(rf'href="/me/offers/({UUID})/"')
CONFIRM_FORM = re.compile(
    rf'action="/me/offers/({UUID})/confirm/".*?name="version" value="(\d+)"', re.DOTALL
)
DOCUMENT_LINK = re.compile(rf'href="/me/documents/({UUID})/"')
CASE_LINK = re.compile(rf'href="/officer/cases/({UUID})/"')
DECIDE_FORM = re.compile(
    rf'action="/officer/cases/({UUID})/decide/".*?name="version" value="(\d+)"', re.DOTALL
)


def totp(key_hex: str, step: int = 30, digits: int = 6) -> str:
    """RFC 6238: the code the officer's authenticator app shows now (as bench/load_journeys.py)."""
    counter = int(time.time() // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


# -- the child: requests in this process -----------------------------------------------------------


class Meter:
    """CPU, wall time and SQL statements of each request, by step."""

    def __init__(self, profile: str | None) -> None:
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, list[int]] = defaultdict(list)
        self.statements = 0
        self.profile_step = SHORT.get(profile or "", profile)
        self.profiler = cProfile.Profile() if profile else None
        self.profiled = 0

    def count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        return execute(sql, params, many, context)

    def call(self, step: str, send: Any, *args: Any, **kwargs: Any) -> Any:
        profiling = self.profiler is not None and step == self.profile_step
        before_sql = self.statements
        started, used = time.perf_counter(), time.process_time()
        if profiling:
            self.profiler.enable()  # type: ignore[union-attr]
        response = send(*args, **kwargs)
        if profiling:
            self.profiler.disable()  # type: ignore[union-attr]
            self.profiled += 1
        self.cpu[step].append((time.process_time() - used) * 1000)
        self.wall[step].append((time.perf_counter() - started) * 1000)
        self.sql[step].append(self.statements - before_sql)
        return response


def expect(response: Any, status: int, what: str) -> str:
    if response.status_code != status:
        raise SystemExit(f"{what}: {response.status_code} instead of {status}")
    return response.content.decode("utf-8", "replace") if status == 200 else ""


def token_of(page: str, what: str) -> str:
    found = CSRF.search(page)
    if found is None:
        raise SystemExit(f"no CSRF token on {what}")
    return found.group(1)


def citizen_journeys(meter: Meter, client: Any, username: str, password: str, rounds: int) -> None:
    page = expect(meter.call("citizen: sign in page", client.get, "/login/"), 200, "/login/")
    response = meter.call(
        "citizen: sign in",
        client.post,
        "/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token_of(page, "/")},
    )
    expect(response, 302, "citizen sign-in")
    for _ in range(rounds):
        inbox = expect(meter.call("citizen: inbox", client.get, "/me/offers/"), 200, "inbox")
        found = OFFER_LINK.findall(inbox)
        if found:
            offer = f"/me/offers/{found[0]}/"
            page = expect(meter.call("citizen: offer page", client.get, offer), 200, offer)
            form = CONFIRM_FORM.search(page)
            if form:
                response = meter.call(
                    "citizen: confirm offer",
                    client.post,
                    f"/me/offers/{form.group(1)}/confirm/",
                    {"version": form.group(2), "csrfmiddlewaretoken": token_of(page, offer)},
                )
                expect(response, 302, "confirm")
        listing = expect(
            meter.call("citizen: my documents", client.get, "/me/documents/"), 200, "documents"
        )
        documents = DOCUMENT_LINK.findall(listing)
        if not documents:
            continue
        response = meter.call(
            "citizen: certificate PDF", client.get, f"/me/documents/{documents[0]}/pdf/"
        )
        if response.status_code != 200:
            raise SystemExit(f"PDF: {response.status_code}")
        pdf = b"".join(response.streaming_content) if response.streaming else response.content
        response = meter.call(
            "public: verify PDF (API)",
            client.post,
            "/api/v1/verify/pdf",
            {"document": io.BytesIO(pdf)},
        )
        if response.status_code != 200 or response.json().get("outcome") != "valid":
            raise SystemExit(f"verify: {response.status_code} {response.content[:200]!r}")


def officer_journeys(meter: Meter, client: Any, account: dict[str, Any], password: str,
                     rounds: int) -> None:  # fmt: skip
    page = expect(
        meter.call("officer: sign in page", client.get, "/officer/login/"), 200, "/officer/login/"
    )
    fields = {
        "username": account["username"],
        "password": password,
        "otp_token": totp(account["totp_key_hex"]),
        "csrfmiddlewaretoken": token_of(page, "/officer/login/"),
    }
    expect(meter.call("officer: sign in", client.post, "/officer/login/", fields), 302, "officer")
    for _ in range(rounds):
        queue = expect(meter.call("officer: queue", client.get, "/officer/cases/"), 200, "queue")
        cases = CASE_LINK.findall(queue)
        if not cases:
            continue
        case = f"/officer/cases/{cases[0]}/"
        page = expect(meter.call("officer: case page", client.get, case), 200, case)
        form = DECIDE_FORM.search(page)
        if form is None:
            continue
        data = {
            "version": form.group(2),
            "action": "approve",
            "text": "Checked by the request-cost benchmark.",
            "csrfmiddlewaretoken": token_of(page, case),
        }
        response = meter.call(
            "officer: decide (approve)", client.post, f"/officer/cases/{form.group(1)}/decide/",
            data,
        )  # fmt: skip
        expect(response, 302, "decide")


def child_measure(accounts_path: str, rounds: int, profile: str) -> dict[str, Any]:
    offers.setup_django()
    from django.db import connections  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    accounts = json.loads(Path(accounts_path).read_text(encoding="utf-8"))
    meter = Meter(profile or None)

    def new_client() -> Any:
        return Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")

    # Warm-up: the first requests import and compile (templates, URL resolvers, translations).
    warm = Meter(None)
    citizen_journeys(warm, new_client(), accounts["citizens"][0], accounts["password"], 1)
    with connections["default"].execute_wrapper(meter.count):
        for username in accounts["citizens"][1:]:
            citizen_journeys(meter, new_client(), username, accounts["password"], rounds)
        for account in accounts["officers"]:
            officer_journeys(meter, new_client(), account, accounts["password"], rounds)
    steps = {
        step: {
            "requests": len(meter.cpu[step]),
            "cpu_ms": statistics.median(meter.cpu[step]),
            "cpu_mean_ms": statistics.fmean(meter.cpu[step]),
            "wall_ms": statistics.median(meter.wall[step]),
            "sql": statistics.fmean(meter.sql[step]),
        }
        for step in sorted(meter.cpu)
    }
    result: dict[str, Any] = {"steps": steps}
    if meter.profiler is not None and meter.profiled:
        buffer = io.StringIO()
        stats = pstats.Stats(meter.profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        result["profile"] = f"{meter.profiled} requests of {meter.profile_step}\n" + (
            buffer.getvalue()
        )
    return result


# -- the parent ------------------------------------------------------------------------------------


def mixed(steps: dict[str, dict[str, float]], key: str) -> float:
    """The mean of `key` over a request of the load test's mix (steps not measured left out)."""
    known = {step: n for step, n in MIX.items() if step in steps}
    total = sum(known.values())
    return sum(steps[step][key] * n for step, n in known.items()) / total


def table(steps: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| step | requests | CPU ms (median) | CPU ms (mean) | wall ms (median) | SQL a request |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for step, row in steps.items():
        lines.append(
            f"| {step} | {row['requests']} | {row['cpu_ms']:.2f} | {row['cpu_mean_ms']:.2f} | "
            f"{row['wall_ms']:.2f} | {row['sql']:.1f} |"
        )
    lines.append(
        f"| **mixed (the load test's mix)** | | {mixed(steps, 'cpu_ms'):.2f} | "
        f"{mixed(steps, 'cpu_mean_ms'):.2f} | {mixed(steps, 'wall_ms'):.2f} | "
        f"{mixed(steps, 'sql'):.1f} |"
    )
    return lines


def main() -> None:  # noqa: PLR0912, PLR0915 - one straight sequence
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=20_000, help="residents of the register")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--citizens", type=int, default=21, help="citizen accounts (1 warms up)")
    parser.add_argument("--officers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=40, help="cases waiting at the start")
    parser.add_argument("--rounds", type=int, default=5, help="journeys of each account")
    parser.add_argument("--profile", default="", help="a step (or inbox, offer, …) to profile")
    parser.add_argument("--prefix", default="bench_reqcost", help="names of the databases")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="measure the kept copy again")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_measure(args.child[0], int(args.child[1]), args.child[2])))
        return
    offers.PREFIX = args.prefix
    load.DATABASE = database = f"{args.prefix}_run"
    ready = f"{args.prefix}_ready"  # the state after the set-up: each run measures a copy
    # A kept copy keeps its secrets and issuer keys too (the passphrase seals the officers'
    # TOTP secrets, the keys sign the certificates): the same environment when it is reused.
    kept = Path(tempfile.gettempdir()) / f"{args.prefix}-kept"
    reuse = args.reuse and (kept / "env.json").exists() and offers.database_exists(ready)
    if args.keep or reuse:
        kept.mkdir(exist_ok=True)
        if reuse:
            offers.PRODUCTION_ENV.update(json.loads((kept / "env.json").read_text("utf-8")))
        else:
            (kept / "env.json").write_text(json.dumps(offers.PRODUCTION_ENV), "utf-8")
        holder: Any = nullcontext(str(kept))
    else:
        holder = tempfile.TemporaryDirectory(prefix="gov3-bench-reqcost-")
    with holder as var_dir:
        source = ""
        try:
            if reuse:
                accounts = kept / "accounts.json"
                offers.copy_of(ready, database)
            else:
                source = offers.template(args.size, args.seed, var_dir)
                offers.copy_of(source, database)
                accounts = Path(var_dir) / "accounts.json"
                made = load.run_setup(
                    var_dir, str(args.citizens), str(args.officers), str(args.cases),
                    str(args.seed), str(accounts),
                )  # fmt: skip
                print(f"set up: {made}", flush=True)
                offers.psql("ANALYZE", database)
                if args.keep:
                    if accounts != kept / "accounts.json":
                        shutil.copyfile(accounts, kept / "accounts.json")
                    offers.copy_of(database, ready)
            with task_queue.redis() as queue_url:
                env = {**offers.child_env(database, var_dir), "GOV3_TASK_QUEUE": queue_url}
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(accounts), str(args.rounds),
                     args.profile],
                    capture_output=True, text=True, env=env, cwd=ROOT, check=False,
                )  # fmt: skip
            if done.returncode != 0:
                sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
                raise SystemExit(f"the measurement failed (exit {done.returncode})")
            result = json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            offers.drop(database)
            if not (args.keep or reuse):
                offers.drop(ready)
                if source:
                    offers.drop(source)
    print("\n".join(table(result["steps"])), flush=True)
    if "profile" in result:
        PROFILES.mkdir(parents=True, exist_ok=True)
        path = PROFILES / f"request-cost-{args.profile}-profile.txt"
        path.write_text(result["profile"], encoding="utf-8")
        print(f"profile saved to {path.relative_to(ROOT)}", flush=True)
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
