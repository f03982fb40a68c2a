"""The present-day model-village round in Hwasan-myeon: depots and stock, a village with its
leaders, assembly, projects and reports, and a photo taken far from its site.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gov3.demo.saemaul.county import ACTOR, HWASAN, district_code
from gov3.demo.saemaul.projects import _scene
from gov3.registry.models import Area
from gov3.saemaul.models import (
    Allocation,
    Depot,
    DepotLevel,
    Material,
    PhotoStage,
    ProgrammeRound,
    ProjectCategory,
    Village,
)
from gov3.saemaul.services import (
    BoqLine,
    ResolutionInput,
    do_add_body_member,
    do_add_evidence,
    do_allocate_round,
    do_appoint_leader,
    do_approve_project,
    do_approve_report,
    do_check_project,
    do_create_depot,
    do_create_project,
    do_deliver_materials,
    do_prepare_report,
    do_receive_stock,
    do_record_assembly,
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
    do_submit_project,
    do_submit_report,
    do_transfer_stock,
)


def _depots(county: Area, hwasan: Area) -> tuple[Depot, Depot]:
    found = {d.code: d for d in Depot.objects.filter(code__in=["kr-46820", "kr-46820-03"])}
    county_depot = found.get("kr-46820") or do_create_depot(
        ACTOR, code="kr-46820", name="해남군 자재창고", area=county, level=DepotLevel.COUNTY
    )
    myeon_depot = found.get("kr-46820-03") or do_create_depot(
        ACTOR, code="kr-46820-03", name="화산면 자재창고", area=hwasan, level=DepotLevel.EUP_MYEON
    )
    return county_depot, myeon_depot


def _stage_live_round(hwasan: Area, county: Area, today: date) -> None:
    """The present-day example round in Hwasan-myeon: stock, deliveries, projects, a report."""
    round_ = ProgrammeRound.objects.get(code="kr-model-village")
    do_allocate_round(ACTOR, round_, area=hwasan)
    county_depot, myeon_depot = _depots(county, hwasan)
    if not county_depot.stock.exists():
        do_receive_stock(
            ACTOR,
            county_depot,
            material=Material.CEMENT,
            quantity=20_000,
            on=today - timedelta(days=75),
            round_=round_,
            note="model-village round",
        )
        do_transfer_stock(
            ACTOR,
            county_depot,
            myeon_depot,
            material=Material.CEMENT,
            quantity=8_000,
            on=today - timedelta(days=70),
            round_=round_,
        )
    village = Village.objects.get(code=f"{district_code(HWASAN)}-0001")
    if village.assemblies.exists():
        return
    _stage_village(village, round_, myeon_depot, today)
    _stage_far_photo(Village.objects.get(code=f"{district_code(HWASAN)}-0002"), round_, today)


def _stage_village(village: Village, round_: ProgrammeRound, depot: Depot, today: date) -> None:
    since = today - timedelta(days=400)
    do_appoint_leader(ACTOR, village, slot_code="leader_woman", name="김순자", sex="F", since=since)
    do_add_body_member(
        ACTOR,
        village,
        body="development_committee",
        name="박영수",
        sex="M",
        since=since,
        role="chair",
    )
    do_add_body_member(
        ACTOR, village, body="womens_association", name="김순자", sex="F", since=since, role="chair"
    )
    held_on = today - timedelta(days=20)
    attended = 2 * (village.households // 3)  # every vote comes from someone present
    assembly = do_record_assembly(
        ACTOR,
        village,
        held_on=held_on,
        eligible_members=village.households,
        attended_men=village.households // 3,
        attended_women=village.households // 3,
        place="마을회관",
        chaired_by="박영수",
        resolutions=[
            ResolutionInput("마을 안길 포장", votes_for=attended - 4, votes_against=3),
            ResolutionInput("공동 빨래터 설치", votes_for=attended - 6, votes_against=5),
            ResolutionInput("소하천 정비", votes_for=attended - 3, votes_against=2),
        ],
    )
    road, laundry, stream = assembly.resolutions.order_by("number")
    lat, lon = float(village.latitude or 0), float(village.longitude or 0)
    common: dict[str, Any] = {
        "round_": round_,
        "latitude": lat,
        "longitude": lon,
        "starts_on": today,
    }
    cement = [
        BoqLine("시멘트", 150, "포대", 0, Material.CEMENT),
        BoqLine("골재(모래·자갈)", 30, "m³", 25_000),
        # the works the grant pays for: it never exceeds the cost less the villagers' cash
        BoqLine("레미콘 타설·장비 임차", 1, "식", 3_250_000),
    ]
    paving = do_create_project(
        ACTOR,
        village,
        title="마을 안길 포장",
        category=ProjectCategory.LIVING_ENVIRONMENT,
        resolution=road,
        infrastructure_item="roads",
        requested_grant_krw=3_000_000,
        community_cash_krw=500_000,
        community_labour_days=120,
        lines=cement,
        **common,
    )
    paving = do_submit_project(ACTOR, paving, expected_version=paving.version)
    paving = do_check_project(ACTOR, paving, expected_version=paving.version, note="현장 확인")
    paving = do_approve_project(ACTOR, paving, expected_version=paving.version)
    allocation = Allocation.objects.get(round=round_, village=village)
    do_deliver_materials(
        ACTOR,
        allocation,
        depot,
        material=Material.CEMENT,
        quantity=300,
        on=today - timedelta(days=15),
        received_by="박영수",
    )
    do_record_material_use(
        ACTOR, paving, material=Material.CEMENT, quantity=150, used_on=today - timedelta(days=5)
    )
    do_record_fund_entry(
        ACTOR,
        village,
        kind="contribution",
        amount_krw=500_000,
        on=today - timedelta(days=18),
        note="주민 부담금",
        project=paving,
    )
    shot = timezone.make_aware(datetime.combine(today - timedelta(days=3), time(10, 30)))
    do_add_evidence(
        ACTOR,
        paving,
        stage=PhotoStage.BEFORE,
        filename="before.jpg",
        data=_scene(
            paving, "road", "before", lat + 0.0005, lon, taken_at=shot - timedelta(days=14)
        ),
    )
    do_add_evidence(
        ACTOR,
        paving,
        stage=PhotoStage.DURING,
        filename="during.jpg",
        progress_percent=40,
        data=_scene(paving, "road", "during", lat, lon + 0.0004, taken_at=shot),
    )
    do_release_tranche(ACTOR, paving.tranches.get(number=1), on=today - timedelta(days=2))
    laundry_project = do_create_project(
        ACTOR,
        village,
        title="공동 빨래터 설치",
        category=ProjectCategory.LIVING_ENVIRONMENT,
        resolution=laundry,
        infrastructure_item="laundry",
        requested_grant_krw=1_000_000,
        community_labour_days=40,
        lines=[
            BoqLine("시멘트", 60, "포대", 0, Material.CEMENT),
            BoqLine("빨래터 구조물 제작·설치", 1, "식", 1_200_000),
        ],
        **common,
    )
    do_submit_project(ACTOR, laundry_project, expected_version=laundry_project.version)
    stream_project = do_create_project(
        ACTOR,
        village,
        title="소하천 정비",
        category=ProjectCategory.PRODUCTION_INFRASTRUCTURE,
        resolution=stream,
        requested_grant_krw=1_000_000,
        community_labour_days=80,
        lines=[BoqLine("석축", 40, "m", 45_000)],
        **common,
    )
    stream_project = do_submit_project(
        ACTOR, stream_project, expected_version=stream_project.version
    )
    do_check_project(ACTOR, stream_project, expected_version=stream_project.version)
    do_create_project(
        ACTOR,
        village,
        title="마을회관 보수",
        category=ProjectCategory.LIVING_ENVIRONMENT,
        description="총회 의결 전",
        requested_grant_krw=500_000,
        lines=[BoqLine("지붕 보수", 1, "식", 900_000)],
        **common,
    )
    _stage_report(village, today)


def _stage_far_photo(village: Village, round_: ProgrammeRound, today: date) -> None:
    """A project whose photo was taken about 5 km from its site: flagged for the officers."""
    assembly = do_record_assembly(
        ACTOR,
        village,
        held_on=today - timedelta(days=25),
        eligible_members=village.households,
        attended_men=village.households // 2,
        attended_women=village.households // 3,
        resolutions=[ResolutionInput("농로 확장", votes_for=village.households // 2)],
    )
    lat, lon = float(village.latitude or 0), float(village.longitude or 0)
    project = do_create_project(
        ACTOR,
        village,
        title="농로 확장",
        category=ProjectCategory.PRODUCTION_INFRASTRUCTURE,
        round_=round_,
        resolution=assembly.resolutions.get(),
        latitude=lat,
        longitude=lon,
        requested_grant_krw=2_000_000,
        lines=[
            BoqLine("시멘트", 100, "포대", 0, Material.CEMENT),
            BoqLine("농로 확장 공사", 1, "식", 2_600_000),
        ],
    )
    do_submit_project(ACTOR, project, expected_version=project.version)
    do_add_evidence(
        ACTOR,
        project,
        stage=PhotoStage.BEFORE,
        filename="site.jpg",
        data=_scene(project, "road", "before", lat + 0.045, lon, taken_at=None),
    )


def _stage_report(village: Village, today: date) -> None:
    """An approved (locked) village report two months back, and last month's in draft."""
    earlier = (today.replace(day=1) - timedelta(days=32)).replace(day=1)
    report = do_prepare_report(
        ACTOR, year=earlier.year, month=earlier.month, village=village, narrative="마을 총회 준비"
    )
    report = do_submit_report(ACTOR, report, expected_version=report.version)
    do_approve_report(ACTOR, report, expected_version=report.version)
