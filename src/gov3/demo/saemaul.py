"""`gov3 saemaul demo`: a synthetic Haenam county that replays the documented history.

Haenam-gun (Jeollanam-do) had 485 villages; in 1971 319 were basic, 146 self-help and 20
self-reliant, in 1979 none basic, 14 self-help and 471 self-reliant (Encyclopedia of Korean
Local Culture, Haenam-gun, 새마을운동). The demo makes 485 synthetic villages in Haenam's 14
eup/myeon, replays the 1970 seed round and the 1971 merit round through the real allocation
code, records the class path 1971-1979 (intermediate years interpolated, each village only ever
promoted), loads the national reference figures, and stages a present-day model-village round
in Hwasan-myeon with projects at every step of the workflow. Every step is idempotent.
"""

from __future__ import annotations

import base64
import math
import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
    do_set_password,
)
from gov3.catalogue.boundaries import outline_of
from gov3.core.errors import Gov3Error
from gov3.registry.models import Area, Person
from gov3.registry.services import AreaRecord, do_load_areas
from gov3.saemaul.models import (
    Allocation,
    Depot,
    DepotLevel,
    Material,
    PhotoStage,
    ProgrammeRound,
    ProjectCategory,
    RoundStatus,
    SaemaulLevel,
    Village,
    VillageClass,
    VillageLeader,
)
from gov3.saemaul.queries import class_counts_by_year, villages_in
from gov3.saemaul.scenes import synthetic_scene
from gov3.saemaul.services import (
    BoqLine,
    EvaluationInput,
    RecordedClass,
    ResolutionInput,
    RoleScope,
    do_add_body_member,
    do_add_evidence,
    do_allocate_round,
    do_appoint_leader,
    do_approve_project,
    do_approve_report,
    do_assign_role,
    do_check_project,
    do_complete_project,
    do_create_depot,
    do_create_project,
    do_deliver_materials,
    do_load_programme,
    do_prepare_report,
    do_receive_stock,
    do_record_assembly,
    do_record_classifications,
    do_record_evaluations,
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
    do_return_project,
    do_set_round_status,
    do_submit_project,
    do_submit_report,
    do_transfer_stock,
)
from gov3.synthetic.saemaul import District, generate_villages

ACTOR = "system:saemaul-demo"
SEED = 1970
COUNTRY = "kr"
PROVINCE = AreaRecord("46", None, "province", "전라남도", "Jeollanam-do")
COUNTY = AreaRecord("46820", "46", "municipality", "해남군", "Haenam-gun")
# Haenam's 1 eup and 13 myeon, with the centre their synthetic villages scatter around.
EUP_MYEON = [
    ("해남읍", "Haenam-eup", 34.573, 126.599),
    ("삼산면", "Samsan-myeon", 34.530, 126.620),
    ("화산면", "Hwasan-myeon", 34.520, 126.540),
    ("현산면", "Hyeonsan-myeon", 34.470, 126.580),
    ("송지면", "Songji-myeon", 34.360, 126.520),
    ("북평면", "Bukpyeong-myeon", 34.390, 126.630),
    ("북일면", "Bugil-myeon", 34.440, 126.690),
    ("옥천면", "Okcheon-myeon", 34.610, 126.650),
    ("계곡면", "Gyegok-myeon", 34.650, 126.610),
    ("마산면", "Masan-myeon", 34.640, 126.530),
    ("황산면", "Hwangsan-myeon", 34.580, 126.430),
    ("산이면", "Sani-myeon", 34.680, 126.460),
    ("문내면", "Munnae-myeon", 34.600, 126.330),
    ("화원면", "Hwawon-myeon", 34.700, 126.330),
]
HWASAN = 2  # index of Hwasan-myeon: the demo's live eup/myeon
HAENAM_VILLAGES = 485
# The documented class counts (basic, self-help, self-reliant).
CLASS_PATH = {1971: (319, 146, 20), 1979: (0, 14, 471)}
# 16,600 of 33,267 villages showed results in the seed round (Saemaul Undong Archives).
RESULT_SHARE = (16_600, 33_267)
PASSWORD = "demo-saemaul-2026"  # noqa: S105 - published demo password, refused outside DEBUG


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds after loading."""

    villages: int
    seed_allocated: int
    merit_allocated: int
    classes_1971: dict[str, int]
    classes_1979: dict[str, int]


@dataclass(frozen=True)
class SaemaulLogin:
    """A demo account for the programme, as printed by `gov3 demo setup`."""

    role: str
    username: str
    password: str
    url: str
    totp_secret: str = ""
    person: str = ""


def district_code(index: int) -> str:
    """The gov3 code of Haenam's eup/myeon number ``index`` (0-based)."""
    return f"{COUNTY.code}-{index + 1:02d}"


