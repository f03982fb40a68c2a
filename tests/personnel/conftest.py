"""Two agencies with HR and welfare units, their heads and officers, built through the
personnel commands (appointments loaded as an organisation's initial load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_agency, do_create_officer_account
from gov3.personnel.models import EntryTrack, Position, PositionType, StaffRecord, WorkKind
from gov3.personnel.services import (
    do_create_position,
    do_create_staff_record,
    do_create_unit,
    do_load_appointment,
)
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, make_person


@dataclass
class Organisation:
    """What the tests use: agencies, positions, and the people with their accounts."""

    district: Agency
    city: Agency
    positions: dict[str, Position]
    accounts: dict[str, tuple[User, Any]]
    records: dict[str, StaffRecord]
    people: dict[str, Person]


def _agency_units(agency: Agency, prefix: str, opened: date) -> dict[str, Position]:
    top = do_create_unit(
        ACTOR,
        agency=agency,
        code=f"{prefix}",
        name_local=agency.name_local,
        name_en=agency.name_en,
        authorised_headcount=0,
        opened_on=opened,
    )
    hr = do_create_unit(
        ACTOR,
        agency=agency,
        parent=top,
        code=f"{prefix}-hr",
        name_local="인사과",
        name_en="Personnel Division",
        authorised_headcount=3,
        opened_on=opened,
    )
    welfare = do_create_unit(
        ACTOR,
        agency=agency,
        parent=top,
        code=f"{prefix}-welfare",
        name_local="복지정책과",
        name_en="Welfare Policy Division",
        authorised_headcount=4,
        opened_on=opened,
    )
    made = {}
    for key, unit, title, band, role, head in [
        ("hr-head", hr, ("인사과장", "Head of Personnel"), ("G3", "G4"), "hr_officer", True),
        ("hr", hr, ("인사담당", "Personnel officer"), ("G5", "G7"), "hr_officer", False),
        (
            "welfare",
            welfare,
            ("복지담당", "Welfare officer"),
            ("G6", "G9"),
            "welfare_officer",
            False,
        ),
        (
            "welfare-2",
            welfare,
            ("복지담당", "Welfare officer"),
            ("G6", "G9"),
            "welfare_officer",
            False,
        ),
    ]:
        made[key] = do_create_position(
            ACTOR,
            unit=unit,
            code=f"{prefix}-{key}",
            title_local=title[0],
            title_en=title[1],
            grade_high=band[0],
            grade_low=band[1],
            job_series="administration",
            position_type=PositionType.GENERAL,
            work_kind=WorkKind.GENERAL,
            gov3_role=role,
            is_head=head,
        )
    return made


def build_organisation(welfare_agency: Agency) -> Organisation:
    """Jongno-gu's office (the `welfare_agency`, deciding every service) and Seoul's city hall
    (deciding the child allowance), each with a head of personnel, an HR officer and a welfare
    officer; the welfare officer has held the post for 4 years."""
    today = timezone.localdate()
    city = do_create_agency(
        ACTOR,
        code="kr-seoul",
        name_local="서울특별시청",
        name_en="Seoul City Hall",
        country="kr",
        services=["child_allowance"],
    )
    opened = date(2015, 1, 1)
    positions = {f"district-{k}": v for k, v in _agency_units(welfare_agency, "d", opened).items()}
    positions |= {f"city-{k}": v for k, v in _agency_units(city, "c", opened).items()}
    accounts: dict[str, tuple[User, Any]] = {}
    records: dict[str, StaffRecord] = {}
    people: dict[str, Person] = {}
    staff = [
        ("district-head", "district-hr-head", "G4", "박인사", "PARK INSA", EntryTrack.GRADE5_EXAM),
        ("district-hr", "district-hr", "G6", "최담당", "CHOI DAMDANG", EntryTrack.GRADE7_EXAM),
        ("welfare", "district-welfare", "G7", "정복지", "JUNG BOKJI", EntryTrack.GRADE9_EXAM),
        ("city-head", "city-hr-head", "G4", "한시청", "HAN SICHEONG", EntryTrack.GRADE5_EXAM),
        ("city-hr", "city-hr", "G6", "윤인사", "YOON INSA", EntryTrack.GRADE7_EXAM),
    ]
    for n, (key, post, grade, name_local, name_latin, entry) in enumerate(staff):
        person = make_person(
            name_local=name_local, name_latin=name_latin, birth_date=date(1980 + n, 3, 1)
        )
        position = positions[post]
        account = do_create_officer_account(
            ACTOR,
            username=key,
            password=PASSWORD,
            agency=position.unit.agency,
            role=position.gov3_role or OfficerRole.AUDITOR,
        )
        record = do_create_staff_record(
            ACTOR,
            person=person,
            employee_number=f"E{1000 + n}",
            country="kr",
            entry=entry,
            entered_on=date(2010, 3, 1),
            account=account[0],
        )
        do_load_appointment(
            ACTOR,
            record=record,
            position=position,
            grade=grade,
            step=3,
            starts_on=today - timedelta(days=4 * 365),
        )
        accounts[key], records[key], people[key] = account, record, person
    return Organisation(welfare_agency, city, positions, accounts, records, people)


@pytest.fixture
def org(areas: None, welfare_agency: Agency) -> Organisation:
    return build_organisation(welfare_agency)


@dataclass
class Evaluation:
    """The district's welfare unit with its head (the rater) and 7 staff of grade 7 (the
    welfare officer among them), and an open work-evaluation period."""

    head: tuple[User, Any]
    staff: list[StaffRecord]
    period: Any


def build_evaluation(org: Organisation) -> Evaluation:
    from gov3.personnel.evaluation import do_open_period  # noqa: PLC0415

    today = timezone.localdate()
    welfare_unit = org.positions["district-welfare"].unit
    head_post = do_create_position(
        ACTOR,
        unit=welfare_unit,
        code="d-welfare-head",
        title_local="복지정책과장",
        title_en="Head of Welfare Policy",
        grade_high="G4",
        grade_low="G5",
        job_series="administration",
        gov3_role="welfare_officer",
        is_head=True,
    )
    head = do_create_officer_account(
        ACTOR,
        username="welfare-head",
        password=PASSWORD,
        agency=org.district,
        role=OfficerRole.WELFARE_OFFICER,
    )
    start = today - timedelta(days=400)
    head_record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local="오과장", name_latin="OH GWAJANG"),
        employee_number="E2000",
        country="kr",
        entry=EntryTrack.GRADE5_EXAM,
        entered_on=date(2005, 3, 1),
        account=head[0],
    )
    do_load_appointment(
        ACTOR, record=head_record, position=head_post, grade="G4", step=2, starts_on=start
    )
    staff = [org.records["welfare"]]
    for n in range(6):
        post = do_create_position(
            ACTOR,
            unit=welfare_unit,
            code=f"d-welfare-s{n}",
            title_local="복지담당",
            title_en="Welfare officer",
            grade_high="G6",
            grade_low="G9",
            job_series="administration",
        )
        record = do_create_staff_record(
            ACTOR,
            person=make_person(
                name_local=f"직원{n}", name_latin=f"STAFF {n}", birth_date=date(1990, 1, n + 1)
            ),
            employee_number=f"E30{n:02d}",
            country="kr",
            entry=EntryTrack.GRADE9_EXAM,
            entered_on=date(2015, 3, 1),
        )
        do_load_appointment(
            ACTOR, record=record, position=post, grade="G7", step=2, starts_on=start
        )
        staff.append(record)
    hr = org.accounts["district-hr"][0]
    period = do_open_period(hr, kind="work", year=today.year, half=2, reference_day=today)
    return Evaluation(head, staff, period)
