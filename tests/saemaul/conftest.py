"""Saemaul fixtures: a small county built through the real commands, the Korean programme data
loaded from countries/kr/saemaul/, and helpers that walk a project through its workflow.

Also used by the page and API tests of this directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from gov3.registry.models import Area
from gov3.registry.services import AreaRecord, do_load_areas
from gov3.saemaul.models import ProgrammeRound, Project, Resolution, Village
from gov3.saemaul.services import (
    BoqLine,
    ResolutionInput,
    do_approve_project,
    do_check_project,
    do_create_project,
    do_load_programme,
    do_record_assembly,
    do_register_village,
    do_submit_project,
)

ACTOR = "test:saemaul"
# Hwasan-myeon, Haenam-gun: the village site used throughout.
SITE = (34.5200, 126.5400)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    """Uploaded photos go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages in English (the site's default is Korean), as the `client` fixture asks."""
    with translation.override("en"):
        yield


@pytest.fixture
def county(db: None) -> dict[str, Area]:
    """Jeollanam-do → Haenam-gun → Hwasan-myeon and Samsan-myeon."""
    do_load_areas(
        ACTOR,
        "kr",
        [
            AreaRecord("46", None, "province", "전라남도", "Jeollanam-do"),
            AreaRecord("46820", "46", "municipality", "해남군", "Haenam-gun"),
            AreaRecord("46820-02", "46820", "district", "삼산면", "Samsan-myeon"),
            AreaRecord("46820-03", "46820", "district", "화산면", "Hwasan-myeon"),
        ],
    )
    return {a.code: a for a in Area.objects.filter(code__startswith="46")}


@pytest.fixture
def programme(db: None) -> None:
    """The Korean programme data: policy, leader slots, rubric, class criteria, rounds, figures."""
    do_load_programme(ACTOR, "kr")


def make_village(area: Area, code: str, **fields: Any) -> Village:
    """Register a village through the real command (sensible defaults, overridable)."""
    values: dict[str, Any] = {
        "name_local": f"마을 {code}",
        "households": 40,
        "population": 180,
        "latitude": SITE[0],
        "longitude": SITE[1],
    }
    return do_register_village(ACTOR, area=area, code=code, **(values | fields))


@pytest.fixture
def village(county: dict[str, Area], programme: None) -> Village:
    """A village of Hwasan-myeon with a location."""
    return make_village(county["46820-03"], "46820-03-0001")


def adopted_resolution(village: Village, title: str = "마을 안길 포장") -> Resolution:
    """An assembly with quorum that adopted one resolution."""
    assembly = do_record_assembly(
        ACTOR,
        village,
        held_on=timezone.localdate() - timedelta(days=3),
        eligible_members=40,
        attended_men=14,
        attended_women=12,
        resolutions=[ResolutionInput(title, votes_for=20, votes_against=4, abstentions=2)],
    )
    return assembly.resolutions.get()


def model_round() -> ProgrammeRound:
    """The open example round (cash grant in two tranches)."""
    return ProgrammeRound.objects.get(code="kr-model-village")


def draft_project(
    village: Village, *, resolution: Resolution | None = None, **fields: Any
) -> Project:
    """A complete draft project (site, bill of quantities), with or without a resolution."""
    values: dict[str, Any] = {
        "title": "마을 안길 포장",
        "category": "living_environment",
        "latitude": SITE[0],
        "longitude": SITE[1],
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + timedelta(days=60),
        "requested_grant_krw": 2_000_000,
        "community_labour_days": 100,
        "lines": [
            BoqLine("시멘트", 150, "포대", 0, "cement"),
            BoqLine("골재", "12.5", "m³", 25_000),
            # the works themselves: without them the grant would exceed the cost (issue 14)
            BoqLine("포장 장비·인건비", 1, "식", 4_687_500),
        ],
    }
    return do_create_project(ACTOR, village, resolution=resolution, **(values | fields))


def approved_project(village: Village, **fields: Any) -> Project:
    """A project taken through submission, the eup/myeon check and county approval."""
    project = draft_project(village, resolution=adopted_resolution(village), **fields)
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    project = do_check_project(ACTOR, project, expected_version=project.version)
    return do_approve_project(ACTOR, project, expected_version=project.version)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