def _areas() -> tuple[Area, Area, list[Area]]:
    records = [PROVINCE, COUNTY] + [
        AreaRecord(district_code(i), COUNTY.code, "district", local, english)
        for i, (local, english, _, _) in enumerate(EUP_MYEON)
    ]
    do_load_areas(ACTOR, COUNTRY, records)
    by_code = {
        a.code: a for a in Area.objects.filter(country=COUNTRY, code__in=[r.code for r in records])
    }
    return (
        by_code[PROVINCE.code],
        by_code[COUNTY.code],
        [by_code[district_code(i)] for i in range(len(EUP_MYEON))],
    )


def interpolated_path(first: int, last: int) -> dict[int, tuple[int, int, int]]:
    """Class counts for each year from the documented first and last years, moving linearly."""
    (b0, _, r0), (b1, _, r1) = CLASS_PATH[first], CLASS_PATH[last]
    total = sum(CLASS_PATH[first])
    path = {}
    for year in range(first, last + 1):
        share = (year - first) / (last - first)
        basic = round(b0 + (b1 - b0) * share)
        reliant = round(r0 + (r1 - r0) * share)
        path[year] = (basic, total - basic - reliant, reliant)
    return path


def _ranked(county: Area) -> list[Village]:
    """Haenam's villages from most to least developed (a fixed, seeded order)."""
    villages = list(villages_in(county).order_by("code"))
    random.Random(SEED).shuffle(villages)  # noqa: S311 - synthetic data
    return villages


def _class_records(villages: list[Village]) -> list[RecordedClass]:
    records = []
    for year, (_, self_help, reliant) in interpolated_path(1971, 1979).items():
        for rank, village in enumerate(villages):
            if rank < reliant:
                village_class = VillageClass.SELF_RELIANT
            elif rank < reliant + self_help:
                village_class = VillageClass.SELF_HELP
            else:
                village_class = VillageClass.BASIC
            note = "documented count" if year in CLASS_PATH else "interpolated (synthetic)"
            records.append(RecordedClass(village, year, village_class, note))
    return records


def _seed_evaluations(round_: ProgrammeRound, villages: list[Village]) -> list[EvaluationInput]:
    """Scores for the seed round: the best-ranked half (the national share) pass."""
    assert round_.rubric is not None
    rng = random.Random(SEED + 1)  # noqa: S311 - synthetic data
    passing = round(len(villages) * RESULT_SHARE[0] / RESULT_SHARE[1])
    criteria = list(round_.rubric.criteria.all())
    entries = []
    for rank, village in enumerate(villages):
        low, high = (0.6, 1.0) if rank < passing else (0.1, 0.55)
        scores = {
            c.code: rng.randint(math.ceil(c.max_points * low), math.floor(c.max_points * high))
            for c in criteria
        }
        entries.append(EvaluationInput(village, scores))
    return entries


