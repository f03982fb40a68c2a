"""`gov3 run`: the web app, one worker and the scheduler from one command (`make demo`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from gov3.tasks import queue


class Command(BaseCommand):
    help = (
        "Run the web app (Django's development server) with one worker and the scheduler "
        "beside it, for a demo or a one-machine trial: Ctrl-C stops all three. Production "
        "runs them as separate services (deploy/, docs/operations.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        gov3 = [sys.executable, "-m", "gov3.cli"]
        commands = [[*gov3, "runserver", options["addrport"], "--noreload"]]
        if not queue.huey().immediate:
            commands.append([*gov3, "tasks", "worker", "--scheduler"])
        children = [subprocess.Popen(command) for command in commands]  # noqa: S603
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.args for c in children if c.returncode not in (0, -signal.SIGINT, None)]
        if failed and not stopping:
            self.stderr.write(f"stopped because one part ended: {failed[0]!r}")
            sys.exit(1)
