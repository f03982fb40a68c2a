"""Evaluation rubrics and rankings, and the yearly village class computed from configurable
criteria (income, infrastructure, village fund) with history, promotions and counts."""

from __future__ import annotations

from datetime import date

import pytest

from gov3.core.errors import AppendOnlyError, ValidationFailedError
from gov3.registry.models import Area
from gov3.saemaul.classes import ClassThreshold, VillageYear, classify, is_promotion
from gov3.saemaul.models import ClassCriterion, ProgrammeRound, Village, VillageClassification
from gov3.saemaul.queries import (
    class_counts_by_year,
    current_class_counts,
    promotions,
    round_rankings,
)
from gov3.saemaul.services import (
    RecordedClass,
    do_classify_villages,
    do_record_annual_figures,
    do_record_classifications,
    do_record_evaluation,
    do_record_fund_entry,
    do_set_infrastructure,
)
from tests.saemaul.conftest import ACTOR, make_village

THRESHOLDS = [
    ClassThreshold("self_help", 500_000, 3, 300_000),
    ClassThreshold("self_reliant", 1_000_000, 5, 1_000_000),
]


@pytest.mark.parametrize(
    ("income", "items", "fund", "expected"),
    [
        (0, 0, 0, "basic"),
        (499_999, 8, 5_000_000, "basic"),  # one threshold missed is enough to stay
        (500_000, 3, 300_000, "self_help"),
        (1_200_000, 5, 900_000, "self_help"),
        (1_000_000, 5, 1_000_000, "self_reliant"),
        (9_000_000, 8, 9_000_000, "self_reliant"),  # no welfare criteria: no welfare class
    ],
)
def test_the_class_is_the_highest_whose_every_threshold_is_met(
    income: int, items: int, fund: int, expected: str
) -> None:
    assert classify(VillageYear(income, items, fund), THRESHOLDS) == expected


def test_promotion_follows_the_path() -> None:
    assert is_promotion("basic", "self_help")
    assert not is_promotion("self_reliant", "self_help")
    assert not is_promotion("basic", "basic")


def _rich(village: Village, year: int, income: int, fund: int, items: list[str]) -> None:
    do_record_annual_figures(ACTOR, village, year=year, average_household_income_krw=income)
    for item in items:
        do_set_infrastructure(ACTOR, village, item, done=True, completed_year=year)
    if fund:
        do_record_fund_entry(ACTOR, village, kind="income", amount_krw=fund, on=date(year, 11, 1))


@pytest.mark.django_db
def test_classes_are_computed_each_year_with_history_and_promotions(
    county: dict[str, Area], programme: None
) -> None:
    area = county["46820-03"]
    a, b, _ = (make_village(area, f"46820-03-000{i}") for i in (1, 2, 3))
    _rich(a, 2023, 600_000, 400_000, ["roads", "water", "roofs"])
    _rich(b, 2023, 200_000, 0, [])
    # c has no figures for 2023: it is counted as missing and left unclassified.
    first = do_classify_villages(ACTOR, 2023, country="kr")
    assert (first.classified, first.missing_figures, first.promoted) == (2, 1, 0)
    assert first.counts["self_help"] == 1
    assert Village.objects.get(pk=a.pk).village_class == "self_help"

    _rich(a, 2024, 1_100_000, 700_000, ["electricity", "village_hall"])
    _rich(b, 2024, 550_000, 300_000, ["roads", "bridges", "water"])
    second = do_classify_villages(ACTOR, 2024, country="kr")
    assert second.promoted == 2
    assert {(v.village.code, v.previous_class, v.village_class) for v in promotions(2024)} == {
        ("46820-03-0001", "self_help", "self_reliant"),
        ("46820-03-0002", "basic", "self_help"),
    }
    row = VillageClassification.objects.get(village=a, year=2024)
    assert (row.household_income_krw, row.infrastructure_items, row.village_fund_krw) == (
        1_100_000,
        5,
        1_100_000,
    )
    assert class_counts_by_year(area) == {
        2023: {"basic": 1, "self_help": 1, "self_reliant": 0, "welfare": 0},
        2024: {"basic": 0, "self_help": 1, "self_reliant": 1, "welfare": 0},
    }
    assert current_class_counts(area)["self_reliant"] == 1

    # Running the year again changes nothing: history is never rewritten.
    again = do_classify_villages(ACTOR, 2024, country="kr")
    assert (again.classified, again.already_classified) == (0, 2)
    with pytest.raises(ValidationFailedError, match="already classified"):
        do_record_annual_figures(ACTOR, a, year=2024, average_household_income_krw=1)
    with pytest.raises(AppendOnlyError):
        row.delete()