def _replay_history(county: Area, villages: list[Village]) -> tuple[int, int]:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    merit = ProgrammeRound.objects.get(code="kr-1971-merit")
    if seed.status != RoundStatus.CLOSED:
        do_allocate_round(ACTOR, seed, area=county)
        if not seed.evaluations.exists():
            do_record_evaluations(
                ACTOR, seed, _seed_evaluations(seed, villages), evaluated_on=date(1971, 6, 30)
            )
    if merit.status != RoundStatus.CLOSED:
        do_allocate_round(ACTOR, merit, area=county)
        do_set_round_status(ACTOR, merit, RoundStatus.CLOSED)
    if seed.status != RoundStatus.CLOSED:
        do_set_round_status(ACTOR, seed, RoundStatus.CLOSED)
    do_record_classifications(ACTOR, _class_records(villages))
    return (
        Allocation.objects.filter(round=seed, village__in=villages).count(),
        Allocation.objects.filter(round=merit, village__in=villages).count(),
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


def _stage_report(village: Village, today: date) -> None:
    """An approved (locked) village report two months back, and last month's in draft."""
    earlier = (today.replace(day=1) - timedelta(days=32)).replace(day=1)
    report = do_prepare_report(
        ACTOR, year=earlier.year, month=earlier.month, village=village, narrative="마을 총회 준비"
    )
    report = do_submit_report(ACTOR, report, expected_version=report.version)
    do_approve_report(ACTOR, report, expected_version=report.version)


def load_demo(*, today: date | None = None) -> DemoSummary:
    """Load (or complete) the Haenam demo; safe to run again."""
    today = today or timezone.localdate()
    do_load_programme(ACTOR, COUNTRY)
    _, county, districts = _areas()
    if not villages_in(county).exists():
        per = [HAENAM_VILLAGES // len(districts)] * len(districts)
        for i in range(HAENAM_VILLAGES - sum(per)):
            per[i] += 1
        generate_villages(
            ACTOR,
            [
                # inside the eup/myeon's real outline when the pack ships it (countries/kr/
                # boundaries); else around a centre near it
                District(area, lat, lon, outline_of(area))
                for area, (_, _, lat, lon) in zip(districts, EUP_MYEON, strict=True)
            ],
            per,
            seed=SEED,
            registered_on=date(1970, 4, 22),
            infrastructure_share=0.2,
        )
    villages = _ranked(county)
    seed_allocated, merit_allocated = _replay_history(county, villages)
    _stage_live_round(districts[HWASAN], county, today)
    _stage_spread(districts, today)
    by_year = class_counts_by_year(county)
    return DemoSummary(
        villages=len(villages),
        seed_allocated=seed_allocated,
        merit_allocated=merit_allocated,
        classes_1971=by_year.get(1971, {}),
        classes_1979=by_year.get(1979, {}),
    )


# --- accounts -------------------------------------------------------------------------------


def _agency(code: str, name_local: str, name_en: str) -> Agency:
    return do_create_agency(
        ACTOR, code=code, name_local=name_local, name_en=name_en, country=COUNTRY
    )


def _totp_secret(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user).first()
    return base64.b32encode(device.bin_key).decode() if device else ""


def _officer(username: str, agency: Agency) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        do_set_password(ACTOR, user, PASSWORD)
        return user
    return do_create_officer_account(
        ACTOR, username=username, password=PASSWORD, agency=agency, role=OfficerRole.SAEMAUL_OFFICER
    )[0]


def _leader_person(village: Village) -> Person:
    """A living adult man of the demo population without an account, to be the village leader."""
    existing = VillageLeader.objects.filter(
        village=village, slot__code="leader_man", until__isnull=True, person__isnull=False
    ).first()
    if existing is not None and existing.person is not None:
        return existing.person
    today = timezone.localdate()
    person = (
        Person.objects.filter(
            country=COUNTRY,
            sex="M",
            date_of_death__isnull=True,
            birth_date__lte=today.replace(year=today.year - 30),
            birth_date__gte=today.replace(year=today.year - 60),
            account__isnull=True,
        )
        .order_by("id")
        .first()
    )
    if person is None:
        raise Gov3Error("The demo population has no adult man without an account to be the leader.")
    return person


def set_up_demo_accounts(base_url: str) -> list[SaemaulLogin]:
    """The programme's demo accounts: a village leader and officers at each level above."""
    if not settings.DEBUG:
        raise Gov3Error("The demo uses published passwords: it only runs with GOV3_DEBUG on.")
    _, county, districts = _areas()
    hwasan = districts[HWASAN]
    village = Village.objects.get(code=f"{district_code(HWASAN)}-0001")
    person = _leader_person(village)
    leader = User.objects.filter(username="saemaul-leader").first()
    if leader is None:
        leader = do_create_citizen_account(
            ACTOR, person=person, username="saemaul-leader", password=PASSWORD
        )
        do_appoint_leader(
            ACTOR,
            village,
            slot_code="leader_man",
            name=person.name_local,
            sex="M",
            since=timezone.localdate() - timedelta(days=365),
            person=person,
        )
    else:
        do_set_password(ACTOR, leader, PASSWORD)
    do_assign_role(ACTOR, leader, level=SaemaulLevel.VILLAGE, scope=RoleScope(village=village))
    officers = [
        (
            "saemaul-myeon",
            SaemaulLevel.EUP_MYEON,
            hwasan,
            ("kr-46820-03", "해남군 화산면사무소", "Hwasan-myeon Office, Haenam-gun"),
        ),
        (
            "saemaul-county",
            SaemaulLevel.COUNTY,
            county,
            ("kr-46820", "해남군청", "Haenam-gun Office"),
        ),
        (
            "saemaul-province",
            SaemaulLevel.PROVINCE,
            county.parent,
            ("kr-46", "전라남도청", "Jeollanam-do Provincial Office"),
        ),
        (
            "saemaul-central",
            SaemaulLevel.CENTRAL,
            None,
            ("kr-mois", "행정안전부", "Ministry of the Interior and Safety"),
        ),
    ]
    logins = [
        SaemaulLogin(
            "village leader",
            leader.username,
            PASSWORD,
            f"{base_url}/login/",
            person=f"{person.name_local} ({person.name_latin}), "
            f"{village.name_local} {village.code}",
        )
    ]
    for username, level, area, agency_fields in officers:
        user = _officer(username, _agency(*agency_fields))
        scope = RoleScope(area=area) if area is not None else RoleScope(country=COUNTRY)
        do_assign_role(ACTOR, user, level=level, scope=scope)
        logins.append(
            SaemaulLogin(
                level.replace("_", "/") + (" officer" if area is not None else " manager"),
                username,
                PASSWORD,
                f"{base_url}/officer/login/",
                totp_secret=_totp_secret(user),
            )
        )
    return logins
