"""Programme rounds as data, and allocation: exact totals, merit only for results, never twice."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from gov3.core.errors import ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.registry.models import Area
from gov3.registry.services import AreaRecord, do_load_areas
from gov3.saemaul.models import Allocation, AllocationLine, ProgrammeRound, Village
from gov3.saemaul.queries import allocation_totals, eligible_villages, round_rankings
from gov3.saemaul.services import (
    EvaluationInput,
    do_allocate_round,
    do_record_evaluations,
    do_set_round_status,
)
from gov3.synthetic.saemaul import District, generate_villages
from tests.saemaul.conftest import ACTOR, make_village

SEED_VILLAGES = 33_267


def _round(code: str) -> ProgrammeRound:
    return ProgrammeRound.objects.get(code=code)


def _bags(round_: ProgrammeRound) -> int:
    lines = AllocationLine.objects.filter(allocation__round=round_, material="cement")
    return int(lines.aggregate(total=Sum("quantity"))["total"] or 0)


def _villages(county: dict[str, Area], n: int) -> list[Village]:
    return [make_village(county["46820-03"], f"46820-03-{i:04d}") for i in range(1, n + 1)]


def _evaluate(round_: ProgrammeRound, results: dict[Village, bool]) -> None:
    """Full marks for villages with results, a failing score for the others."""
    criteria = list(round_.rubric.criteria.all()) if round_.rubric else []
    entries = [
        EvaluationInput(
            village, {c.code: c.max_points if passed else c.max_points // 5 for c in criteria}
        )
        for village, passed in results.items()
    ]
    do_record_evaluations(ACTOR, round_, entries, evaluated_on=date(1971, 6, 30))


@pytest.mark.slow
@pytest.mark.django_db
def test_the_1970_seed_round_gives_exactly_11_144_445_bags_to_33_267_villages(
    programme: None,
) -> None:
    districts = [AreaRecord("47", None, "province", "경상북도", "Gyeongsangbuk-do")]
    districts += [AreaRecord("47900", "47", "municipality", "가상군", "Synthetic-gun")]
    districts += [
        AreaRecord(f"47900-{i:02d}", "47900", "district", f"가상{i}면", f"Synthetic {i}-myeon")
        for i in range(1, 11)
    ]
    do_load_areas(ACTOR, "kr", districts)
    areas = list(Area.objects.filter(code__startswith="47900-").order_by("code"))
    counts = [SEED_VILLAGES // 10 + (1 if i < SEED_VILLAGES % 10 else 0) for i in range(10)]
    generate_villages(
        ACTOR,
        [District(a, 36.0, 128.5) for a in areas],
        counts,
        seed=1,
        registered_on=date(1970, 4, 22),
    )
    assert Village.objects.count() == SEED_VILLAGES

    outcome = do_allocate_round(ACTOR, _round("kr-1970-seed"))

    assert outcome.created == SEED_VILLAGES
    assert outcome.quantities == {"cement": 11_144_445}
    assert _bags(_round("kr-1970-seed")) == 11_144_445
    assert Allocation.objects.filter(round__code="kr-1970-seed").count() == SEED_VILLAGES
    # One audit entry for the whole run, with the totals.
    entry = AuditEntry.objects.get(action="saemaul.allocate_round")
    assert entry.data["created"] == SEED_VILLAGES

    again = do_allocate_round(ACTOR, _round("kr-1970-seed"))
    assert again.created == 0
    assert again.already_allocated == SEED_VILLAGES
    assert _bags(_round("kr-1970-seed")) == 11_144_445


@pytest.mark.django_db
def test_the_merit_round_gives_500_bags_and_1_t_only_to_villages_with_results(
    county: dict[str, Area], programme: None
) -> None:
    villages = _villages(county, 12)
    seed, merit = _round("kr-1970-seed"), _round("kr-1971-merit")
    do_allocate_round(ACTOR, seed)
    with_results = set(villages[:5])
    _evaluate(seed, {v: v in with_results for v in villages})

    outcome = do_allocate_round(ACTOR, merit)

    assert outcome.created == 5
    allocated = Allocation.objects.filter(round=merit)
    assert {a.village for a in allocated} == with_results
    for allocation in allocated:
        assert {line.material: line.quantity for line in allocation.lines.all()} == {
            "cement": 500,
            "steel": 1000,  # 1 t, held in kg
        }
        assert allocation.value_krw == 180_000
    # "No result, no support next round": the other seven got nothing.
    assert not Allocation.objects.filter(round=merit, village__in=villages[5:]).exists()
    assert allocation_totals(merit).quantities == {"cement": 2500, "steel": 5000}


@pytest.mark.django_db
def test_rerunning_an_allocation_allocates_nothing_twice_but_picks_up_new_villages(
    county: dict[str, Area], programme: None
) -> None:
    villages = _villages(county, 3)
    seed = _round("kr-1970-seed")
    first = do_allocate_round(ACTOR, seed)
    second = do_allocate_round(ACTOR, seed)
    assert (first.created, second.created, second.already_allocated) == (3, 0, 3)
    assert _bags(seed) == 3 * 335

    make_village(county["46820-02"], "46820-02-0001")
    third = do_allocate_round(ACTOR, seed)
    assert third.created == 1
    assert _bags(seed) == 4 * 335
    assert Allocation.objects.filter(round=seed).count() == len(villages) + 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_allocation_of_a_round_to_a_village(
    village: Village,
) -> None:
    seed = _round("kr-1970-seed")
    do_allocate_round(ACTOR, seed)
    allocation = Allocation.objects.get(round=seed, village=village)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            round=seed, village=village, allocated_at=allocation.allocated_at, allocated_by="x"
        )


@pytest.mark.django_db
def test_allocation_is_limited_to_an_area_when_asked(
    county: dict[str, Area], programme: None
) -> None:
    make_village(county["46820-03"], "46820-03-0001")
    make_village(county["46820-02"], "46820-02-0001")
    outcome = do_allocate_round(ACTOR, _round("kr-1970-seed"), area=county["46820-02"])
    assert outcome.created == 1
    assert Allocation.objects.get().village.code == "46820-02-0001"


@pytest.mark.django_db
def test_the_1979_guideline_is_data_and_its_cap_takes_the_best_villages_first(
    county: dict[str, Area], programme: None
) -> None:
    guideline = _round("kr-1979-guideline")
    assert {line.material: line.quantity for line in guideline.package.all()} == {
        "cement": 500,
        "rebar": 1000,
    }
    assert guideline.package_value_krw == 616_000
    assert {f.source: f.amount_krw for f in guideline.funding.all()} == {
        "national": 3_080_000_000,
        "local": 6_160_000_000,
    }
    assert guideline.budget_krw() == 9_240_000_000 == 15_000 * 616_000
    assert guideline.village_cap() == 15_000
    assert (guideline.delivery_from, guideline.delivery_until) == (
        date(1978, 12, 1),
        date(1979, 2, 28),
    )
    assert guideline.completion_deadline == date(1979, 5, 31)
    assert guideline.depot_reserve_percent == 30

    # With a cap of 2 and results deciding, the two best-scored villages get the package.
    villages = _villages(county, 4)
    seed = _round("kr-1970-seed")
    criteria = list(seed.rubric.criteria.all()) if seed.rubric else []
    do_record_evaluations(
        ACTOR,
        seed,
        [
            EvaluationInput(v, {c.code: c.max_points - i * (c == criteria[0]) for c in criteria})
            for i, v in enumerate(villages)
        ],
        evaluated_on=date(1971, 6, 30),
    )
    ProgrammeRound.objects.filter(pk=guideline.pk).update(max_villages=2, requires_result_of=seed)
    guideline.refresh_from_db()
    outcome = do_allocate_round(ACTOR, guideline)
    assert (outcome.created, outcome.over_cap) == (2, 2)
    assert {a.village for a in Allocation.objects.filter(round=guideline)} == set(villages[:2])
    assert [r.rank for r in round_rankings(seed)] == [1, 2, 3, 4]
    assert do_allocate_round(ACTOR, guideline).created == 0


@pytest.mark.django_db
def test_a_closed_round_allocates_nothing(village: Village) -> None:
    seed = do_set_round_status(ACTOR, _round("kr-1970-seed"), "closed")
    with pytest.raises(ValidationFailedError, match="closed"):
        do_allocate_round(ACTOR, seed)
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_eligibility_by_class(county: dict[str, Area], programme: None) -> None:
    basic = make_village(county["46820-03"], "46820-03-0001")
    Village.objects.filter(pk=make_village(county["46820-03"], "46820-03-0002").pk).update(
        village_class="self_help"
    )
    guideline = _round("kr-1979-guideline")
    ProgrammeRound.objects.filter(pk=guideline.pk).update(eligible_classes=["self_help"])
    guideline.refresh_from_db()
    assert [v.code for v in eligible_villages(guideline)] == ["46820-03-0002"]
    do_allocate_round(ACTOR, guideline)
    assert not Allocation.objects.filter(village=basic).exists()


@pytest.mark.django_db
def test_evaluations_cannot_change_once_the_next_round_allocated_on_them(
    county: dict[str, Area], programme: None
) -> None:
    villages = _villages(county, 2)
    seed = _round("kr-1970-seed")
    _evaluate(seed, {villages[0]: True, villages[1]: False})
    do_allocate_round(ACTOR, _round("kr-1971-merit"))
    with pytest.raises(ValidationFailedError, match="already allocated"):
        _evaluate(seed, {villages[1]: True})
    assert not seed.evaluations.get(village=villages[1]).showed_results