@pytest.mark.django_db
def test_the_criteria_are_configurable(county: dict[str, Area], programme: None) -> None:
    village = make_village(county["46820-03"], "46820-03-0001")
    _rich(village, 2024, 100_000, 0, [])
    ClassCriterion.objects.filter(country="kr", village_class="self_help").update(
        min_household_income_krw=0, min_infrastructure_items=0, min_village_fund_krw=0
    )
    outcome = do_classify_villages(ACTOR, 2024, country="kr")
    assert outcome.counts["self_help"] == 1


@pytest.mark.django_db
def test_recorded_historical_classes_fill_in_the_previous_class(
    county: dict[str, Area], programme: None
) -> None:
    village = make_village(county["46820-03"], "46820-03-0001")
    records = [
        RecordedClass(village, 1971, "basic"),
        RecordedClass(village, 1973, "self_help"),
        RecordedClass(village, 1972, "basic"),
    ]
    assert do_record_classifications(ACTOR, records) == 3
    assert do_record_classifications(ACTOR, records) == 0
    history = list(village.classifications.values_list("year", "previous_class", "village_class"))
    assert history == [(1971, "", "basic"), (1972, "basic", "basic"), (1973, "basic", "self_help")]
    assert Village.objects.get(pk=village.pk).village_class == "self_help"
    assert [c.village.code for c in promotions(1973)] == ["46820-03-0001"]


@pytest.mark.django_db
def test_a_rubric_scores_and_ranks_villages(county: dict[str, Area], programme: None) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    area = county["46820-03"]
    scores = {
        "46820-03-0001": (40, 20, 20, 10, 10),
        "46820-03-0002": (30, 10, 10, 5, 5),
        "46820-03-0003": (30, 10, 10, 5, 5),
        "46820-03-0004": (10, 5, 5, 2, 2),
    }
    codes = ["project_completed", "participation", "contribution", "leadership", "upkeep"]
    for code, points in scores.items():
        do_record_evaluation(
            ACTOR,
            seed,
            make_village(area, code),
            scores=dict(zip(codes, points, strict=True)),
            evaluated_on=date(1971, 6, 30),
        )
    ranking = [(r.rank, r.village.code, r.total, r.showed_results) for r in round_rankings(seed)]
    assert ranking == [
        (1, "46820-03-0001", 100, True),
        (2, "46820-03-0002", 60, True),
        (2, "46820-03-0003", 60, True),
        (4, "46820-03-0004", 24, False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"project_completed": 41}, "scored 0 to 40"),
        ({}, "missing"),
        ({"beauty": 5}, "no criteria beauty"),
    ],
)
def test_scores_outside_the_rubric_are_refused(
    village: Village, scores: dict[str, int], message: str
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    full = {
        "project_completed": 40,
        "participation": 20,
        "contribution": 20,
        "leadership": 10,
        "upkeep": 10,
    }
    scores = full | scores if scores else {}
    with pytest.raises(ValidationFailedError, match=message):
        do_record_evaluation(ACTOR, seed, village, scores=scores, evaluated_on=date(1971, 6, 30))
    assert not seed.evaluations.exists()
