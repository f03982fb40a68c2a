"""Per-person results of the whole catalogue in one pass (issue 17, item 3): every person's
eligibility and amount for every service, streamed as Arrow record batches from the snapshot,
the same as the reference evaluator finds person by person."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gov3.catalogue.packs import load_pack
from gov3.rules import explain, snapshot
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import Subject, complete
from gov3.rules.ir import Value
from gov3.rules.pack import load_rules
from gov3.rules.people import (
    amount_column,
    eligible_column,
    evaluate_people,
    results_schema,
    write_people,
)
from gov3.rules.vectorised import Population, evaluate_catalogue
from gov3.synthetic.snapshots import generate_snapshot

COUNTRIES = Path(__file__).resolve().parents[2] / "countries" / "kr"
TODAY = date(2026, 1, 1)  # the synthetic population's as-of day and the evaluation day


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("people") / "kr.parquet"
    generate_snapshot(path, 2_500, pack=load_pack(COUNTRIES), as_of=TODAY, seed=4, chunk_rows=600)
    return path


def test_every_persons_results_are_the_reference_evaluators(population: Path) -> None:
    pack = load_rules(COUNTRIES)
    params = pack.params.on(TODAY)
    batches = list(
        evaluate_people(pack.services, population, params, TODAY, threads=2, block_rows=200)
    )
    assert len(batches) > 3  # streamed in blocks, not all at once
    assert all(batch.schema == results_schema(pack.services) for batch in batches)
    results = {
        row["person_id"]: row for batch in batches for row in batch.to_pylist()
    }  # fmt: skip
    rows = snapshot.read(population).to_pylist()
    assert [r["person_id"] for b in batches for r in b.to_pylist()] == [
        r["person_id"] for r in rows
    ]  # the snapshot's order
    households: dict[int, list[dict[str, Value]]] = {}
    for row in rows:
        households.setdefault(int(row["household_id"]), []).append(complete(row))
    for row in rows:
        got = results[row["person_id"]]
        assert got["household_id"] == row["household_id"]
        subject = Subject(complete(row), households[int(row["household_id"])])
        for service_id, service in pack.services.items():
            eligible = bool(explain.evaluate(service.eligible, subject, params, TODAY))
            if service.subject == "household" and row["relationship_to_head"] != "head":
                eligible = False  # a household's result is on its head's row
            assert got[eligible_column(service_id)] is eligible, (service_id, row["person_id"])
            if service.amount is not None:
                amount = explain.evaluate(service.amount, subject, params, TODAY)
                assert got[amount_column(service_id)] == (amount if eligible else 0), service_id
    # The counts and totals are the catalogue's.
    totals = evaluate_catalogue(pack.services, population, params, TODAY)
    for service_id, service in pack.services.items():
        count = sum(1 for r in results.values() if r[eligible_column(service_id)])
        assert count == totals[service_id].count, service_id
        if service.amount is not None:
            total = sum(r[amount_column(service_id)] for r in results.values())
            assert total == totals[service_id].total, service_id


def test_in_memory_and_one_thread_give_the_same_batches(population: Path) -> None:
    pack = load_rules(COUNTRIES)
    params = pack.params.on(TODAY)
    from_file = list(evaluate_people(pack.services, population, params, TODAY, threads=2))
    in_memory = list(
        evaluate_people(
            list(pack.services.values()),
            Population.read(population),
            params,
            TODAY,
            threads=1,
            block_rows=500,
        )
    )
    flat = [row for batch in from_file for row in batch.to_pylist()]
    assert flat == [row for batch in in_memory for row in batch.to_pylist()]


def test_the_results_are_written_for_the_owner_only(population: Path, tmp_path: Path) -> None:
    pack = load_rules(COUNTRIES)
    out = tmp_path / "people.parquet"
    seen: list[int] = []
    summary = write_people(
        out, pack.services, population, pack.params.on(TODAY), TODAY, progress=seen.append
    )
    assert summary.rows == pq.ParquetFile(out).metadata.num_rows == snapshot.info(population).rows
    assert seen[-1] == summary.rows
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    totals = evaluate_catalogue(pack.services, population, pack.params.on(TODAY), TODAY)
    assert summary.totals == {k: (t.count, t.total) for k, t in totals.items()}
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_missing_parameter_is_refused_before_anything_is_written(
    population: Path, tmp_path: Path
) -> None:
    pack = load_rules(COUNTRIES)
    out = tmp_path / "people.parquet"
    with pytest.raises(EvaluationError, match="no value"):
        write_people(out, pack.services, population, {}, TODAY)
    assert list(tmp_path.iterdir()) == []
