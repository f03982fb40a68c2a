"""Benchmarks of participation (issue 21), each the median of ``--runs`` runs:

``routing``
    Routing + duplicate grouping of N synthetic petitions (target: 100,000 in ≤ 60 s): the
    classifier trained on the kr examples guesses every text's category (→ its agency), the
    MinHash signatures of all texts, and the grouping of alike petitions per agency
    (`participation.core.similarity.group`). Each stage is timed too.
``lookup``
    The alike-petition lookup when a citizen files (target ≤ 50 ms): sign the new text, gather
    the candidates sharing a band among N open petitions (an indexed IN query in the database;
    a dictionary here) and pick the best. Median of 50 lookups a run.
``impact``
    A consultation's impact (target: 10,000,000 residents, current vs. draft, ≤ 10 s): the kr
    basic pension under a higher income limit, `participation.core.impact.compute_impact` over
    a synthetic register read from its snapshot (generating and reading it is not timed).
``catalogue``
    The DCAT catalogue page (target ≤ 50 ms): the first request of a day builds the graph and
    serialises it in the asked format (Turtle or JSON-LD); later ones are served from memory.

    .venv/bin/python bench/participation.py                      # the issue's sizes, 3 runs
    .venv/bin/python bench/participation.py --petitions 2000 --residents 20000 --runs 1 --no-record

Results are appended to bench/RESULTS.md (unless ``--no-record``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gov3.catalogue.packs import load_pack
from gov3.opendata.core.dcat import CatalogEntry, DatasetEntry, build_graph, json_ld, turtle
from gov3.participation.core import similarity
from gov3.participation.core.impact import Version, compute_impact
from gov3.participation.core.policy import load_policy
from gov3.participation.core.routing import Router
from gov3.participation.drafts import load_draft, parameter_change
from gov3.rules.pack import load_rules
from gov3.rules.vectorised import Population
from gov3.synthetic.petitions import petitions
from gov3.synthetic.snapshots import generate_snapshot

ROOT = Path(__file__).resolve().parents[1]
KR = ROOT / "countries" / "kr"
RESULTS = ROOT / "bench" / "RESULTS.md"
ROUTING_TARGET_S, LOOKUP_TARGET_MS, IMPACT_TARGET_S, CATALOGUE_TARGET_MS = 60.0, 50.0, 10.0, 50.0
IMPACT_DAY = date(2027, 1, 15)


def routing_and_grouping(count: int) -> dict[str, float]:
    """Seconds of each stage and in all for ``count`` petitions (generating them not timed)."""
    policy = load_policy(KR)
    texts = [p.text for p in petitions(count, seed=11)]
    stages: dict[str, float] = {}
    started = time.perf_counter()
    router = Router(policy.examples)
    guesses = router.guess_many(texts)
    blocks = [policy.agency_for(g.category, "1111051500") for g in guesses]
    stages["classifier (train + guess)"] = time.perf_counter() - started
    mark = time.perf_counter()
    sigs = similarity.signatures(texts)
    stages["signatures"] = time.perf_counter() - mark
    mark = time.perf_counter()
    similarity.group(sigs, blocks, policy.duplicate_threshold)
    stages["grouping"] = time.perf_counter() - mark
    stages["total"] = time.perf_counter() - started
    return stages


def lookup(count: int, repeats: int = 50) -> float:
    """Median seconds to sign a new text and find its best match among ``count`` open
    petitions' band candidates (the database query itself is one indexed IN lookup)."""
    texts = [p.text for p in petitions(count, seed=12)]
    sigs = similarity.signatures(texts)
    index: dict[int, list[int]] = defaultdict(list)
    for number, sig in enumerate(sigs):
        for key in similarity.band_keys(sig):
            index[key].append(number)
    times = []
    for probe in texts[:repeats]:
        started = time.perf_counter()
        sig = similarity.signature(probe)
        found = {n for key in similarity.band_keys(sig) for n in index.get(key, ())}
        similarity.best_match(sig, [(n, sigs[n]) for n in sorted(found)], 0.75)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def impact_population(residents: int, work: Path) -> Population:
    path = work / f"facts-{residents}.parquet"
    if not path.exists():
        generate_snapshot(path, residents, pack=load_pack(KR), as_of=IMPACT_DAY, seed=3)
    return Population.read(path)


def impact(population: Population) -> float:
    """Seconds to compute current vs. draft over ``population``."""
    current = load_rules(KR)
    files = parameter_change(
        KR,
        service_file="basic_pension.yaml",
        new_version="2027.1",
        values={"basic_pension.income_limit_single": 2_600_000},
        valid_from=date(2027, 1, 1),
        source_title="bench",
        source_url="https://example.kr/bench",
    )
    draft = load_draft(KR, files)
    sid = "basic_pension"
    now = Version(current.services[sid], current.params_on(current.services[sid], IMPACT_DAY))
    new = Version(draft.services[sid], draft.params_on(draft.services[sid], IMPACT_DAY))
    started = time.perf_counter()
    compute_impact(population, now, new, IMPACT_DAY)
    return time.perf_counter() - started


