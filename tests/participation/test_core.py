"""The pure core of participation: legal periods at their boundaries, the routing classifier,
alike petitions, and the impact of a draft against an independent person-by-person count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash  # type: ignore[import-untyped]

from gov3.catalogue.packs import load_pack
from gov3.participation.core import similarity
from gov3.participation.core.deadlines import Period, WorkingCalendar, extend, period_end
from gov3.participation.core.impact import (
    AGE_BANDS,
    Version,
    ages,
    ages_by_lookup,
    compute_impact,
)
from gov3.participation.core.policy import load_policy
from gov3.participation.core.routing import held_back_accuracy
from gov3.participation.drafts import load_draft, parameter_change
from gov3.rules.explain import evaluate_service, years_between
from gov3.rules.facts import Subject
from gov3.rules.pack import load_rules
from gov3.rules.vectorised import Population
from gov3.synthetic.petitions import petitions
from gov3.synthetic.snapshots import generate_snapshot

KR = Path(__file__).resolve().parents[2] / "countries" / "kr"
CALENDAR = WorkingCalendar(frozenset({date(2026, 10, 5), date(2026, 10, 9)}))


def test_seven_working_days_skip_the_weekend_and_holidays() -> None:
    # Thursday 1 October 2026, first day counted: 1, 2 (Fri), 6, 7, 8 (5 Oct is a holiday),
    # 12, 13 (9 Oct is a holiday, 10-11 the weekend)
    seven = Period(7, "working_days", first_day_counts=True)
    assert period_end(date(2026, 10, 1), seven, CALENDAR) == date(2026, 10, 13)
    # filed on a Saturday: day 1 is the next working day (Tuesday 6th, after the holiday)
    assert period_end(date(2026, 10, 3), seven, CALENDAR) == date(2026, 10, 15)
    # first day not counted: ten working days from Friday 2 October end on 20 October
    ten = Period(10, "working_days", first_day_counts=False)
    assert period_end(date(2026, 10, 2), ten, CALENDAR) == date(2026, 10, 20)


def test_calendar_days_end_on_the_next_working_day() -> None:
    sixty = Period(60, "calendar_days")
    assert period_end(date(2026, 8, 6), sixty, CALENDAR) == date(2026, 10, 6)  # 5 Oct: holiday
    assert period_end(date(2026, 8, 7), sixty, CALENDAR) == date(2026, 10, 6)  # 6 Oct is a Tue
    assert period_end(date(2026, 8, 1), sixty, CALENDAR) == date(2026, 9, 30)


def test_an_extension_adds_the_period_again_after_the_due_day() -> None:
    seven = Period(7, "working_days")
    assert extend(date(2026, 10, 13), seven, CALENDAR) == date(2026, 10, 22)


def test_the_kr_policy_loads_with_dated_sourced_periods() -> None:
    policy = load_policy(KR)
    assert policy.types["proposal"].on(date(2026, 1, 1)).period.days == 10
    assert policy.objection_on(date(2026, 1, 1)).object_within.days == 60
    assert policy.public_on(date(2026, 1, 1)).signatures == 50_000
    assert policy.disclosure_on(date(2026, 1, 1)).extension_days == 10
    assert date(2026, 9, 25) in policy.calendar.holidays  # Chuseok
    assert all(
        t.on(date(2026, 1, 1)).source.url.startswith("https://") for t in policy.types.values()
    )
    # Jongno-gu's roads go to the district office; its welfare to the ministry
    assert policy.agency_for("roads", "1111051500") == "kr-district-office"
    assert policy.agency_for("roads", "2611000000") == "kr-busan"
    assert policy.agency_for("welfare", "1111051500") == "kr-mohw"


def test_the_classifier_routes_held_back_examples() -> None:
    accuracy = held_back_accuracy(load_policy(KR).examples)
    assert accuracy >= 0.9


def test_repeated_petitions_are_grouped_and_different_ones_are_not() -> None:
    items = list(petitions(3000, seed=5))
    sigs = similarity.signatures([p.text for p in items])
    groups = similarity.group(sigs, [p.category for p in items], 0.75)
    repeats = [(i, p.duplicate_of) for i, p in enumerate(items) if p.duplicate_of is not None]
    assert repeats
    found = sum(groups[i] == groups[j] for i, j in repeats if j is not None)
    assert found / len(repeats) > 0.98
    # a text alike only in its phrasing is not grouped with an unrelated one
    a = similarity.signature("종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다.")
    b = similarity.signature("세금 체납 고지서가 잘못 발송되었습니다. 확인 바랍니다.")
    assert similarity.similarity(a, b) < 0.3


def _datasketch_signature(text: str) -> list[int]:
    """One text's signature computed by datasketch itself, shingle by shingle."""
    minhash = MinHash(num_perm=similarity.NUM_PERM, seed=similarity.SEED, hashfunc=lambda v: v)
    minhash.update_batch(similarity.shingles(text))
    return [int(v) for v in minhash.hashvalues]


