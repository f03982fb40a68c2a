"""The school-services demo: the pack's schools and districts, a child of school-entry age for
the demo citizen, this year's school-entry round with her child's notice under "Offers for
you", and an education-office officer who sees the follow-up list and the requests."""

from __future__ import annotations

import dataclasses
from datetime import date

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_agency, do_create_officer_account
from gov3.catalogue.packs import DistrictRow, SchoolRow, SchoolsData
from gov3.core.errors import ValidationFailedError
from gov3.offers.models import Offer
from gov3.offers.services import notify_offers
from gov3.registry.models import Person
from gov3.registry.services import do_register_birth
from gov3.schools.entry import current_school_year, do_build_entry_round, param
from gov3.schools.installed import schools_data
from gov3.schools.models import Placement
from gov3.schools.services import do_load_schools

ACTOR = "system:demo"
#: The demo school made when the pack's districts do not cover the demo citizen's area.
DEMO_SCHOOL = "DEMO-0001"


#: The demo school's (local name, English name, street) by country (any other: kr's).
DEMO_SCHOOL_NAMES = {
    "kr": ("데모초등학교", "Demo Elementary School", "데모로 1"),
    "vn": ("Trường Tiểu học Demo (ví dụ)", "Demo Primary School (example)", "Phố Demo 1 (ví dụ)"),
}


def _covering(data: SchoolsData, country: str, area_code: str, school_year: int) -> SchoolsData:
    """The pack's data, plus a demo school serving ``area_code`` if no district covers it (the
    synthetic population lives all over the country; the pack's districts are a sample)."""
    if any(d.area_code == area_code and d.school_year == school_year for d in data.districts):
        return data
    name_local, name_en, street = DEMO_SCHOOL_NAMES.get(country, DEMO_SCHOOL_NAMES["kr"])
    school = SchoolRow(
        DEMO_SCHOOL, name_local, name_en, data.entry_level, area_code, street, 480, 80, 0
    )
    return dataclasses.replace(
        data,
        schools=(*data.schools, school),
        districts=(*data.districts, DistrictRow(school_year, area_code, DEMO_SCHOOL, 1, 0)),
    )


def _child_of_entry_age(parent: Person, school_year: int, data: SchoolsData) -> Person:
    """The demo citizen's child of the round, registered as a birth the first time (a real
    registry command: the register stays the source). Born in the year the pack's age rule
    names: the child reaches the entry age in the year before the school year (kr, which starts
    on 1 March) or in the school year's own calendar year (vn, 5 September)."""
    entry_age = param(parent.country, "school_entry.entry_age", date(school_year - 1, 1, 1))
    born_in = school_year - data.entry_year_offset - entry_age
    existing = (Person.objects.filter(mother=parent) | Person.objects.filter(father=parent)).filter(
        birth_date__year=born_in, date_of_death__isnull=True
    )
    child = existing.order_by("pk").first()
    if child is not None:
        return child
    if parent.country == "kr":
        name_local, name_latin = "김하람", "KIM HARAM"
    else:  # a Vietnamese name: the parent's family name, then "Minh An"
        family = parent.name_local.split(" ", 1)[0] if " " in parent.name_local else "Nguyễn"
        latin_family = parent.name_latin.split(" ", 1)[0] if " " in parent.name_latin else "NGUYEN"
        name_local, name_latin = f"{family} Minh An", f"{latin_family} MINH AN"
    return do_register_birth(
        ACTOR,
        mother=parent if parent.sex == "F" else None,
        father=parent if parent.sex != "F" else None,
        name_local=name_local,
        name_latin=name_latin,
        birth_date=date(born_in, 5, 5),
        sex="F",
    )


def load_demo(country: str, citizen: User, today: date, base_area: str | None) -> User | None:
    """Schools, the round and the education office; returns the school officer (None for a
    pack without schools)."""
    try:
        data = schools_data(country)
    except ValidationFailedError:  # a pack without schools/ has no school demo
        return None
    parent = citizen.person
    assert parent is not None
    assert parent.household is not None
    school_year = current_school_year(country, today)
    area = parent.household.address.area
    do_load_schools(ACTOR, country, _covering(data, country, area.code, school_year))
    child = _child_of_entry_age(parent, school_year, data)
    do_build_entry_round(ACTOR, country, school_year, notify=False)
    mine = Offer.objects.filter(
        school_placement__in=Placement.objects.filter(child=child), recipient=parent
    )
    notify_offers(list(mine.values_list("pk", flat=True)))
    office: Agency = do_create_agency(
        ACTOR,
        code=f"{country}-education-office",
        name_local="교육지원청" if country == "kr" else "Phòng Giáo dục",
        name_en="Office of Education",
        country=country,
        services=[data.request_service],
        area_code=base_area,
    )
    existing = User.objects.filter(username="school").first()
    if existing is not None:
        return existing
    return do_create_officer_account(
        ACTOR,
        username="school",
        password="demo-school-2026",  # noqa: S106 - the demo's published password
        agency=office,
        role=OfficerRole.WELFARE_OFFICER,
    )[0]
