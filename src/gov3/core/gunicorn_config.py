"""Gunicorn settings that `gov3 serve` adds to its command line (`--config python:…`).

Only what cannot be said on the command line lives here: logs in gov3's format, and telling
prometheus_client that a worker has died (so its live gauges stop counting).
"""

from __future__ import annotations

import os
from typing import Any

# Gunicorn's own access log is off: the reverse proxy logs each request, and gov3's logs carry
# the request id; errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GOV3_LOG_LEVEL", "info").lower()
# Each worker imports the app itself (no connection or key made in the master is shared by
# forked workers).
preload_app = False
# Forwarded headers are trusted from the proxy on the same machine only (gunicorn's default).
forwarded_allow_ips = os.environ.get("GOV3_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges no longer count in /metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


# GOV3_LOG_FORMAT=json: gunicorn's own lines (start, workers booting, timeouts) as JSON too, so
# that one log collector reads every line the service writes.
if os.environ.get("GOV3_LOG_FORMAT") == "json":
    # A whole configuration: gunicorn replaces its defaults' sections by these, not merges.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "gov3.core.log_format.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "WARNING", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": loglevel.upper(),
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
