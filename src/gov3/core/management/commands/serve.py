"""`gov3 serve`: the production web server (gunicorn, WSGI), sized for the machine."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gov3.core.serving import clear_dead_metric_files, default_workers


class Command(BaseCommand):
    help = (
        "Serve gov3 in production with gunicorn (docs/operations.md). Workers default to "
        "2 x CPU cores + 1 (GOV3_WEB_WORKERS), each with GOV3_WEB_THREADS threads; static files "
        "are served by WhiteNoise from GOV3_STATIC_ROOT (run `gov3 collectstatic` first). "
        "Prometheus' per-process metric files go to GOV3_METRICS_DIR. The command becomes the "
        "gunicorn master (same process id): SIGTERM stops it gracefully, SIGHUP reloads workers."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("GOV3_WEB_BIND", "127.0.0.1:8000"),
            help="address:port or unix:PATH to listen on (default GOV3_WEB_BIND or "
            "127.0.0.1:8000; behind the reverse proxy, never a public address)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("GOV3_WEB_WORKERS", "0")),
            help="worker processes (default GOV3_WEB_WORKERS, or 2 x cores + 1)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("GOV3_WEB_THREADS", "1")),
            help="threads per worker (default GOV3_WEB_THREADS or 1; more than 1 uses gthread)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=int(os.environ.get("GOV3_WEB_TIMEOUT", "30")),
            help="seconds a worker may spend on one request before it is restarted (default "
            "GOV3_WEB_TIMEOUT or 30)",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=int(os.environ.get("GOV3_WEB_GRACEFUL_TIMEOUT", "30")),
            help="seconds to finish open requests on SIGTERM before workers are killed",
        )
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=int(os.environ.get("GOV3_WEB_KEEPALIVE", "5")),
            help="seconds to keep an idle connection from the proxy open (default 5)",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=int(os.environ.get("GOV3_WEB_MAX_REQUESTS", "0")),
            help="restart a worker after this many requests (0: never)",
        )
        parser.add_argument(
            "--print-command",
            action="store_true",
            help="print the gunicorn command and environment instead of running it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] or default_workers()
        if workers < 1 or options["threads"] < 1 or options["timeout"] < 1:
            raise CommandError("--workers, --threads and --timeout must be at least 1.")
        metrics_dir = Path(settings.GOV3_METRICS_DIR)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        clear_dead_metric_files(metrics_dir)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:gov3.core.gunicorn_config",
            "--bind",
            options["bind"],
            "--workers",
            str(workers),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            str(options["graceful_timeout"]),
            "--keep-alive",
            str(options["keep_alive"]),
            "--max-requests",
            str(options["max_requests"]),
            "gov3.wsgi:application",
        ]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "gov3.settings"),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
        if options["print_command"]:
            self.stdout.write(f"PROMETHEUS_MULTIPROC_DIR={metrics_dir} " + " ".join(argv[1:]))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        # Become gunicorn: the process id a service manager (or a test) holds stays the master's.
        os.execve(sys.executable, argv, env)  # noqa: S606 - our own interpreter, fixed arguments
