"""The registry snapshot file, and the synthetic snapshot generator."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest

from gov3.catalogue.packs import load_pack
from gov3.rules import snapshot
from gov3.rules.facts import FACTS, KEY_COLUMNS, NO_DATE
from gov3.rules.vectorised import Population
from gov3.synthetic.snapshots import generate_snapshot

PACK = load_pack(Path(__file__).resolve().parents[2] / "countries" / "kr")
AS_OF = date(2026, 1, 1)


def _rows() -> list[dict[str, object]]:
    return [
        {"person_id": 7, "household_id": 3, "birth_date": date(1960, 2, 29), "sex": "F",
         "monthly_income": 3_000_000_000, "disability": "severe", "area": "11110-01",
         "province": "11", "has_passport": True, "passport_expiry": date(2030, 1, 31)},
        {"person_id": 8, "household_id": 3, "relationship_to_head": "child",
         "lives_with_parent": True, "birth_order": 2},
        {"person_id": 2, "household_id": 1, "nationality": "VNM"},
    ]  # fmt: skip


def test_a_snapshot_round_trips_with_compact_types_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "facts.parquet"
    table = Population.from_rows(_rows()).table  # type: ignore[arg-type]
    snapshot.write(path, table, country="kr", source="test", created=AS_OF)
    back = snapshot.read(path)
    assert back.column_names == [*KEY_COLUMNS, *FACTS]  # declared facts too
    assert back.schema.field("person_id").type == pa.int64()
    assert back.schema.field("birth_date").type == pa.date32()
    assert back.schema.field("sex").type == pa.dictionary(pa.int8(), pa.string())
    assert back.schema.field("area").type == pa.dictionary(pa.int32(), pa.string())
    assert back.schema.field("birth_order").type == pa.int16()
    assert back.schema.field("has_passport").type == pa.bool_()
    rows = back.to_pylist()
    assert [r["person_id"] for r in rows] == [2, 7, 8]  # grouped by household
    first, second, third = rows
    assert first["nationality"] == "VNM"
    assert first["birth_date"] == date(1900, 1, 1)  # the documented defaults
    assert first["passport_expiry"] == NO_DATE
    assert first["relationship_to_head"] == "head"
    assert first["disability"] == "none"
    assert first["birth_order"] == 1
    assert second["monthly_income"] == 3_000_000_000
    assert second["birth_date"] == date(1960, 2, 29)
    assert (second["sex"], second["area"], second["province"]) == ("F", "11110-01", "11")
    assert (third["relationship_to_head"], third["lives_with_parent"]) == ("child", True)
    described = snapshot.info(path)
    assert (described.rows, described.country, described.source) == (3, "kr", "test")
    assert described.created == "2026-01-01"
    assert described.households_whole


def test_row_groups_end_at_household_boundaries(tmp_path: Path) -> None:
    households = np.repeat(np.arange(1, 201), np.arange(1, 201) % 5 + 1)
    for rows in (1, 3, 10, 1000):
        slices = list(snapshot.household_slices(households, rows))
        assert slices[0][0] == 0
        assert slices[-1][1] == len(households)
        for (_, stop), (start, _) in itertools.pairwise(slices):
            assert stop == start
            assert households[start - 1] != households[start]
    table = snapshot.table({"person_id": np.arange(len(households)), "household_id": households})
    path = tmp_path / "facts.parquet"
    snapshot.write(path, table, country="kr", source="test", created=AS_OF, row_group_rows=7)
    handle = snapshot.open_file(path)
    assert handle.metadata.num_row_groups > 50
    last = None
    for group in range(handle.metadata.num_row_groups):
        ids = handle.read_row_group(group, columns=["household_id"]).column(0).to_numpy()
        assert last is None or ids[0] > last
        last = ids[-1]


def _write_parts(path: Path, parts: list[pa.Table]) -> None:
    with snapshot.SnapshotWriter(path, country="kr", source="test", created=AS_OF) as writer:
        for part in parts:
            writer.write(part)


def test_the_writer_refuses_split_or_unordered_households_and_leaves_no_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "facts.parquet"
    data = snapshot.table({"person_id": [1, 2, 3], "household_id": [5, 5, 6]})
    with pytest.raises(snapshot.SnapshotError, match="Household 5 comes after household 5"):
        _write_parts(path, [data.slice(0, 1), data.slice(1, 2)])
    assert list(tmp_path.iterdir()) == []
    unordered = snapshot.table({"person_id": [1, 2], "household_id": [9, 4]})
    with pytest.raises(snapshot.SnapshotError, match="not grouped by household"):
        _write_parts(path, [unordered])
    assert list(tmp_path.iterdir()) == []
    _write_parts(path, [data])
    assert [p.name for p in tmp_path.iterdir()] == ["facts.parquet"]


def test_bad_columns_are_refused_with_a_clear_error() -> None:
    with pytest.raises(snapshot.SnapshotError, match="Unknown snapshot column"):
        snapshot.table({"person_id": [1], "household_id": [1], "shoe_size": [44]})
    with pytest.raises(snapshot.SnapshotError, match="needs the column household_id"):
        snapshot.table({"person_id": [1]})
    with pytest.raises(snapshot.SnapshotError, match="monthly_income has 1 missing"):
        snapshot.table({"person_id": [1, 2], "household_id": [1, 2], "monthly_income": [5, None]})


def test_a_missing_or_foreign_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(snapshot.SnapshotError, match="gov3 registry snapshot --out"):
        snapshot.open_file(tmp_path / "none.parquet")
    (tmp_path / "text.parquet").write_text("not parquet")
    with pytest.raises(snapshot.SnapshotError, match="not a Parquet file"):
        snapshot.open_file(tmp_path / "text.parquet")


# -- the synthetic generator --------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    path = tmp_path_factory.mktemp("synthetic") / "kr.parquet"
    summary = generate_snapshot(path, 30_000, pack=PACK, as_of=AS_OF, seed=4, chunk_rows=7_000)
    assert (summary.residents, summary.row_groups) == (30_000, 5)
    assert snapshot.info(path).source == "synthetic"
    return snapshot.read(path)


def test_the_synthetic_snapshot_is_the_same_for_the_same_seed(
    tmp_path: Path, synthetic: pa.Table
) -> None:
    again = tmp_path / "again.parquet"
    generate_snapshot(again, 30_000, pack=PACK, as_of=AS_OF, seed=4, chunk_rows=7_000, threads=1)
    assert snapshot.read(again).equals(synthetic)
    other = tmp_path / "other.parquet"
    generate_snapshot(other, 30_000, pack=PACK, as_of=AS_OF, seed=5, chunk_rows=7_000)
    assert not snapshot.read(other).equals(synthetic)


def test_synthetic_households_are_consistent(synthetic: pa.Table) -> None:
    rows = synthetic.num_rows
    assert rows == 30_000
    assert synthetic.column("person_id").to_pylist() == list(range(1, rows + 1))
    households = synthetic.column("household_id").to_numpy()
    starts = np.flatnonzero(np.r_[True, households[1:] != households[:-1]])
    relationship = pc.dictionary_decode(synthetic.column("relationship_to_head")).to_numpy(
        zero_copy_only=False
    )
    # Every household starts with its head, and has only one.
    assert (relationship[starts] == "head").all()
    assert (relationship == "head").sum() == len(starts)
    sizes = np.diff(np.r_[starts, rows])
    shares = np.bincount(sizes)[1:] / len(sizes)
    assert shares[0] == pytest.approx(0.355, abs=0.02)  # the pack's household sizes
    assert shares[1] == pytest.approx(0.288, abs=0.02)
    # Children live with their parents, and the eldest is first in birth order.
    birth = synthetic.column("birth_date").to_numpy()
    lives = synthetic.column("lives_with_parent").to_numpy(zero_copy_only=False)
    order = synthetic.column("birth_order").to_numpy()
    child = relationship == "child"
    assert lives[child].all()
    assert not lives[relationship == "parent"].any()
    first_child = child & np.r_[False, ~child[:-1]]
    assert (order[first_child] == 1).all()
    later = child & np.r_[False, child[:-1]]
    assert (order[later] == np.r_[0, order[:-1]][later] + 1).all()
    assert (birth[later] >= np.r_[birth[:1], birth[:-1]][later]).all()
    # Children are younger than the head; spouses are adults.
    head_birth = np.repeat(birth[starts], sizes)
    assert (birth[child] > head_birth[child]).all()
    age_days = (np.datetime64(AS_OF) - birth).astype(np.int64)
    assert (age_days[relationship == "spouse"] >= 18 * 365).all()


def test_synthetic_facts_follow_the_pack(synthetic: pa.Table) -> None:
    def share(column: str, value: object) -> float:
        values = synthetic.column(column)
        if pa.types.is_dictionary(values.type):
            values = pc.dictionary_decode(values)
        return float(np.mean(values.to_numpy(zero_copy_only=False) == value))

    assert share("disability", "none") == pytest.approx(1 - 0.051, abs=0.01)
    assert share("has_passport", True) == pytest.approx(0.48, abs=0.03)
    assert share("nationality", "KOR") == pytest.approx(0.951, abs=0.02)
    expiry = synthetic.column("passport_expiry").to_numpy()
    holders = synthetic.column("has_passport").to_numpy(zero_copy_only=False)
    assert (expiry[~holders] == np.datetime64(NO_DATE)).all()
    assert (expiry[holders] < np.datetime64(date(2036, 1, 2))).all()
    income = synthetic.column("monthly_income").to_numpy()
    assert income.dtype == np.int64
    assert (income % 10_000 == 0).all()
    assert np.median(income[income > 0]) == pytest.approx(2_300_000, rel=0.15)
    leaves = {a.code for a in PACK.leaf_areas}
    areas = set(pc.unique(pc.dictionary_decode(synthetic.column("area"))).to_pylist())
    assert areas <= leaves
    assert len(areas) > len(leaves) // 2
