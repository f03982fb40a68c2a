"""Benchmarks of participation (issue 21): routing + grouping of N petitions, the alike-petition
lookup when a citizen files (pure part: signature + best match among candidates), the impact of
a draft over a synthetic register, and building the DCAT catalogue.

    .venv/bin/python bench/participation.py --petitions 100000 --residents 10000000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from gov3.catalogue.packs import load_pack
from gov3.opendata.core.dcat import CatalogEntry, DatasetEntry, build_graph, json_ld, turtle
from gov3.participation.core import similarity
from gov3.participation.core.impact import Version, compute_impact
from gov3.participation.core.policy import load_policy
from gov3.participation.core.routing import Router
from gov3.participation.drafts import load_draft, parameter_change
from gov3.participation.synthetic import petitions
from gov3.rules.pack import load_rules
from gov3.rules.synthetic import generate_snapshot
from gov3.rules.vectorised import Population

KR = Path(__file__).resolve().parents[1] / "countries" / "kr"


def routing_and_grouping(count: int) -> float:

    policy = load_policy(KR)
    texts = [p.text for p in petitions(count, seed=11)]
    started = time.perf_counter()
    router = Router(policy.examples)
    guesses = router.guess_many(texts)
    sigs = similarity.signatures(texts)
    blocks = [policy.agency_for(g.category, "1111051500") for g in guesses]
    similarity.group(sigs, blocks, policy.duplicate_threshold)
    return time.perf_counter() - started


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


def impact(residents: int) -> tuple[float, float]:
    """(seconds to generate the snapshot, seconds to compute current vs. draft)."""

    day = date(2027, 1, 15)
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
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "facts.parquet"
        started = time.perf_counter()
        generate_snapshot(path, residents, pack=load_pack(KR), as_of=day, seed=3)
        made = time.perf_counter() - started
        population = Population.read(path)
        started = time.perf_counter()
        compute_impact(
            population,
            Version(current.services[sid], current.params_on(current.services[sid], day)),
            Version(draft.services[sid], draft.params_on(draft.services[sid], day)),
            day,
        )
        return made, time.perf_counter() - started


def catalogue(repeats: int = 20) -> float:

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
            {"en": "t"},
            {"en": "d"},
            ["k"],
            "DAILY",
            date(2027, 1, 1),
            f"{base}/open-data/datasets/d{i}",
            f"{base}/s{i}.json",
            f"{base}/open-data/",
        )
        for i in range(4)
    ]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        graph = build_graph(entry, datasets)
        turtle(graph)
        json_ld(graph)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=10_000_000)
    args = parser.parse_args()
    print(
        f"routing + grouping of {args.petitions:,} petitions: "
        f"{routing_and_grouping(args.petitions):.1f} s"
    )
    print(f"alike lookup among {args.petitions:,}: {lookup(args.petitions) * 1000:.1f} ms (median)")
    made, took = impact(args.residents)
    print(f"impact over {args.residents:,} residents: {took:.1f} s (snapshot made in {made:.1f} s)")
    print(f"DCAT catalogue, built and serialised twice: {catalogue() * 1000:.1f} ms (median)")


if __name__ == "__main__":
    main()
