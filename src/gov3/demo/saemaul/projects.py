"""Projects across the county: villages of every eup/myeon take a work through the real
commands to one step of the workflow, with generated photos of the works.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gov3.demo.saemaul.county import ACTOR, HWASAN
from gov3.registry.models import Area
from gov3.saemaul.models import Material, PhotoStage, ProgrammeRound, ProjectCategory, Village
from gov3.saemaul.scenes import synthetic_scene
from gov3.saemaul.services import (
    BoqLine,
    ResolutionInput,
    do_add_evidence,
    do_approve_project,
    do_check_project,
    do_complete_project,
    do_create_project,
    do_record_assembly,
    do_release_tranche,
    do_return_project,
    do_submit_project,
)

# --- projects across the county (issue 14, item 15) -----------------------------------------

#: The works villages choose, with what they cost: title, category, checklist item, the scene
#: its photos show, and the bill of quantities. The grant asked for is most of the cost less
#: the villagers' cash; materials in kind (cement) are priced 0.
_WORKS: list[tuple[str, str, str, str, list[BoqLine]]] = [
    (
        "마을 안길 포장",
        ProjectCategory.LIVING_ENVIRONMENT,
        "roads",
        "road",
        [
            BoqLine("시멘트", 120, "포대", 0, Material.CEMENT),
            BoqLine("골재(모래·자갈)", 24, "m³", 25_000),
            BoqLine("레미콘 타설·장비 임차", 1, "식", 2_600_000),
        ],
    ),
    (
        "공동 빨래터 설치",
        ProjectCategory.LIVING_ENVIRONMENT,
        "laundry",
        "laundry",
        [
            BoqLine("시멘트", 60, "포대", 0, Material.CEMENT),
            BoqLine("빨래터 구조물 제작·설치", 1, "식", 1_400_000),
        ],
    ),
    (
        "소하천 석축 정비",
        ProjectCategory.PRODUCTION_INFRASTRUCTURE,
        "drains",
        "stream",
        [BoqLine("석축 쌓기", 60, "m", 45_000), BoqLine("중장비 임차", 2, "일", 450_000)],
    ),
    (
        "마을회관 지붕 개량",
        ProjectCategory.LIVING_ENVIRONMENT,
        "village_hall",
        "building",
        [
            BoqLine("지붕재(강판)", 140, "m²", 18_000),
            BoqLine("지붕 공사 인건비", 1, "식", 1_100_000),
        ],
    ),
    (
        "공동 비닐하우스 설치",
        ProjectCategory.INCOME,
        "",
        "greenhouse",
        [BoqLine("하우스 골조", 3, "동", 900_000), BoqLine("비닐·설치", 3, "동", 350_000)],
    ),
    (
        "농로 확장",
        ProjectCategory.PRODUCTION_INFRASTRUCTURE,
        "",
        "road",
        [
            BoqLine("시멘트", 80, "포대", 0, Material.CEMENT),
            BoqLine("농로 확장 공사", 1, "식", 2_200_000),
        ],
    ),
]
#: The step each spread project is taken to, in turn: every status appears many times.
_STEPS = ("draft", "submitted", "checked", "returned", "approved", "completed")
#: Villages of each eup/myeon that get a project (after the two staged in Hwasan-myeon).
SPREAD_PER_DISTRICT = 3


def _scene(
    project: Any, subject: str, stage: str, lat: float, lon: float, *, taken_at: datetime | None
) -> bytes:
    """A generated photo of the works (seeded by the project, so a rerun draws the same)."""
    seed = zlib.crc32(f"{project.village.code}:{project.title}:{stage}".encode())
    return synthetic_scene(
        subject,
        stage,
        seed=seed,
        title=project.title,
        latitude=lat,
        longitude=lon,
        taken_at=taken_at,
    )


def _stage_spread(districts: list[Area], today: date) -> None:
    """Projects in villages of every eup/myeon, each taken through the real commands to one of
    the steps of the workflow, so the lists and dashboards have something to show. In
    Hwasan-myeon they belong to the model-village round; elsewhere they are county-supported
    projects outside any round."""
    round_ = ProgrammeRound.objects.get(code="kr-model-village")
    turn = 0
    for index, district in enumerate(districts):
        villages = Village.objects.filter(area=district).order_by("code")[
            2 : 2 + SPREAD_PER_DISTRICT
        ]
        for village in villages:
            step = _STEPS[turn % len(_STEPS)]
            work = _WORKS[(turn * 5 + index) % len(_WORKS)]
            turn += 1
            if village.projects.exists():
                continue
            _stage_project(
                village,
                work,
                step=step,
                round_=round_ if index == HWASAN else None,
                today=today,
                turn=turn,
            )


def _stage_project(
    village: Village,
    work: tuple[str, str, str, str, list[BoqLine]],
    *,
    step: str,
    round_: ProgrammeRound | None,
    today: date,
    turn: int,
) -> None:
    title, category, item, subject, lines = work
    held_on = today - timedelta(days=40 + turn % 30)
    men, women = village.households // 3 + 1, village.households // 3
    assembly = do_record_assembly(
        ACTOR,
        village,
        held_on=held_on,
        eligible_members=village.households,
        attended_men=men,
        attended_women=women,
        place="마을회관",
        resolutions=[ResolutionInput(title, votes_for=(men + women) * 3 // 4, votes_against=1)],
    )
    lat, lon = float(village.latitude or 0), float(village.longitude or 0)
    cost = sum(int(line.quantity) * line.unit_price_krw for line in lines)
    cash = cost // 10 // 10_000 * 10_000
    grant = (cost - cash) * 8 // 10 // 10_000 * 10_000
    project = do_create_project(
        ACTOR,
        village,
        title=title,
        category=category,
        round_=round_,
        resolution=assembly.resolutions.get(),
        infrastructure_item=item,
        latitude=lat + 0.0008,  # the site, a few tens of metres from the village centre
        longitude=lon - 0.0006,
        starts_on=held_on + timedelta(days=10),
        ends_on=held_on + timedelta(days=100),
        requested_grant_krw=grant,
        community_cash_krw=cash,
        community_labour_days=40 + turn % 5 * 20,
        lines=lines,
    )
    if step == "draft":
        return
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    if step == "submitted":
        return
    if step == "returned":
        do_return_project(
            ACTOR,
            project,
            expected_version=project.version,
            reason="주민 부담금 납부 계획과 현장 사진을 보완하세요.",
        )
        return
    project = do_check_project(ACTOR, project, expected_version=project.version, note="현장 확인")
    if step == "checked":
        return
    project = do_approve_project(ACTOR, project, expected_version=project.version)
    site = (lat + 0.0008, lon - 0.0006)
    shot = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(10, 0)))
    do_add_evidence(
        ACTOR,
        project,
        stage=PhotoStage.BEFORE,
        filename="before.jpg",
        data=_scene(project, subject, "before", *site, taken_at=shot),
    )
    do_add_evidence(
        ACTOR,
        project,
        stage=PhotoStage.DURING,
        filename="during.jpg",
        progress_percent=50,
        data=_scene(project, subject, "during", *site, taken_at=shot + timedelta(days=12)),
    )
    if step == "approved":
        return
    do_add_evidence(
        ACTOR,
        project,
        stage=PhotoStage.AFTER,
        filename="after.jpg",
        progress_percent=100,
        data=_scene(project, subject, "after", *site, taken_at=shot + timedelta(days=25)),
    )
    for tranche in project.tranches.order_by("number"):
        do_release_tranche(ACTOR, tranche, on=today - timedelta(days=4))
    project.refresh_from_db()
    do_complete_project(
        ACTOR, project, expected_version=project.version, completed_on=today - timedelta(days=3)
    )
