"""The guardian in SQL (the sweep's and the school-entry roster's queries) and in Python
(an offer made one at a time) name the same person on the same register."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from gov3.offers.proposals import guardian_of, guardian_sql
from gov3.registry.models import Person
from gov3.registry.services import do_register_birth, do_register_death
from tests.conftest import ACTOR, make_person

pytestmark = pytest.mark.django_db


def _born(mother: Person | None, father: Person | None, name: str) -> Person:
    return do_register_birth(
        ACTOR,
        mother=mother,
        father=father,
        name_local=name,
        name_latin=name.upper(),
        birth_date=date(2021, 5, 5),
        sex="F",
    )


def _guardians_in_sql() -> dict[int, int | None]:
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, {guardian_sql('m', 'f')} FROM {table} p "  # noqa: S608 - model names
            f"LEFT JOIN {table} m ON m.id = p.mother_id LEFT JOIN {table} f ON f.id = p.father_id"
        )
        return {int(pk): None if guardian is None else int(guardian) for pk, guardian in cursor}


def test_the_sql_and_python_guardian_agree(family: dict[str, Person]) -> None:
    # Households: a mother heading hers with two children (`family`); parents both living;
    # a widower (the mother died); a child both of whose parents died.
    both_mother, both_father = make_person(sex="F"), make_person(sex="M")
    with_both = _born(both_mother, both_father, "두부모")
    widow_mother, widower = make_person(sex="F"), make_person(sex="M")
    fathers_child = _born(widow_mother, widower, "아빠와")
    do_register_death(ACTOR, widow_mother, died_on=date(2024, 1, 1))
    lost_mother, lost_father = make_person(sex="F"), make_person(sex="M")
    orphan = _born(lost_mother, lost_father, "고아")
    do_register_death(ACTOR, lost_mother, died_on=date(2024, 1, 1))
    do_register_death(ACTOR, lost_father, died_on=date(2024, 2, 1))

    in_sql = _guardians_in_sql()
    day = date(2026, 10, 1)
    people = Person.objects.select_related("mother", "father")
    in_python = {p.pk: None if (g := guardian_of(p, day)) is None else g.pk for p in people}

    assert in_sql == in_python
    # What each household shows, so that agreeing on nothing would not pass.
    assert in_sql[family["son"].pk] == family["mother"].pk
    assert in_sql[family["mother"].pk] is None  # the head of household: no parent registered
    assert in_sql[with_both.pk] == both_mother.pk
    assert in_sql[fathers_child.pk] == widower.pk
    assert in_sql[orphan.pk] is None
