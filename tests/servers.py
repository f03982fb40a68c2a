"""Servers the tests start as processes of their own (gov3 serve, runserver, redis-server):
a free loopback port, and waiting until one answers — patiently, timing nothing."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(
    server: subprocess.Popen[bytes], url: str, *, seconds: float = 120, log: Path | None = None
) -> None:
    """Until `url` answers (any status); fails if `server` stops first (with its `log`) or
    after `seconds` (a busy machine may take long to start Django)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            stopped = "the server stopped before it answered"
            assert server.poll() is None, log.read_text() if log is not None else stopped
            assert time.monotonic() < deadline, f"no answer from {url} in {seconds} s"
            time.sleep(0.2)
        else:
            return
