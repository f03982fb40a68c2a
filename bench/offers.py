"""Benchmark: proactive offers on PostgreSQL: a birth's offers, the sweep, the citizen's inbox.

Three parts, each on its own PostgreSQL databases (``bench_offers_*`` on 127.0.0.1, created and
dropped here), each measured ``--runs`` times; the tables give the median and the range.

``event``
    A birth registered by the real command (`gov3.registry.services.do_register_birth`) to a
    random living woman aged 20-45 of a generated population (default 100,000 residents), with
    her living husband as the father. The command commits, then runs the offers trigger in the
    same thread (`offers.triggers.on_life_event`: evaluate, write, notify). Measured per birth:
    from the birth's COMMIT to the moment a fresh query on a second connection sees the
    child's three birth offers (child allowance, parent benefit, First Meeting Voucher), and
    from the call to that moment. 1,000 births a run (after 20 not counted), each run on a
    fresh copy of the register. E-mail uses Django's locmem backend; an agency decides every
    service (``services=["*"]``). The offers are visible to any new query from the moment their
    own transaction commits; the second connection can only look once the command has
    returned, after the notifications it sends in the same thread: both are reported. Target:
    p99 ≤ 100 ms. If it is missed, two more runs of 200 births find where the time goes: one
    timed by step (wall, CPU, SQL statements), one under cProfile; ``--profile`` forces them.

``sweep``
    `gov3.offers.sweep.run_sweep("kr", today, notify=False)` over a generated register
    (default 1,000,000 residents) with no offers yet, then again at once (nothing new).
    Each run on a fresh copy of the register. Per service: residents selected, offers written,
    seconds; and where the first run's time goes (the candidate SQL query, the row conversion,
    the bulk insert, the rest), from light timers around those functions (one call per batch of
    5,000 rows, so they do not change what is measured). Targets: first run ≤ 60 s, rerun
    ≤ 15 s. ``--profile`` adds a cProfile of a first sweep over the ``event`` register.

``inbox``
    ``GET /me/offers/`` (`gov3.offers.views.inbox`) for signed-in citizens with offers, served
    by gunicorn (sync workers, ``GOV3_DEBUG=0``) from the register the sweep part left (or a
    fresh one swept here), loaded by `wrk` with 50 connections on loopback, each connection
    its own client with its own four sessions (200 citizen accounts made by
    `gov3.accounts.services.do_create_citizen_account`, signed in by a session stored with
    Django's SessionStore exactly as `django.contrib.auth.login` stores it). Every response
    must be 200; 5 s of warm-up, then ``--runs`` runs of ``--duration`` seconds for each
    worker count of ``--workers``. Target: ≥ 300 requests/s with p99 ≤ 200 ms. Needs
    ``wrk`` (``apt-get install -y wrk``) and gunicorn (in the dev extras).

The generated registers are kept as PostgreSQL template databases for the day
(``bench_offers_tpl_<size>_s<seed>``) and dropped at the end unless ``--keep``. This server
runs with ``autovacuum = off``, so the bench runs ``ANALYZE`` after loading a register and
before serving the inbox, as autovacuum would have within a minute. A register starts as a
fresh database migrated here, with kr's areas loaded, or as a copy of a ready one
(`bench/ready_database.py`).

    .venv/bin/python bench/offers.py                                 # everything, 3 runs each
    .venv/bin/python bench/offers.py --parts event --births 200 --runs 1 --no-record
    .venv/bin/python bench/offers.py --parts sweep --sweep-size 100000 --runs 1

Results are appended to bench/RESULTS.md (unless ``--no-record``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ready_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
PROFILES = ROOT / "var" / "bench"
GOV3 = str(ROOT / ".venv" / "bin" / "gov3")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
#: Database name prefix (`GOV3_BENCH_PREFIX`), so that two benchmarks on one server do not meet.
PREFIX = os.environ.get("GOV3_BENCH_PREFIX", "bench_offers")
COUNTRY = "kr"
BIRTH_SERVICES = ("child_allowance", "first_meeting_voucher", "parent_benefit")
WARMUP_BIRTHS = 20


def warmup_births(births: int) -> int:
    """Births before a run, not counted: 20, or as many as the run's if fewer (a smoke run)."""
    return min(WARMUP_BIRTHS, births)


#: What the event part reports, per birth.
MEASURES = {
    "to_offers_commit_ms": "birth COMMIT → offers COMMIT (visible to any new query)",
    "from_commit_ms": "birth COMMIT → seen by a second connection after the command returned",
    "from_call_ms": "`do_register_birth` called → seen by a second connection",
}
PROFILE_BIRTHS = 200
EVENT_TARGET_P99_MS = 100.0
SWEEP_TARGET_S, RERUN_TARGET_S = 60.0, 15.0
INBOX_TARGET_RPS, INBOX_TARGET_P99_MS = 300.0, 200.0
SESSIONS_PER_CLIENT = 4
#: A production-like environment for every child process and the server: DEBUG off (no query
#: log), a private key, the issuer keys' passphrase (required with DEBUG off), the loopback host.
#: Plain HTTP on loopback, no proxy: no redirect to HTTPS; static URLs without `collectstatic`'s
#: manifest (wrk fetches only the page, ADR 0035).
PRODUCTION_ENV = {
    "GOV3_DEBUG": "0",
    "GOV3_SECRET_KEY": secrets.token_urlsafe(50),
    "GOV3_KEY_PASSPHRASE": secrets.token_urlsafe(32),
    "GOV3_ALLOWED_HOSTS": "127.0.0.1",
    "GOV3_SSL_REDIRECT": "0",
    "GOV3_STATIC_MANIFEST": "0",
}


def save_profile(part: str, text: str) -> None:
    """Keep a profile under var/bench/ (not in git) for reading after the run."""
    PROFILES.mkdir(parents=True, exist_ok=True)
    path = PROFILES / f"offers-{part}-profile.txt"
    path.write_text(text + "\n", encoding="utf-8")
    print(f"profile saved to {path.relative_to(ROOT)}", flush=True)


