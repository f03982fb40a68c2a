"""Readiness: may this process take traffic? A small registry of named checks.

`/healthz` answers whenever the process runs (it touches nothing). `/readyz` runs every check
registered here and answers 503, naming each failing part, when one fails. An app that owns a
dependency registers its check when it starts (`AppConfig.ready`)::

    register_readiness_check("queue", check_queue)

A check returns None (or "") when all is well, or a short text saying what is wrong; raising
counts as failing, with only the exception's class shown (its message may hold a path or a
host name, and goes to the server log instead). Texts are shown to whoever can reach /readyz:
never put a secret in one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)

#: A readiness check: None or "" when ready, else what is wrong.
ReadinessCheck = Callable[[], str | None]

_checks: dict[str, ReadinessCheck] = {}


def register_readiness_check(name: str, check: ReadinessCheck) -> None:
    """Add (or replace) the check called `name`."""
    _checks[name] = check


def unregister_readiness_check(name: str) -> None:
    """Remove the check called `name` (tests; a deployment that does without a part)."""
    _checks.pop(name, None)


def readiness_checks() -> dict[str, ReadinessCheck]:
    """The registered checks by name, in registration order."""
    return dict(_checks)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: ok, or the problem; and how long it took."""

    name: str
    problem: str
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problem


def run_readiness_checks() -> list[CheckResult]:
    """Run every registered check and say how each went."""
    results = []
    for name, check in readiness_checks().items():
        start = time.perf_counter()
        try:
            problem = check() or ""
        except Exception as error:
            logger.warning("readiness check %s failed", name, exc_info=True)
            problem = f"the check raised {type(error).__name__}"
        results.append(CheckResult(name, problem, time.perf_counter() - start))
    return results


def check_database() -> str | None:
    """The default database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return None if row and row[0] == 1 else "the database did not answer SELECT 1"


register_readiness_check("database", check_database)
