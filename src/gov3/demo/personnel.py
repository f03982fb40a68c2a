"""The personnel demo: a few agencies with their units and positions, a few hundred civil
servants drawn from the synthetic register (name and birth date stay the register's), the demo
registry officer among them, and an HR officer and a division head to sign in as. Idempotent:
a second run changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_agency, do_create_officer_account
from gov3.core.dates import add_years
from gov3.demo.personnel_open import load_demo as load_open_and_leave_demo
from gov3.personnel.models import EntryTrack, Position, PositionType, StaffRecord, Unit, WorkKind
from gov3.personnel.services import (
    do_create_position,
    do_create_staff_record,
    do_create_unit,
    do_load_appointment,
)
from gov3.registry.models import Person

ACTOR = "system:demo"
STAFF = 300
#: Positions of a division: its head and this many staff posts.
STAFF_POSTS = 24
OPENED = date(2015, 1, 1)

#: (code, name, English name) of the ministries added next to the demo's district office.
MINISTRIES = {
    "kr": [
        ("kr-mois", "행정안전부", "Ministry of the Interior and Safety"),
        ("kr-mohw", "보건복지부", "Ministry of Health and Welfare"),
    ],
    "vn": [
        ("vn-moha", "Bộ Nội vụ", "Ministry of Home Affairs"),
        ("vn-molisa", "Bộ Lao động - Thương binh và Xã hội", "Ministry of Labour"),
    ],
}

#: Divisions of every agency: (suffix, name, English name, officer role, kind of work).
DIVISIONS = [
    (
        "hr",
        "운영지원과",
        "Personnel and Support Division",
        OfficerRole.HR_OFFICER,
        WorkKind.GENERAL,
    ),
    (
        "welfare",
        "복지정책과",
        "Welfare Policy Division",
        OfficerRole.WELFARE_OFFICER,
        WorkKind.CIVIL_PETITION,
    ),
    (
        "registry",
        "민원여권과",
        "Civil Affairs Division",
        OfficerRole.REGISTRY_OFFICER,
        WorkKind.LICENSING,
    ),
    ("planning", "기획조정과", "Planning Division", "", WorkKind.GENERAL),
]


def _grades(country: str) -> tuple[str, str, str]:
    """(head, senior, junior) grades of the pack."""
    return ("G4", "G6", "G9") if country == "kr" else ("A2", "A1", "B")


def _organisation(agency: Agency, country: str) -> dict[str, list[Position]]:
    """An agency's top unit, its divisions and their positions (a head and staff posts)."""
    head, senior, junior = _grades(country)
    top = do_create_unit(
        ACTOR,
        agency=agency,
        code=f"{agency.code}-top",
        name_local=agency.name_local,
        name_en=agency.name_en,
        opened_on=OPENED,
    )
    made: dict[str, list[Position]] = {}
    for suffix, name, name_en, role, work in DIVISIONS:
        unit = do_create_unit(
            ACTOR,
            agency=agency,
            parent=top,
            code=f"{agency.code}-{suffix}",
            name_local=name if country == "kr" else name_en,
            name_en=name_en,
            authorised_headcount=STAFF_POSTS + 2,
            opened_on=OPENED,
        )
        positions = [
            do_create_position(
                ACTOR,
                unit=unit,
                code=f"{unit.code}-head",
                title_local=f"{name} 과장" if country == "kr" else f"Head, {name_en}",
                title_en=f"Head, {name_en}",
                grade_high=head,
                grade_low=head,
                job_series="administration",
                gov3_role=role,
                is_head=True,
            )
        ]
        for n in range(1, STAFF_POSTS + 1):
            positions.append(
                do_create_position(
                    ACTOR,
                    unit=unit,
                    code=f"{unit.code}-{n:02d}",
                    title_local=f"{name} 주무관 {n}" if country == "kr" else f"Officer {n}",
                    title_en=f"Officer {n}, {name_en}",
                    grade_high=senior,
                    grade_low=junior,
                    job_series="administration",
                    position_type=PositionType.LONG_TERM
                    if n == STAFF_POSTS
                    else PositionType.GENERAL,
                    work_kind=work,
                    gov3_role=role,
                )
            )
        made[suffix] = positions
    return made


def _account(username: str, password: str, position: Position) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = do_create_officer_account(
            ACTOR,
            username=username,
            password=password,
            agency=position.unit.agency,
            role=position.gov3_role or OfficerRole.AUDITOR,
        )[0]
    return user


def _candidates(country: str, today: date) -> list[Person]:
    return list(
        Person.objects.filter(
            country=country,
            date_of_death__isnull=True,
            birth_date__lte=add_years(today, -25),
            birth_date__gt=add_years(today, -60),
            staff_record__isnull=True,
            account__isnull=True,
        ).order_by("pk")[:STAFF]
    )


def load_demo(
    country: str, district: Agency, officer: User, passwords: dict[str, str], seed: int
) -> list[tuple[str, User]]:
    """Load the organisation once; return the HR officer's and the division head's accounts
    (with the label to print)."""
    today = timezone.localdate()
    if not Unit.objects.filter(code=f"{district.code}-top").exists():
        agencies = [district] + [
            do_create_agency(ACTOR, code=code, name_local=name, name_en=en, country=country)
            for code, name, en in MINISTRIES.get(country, [])
        ]
        posts = {agency.code: _organisation(agency, country) for agency in agencies}
        home = posts[district.code]
        head_grade, senior, junior = _grades(country)
        people = _candidates(country, today)
        special = [
            ("division-head", home["hr"][0], head_grade),
            ("hr-officer", home["hr"][1], senior),
            (officer.username, home["registry"][1], senior),
        ]
        for n, (username, position, grade) in enumerate(special):
            account = (
                _account(username, passwords.get(username, ""), position) if n < 2 else officer
            )
            person = people.pop(0)
            _staff(person, f"{country.upper()}{n + 1:06d}", account, position, grade, today, n)
        rng = random.Random(seed)  # noqa: S311 - synthetic data
        free = [
            p
            for per_agency in posts.values()
            for positions in per_agency.values()
            for p in positions
            if p not in {s[1] for s in special}
        ]
        rng.shuffle(free)
        for n, (person, position) in enumerate(zip(people, free, strict=False), start=10):
            grade = head_grade if position.is_head else rng.choice([senior, junior])
            _staff(person, f"{country.upper()}{n:06d}", None, position, grade, today, n)
    load_open_and_leave_demo(district)
    head = User.objects.get(username="division-head")
    hr = User.objects.get(username="hr-officer")
    return [("division head", head), ("HR officer", hr)]


def _staff(  # noqa: PLR0917 - one civil servant's facts, in the order of the record
    person: Person,
    number: str,
    account: User | None,
    position: Position,
    grade: str,
    today: date,
    n: int,
) -> StaffRecord:
    # Korea's tracks (the demo's civil servants are Korean): not Viet Nam's open competition.
    entries = [e for e in EntryTrack.values if e != EntryTrack.OPEN_EXAM]
    record = do_create_staff_record(
        ACTOR,
        person=person,
        employee_number=number,
        country=person.country,
        entry=entries[n % len(entries)],
        entered_on=today - timedelta(days=365 * (3 + n % 20)),
        account=account,
    )
    do_load_appointment(
        ACTOR,
        record=record,
        position=position,
        grade=grade,
        step=1 + n % 5,
        starts_on=today - timedelta(days=200 + 97 * (n % 20)),
    )
    return record
