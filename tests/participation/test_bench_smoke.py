"""A tiny run of bench/participation.py in a process of its own, so the benchmark never
silently breaks (speed is measured in bench/ and recorded in bench/RESULTS.md, never asserted
here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_participation_benchmark_runs_at_a_tiny_size() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "participation.py"), "--petitions", "300",
         "--residents", "3000", "--runs", "1", "--no-record"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for measure in ("routing + grouping of 300 petitions", "alike lookup", "impact, 3,000"):
        assert measure in done.stdout, done.stdout
    assert "DCAT catalogue, a day's first request, JSON-LD" in done.stdout
