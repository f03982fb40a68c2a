"""Registry commands: validation, life events, audit entries and events after commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from gov3.core.errors import ValidationFailedError
from gov3.core.events import life_event_committed
from gov3.core.models import AuditEntry
from gov3.registry.models import (
    LifeEvent,
    LifeEventKind,
    Passport,
    PassportStatus,
    Person,
    Relationship,
)
from gov3.registry.national_ids import InvalidNationalIdError
from gov3.registry.services import (
    do_record_income_assessment,
    do_record_passport_issued,
    do_register_birth,
    do_register_death,
    do_register_marriage,
    do_register_move,
    do_register_person,
)
from tests.conftest import ACTOR, make_person


def _register(**changes: Any) -> Person:
    """Register a person with sensible fields, overridden by ``changes``."""
    fields: dict[str, Any] = {
        "country": "kr",
        "national_id": "8504121000168",
        "name_local": "홍길동",
        "name_latin": "HONG GILDONG",
        "birth_date": date(1985, 4, 12),
        "sex": "M",
        "nationality": "KOR",
        "area_code": "1111051500",
        "street": "세종대로 1",
    }
    return do_register_person(ACTOR, **(fields | changes))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("850412-1234567", "not a valid Korean resident registration number"),  # bad check digit
        ("8504121", "invalid length"),
        ("abcdefghijklm", "not a valid"),
        ("851332-1000001", "not a valid"),  # month 13
    ],
)
def test_invalid_id_numbers_are_refused_and_nothing_is_written(
    areas: None, number: str, message: str
) -> None:
    with pytest.raises(InvalidNationalIdError, match=message):
        _register(national_id=number)
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="registry.registration").exists()


@pytest.mark.django_db
def test_id_number_must_match_birth_date_and_sex(areas: None) -> None:
    person = make_person(birth_date=date(1985, 4, 12), sex="M")
    with pytest.raises(InvalidNationalIdError, match="encodes sex M"):
        _register(national_id=person.national_id, sex="F")
    with pytest.raises(InvalidNationalIdError, match="encodes the birth date"):
        _register(national_id=person.national_id, birth_date=date(1985, 4, 13))


@pytest.mark.django_db
def test_same_id_number_cannot_be_registered_twice(areas: None) -> None:
    person = make_person()
    with pytest.raises(ValidationFailedError, match="already registered"):
        _register(national_id=person.national_id, birth_date=person.birth_date)
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_unknown_area_is_a_clear_error(areas: None) -> None:
    with pytest.raises(ValidationFailedError, match="no area with code '99999'"):
        _register(area_code="99999")


@pytest.mark.django_db
def test_birth_links_child_to_parents_and_household(
    areas: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    mother = make_person(name_local="김영희", birth_date=date(1990, 1, 1), sex="F")
    father = make_person(name_local="이철수", birth_date=date(1988, 6, 6), sex="M")
    received: list[LifeEvent] = []

    def receiver(event: LifeEvent, **_: Any) -> None:
        received.append(event)

    life_event_committed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            child = do_register_birth(
                ACTOR,
                mother=mother,
                father=father,
                name_local="이하은",
                name_latin="Lee Haeun",
                birth_date=date(2024, 2, 29),
                sex="F",
            )
    finally:
        life_event_committed.disconnect(receiver)
    child.refresh_from_db()
    assert child.mother == mother
    assert child.father == father
    assert child.household_id == mother.household_id
    assert child.relationship_to_head == Relationship.CHILD
    assert child.name_latin == "LEE HAEUN"
    assert child.national_id.startswith("240229")
    assert [e.kind for e in received] == [LifeEventKind.BIRTH]
    assert received[0].person == child
    assert received[0].details == {
        "mother": mother.pk,
        "father": father.pk,
        "household": child.household_id,
    }
    assert AuditEntry.objects.filter(action="registry.birth", target_id=str(child.pk)).exists()


@pytest.mark.django_db
def test_birth_with_a_parent_younger_than_the_child_is_refused(areas: None) -> None:
    mother = make_person(birth_date=date(2001, 1, 1), sex="F")
    with pytest.raises(ValidationFailedError, match="was born after the child"):
        do_register_birth(
            ACTOR,
            mother=mother,
            father=None,
            name_local="가",
            name_latin="GA",
            birth_date=date(2000, 1, 1),
            sex="M",
        )
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_death_is_recorded_once(family: dict[str, Person]) -> None:
    person = family["stranger"]
    do_register_death(ACTOR, person, died_on=date(2024, 5, 5))
    person.refresh_from_db()
    assert person.date_of_death == date(2024, 5, 5)
    with pytest.raises(ValidationFailedError, match="died on 2024-05-05"):
        do_register_death(ACTOR, person, died_on=date(2024, 5, 6))
    assert LifeEvent.objects.filter(person=person, kind=LifeEventKind.DEATH).count() == 1


@pytest.mark.django_db
def test_marriage_and_move(family: dict[str, Person]) -> None:
    mother, stranger = family["mother"], family["stranger"]
    do_register_marriage(ACTOR, mother, stranger, married_on=date(2023, 10, 1))
    mother.refresh_from_db()
    stranger.refresh_from_db()
    assert mother.spouse == stranger
    assert stranger.spouse == mother
    with pytest.raises(ValidationFailedError, match="already married"):
        do_register_marriage(ACTOR, mother, family["daughter"], married_on=date(2024, 1, 1))

    household = mother.household
    assert household is not None
    do_register_move(
        ACTOR, household, area_code="1111053000", street="사직로 8", moved_on=date(2024, 3, 1)
    )
    moves = LifeEvent.objects.filter(kind=LifeEventKind.MOVE)
    assert {e.person_id for e in moves} == {mother.pk, family["daughter"].pk, family["son"].pk}


@pytest.mark.django_db
def test_new_passport_cancels_the_old_one_and_numbers_are_never_reused(
    family: dict[str, Person],
) -> None:
    person = family["mother"]
    old = do_record_passport_issued(
        ACTOR, person, number="M123A4567", issued_on=date(2015, 1, 1), expires_on=date(2025, 1, 1)
    )
    do_record_passport_issued(
        ACTOR, person, number="M456B7890", issued_on=date(2024, 12, 1), expires_on=date(2034, 12, 1)
    )
    old.refresh_from_db()
    assert old.status == PassportStatus.CANCELLED
    with pytest.raises(ValidationFailedError, match="never reused"):
        do_record_passport_issued(
            ACTOR,
            family["stranger"],
            number="M123A4567",
            issued_on=date(2024, 1, 1),
            expires_on=date(2034, 1, 1),
        )
    assert Passport.objects.filter(person=family["stranger"]).count() == 0
    kinds = list(LifeEvent.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds.count(LifeEventKind.PASSPORT_ISSUED) == 2
    assert kinds.count(LifeEventKind.PASSPORT_CANCELLED) == 1


@pytest.mark.django_db
def test_income_must_be_a_whole_non_negative_amount(family: dict[str, Person]) -> None:
    person = family["mother"]
    for bad in (-1, 1.5, "100"):
        with pytest.raises(ValidationFailedError):
            do_record_income_assessment(
                ACTOR, person, monthly_income=bad, assessed_on=date(2024, 1, 1)
            )  # type: ignore[arg-type]
    do_record_income_assessment(
        ACTOR, person, monthly_income=3_000_000_000, assessed_on=date(2024, 1, 1)
    )
    person.refresh_from_db()
    assert person.monthly_income == 3_000_000_000
