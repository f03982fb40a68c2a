"""The programme as data: countries/kr/saemaul/ loads, repeats safely, and bad data is named."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from gov3.core.errors import AppendOnlyError
from gov3.saemaul.models import (
    LeaderSlot,
    ProgrammePolicy,
    ProgrammeRound,
    ReferenceFigure,
    Rubric,
)
from gov3.saemaul.programme import ProgrammeDataError, load_programme
from gov3.saemaul.queries import reference_figures
from gov3.saemaul.services import do_load_programme
from tests.saemaul.conftest import ACTOR


def test_the_korean_programme_data_is_valid() -> None:
    data = load_programme("kr", settings.GOV3_COUNTRIES_DIR)
    assert [r.code for r in data.rounds] == [
        "kr-1970-seed",
        "kr-1971-merit",
        "kr-1979-guideline",
        "kr-model-village",
    ]
    seed, merit = data.rounds[0], data.rounds[1]
    assert seed.package == (("cement", 335),)
    assert seed.requires_result_of is None
    assert merit.package == (("cement", 500), ("steel", 1000))
    assert merit.requires_result_of == "kr-1970-seed"
    assert sum(c.max_points for c in data.rubrics[0].criteria) == 100
    assert all(f.source_title for f in data.figures)


@pytest.mark.django_db
def test_loading_twice_creates_nothing_twice() -> None:
    first = do_load_programme(ACTOR, "kr")
    assert first.created["rounds"] == 4
    second = do_load_programme(ACTOR, "kr")
    assert "rounds" not in second.created
    assert ProgrammeRound.objects.count() == 4
    assert Rubric.objects.count() == 1
    assert LeaderSlot.objects.filter(country="kr").count() == 2
    assert ProgrammePolicy.objects.get(country="kr").assembly_quorum_percent == 50


@pytest.mark.django_db
def test_the_national_reference_figures_are_read_only_and_sourced(programme: None) -> None:
    figures = {f.code: f for f in reference_figures()}
    assert figures["seed_villages"].value == Decimal(33_267)
    assert figures["seed_bags_total"].value == Decimal(11_144_445) == 33_267 * 335
    assert (
        figures["merit_villages"].value + figures["merit_villages_without_support"].value == 33_267
    )
    assert figures["haenam_villages"].value == sum(
        figures[f"haenam_1971_{c}"].value for c in ("basic", "self_help", "self_reliant")
    )
    assert figures["classes_1973_total"].value == 34_665
    assert figures["guideline_1979_total"].value == (
        figures["guideline_1979_national"].value + figures["guideline_1979_local"].value
    )
    assert "archives.saemaul.or.kr" in figures["seed_villages"].source_url
    assert figures["haenam_1979_self_reliant"].scope_names["en"] == "Haenam-gun, Jeollanam-do"
    figure = figures["seed_villages"]
    figure.value = Decimal(1)
    with pytest.raises(AppendOnlyError):
        figure.save()
    assert ReferenceFigure.objects.get(code="seed_villages").value == 33_267


def test_bad_programme_data_names_every_problem(tmp_path: Path) -> None:
    target = tmp_path / "xx" / "saemaul"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr" / "saemaul", target)
    rounds = target / "rounds.yaml"
    text = rounds.read_text(encoding="utf-8")
    text = text.replace("requires_result_of: kr-1970-seed", "requires_result_of: kr-1969-none")
    text = text.replace(
        "- {material: cement, quantity: 335}", "- {material: concrete, quantity: 0}"
    )
    text = text.replace(
        "depot_reserve_percent: 30\n    source:", "depot_reserve_percent: 130\n    source:"
    )
    rounds.write_text(text, encoding="utf-8")
    with pytest.raises(ProgrammeDataError) as error:
        load_programme("xx", tmp_path)
    problems = error.value.problems
    materials = "('cement', 'steel', 'rebar', 'cash')"
    assert f"rounds.yaml: rounds[0].package[0]: material must be one of {materials}" in problems
    assert "rounds.yaml: rounds[0].package[0]: quantity must be more than 0" in problems
    assert any(
        "requires_result_of 'kr-1969-none' must name an earlier round" in p for p in problems
    )
    assert any("depot_reserve_percent must be a percentage" in p for p in problems)
