"""School tests read messages in English; the school-entry world (`world`) with a fixed clock
(10 November 2026, the notice season of the round for entry in 2027)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from gov3.accounts.models import User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
)
from gov3.catalogue.management.commands.country import load_country_areas
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_register_birth, do_register_person
from gov3.schools.installed import schools_data
from gov3.schools.services import do_load_schools
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


ACTOR = "test"
TODAY = date(2026, 11, 10)
SAJIK = "11110-02"  # served by Maedong (KR-S-0002), then Cheongun (KR-S-0001)
_serials = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def _adult(
    name: str, *, area: str = SAJIK, born: date = date(1990, 4, 4), sex: str = "F"
) -> Person:
    return do_register_person(
        ACTOR,
        country="kr",
        national_id=national_id_scheme("kr").make(born, sex, 70_000 + next(_serials)),
        name_local=name,
        name_latin="TEST",
        birth_date=born,
        sex=sex,
        nationality="KOR",
        area_code=area,
        street="사직로 8",
    )


def _child(mother: Person, born: date, name: str) -> Person:
    return do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local=name,
        name_latin="CHILD",
        birth_date=born,
        sex="M",
    )


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Sajik-dong with Maedong at one first-grade place; four children of the 2027 round (born
    1 January, 29 February, 31 December 2020 and one with no parent in the register), two
    children who are not (born 31 December 2019 and 1 January 2021); the education office."""
    load_country_areas("kr")
    data = schools_data("kr")
    small = dataclasses.replace(
        data,
        schools=tuple(
            dataclasses.replace(s, entry_places=1) if s.code == "KR-S-0002" else s
            for s in data.schools
        ),
    )
    do_load_schools(ACTOR, "kr", small)
    office = do_create_agency(
        ACTOR,
        code="kr-edu-jungbu",
        name_local="서울중부교육지원청",
        name_en="Seoul Jungbu Office of Education",
        country="kr",
        services=["school_entry_request"],
        area_code="11",
    )
    first = _adult("김엄마")
    # The second guardian is not the head of her household: she lives with her father.
    grandfather = _adult("박할아", born=date(1955, 1, 1), sex="M")
    second = do_register_birth(
        ACTOR,
        mother=None,
        father=grandfather,
        name_local="박엄마",
        name_latin="PARK",
        birth_date=date(1992, 2, 2),
        sex="F",
    )
    third = _adult("최엄마")
    return {
        "office": office,
        "first": first,
        "second": second,
        "grandfather": grandfather,
        "third": third,
        "jan1": _child(first, date(2020, 1, 1), "김일월"),
        "feb29": _child(third, date(2020, 2, 29), "최윤일"),
        "dec31": _child(second, date(2020, 12, 31), "박섣달"),
        "alone": _adult("이혼자", born=date(2020, 6, 1), sex="M"),
        "too_old": _child(first, date(2019, 12, 31), "김작년"),
        "too_young": _child(third, date(2021, 1, 1), "최내년"),
    }


def citizen_client(person: Person, username: str) -> tuple[Client, User]:
    user = do_create_citizen_account(ACTOR, person=person, username=username, password=PASSWORD)
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client, user
