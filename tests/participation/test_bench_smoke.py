"""A tiny run of each participation benchmark, so bench/participation.py never silently breaks
(speed is measured in bench/, never asserted here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_the_participation_benchmarks_run_at_a_tiny_size() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "participation.py"
    spec = importlib.util.spec_from_file_location("bench_participation", path)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.routing_and_grouping(200) > 0
    assert bench.lookup(200, repeats=3) > 0
    made, took = bench.impact(2000)
    assert made > 0
    assert took > 0
    assert bench.catalogue(repeats=2) > 0
