"""Benchmark: "what may this officer do now" on every request (issue 18, ADR 0036).

``post`` (target: median ≤ 0.5 ms)
    `gov3.accounts.posts.apply_post` on a freshly loaded officer account, as the middleware does
    on each request (then `is_officer`): the officer's dated posts from the cache (Django's
    default per-process cache), the one effective today applied. Officers with a transfer
    effective tomorrow are among them. Reported: the median per call with a warm cache, and
    the median of the first call after an order cleared the officer's cached posts (one query).
    Set-up (a migrated SQLite database in a temporary directory, N officers with posts) is not
    timed.

    .venv/bin/python bench/personnel.py                   # 300 officers, 5 runs
    .venv/bin/python bench/personnel.py --officers 20 --calls 200 --runs 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def _setup_django(var_dir: Path) -> None:
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()


def _officers(count: int) -> list[int]:
    """`count` officers in two agencies; every fourth has a transfer effective tomorrow."""
    from django.db import transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import AccountKind, Agency, OfficerPost, User  # noqa: PLC0415
    from gov3.accounts.posts import record_post  # noqa: PLC0415

    district = Agency.objects.create(
        code="bench-a", name_local="A", name_en="A", country="kr", services=["*"]
    )
    city = Agency.objects.create(code="bench-b", name_local="B", name_en="B", country="kr")
    today = timezone.localdate()
    users = User.objects.bulk_create(
        User(
            username=f"bench{n}",
            kind=AccountKind.OFFICER,
            agency=district,
            role="welfare_officer",
        )
        for n in range(count)
    )
    OfficerPost.objects.bulk_create(
        OfficerPost(
            user=user,
            agency=district,
            role="welfare_officer",
            starts_on=today - timedelta(days=400),
            reference="bench",
            recorded_at=timezone.now(),
        )
        for user in users
    )
    for user in users[::4]:
        with transaction.atomic():
            record_post(
                "bench",
                user=user,
                agency=city,
                role="welfare_officer",
                starts_on=today + timedelta(days=1),
                reference="bench order",
            )
    return [user.pk for user in users]


def _time_calls(ids: list[int], calls: int, *, clear: bool) -> list[float]:
    from django.core.cache import cache  # noqa: PLC0415

    from gov3.accounts.models import User  # noqa: PLC0415
    from gov3.accounts.posts import apply_post  # noqa: PLC0415

    accounts = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    timings = []
    for n in range(calls):
        user_id = ids[n % len(ids)]
        user = User(
            **{f.attname: getattr(accounts[user_id], f.attname) for f in User._meta.concrete_fields}
        )
        if clear:
            cache.delete(f"gov3:officer-posts:{user_id}")
        start = time.perf_counter()
        apply_post(user)
        assert user.is_officer
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=300)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        _setup_django(Path(var))
        from django.core.management import call_command  # noqa: PLC0415

        if not os.environ.get(ready_database.SQLITE):
            call_command("migrate", verbosity=0)
        ids = _officers(args.officers)
        _time_calls(ids, len(ids), clear=False)  # warm the cache
        warm, cold = [], []
        for _ in range(args.runs):
            warm.append(statistics.median(_time_calls(ids, args.calls, clear=False)))
            cold.append(statistics.median(_time_calls(ids, min(args.calls, 500), clear=True)))
    print(f"officers {args.officers}, calls a run {args.calls}, runs {args.runs}")
    print(
        "what may this officer do now, warm cache: median of run medians "
        f"{statistics.median(warm) * 1000:.4f} ms (runs: "
        + ", ".join(f"{w * 1000:.4f}" for w in warm)
        + ")"
    )
    print(
        "what may this officer do now, after an order cleared the cache: median "
        f"{statistics.median(cold) * 1000:.4f} ms"
    )


if __name__ == "__main__":
    main()