def test_the_batched_signatures_equal_datasketchs() -> None:
    """The NumPy batch gives exactly datasketch's MinHash (the signatures stored with the
    petitions stay comparable), also for empty, tiny and punctuation-only texts."""
    texts = [p.text for p in petitions(200, seed=9)] + ["", "a", "가나", "!!!", "  x  y  "]
    batch = similarity.signatures(texts)
    assert batch.dtype == np.uint32
    assert batch.shape == (len(texts), similarity.NUM_PERM)
    for text, row in zip(texts, batch, strict=True):
        assert row.tolist() == _datasketch_signature(text), text
    assert similarity.signature(texts[0]).tolist() == batch[0].tolist()


def _group_one_by_one(sigs: np.ndarray, blocks: list[str], threshold: float) -> list[int]:
    """The grouping rule written plainly: each petition in turn looks up the earlier ones of
    its block sharing a band key (as the database lookup does) and joins its best match."""
    buckets: dict[tuple[str, int], list[int]] = {}
    leaders: list[int] = []
    for index, sig in enumerate(sigs):
        keys = similarity.band_keys(sig)
        seen = sorted({c for key in keys for c in buckets.get((blocks[index], key), ())})
        found = similarity.best_match(sig, [(c, sigs[c]) for c in seen], threshold)
        leaders.append(index if found is None else leaders[int(found.key)])  # type: ignore[call-overload]
        for key in keys:
            buckets.setdefault((blocks[index], key), []).append(index)
    return leaders


def test_batch_grouping_equals_grouping_one_petition_at_a_time() -> None:
    items = list(petitions(4000, seed=6))
    sigs = similarity.signatures([p.text for p in items])
    blocks = [p.category for p in items]
    assert similarity.group(sigs, blocks, 0.75) == _group_one_by_one(sigs, blocks, 0.75)
    # signatures of few values: many ties, identical rows and shared bands across blocks
    rng = np.random.default_rng(1)
    for _ in range(20):
        small = rng.integers(0, 5, size=(200, similarity.NUM_PERM)).astype(np.uint32)
        small[rng.integers(0, 200, size=40)] = small[rng.integers(0, 200, size=40)]
        labels = [str(b) for b in rng.integers(0, 3, size=200)]
        for threshold in (0.3, 0.5, 0.75, 1.0):
            assert similarity.group(small, labels, threshold) == _group_one_by_one(
                small, labels, threshold
            )
    assert similarity.group(np.zeros((0, similarity.NUM_PERM), dtype=np.uint32), [], 0.75) == []