def _catalogue_entries() -> tuple[CatalogEntry, list[DatasetEntry]]:
    base = "https://gov3.example"
    entry = CatalogEntry(
        f"{base}/open-data/catalog",
        {"en": "c"},
        {"en": "d"},
        {"en": "p"},
        f"{base}/",
        f"{base}/open-data/",
        "o@gov3.example",
        "https://l.example/",
        "L",
        ["ko", "en", "vi"],
    )
    datasets = [
        DatasetEntry(
            f"d{i}",
            {"en": "t", "ko": "t", "vi": "t"},
            {"en": "d", "ko": "d", "vi": "d"},
            ["k"],
            "DAILY",
            date(2027, 1, 1),
            f"{base}/open-data/datasets/d{i}",
            f"{base}/s{i}.json",
            f"{base}/open-data/",
        )
        for i in range(5)
    ]
    return entry, datasets


def catalogue(serialise: Callable[[Any], str], repeats: int = 20) -> float:
    """Median seconds of a day's first request in one format: build, then serialise."""
    entry, datasets = _catalogue_entries()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        serialise(build_graph(entry, datasets))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> str:
    import numpy  # noqa: PLC0415
    import sklearn  # type: ignore[import-untyped]  # noqa: PLC0415

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} vCPU ({model}), {memory:.1f} GiB RAM, Python "
        f"{platform.python_version()}, NumPy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def _verdict(value: float, target: float) -> str:
    return "**met**" if value <= target else "**missed**"


def _spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    shown = [v * scale for v in values]
    return (
        f"{statistics.median(shown):.{digits}f} | {min(shown):.{digits}f}-{max(shown):.{digits}f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    started_at = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    runs = max(args.runs, 1)

    stages: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        for stage, seconds in routing_and_grouping(args.petitions).items():
            stages[stage].append(seconds)
        print(f"routing + grouping: {stages['total'][-1]:.1f} s", flush=True)
    lookups = [lookup(args.petitions) for _ in range(runs)]
    print(f"lookup: {statistics.median(lookups) * 1000:.1f} ms", flush=True)
    with tempfile.TemporaryDirectory(prefix="gov3-bench-") as work:
        population = impact_population(args.residents, Path(work))
        impacts = []
        for _ in range(runs):
            impacts.append(impact(population))
            print(f"impact: {impacts[-1]:.1f} s", flush=True)
        del population
    turtles = [catalogue(turtle) for _ in range(runs)]
    jsonlds = [catalogue(json_ld) for _ in range(runs)]
    loads.append(os.getloadavg()[0])

    rows = [
        f"| routing + grouping of {args.petitions:,} petitions (s) | {runs} | "
        f"{_spread(stages['total'])} | ≤ {ROUTING_TARGET_S:.0f}: "
        f"{_verdict(statistics.median(stages['total']), ROUTING_TARGET_S)} |",
        *(
            f"| … of which {stage} (s) | {runs} | {_spread(values)} |  |"
            for stage, values in stages.items()
            if stage != "total"
        ),
        f"| alike lookup among {args.petitions:,} when filing (ms, median of 50 a run) | "
        f"{runs} | {_spread(lookups, 1000, 2)} | ≤ {LOOKUP_TARGET_MS:.0f}: "
        f"{_verdict(statistics.median(lookups) * 1000, LOOKUP_TARGET_MS)} |",
        f"| impact, {args.residents:,} residents, basic pension current vs. draft (s) | {runs} | "
        f"{_spread(impacts)} | ≤ {IMPACT_TARGET_S:.0f}: "
        f"{_verdict(statistics.median(impacts), IMPACT_TARGET_S)} |",
        f"| DCAT catalogue, a day's first request, Turtle (ms) | {runs} | "
        f"{_spread(turtles, 1000)} | ≤ {CATALOGUE_TARGET_MS:.0f}: "
        f"{_verdict(statistics.median(turtles) * 1000, CATALOGUE_TARGET_MS)} |",
        f"| DCAT catalogue, a day's first request, JSON-LD (ms) | {runs} | "
        f"{_spread(jsonlds, 1000)} | ≤ {CATALOGUE_TARGET_MS:.0f}: "
        f"{_verdict(statistics.median(jsonlds) * 1000, CATALOGUE_TARGET_MS)} |",
    ]
    table = [
        "| what | runs | median | min-max | target |",
        "|---|---:|---:|---:|---|",
        *rows,
    ]
    print("\n".join(table))
    if not args.no_record:
        command = "python bench/participation.py " + " ".join(sys.argv[1:])
        lines = [
            "",
            f"### Run of {started_at:%Y-%m-%d %H:%M} UTC (recorded by `bench/participation.py`)",
            "",
            f"- Command: `{command.strip()}`",
            f"- Machine: {machine()}",
            f"- Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f} (a shared "
            "machine: other sessions' tests and benchmarks ran at the same time)",
            "",
            *table,
        ]
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