def url_of(database: str) -> str:
    return f"{PG_SERVER}/{database}"


# -- databases ------------------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", url_of(database), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608 - ours


def drop(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def child_env(database: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": url_of(database),
        "GOV3_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "gov3.settings",
        # A life event's offers are worked out in this process when it commits, as before the
        # task queue (ADR 0033): this times the work itself; bench/task_queue.py the queue.
        "GOV3_TASK_QUEUE": "immediate",
    }


def gov3(database: str, var_dir: str, *args: str) -> str:
    done = subprocess.run(
        [GOV3, *args],
        check=True,
        capture_output=True,
        text=True,
        env=child_env(database, var_dir),
        cwd=ROOT,
    )
    return done.stdout.strip()


def template(size: int, seed: int, var_dir: str) -> str:
    """A migrated register of `size` generated residents (as of today), analysed, with an
    agency deciding every service; made once a day and reused as a template."""
    name = f"{PREFIX}_tpl_{size}_s{seed}"
    today = datetime.now(ZoneInfo(os.environ.get("GOV3_TIME_ZONE", "Asia/Seoul"))).date()
    stamp = f"gov3 bench register of {today.isoformat()}"  # the day the register describes
    if database_exists(name):
        about = "shobj_description(oid, 'pg_database')"
        comment = psql(f"SELECT {about} FROM pg_database WHERE datname = '{name}'")  # noqa: S608
        if comment == stamp:
            print(f"reusing {name}", flush=True)
            return name
        drop(name)
    started = time.perf_counter()
    create, ready = ready_database.create_postgres(name)  # migrated, kr's areas loaded
    psql(create)
    if not ready:
        gov3(name, var_dir, "migrate", "-v", "0")
        gov3(name, var_dir, "country", "load", COUNTRY)
    print(
        gov3(name, var_dir, "population", "generate", "--country", COUNTRY, "--size", str(size),
             "--seed", str(seed), "--no-progress"),
        flush=True,
    )  # fmt: skip
    run_child(name, var_dir, "agency")
    psql("ANALYZE", name)  # autovacuum is off on this server; it would have done this
    psql(f"COMMENT ON DATABASE {name} IS '{stamp}'")
    print(f"made {name} in {time.perf_counter() - started:.0f} s", flush=True)
    return name


def copy_of(source: str, name: str) -> str:
    drop(name)
    psql(f"CREATE DATABASE {name} TEMPLATE {source}")
    return name


def run_child(database: str, var_dir: str, *args: str) -> dict[str, Any]:
    """Run ``--child ARGS`` against `database` in a fresh process; its last stdout line is
    JSON."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=child_env(database, var_dir),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {args} failed (exit {done.returncode})")
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- shared helpers of the children ---------------------------------------------------------------


def setup_django() -> None:
    import django  # noqa: PLC0415 - settings read the environment when first imported

    django.setup()
    from django.conf import settings  # noqa: PLC0415

    # No SMTP server: notifications' e-mails go to memory (the brief of the benchmark).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Phases:
    """Wall and CPU seconds spent inside named functions, exclusive of nested named ones, and
    the SQL statements each issued (for the breakdown runs)."""

    wall: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[str] = field(default_factory=Counter)
    queries: Counter[str] = field(default_factory=Counter)
    stack: list[str] = field(default_factory=list)
    started: list[tuple[float, float]] = field(default_factory=list)

    def _switch(self, now: tuple[float, float]) -> None:
        if self.stack:
            name = self.stack[-1]
            self.wall[name] += now[0] - self.started[-1][0]
            self.cpu[name] += now[1] - self.started[-1][1]

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        now = (time.perf_counter(), time.process_time())
        self._switch(now)
        self.stack.append(name)
        self.started.append(now)
        self.calls[name] += 1
        try:
            yield
        finally:
            now = (time.perf_counter(), time.process_time())
            self._switch(now)
            self.stack.pop()
            self.started.pop()
            if self.started:
                self.started[-1] = now

    def wrap(self, module: Any, attribute: str, name: str | None = None) -> None:
        """Replace ``module.attribute`` by the same function inside a named phase."""
        original = getattr(module, attribute)
        label = name or attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(label):
                return original(*args, **kwargs)

        setattr(module, attribute, timed)

    def clear(self) -> None:
        for counter in (self.wall, self.cpu, self.calls, self.queries):
            counter.clear()

    def per(self, units: int) -> dict[str, dict[str, float]]:
        """Each phase's wall and CPU ms, calls and SQL statements per unit of work."""
        return {
            name: {
                "wall_ms": self.wall[name] * 1000 / units,
                "cpu_ms": self.cpu[name] * 1000 / units,
                "calls": self.calls[name] / units,
                "queries": self.queries[name] / units,
            }
            for name in self.calls
        }

    def count_query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries[self.stack[-1] if self.stack else "(outside)"] += 1
        return execute(sql, params, many, context)


def profile_text(profiler: cProfile.Profile, limit: int, per: int) -> str:
    """The heaviest functions by cumulative time, per `per` calls of the measured unit."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    lines = [f"(cumulative seconds for {per} units; paths shortened)"]
    packages = str(ROOT / ".venv" / "lib" / "python3.11" / "site-packages") + "/"
    for line in out.getvalue().splitlines():
        lines.append(line.replace(packages, "").replace(str(ROOT) + "/", ""))
    return "\n".join(lines)


# -- child: the agency ----------------------------------------------------------------------------


def child_agency() -> dict[str, Any]:
    setup_django()
    from gov3.accounts.services import do_create_agency  # noqa: PLC0415

    do_create_agency(
        "bench",
        code="BENCH",
        name_local="벤치마크 기관",
        name_en="Benchmark agency",
        country=COUNTRY,
        services=["*"],
    )
    return {}


# -- child: event → offer -------------------------------------------------------------------------


def living_women(today: date) -> list[int]:
    """Living women aged 20-45 with a household, by id."""
    from gov3.core.dates import add_years  # noqa: PLC0415
    from gov3.registry.models import Person  # noqa: PLC0415

    return list(
        Person.objects.filter(
            sex="F",
            date_of_death__isnull=True,
            household__isnull=False,
            birth_date__gt=add_years(today, -46),
            birth_date__lte=add_years(today, -20),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def stamp_commits(database: Any) -> list[float]:
    """The moments the connection's transactions commit, from now on (cleared by the caller)."""
    commits: list[float] = []
    real_commit = database._commit

    def stamped_commit() -> None:
        real_commit()
        commits.append(time.perf_counter())

    database._commit = stamped_commit
    return commits


def index_offers_commit(commits: list[float]) -> list[int]:
    """Mark which of `commits` is the offers' own: the first commit inside `do_make_offers`
    (the notifications it sends next commit after it)."""
    from gov3.offers import triggers  # noqa: PLC0415

    marks: list[int] = []
    real_make = triggers.do_make_offers  # type: ignore[attr-defined]

    def marked(*args: Any, **kwargs: Any) -> Any:
        marks.append(len(commits))
        return real_make(*args, **kwargs)

    triggers.do_make_offers = marked  # type: ignore[attr-defined]
    return marks


def trace_trigger(phases: Phases) -> None:
    """Time the steps of the offers trigger (module functions, looked up at each call)."""
    from gov3.offers import proposals, services, triggers  # noqa: PLC0415

    for module, name, label in [
        (triggers, "offers_for_event", "offers.triggers.offers_for_event (the rest)"),
        (triggers, "affected_people", "offers.triggers.affected_people"),
        (
            triggers,
            "household_subjects",
            "registry.facts.household_subjects (facts of each affected household, read once)",
        ),
        (triggers, "propose", "offers.proposals.propose (rules, records)"),
        (proposals, "explanations", "offers.proposals.explanations (3 languages)"),
        (triggers, "do_make_offers", "offers.services.do_make_offers (transaction, audit)"),
        (services, "write_offers", "offers.services.write_offers (check, insert, reselect)"),
        (services, "notify_offers", "offers.services.notify_offers (in-app, e-mail, audit)"),
        (triggers, "_withdraw", "offers.triggers._withdraw"),
    ]:
        phases.wrap(module, name, label)


def wait_visible(second: Any, child: int, since: float) -> tuple[int, int]:
    """Ask the second connection until the child's birth offers are there (at most 5 s): the
    number seen, and the number of queries it took."""
    from gov3.offers.models import OfferStatus  # noqa: PLC0415

    seen = (
        "SELECT count(*) FROM offers_offer WHERE subject_id = %s AND status <> %s "
        "AND service_id = ANY(%s)"
    )
    polls = 0
    while True:
        polls += 1
        row = second.execute(
            seen, (child, OfferStatus.SUPERSEDED.value, list(BIRTH_SERVICES))
        ).fetchone()
        count = int(row[0]) if row else 0
        if count >= len(BIRTH_SERVICES) or time.perf_counter() - since > 5:
            return count, polls


def parents(mother_id: int) -> tuple[Any, Any]:
    """The mother, and her living husband if she has one (the father on the birth record)."""
    from gov3.registry.models import Person  # noqa: PLC0415

    mother = Person.objects.select_related("spouse").get(pk=mother_id)
    spouse = mother.spouse
    father = spouse if spouse and spouse.date_of_death is None and spouse.sex == "M" else None
    return mother, father


def trigger_errors() -> list[str]:
    """The errors the offers trigger logs from now on (it logs and carries on: a birth whose
    offers failed is registered without them)."""
    import logging  # noqa: PLC0415

    caught: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            error = record.exc_info[1] if record.exc_info else None
            caught.append(f"{type(error).__name__}: {error}".strip() if error else record.msg)

    logging.getLogger("gov3.offers").addHandler(Catch())
    return caught


def child_event(births: int, seed: int, mode: str) -> dict[str, Any]:  # noqa: PLR0915 - one loop
    """Register `births` births and time each until its offers are visible elsewhere; in mode
    "phases" time the steps of the trigger too, in mode "profile" run under cProfile."""
    setup_django()
    import psycopg  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from gov3.offers.models import Offer  # noqa: PLC0415
    from gov3.registry.services import do_register_birth  # noqa: PLC0415

    today = timezone.localdate()
    women = living_women(today)
    rng = random.Random(seed)
    warm = warmup_births(births)
    mothers = rng.sample(women, warm + births)
    second = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    database = connections["default"]
    commits = stamp_commits(database)  # the first after the call is the birth's
    offers_commit = index_offers_commit(commits)
    phases = Phases()
    profiler = cProfile.Profile()
    if mode == "phases":
        trace_trigger(phases)

    errors = trigger_errors()
    failures: list[dict[str, Any]] = []

    def one(pk: int) -> tuple[float, float, float, int] | None:
        mother, father = parents(pk)
        commits.clear()
        offers_commit.clear()
        errors.clear()
        called = time.perf_counter()
        birth_phase = "registry.services.do_register_birth (its own transaction)"
        with phases.phase(birth_phase) if mode == "phases" else nullcontext():
            child = do_register_birth(
                "bench",
                mother=mother,
                father=father,
                name_local="김아기",
                name_latin="KIM AGI",
                birth_date=today,
                sex=rng.choice("MF"),
            )
        count, polls = wait_visible(second, child.pk, called)
        visible = time.perf_counter()
        if count < len(BIRTH_SERVICES):  # the trigger failed (logged): not a timing, a failure
            failures.append({"child": child.pk, "seen": count, "errors": list(errors)})
            return None
        birth = commits[0]
        offers = commits[offers_commit[0]]
        return (offers - birth) * 1000, (visible - birth) * 1000, (visible - called) * 1000, polls

    for pk in mothers[:warm]:
        one(pk)
    failures.clear()
    phases.clear()
    before = Offer.objects.count()
    with database.execute_wrapper(phases.count_query) if mode == "phases" else nullcontext():
        if mode == "profile":
            profiler.enable()
        results = [one(pk) for pk in mothers[warm:]]
        profiler.disable()
    timings = [t for t in results if t is not None]
    out: dict[str, Any] = {
        "births": births,
        "failures": failures,
        "women": len(women),
        "offers_per_birth": (Offer.objects.count() - before) / births,
        "polls_per_birth": sum(t[3] for t in timings) / births,
        "to_offers_commit_ms": [t[0] for t in timings],
        "from_commit_ms": [t[1] for t in timings],
        "from_call_ms": [t[2] for t in timings],
    }
    if mode == "phases":
        out["phases"] = phases.per(births)
    if mode == "profile":
        out["profile"] = profile_text(profiler, 45, births)
    return out


# -- child: the sweep -----------------------------------------------------------------------------


def child_sweep(mode: str) -> dict[str, Any]:
    """A first sweep and a rerun; per service, and where the first run's time went. In mode
    "profile", one first sweep under cProfile instead."""
    setup_django()
    from django.db import connections  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from gov3.offers import sweep  # noqa: PLC0415
    from gov3.offers.models import Offer  # noqa: PLC0415

    day = timezone.localdate()
    if mode == "profile":
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        result = sweep.run_sweep(COUNTRY, day, notify=False)
        profiler.disable()
        return {
            "seconds": time.perf_counter() - started,
            "written": result.total_written,
            "profile": profile_text(profiler, 40, 1),
        }

    phases = Phases()
    starts: list[tuple[str, float]] = []
    real_query = sweep.candidates_query

    def marked_query(pack: Any, service: Any, *args: Any, **kwargs: Any) -> str:
        starts.append((service.id, time.perf_counter()))
        return real_query(pack, service, *args, **kwargs)

    sweep.candidates_query = marked_query  # type: ignore[assignment]
    for name, label in [
        ("_offer_rows", "row conversion (_offer_rows)"),
        ("_batch_text", "row conversion (_batch_text)"),
        ("_fill_facts_table", "facts of the register into a temporary table"),
        ("_open_candidates", "candidate query (execute)"),
        ("write_offers", "write_offers: live check, reselect, models"),
        (
            "_insert",
            "_insert (COPY, the rest)",
        ),  # where the sweep has its own writer
        ("record_audit", "audit"),
    ]:
        if hasattr(sweep, name):
            phases.wrap(sweep, name, label)
    real_bulk = Offer.objects.bulk_create

    def timed_bulk(*args: Any, **kwargs: Any) -> Any:
        with phases.phase("write_offers: bulk_create (INSERT … UNNEST)"):
            return real_bulk(*args, **kwargs)

    Offer.objects.bulk_create = timed_bulk  # type: ignore[method-assign]

    def candidate_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "AS recipient_id" not in sql:
            return execute(sql, params, many, context)
        with phases.phase("candidate query (execute)"):
            return execute(sql, params, many, context)

    def one_run() -> dict[str, Any]:
        starts.clear()
        phases.clear()
        started = time.perf_counter()
        cpu = time.process_time()
        with connections["default"].execute_wrapper(candidate_sql):
            result = sweep.run_sweep(COUNTRY, day, notify=False)
        ended = time.perf_counter()
        seconds = ended - started
        bounds = [t for _, t in starts] + [ended]
        per_service = {
            service_id: {
                "selected": result.selected.get(service_id, 0),
                "written": result.written.get(service_id, 0),
                "seconds": bounds[i + 1] - bounds[i],
            }
            for i, (service_id, _) in enumerate(starts)
        }
        named = sum(phases.wall.values())
        breakdown = {
            name: {"wall": phases.wall[name], "cpu": phases.cpu[name]} for name in phases.wall
        }
        breakdown["rest (fetch, transactions, SweepRun)"] = {
            "wall": seconds - named,
            "cpu": time.process_time() - cpu - sum(phases.cpu.values()),
        }
        return {
            "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu,
            "written": result.total_written,
            "selected": sum(result.selected.values()),
            "per_service": per_service,
            "breakdown": breakdown,
        }

    first = one_run()
    rerun = one_run()
    # This server runs without autovacuum: analyse the offers as it would have, and rerun.
    with connections["default"].cursor() as cursor:
        cursor.execute(f"ANALYZE {Offer._meta.db_table}")
    analysed = one_run()
    return {
        "first": first,
        "rerun": rerun,
        "analysed": analysed,
        "offers": Offer.objects.count(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# -- child: citizens and their sessions -----------------------------------------------------------


def child_accounts(count: int, seed: int) -> dict[str, Any]:
    """`count` citizens with open offers, each with an account and a signed-in session."""
    setup_django()
    from django.contrib.auth import (  # noqa: PLC0415
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
    )
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    from gov3.accounts.models import User  # noqa: PLC0415
    from gov3.accounts.services import do_create_citizen_account  # noqa: PLC0415
    from gov3.offers.models import OPEN_STATUSES, Offer  # noqa: PLC0415
    from gov3.registry.models import Person  # noqa: PLC0415

    recipients = sorted(
        set(
            Offer.objects.filter(status__in=OPEN_STATUSES, recipient__date_of_death__isnull=True)
            .values_list("recipient_id", flat=True)
            .distinct()
        )
    )
    chosen = random.Random(seed).sample(recipients, count)
    sessions, offers = [], []
    started = time.perf_counter()
    for pk in chosen:
        username = f"bench-{pk}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = do_create_citizen_account(
                "bench",
                person=Person.objects.get(pk=pk),
                username=username,
                password=secrets.token_urlsafe(16),
            )
        # What django.contrib.auth.login stores for a password sign-in through /login/.
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions.append(session.session_key)
        offers.append(Offer.objects.filter(recipient_id=pk).count())
    return {
        "sessions": sessions,
        "offers": offers,
        "recipients": len(recipients),
        "seconds": time.perf_counter() - started,
    }


def child_inbox_profile(path: str) -> dict[str, Any]:
    """The inbox page in this process through Django's whole middleware stack (no server):
    wall and CPU ms a request, the SQL statements it makes, and a profile."""
    setup_django()
    from django.db import connections  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    sessions = json.loads(Path(path).read_text(encoding="utf-8"))
    client = Client(HTTP_HOST="127.0.0.1")

    def get(session: str) -> None:
        client.cookies["sessionid"] = session
        response = client.get("/me/offers/")
        if response.status_code != 200:
            raise SystemExit(f"in-process GET /me/offers/ gave {response.status_code}")

    for session in sessions[:20]:
        get(session)
    wall, cpu = [], []
    for session in sessions:
        started, used = time.perf_counter(), time.process_time()
        get(session)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    statements: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        words = sql.split()
        table = words[words.index("FROM") + 1] if "FROM" in words else words[0]
        statements[f"{words[0]} … FROM {table.strip(chr(34))}"] += 1
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(count):
        for session in sessions:
            get(session)
    profiler = cProfile.Profile()
    profiler.enable()
    for session in sessions:
        get(session)
    profiler.disable()
    return {
        "wall_ms": statistics.median(wall),
        "cpu_ms": statistics.median(cpu),
        "statements": {k: v / len(sessions) for k, v in statements.most_common()},
        "profile": profile_text(profiler, 40, len(sessions)),
    }


# -- the parent: event ----------------------------------------------------------------------------


@dataclass
class Section:
    title: str
    lines: list[str]


def fmt(values: list[float], digits: int = 1) -> tuple[str, str]:
    """The median, and the range as "min-max"."""
    return (
        f"{statistics.median(values):.{digits}f}",
        f"{min(values):.{digits}f}-{max(values):.{digits}f}",
    )


def part_event(args: argparse.Namespace, var_dir: str) -> Section:
    source = template(args.event_size, args.seed, var_dir)
    runs = []
    for run in range(args.runs):
        name = copy_of(source, f"{PREFIX}_event")
        try:
            result = run_child(name, var_dir, "event", str(args.births), str(args.seed + run), "")
        finally:
            drop(name)
        result["load"] = os.getloadavg()[0]
        runs.append(result)
        print(
            f"event run {run + 1} (load {result['load']:.1f}, {len(result['failures'])} births "
            "without offers): "
            + "; ".join(
                f"{key} median {statistics.median(result[key]):.1f} ms, p99 "
                f"{percentile(result[key], 99):.1f} ms"
                for key in MEASURES
            ),
            flush=True,
        )
    table = []
    met = {}
    for key, label in MEASURES.items():
        median = fmt([statistics.median(r[key]) for r in runs])
        p99 = fmt([percentile(r[key], 99) for r in runs])
        worst = fmt([max(r[key]) for r in runs])
        met[key] = statistics.median(percentile(r[key], 99) for r in runs) <= EVENT_TARGET_P99_MS
        table.append(
            f"| {label} | {len(runs)} | {median[0]} | {median[1]} | {p99[0]} | {p99[1]} | "
            f"{worst[1]} |"
        )
    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    failed = [f for r in runs for f in r["failures"]]
    reasons = Counter(e for f in failed for e in f["errors"] or ["(nothing logged)"])
    lines = [
        f"{args.births:,} births a run to random living women aged 20-45 (of "
        f"{runs[0]['women']:,}) in a register of {args.event_size:,} generated residents (seed "
        f"{args.seed}), each run on a fresh copy; {warmup_births(args.births)} births before "
        f"each run not counted; {statistics.mean(r['offers_per_birth'] for r in runs):.2f} "
        "offers written a birth on average (the child's three, and those of the household's "
        "other young children who had none).",
        "",
        f"Births whose offers never appeared (the trigger failed, logged, and the birth stayed "
        f"registered without them): {', '.join(str(len(r['failures'])) for r in runs)} in the "
        "runs"
        + (
            "; the trigger's errors: " + "; ".join(f"{n} x `{e}`" for e, n in reasons.items())
            if failed
            else ""
        )
        + ". The times below are those of the births whose offers appeared.",
        "",
        "| from → to | runs | median ms | range | p99 ms | range | max ms, range |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *table,
        "",
        f"Load average (1 min) after each run: {loads}.",
        "",
        f"Target p99 ≤ {EVENT_TARGET_P99_MS:.0f} ms, birth COMMIT → offers committed: "
        f"**{'met' if met['to_offers_commit_ms'] else 'not met'}**; birth COMMIT → seen "
        f"after the command returned: **{'met' if met['from_commit_ms'] else 'not met'}**.",
        "",
    ]
    if (not all(met.values()) or args.profile) and not args.no_profile:
        lines += event_profile(args, source, var_dir)
    return Section("Event → offer", lines)


def event_profile(args: argparse.Namespace, source: str, var_dir: str) -> list[str]:
    """Where a birth's time goes: phases (wall, CPU, queries) and a cProfile, 200 births."""
    lines = []
    for mode in ("phases", "profile"):
        name = copy_of(source, f"{PREFIX}_event")
        try:
            result = run_child(
                name, var_dir, "event", str(PROFILE_BIRTHS), str(args.seed + 100), mode
            )
        finally:
            drop(name)
        if mode == "phases":
            # The phase timers and the query counter are light; the profiler is not, so the
            # phase table comes from this run and the profile from the next.
            table = [
                f"Where a birth's time goes ({PROFILE_BIRTHS} births on a fresh copy; wall and "
                "CPU ms a birth in each step, excluding the named steps it calls; SQL "
                "statements a birth):",
                "",
                "| step | wall ms | CPU ms | calls | SQL statements |",
                "|---|---:|---:|---:|---:|",
            ]
            for step, value in sorted(result["phases"].items(), key=lambda kv: -kv[1]["wall_ms"]):
                table.append(
                    f"| {step} | {value['wall_ms']:.1f} | {value['cpu_ms']:.1f} | "
                    f"{value['calls']:.1f} | {value['queries']:.1f} |"
                )
            lines += [*table, ""]
            print("\n".join(table), flush=True)
        else:
            print(result["profile"], flush=True)
            save_profile("event", result["profile"])
    return lines


# -- the parent: sweep ----------------------------------------------------------------------------


def sweep_profile(args: argparse.Namespace, var_dir: str) -> None:
    source = template(args.event_size, args.seed, var_dir)
    name = copy_of(source, f"{PREFIX}_sweep_profile")
    try:
        result = run_child(name, var_dir, "sweep", "profile")
    finally:
        drop(name)
    print(result["profile"], flush=True)
    save_profile("sweep", result["profile"])


def part_sweep(args: argparse.Namespace, var_dir: str) -> Section:
    source = template(args.sweep_size, args.seed, var_dir)
    runs = []
    for run in range(args.runs):
        name = copy_of(source, f"{PREFIX}_sweep")
        result = run_child(name, var_dir, "sweep", "")
        if run == args.runs - 1 and "inbox" in args.parts.split(","):
            drop(f"{PREFIX}_inbox")
            psql(f"ALTER DATABASE {name} RENAME TO {PREFIX}_inbox")
        else:
            drop(name)
        result["load"] = os.getloadavg()[0]
        runs.append(result)
        print(
            f"sweep run {run + 1} (load {result['load']:.1f}): first "
            f"{result['first']['seconds']:.1f} s "
            f"({result['first']['written']:,} offers), rerun {result['rerun']['seconds']:.1f} s "
            f"({result['rerun']['written']:,}), after ANALYZE "
            f"{result['analysed']['seconds']:.1f} s; CPU (this process) first "
            f"{result['first']['cpu_seconds']:.1f} s, rerun "
            f"{result['rerun']['cpu_seconds']:.1f} s; "
            f"peak RSS {result['peak_rss_mib']:.0f} MiB",
            flush=True,
        )
    first, rerun = [r["first"] for r in runs], [r["rerun"] for r in runs]
    analysed = [r["analysed"] for r in runs]
    a_s = fmt([r["seconds"] for r in analysed])
    f_s, r_s = fmt([r["seconds"] for r in first]), fmt([r["seconds"] for r in rerun])
    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    f_met = statistics.median(r["seconds"] for r in first) <= SWEEP_TARGET_S
    r_met = statistics.median(r["seconds"] for r in rerun) <= RERUN_TARGET_S
    a_met = statistics.median(r["seconds"] for r in analysed) <= RERUN_TARGET_S
    lines = [
        f'`run_sweep("{COUNTRY}", today, notify=False)` over {args.sweep_size:,} generated '
        f"residents (seed {args.seed}) with no offers, then again at once; each run on a fresh "
        "copy of the register.",
        "",
        "| sweep | runs | median s | range s | median CPU s (this process) | offers written |",
        "|---|---:|---:|---:|---:|---:|",
        f"| first | {len(runs)} | {f_s[0]} | {f_s[1]} | "
        f"{statistics.median(r['cpu_seconds'] for r in first):.1f} | {first[0]['written']:,} |",
        f"| rerun at once (nothing new) | {len(runs)} | {r_s[0]} | {r_s[1]} | "
        f"{statistics.median(r['cpu_seconds'] for r in rerun):.1f} | {rerun[0]['written']:,} |",
        f"| rerun after `ANALYZE offers_offer` | {len(runs)} | {a_s[0]} | {a_s[1]} | "
        f"{statistics.median(r['cpu_seconds'] for r in analysed):.1f} | "
        f"{analysed[0]['written']:,} |",
        "",
        f"Targets: first run ≤ {SWEEP_TARGET_S:.0f} s **{'met' if f_met else 'not met'}**; "
        f"rerun ≤ {RERUN_TARGET_S:.0f} s at once **{'met' if r_met else 'not met'}**, after "
        f"ANALYZE **{'met' if a_met else 'not met'}**.",
        "",
        f"Load average (1 min) after each run: {loads}.",
        "",
        "Per service (medians over the runs; a service's seconds run from its query to its "
        "last batch):",
        "",
        "| service | selected | written | first run s | rerun selected | rerun s | "
        "rerun after ANALYZE s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for service_id in first[0]["per_service"]:
        one = [r["per_service"][service_id] for r in first]
        again = [r["per_service"][service_id] for r in rerun]
        third = [r["per_service"][service_id] for r in analysed]
        lines.append(
            f"| {service_id} | {one[0]['selected']:,} | {one[0]['written']:,} | "
            f"{statistics.median(x['seconds'] for x in one):.1f} | {again[0]['selected']:,} | "
            f"{statistics.median(x['seconds'] for x in again):.1f} | "
            f"{statistics.median(x['seconds'] for x in third):.1f} |"
        )
    lines += [
        "",
        "Where the first run's time goes (medians over the runs, seconds; CPU is this "
        "process's, so wall minus CPU is mostly waiting for PostgreSQL):",
        "",
        "| part | wall s | CPU s |",
        "|---|---:|---:|",
    ]
    for part in sorted(first[0]["breakdown"], key=lambda p: -first[0]["breakdown"][p]["wall"]):
        wall = statistics.median(r["breakdown"][part]["wall"] for r in first)
        cpu = statistics.median(r["breakdown"][part]["cpu"] for r in first)
        lines.append(f"| {part} | {wall:.1f} | {cpu:.1f} |")
    lines.append("")
    return Section("Sweep", lines)


# -- the parent: inbox ----------------------------------------------------------------------------

WRK_SCRIPT = """
-- One session list per wrk thread; one connection per thread: a client with its own sessions.
local sessions = %(sessions)s
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  mine = sessions[id]
  sent = 0
  non200 = 0
end

function request()
  sent = sent + 1
  return wrk.format("GET", nil, {["Cookie"] = "sessionid=" .. mine[(sent %% #mine) + 1]})
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %%d, "duration_us": %%d, "non200": %%d, "errors": %%d, '
    .. '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%f}\\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(database: str, var_dir: str, workers: int) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "gov3.wsgi:application", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
        env=child_env(database, var_dir),
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(base: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 - loopback http
        base + "/me/offers/", headers={"Cookie": f"sessionid={session}"}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        # A worker's first request imports the application: generous on a busy machine.
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wrk(base: str, script: Path, clients: int, seconds: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), base + "/me/offers/"],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in done.stdout.splitlines() if x.startswith("JSON "))
    result: dict[str, Any] = json.loads(line[5:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["wrk_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result


def load_series(
    args: argparse.Namespace,
    *,
    database: str,
    var_dir: str,
    workers: int,
    sessions: list[str],
    script: Path,
) -> list[dict[str, Any]]:
    """Serve the inbox with `workers` gunicorn workers: check every citizen's page, time 50
    requests alone, warm up, then `--runs` runs of wrk."""
    with gunicorn(database, var_dir, workers) as base:
        for session in sessions:  # every citizen sees their inbox with their offers
            status, body = get(base, session)
            if status != 200 or 'href="/me/offers/' not in body:
                raise SystemExit(f"GET /me/offers/ as a benchmark citizen gave {status}")
        single = []
        for i in range(50):
            started = time.perf_counter()
            get(base, sessions[i % len(sessions)])
            single.append((time.perf_counter() - started) * 1000)
        wrk(base, script, args.clients, args.warmup)
        results = []
        for run in range(args.runs):
            result = wrk(base, script, args.clients, args.duration)
            if result["non200"] or result["errors"]:
                raise SystemExit(f"wrk saw {result['non200']} non-200, {result['errors']} errors")
            result["single_ms"] = statistics.median(single)
            result["load"] = os.getloadavg()[0]
            results.append(result)
            print(
                f"inbox, {workers} workers, run {run + 1} (load {result['load']:.1f}): "
                f"{result['rps']:.0f} req/s, p50 {result['p50_us'] / 1000:.0f} ms, p99 "
                f"{result['p99_us'] / 1000:.0f} ms, wrk CPU {result['wrk_cpu_s']:.1f} s",
                flush=True,
            )
    return results


def inbox_profile(database: str, var_dir: str, sessions: list[str]) -> list[str]:
    """One request at a time in-process: its cost, its SQL, and a profile (saved)."""
    path = Path(var_dir) / "sessions.json"
    path.write_text(json.dumps(sessions), encoding="utf-8")
    inside = run_child(database, var_dir, "inboxprofile", str(path))
    print(inside["profile"], flush=True)
    save_profile("inbox", inside["profile"])
    return [
        f"One request in-process through Django's middleware (no server, one at a time, "
        f"{len(sessions)} citizens): median {inside['wall_ms']:.1f} ms wall, "
        f"{inside['cpu_ms']:.1f} ms CPU of this process. SQL statements a request:",
        "",
        *(f"- {n:.1f} x `{statement}`" for statement, n in inside["statements"].items()),
        "",
    ]


def part_inbox(args: argparse.Namespace, var_dir: str) -> Section:
    if shutil.which("wrk") is None:
        raise SystemExit("the inbox part needs wrk: apt-get install -y wrk")
    name = f"{PREFIX}_inbox"
    if not database_exists(name):
        copy_of(template(args.sweep_size, args.seed, var_dir), name)
        result = run_child(name, var_dir, "sweep", "")
        print(f"swept the inbox register: {result['first']['written']:,} offers", flush=True)
    psql("ANALYZE", name)  # autovacuum is off on this server; it would have done this
    clients = args.clients
    accounts = run_child(name, var_dir, "accounts", str(clients * SESSIONS_PER_CLIENT), "7")
    sessions = accounts["sessions"]
    groups = [sessions[i::clients] for i in range(clients)]
    lua = "{" + ", ".join("{" + ", ".join(f'"{s}"' for s in g) + "}" for g in groups) + "}"
    script = Path(var_dir) / "inbox.lua"
    script.write_text(WRK_SCRIPT % {"sessions": lua}, encoding="utf-8")
    per_workers = {
        int(workers): load_series(
            args,
            database=name,
            var_dir=var_dir,
            workers=int(workers),
            sessions=sessions,
            script=script,
        )
        for workers in args.workers.split(",")
    }
    best = max(per_workers, key=lambda w: statistics.median(r["rps"] for r in per_workers[w]))
    offers = accounts["offers"]
    lines = [
        f"`GET /me/offers/` by {clients} concurrent clients (`wrk -t {clients} -c {clients}`, "
        f"one connection a thread, each with its own {SESSIONS_PER_CLIENT} sessions in turn; "
        f"{len(sessions)} citizens, {statistics.median(offers):.0f} offers each in the median, "
        f"{min(offers)}-{max(offers)}, drawn from the {accounts['recipients']:,} recipients of "
        "open offers of the swept register), against gunicorn sync workers with "
        f"`GOV3_DEBUG=0` and PostgreSQL, on loopback; {args.warmup} s of warm-up, then "
        f"{args.runs} runs of {args.duration} s for each worker count. Every response was a "
        "200 with the citizen's offers. wrk runs on the same 2 cores (its CPU is given).",
        "",
        "| gunicorn workers | runs | median req/s | range | median p50 ms | median p99 ms | "
        "range | one client alone, median ms | wrk CPU s a run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, results in per_workers.items():
        rps = fmt([r["rps"] for r in results], 0)
        p99 = fmt([r["p99_us"] / 1000 for r in results], 0)
        p50 = statistics.median(r["p50_us"] / 1000 for r in results)
        lines.append(
            f"| {workers} | {len(results)} | {rps[0]} | {rps[1]} | {p50:.0f} | {p99[0]} | "
            f"{p99[1]} | {results[0]['single_ms']:.1f} | "
            f"{statistics.median(r['wrk_cpu_s'] for r in results):.1f} |"
        )
    chosen = per_workers[best]
    rps_met = statistics.median(r["rps"] for r in chosen) >= INBOX_TARGET_RPS
    p99_met = statistics.median(r["p99_us"] / 1000 for r in chosen) <= INBOX_TARGET_P99_MS
    loads = ", ".join(f"{r['load']:.1f}" for w in per_workers.values() for r in w)
    lines += [
        "",
        f"Load average (1 min) after each run: {loads}.",
        "",
        f"Chosen: {best} workers (the highest median throughput). Target ≥ "
        f"{INBOX_TARGET_RPS:.0f} req/s **{'met' if rps_met else 'not met'}**, p99 ≤ "
        f"{INBOX_TARGET_P99_MS:.0f} ms **{'met' if p99_met else 'not met'}**.",
        "",
    ]
    if (not (rps_met and p99_met) or args.profile) and not args.no_profile:
        lines += inbox_profile(name, var_dir, sessions)
    return Section("Citizen inbox under load", lines)


# -- recording ------------------------------------------------------------------------------------


def machine() -> str:
    import django  # noqa: PLC0415
    import psycopg  # noqa: PLC0415

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    server = psql("SHOW server_version").split()[0]
    settings = ", ".join(
        f"`{name}` {psql(f'SHOW {name}')}"
        for name in ("shared_buffers", "work_mem", "synchronous_commit", "autovacuum")
    )
    tools = f"Django {django.__version__}, psycopg {psycopg.__version__}"
    if shutil.which("wrk"):
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        tools += ", wrk " + (version.stdout or version.stderr).split()[1]
    if Path(GUNICORN).exists():
        version = subprocess.run([GUNICORN, "--version"], capture_output=True, text=True,
                                 check=False)  # fmt: skip
        tools += ", gunicorn " + version.stdout.split()[-1].rstrip(")")
    return (
        f"{os.cpu_count()} vCPU ({model}), {memory:.1f} GiB RAM, PostgreSQL {server} on "
        f"127.0.0.1 ({settings}), Python {platform.python_version()}, {tools}"
    )


def record(sections: list[Section], command: str, started: datetime, loads: list[float]) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    lines = []
    if "## Offers (issue 4)" not in text:
        lines += [
            "",
            "## Offers (issue 4) (`bench/offers.py`)",
            "",
            "A birth's offers (event → offer), the sweep over 1,000,000 residents and the "
            "citizen's inbox under load, on PostgreSQL; see the script's docstring for what "
            "each part measures. Every run appends a section like those below.",
        ]
    lines += [
        "",
        f"### Run of {started:%Y-%m-%d %H:%M} UTC (recorded by `bench/offers.py`)",
        "",
        f"- Command: `{command}`",
        f"- Machine: {machine()}",
        "- Shared machine: other engineers run their tests on it; the load averages here and "
        "in each part show how busy it was (the benchmark itself makes about 1-2, the inbox "
        "part with its server and load generator about 2-4).",
        f"- Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f}",
        "",
    ]
    for section in sections:
        lines += [f"#### {section.title}", "", *section.lines]
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(lines).rstrip("\n") + "\n")


# -- main -----------------------------------------------------------------------------------------


def child_main(args: list[str]) -> None:
    kind, *rest = args
    children: dict[str, Callable[..., dict[str, Any]]] = {
        "agency": child_agency,
        "event": lambda: child_event(int(rest[0]), int(rest[1]), rest[2]),
        "sweep": lambda: child_sweep(rest[0]),
        "accounts": lambda: child_accounts(int(rest[0]), int(rest[1])),
        "inboxprofile": lambda: child_inbox_profile(rest[0]),
    }
    print(json.dumps(children[kind]()))


def main() -> None:
    """Run the chosen parts, print what they measure, append the tables to RESULTS.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default="event,sweep,inbox", help="any of event,sweep,inbox")
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each part")
    parser.add_argument("--seed", type=int, default=1, help="population and sampling seed")
    parser.add_argument("--event-size", type=int, default=100_000, help="residents (event)")
    parser.add_argument("--births", type=int, default=1000, help="measured births a run")
    parser.add_argument("--sweep-size", type=int, default=1_000_000, help="residents (sweep)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (inbox)")
    parser.add_argument("--workers", default="2,3,4", help="gunicorn sync worker counts to try")
    parser.add_argument("--duration", type=int, default=20, help="seconds a measured inbox run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of inbox warm-up")
    parser.add_argument("--profile", action="store_true", help="profile even if targets are met")
    parser.add_argument("--no-profile", action="store_true", help="never profile (smoke runs)")
    parser.add_argument("--keep", action="store_true", help="keep the bench_offers_* databases")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    parts = args.parts.split(",")
    sections = []
    with tempfile.TemporaryDirectory(prefix="gov3-bench-offers-") as var_dir:
        try:
            if "event" in parts:
                sections.append(part_event(args, var_dir))
            if "sweep" in parts:
                sections.append(part_sweep(args, var_dir))
                if args.profile:
                    sweep_profile(args, var_dir)
            if "inbox" in parts:
                sections.append(part_inbox(args, var_dir))
        finally:
            if not args.keep:
                names = psql(
                    f"SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}\\_%'"  # noqa: S608
                )
                for name in names.split():
                    drop(name)
    loads.append(os.getloadavg()[0])
    for section in sections:
        print(f"\n#### {section.title}\n\n" + "\n".join(section.lines), flush=True)
    if not args.no_record:
        command = ".venv/bin/python bench/offers.py " + " ".join(sys.argv[1:])
        record(sections, command.strip(), started, loads)


if __name__ == "__main__":
    main()