def test_ages_match_the_rules_on_birthdays_and_29_february() -> None:
    births = [date(1960, 2, 29), date(1960, 6, 15), date(1960, 6, 16), date(2000, 1, 1)]
    days = Population.from_rows(
        [{"person_id": i + 1, "household_id": i + 1, "birth_date": b} for i, b in enumerate(births)]
    ).column("birth_date")
    for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 6, 15)):
        expected = [years_between(b, day) for b in births]
        assert ages(days, day).tolist() == expected  # type: ignore[arg-type]
        assert ages_by_lookup(days, day).tolist() == expected  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    path = tmp_path_factory.mktemp("impact") / "facts.parquet"
    generate_snapshot(path, 3000, pack=load_pack(KR), as_of=date(2027, 1, 15), seed=7)
    return Population.read(path)


def test_the_impact_equals_a_person_by_person_count(population: Population) -> None:
    """Every resident evaluated alone with the explain evaluator, under both versions, and
    counted by hand: the vectorised impact must agree on every figure."""
    day = date(2027, 1, 15)
    current = load_rules(KR)
    files = parameter_change(
        KR,
        service_file="basic_pension.yaml",
        new_version="2027.1",
        values={
            "basic_pension.income_limit_single": 2_900_000,
            "basic_pension.base_amount": 360_000,
        },
        valid_from=date(2027, 1, 1),
        source_title="test draft",
        source_url="https://example.kr/draft",
    )
    draft = load_draft(KR, files)
    sid = "basic_pension"
    impact = compute_impact(
        population,
        Version(current.services[sid], current.params_on(current.services[sid], day)),
        Version(draft.services[sid], draft.params_on(draft.services[sid], day)),
        day,
        block_households=97,  # several blocks, uneven
    )
    rows = population.table.to_pylist()
    households: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        households.setdefault(int(row["household_id"]), []).append(row)
    expected = {"start": 0, "stop": 0, "gain": 0, "lose": 0, "now": 0, "draft": 0, "cost": 0}
    by_area: dict[str, int] = {}
    by_band: dict[str, list[int]] = {}  # subjects, gain, change in cost
    for members in households.values():
        for person in members:
            facts = {k: v for k, v in person.items() if k not in ("person_id", "household_id")}
            others = [
                {k: v for k, v in m.items() if k not in ("person_id", "household_id")}
                for m in members
            ]
            subject = Subject(facts, others)  # type: ignore[arg-type]
            now, amount_now = evaluate_service(current, current.services[sid], subject, day)
            new, amount_new = evaluate_service(draft, draft.services[sid], subject, day)
            expected["now"] += now
            expected["draft"] += new
            expected["start"] += (not now) and new
            expected["stop"] += now and not new
            expected["gain"] += now and new and (amount_new or 0) > (amount_now or 0)
            expected["lose"] += now and new and (amount_new or 0) < (amount_now or 0)
            expected["cost"] += (amount_new or 0) - (amount_now or 0)
            if (not now) and new:
                area = str(person["province"])
                by_area[area] = by_area.get(area, 0) + 1
            band = next(
                label
                for label, low, high in AGE_BANDS
                if low <= years_between(person["birth_date"], day) <= high  # type: ignore[arg-type]
            )
            figures = by_band.setdefault(band, [0, 0, 0])
            figures[0] += 1
            figures[1] += now and new and (amount_new or 0) > (amount_now or 0)
            figures[2] += (amount_new or 0) - (amount_now or 0)
    total = impact.total
    assert total.subjects == len(rows)
    assert (total.eligible_now, total.eligible_draft) == (expected["now"], expected["draft"])
    assert (total.start, total.stop, total.gain, total.lose) == (
        expected["start"],
        expected["stop"],
        expected["gain"],
        expected["lose"],
    )
    assert total.cost_change == expected["cost"]
    assert expected["gain"] > 0  # the draft does something
    assert expected["start"] > 0
    assert {k: c.start for k, c in impact.by["area"].items() if c.start} == by_area
    assert {
        k: [c.subjects, c.gain, c.cost_change] for k, c in impact.by["age_band"].items()
    } == by_band
    assert sum(c.subjects for c in impact.by["household_type"].values()) == len(rows)
    assert sum(c.start for c in impact.by["age_band"].values()) == expected["start"]
