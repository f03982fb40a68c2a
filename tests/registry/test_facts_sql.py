"""The SQL relation of facts read straight from the register agrees with the facts of each
person (`registry.facts`), and rules evaluated on it count the right people."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from gov3.registry.facts import household_subjects, subject_for
from gov3.registry.facts_sql import (
    evaluate_registry,
    evaluate_registry_rows,
    facts_query,
    registry_facts,
)
from gov3.registry.models import Household, Person
from gov3.registry.services import (
    do_record_income_assessment,
    do_record_passport_issued,
    do_register_birth,
    do_register_death,
    do_register_disability,
    do_register_marriage,
)
from gov3.rules.backends import ServiceTotal
from gov3.rules.facts import NO_DATE
from gov3.rules.ir import Scope, Type
from gov3.rules.sql import Service
from tests.conftest import ACTOR, make_person
from tests.rules.test_sql import age, agg, arith, cmp, col, lit, mem

TODAY = date(2025, 3, 15)


def birth(mother: Person, born: date, name: str, sex: str = "F") -> Person:
    return do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local=name,
        name_latin=name,
        birth_date=born,
        sex=sex,
    )


DEAD = ("lost", "widow")


@pytest.fixture
def register(family: dict[str, Person]) -> dict[str, Person]:
    """The conftest family, grown through the register's commands: a marriage, a child who
    died, twins, an income, a disability, passports, and a second family whose mother died."""
    mother, daughter, son, stranger = (family[k] for k in ("mother", "daughter", "son", "stranger"))
    do_register_marriage(ACTOR, mother, stranger, married_on=date(2021, 1, 1))
    lost = birth(mother, date(2010, 1, 1), "LOST")
    do_register_death(ACTOR, lost, died_on=date(2015, 6, 1))
    twins_born = son.birth_date + timedelta(days=600)  # after the son, whatever the day
    twin_a = birth(mother, twins_born, "TWIN A")
    twin_b = birth(mother, twins_born, "TWIN B", sex="M")
    do_record_income_assessment(
        ACTOR, mother, monthly_income=3_000_000_000, assessed_on=date(2025, 1, 1)
    )
    do_register_disability(
        ACTOR, son, degree="severe", registered_on=son.birth_date + timedelta(days=400)
    )
    do_record_passport_issued(
        ACTOR, daughter, number="M00000001", issued_on=date(2020, 1, 1), expires_on=date(2030, 1, 1)
    )
    do_record_passport_issued(
        ACTOR, daughter, number="M00000002", issued_on=date(2024, 1, 1), expires_on=date(2034, 1, 1)
    )
    do_record_passport_issued(
        ACTOR, stranger, number="M00000003", issued_on=date(2010, 1, 1), expires_on=date(2020, 1, 1)
    )
    widow = make_person(
        name_local="최미숙", name_latin="CHOI MISOOK", birth_date=date(1980, 8, 8), sex="F"
    )
    orphan = birth(widow, date(2015, 9, 9), "ORPHAN", sex="M")
    do_register_death(ACTOR, widow, died_on=date(2024, 12, 1))
    # No register command leaves a living person without a household; older records can.
    drifter = Person.objects.create(
        country="kr",
        national_id="9001011000001",
        name_local="정유랑",
        name_latin="JEONG YURANG",
        birth_date=date(1990, 1, 1),
        sex="M",
        nationality="KOR",
        household=None,
        relationship_to_head="child",
    )
    return {
        **family,
        "lost": lost,
        "twin_a": twin_a,
        "twin_b": twin_b,
        "widow": widow,
        "orphan": orphan,
        "drifter": drifter,
    }


def test_facts_read_in_sql_are_each_persons_facts(register: dict[str, Person]) -> None:
    facts = registry_facts()
    people = {name: p.pk for name, p in register.items()}
    assert set(facts) == {pk for name, pk in people.items() if name not in DEAD}

    mother, daughter, son = facts[people["mother"]], facts[people["daughter"]], facts[people["son"]]
    assert mother["monthly_income"] == 3_000_000_000
    assert mother["income_assessed"] is True
    assert mother["has_spouse"] is True
    assert mother["area"] == "1111051500"
    assert mother["province"] == "11"
    assert (mother["relationship_to_head"], son["relationship_to_head"]) == ("head", "child")
    assert [daughter["birth_order"], son["birth_order"]] == [1, 3]  # the child who died counts
    assert facts[people["twin_a"]]["birth_order"] == facts[people["twin_b"]]["birth_order"] == 4
    assert son["lives_with_parent"] is True
    assert son["disability"] == "severe"
    assert (daughter["has_passport"], daughter["passport_expiry"]) == (True, date(2034, 1, 1))
    stranger = facts[people["stranger"]]
    assert (stranger["has_passport"], stranger["passport_expiry"]) == (True, date(2020, 1, 1))
    assert (son["has_passport"], son["passport_expiry"]) == (False, NO_DATE)
    assert son["household_id"] == mother["household_id"] != stranger["household_id"]

    orphan = facts[people["orphan"]]
    assert orphan["lives_with_parent"] is False  # the mother died
    assert orphan["birth_order"] == 1

    drifter = facts[people["drifter"]]
    assert drifter["household_id"] == -people["drifter"]  # a household of one
    assert not Household.objects.filter(pk=-people["drifter"]).exists()
    assert (drifter["relationship_to_head"], drifter["area"], drifter["province"]) == (
        "head",
        "",
        "",
    )
    assert drifter["lives_with_parent"] is False

    # and every fact of every living person is what registry.facts reads for them
    for name, pk in people.items():
        if name in DEAD:
            continue
        subject = subject_for(register[name])
        row = facts[pk]
        assert {k: v for k, v in row.items() if k not in ("person_id", "household_id")} == dict(
            subject.facts
        ), name
        household = [f for f in facts.values() if f["household_id"] == row["household_id"]]
        assert len(household) == len(subject.members), name


@pytest.mark.django_db
def test_a_widow_has_no_spouse_in_either_reading(areas: None) -> None:
    bereaved = make_person(
        name_local="한정자", name_latin="HAN JEONGJA", birth_date=date(1950, 3, 3), sex="F"
    )
    husband = make_person(
        name_local="오병철", name_latin="OH BYEONGCHEOL", birth_date=date(1948, 4, 4)
    )
    do_register_marriage(ACTOR, bereaved, husband, married_on=date(1975, 5, 5))
    assert registry_facts()[bereaved.pk]["has_spouse"] is True
    do_register_death(ACTOR, husband, died_on=date(2023, 3, 3))
    bereaved.refresh_from_db()
    assert registry_facts()[bereaved.pk]["has_spouse"] is False
    assert subject_for(bereaved).facts["has_spouse"] is False


def test_rules_evaluated_in_the_registry_database(register: dict[str, Person]) -> None:
    people = {name: p.pk for name, p in register.items()}
    size = agg("count")
    sizes = evaluate_registry_rows(size, params={}, today=TODAY)
    assert sizes == {
        people[name]: n
        for name, n in {
            "mother": 5,
            "daughter": 5,
            "son": 5,
            "twin_a": 5,
            "twin_b": 5,
            "stranger": 1,
            "orphan": 1,
            "drifter": 1,
        }.items()
    }
    services = [
        Service("big_households", cmp(">=", size, lit(3)), subject="household"),
        Service(
            "adults",
            cmp(">=", age(), lit(18)),
            arith("+", col("monthly_income"), lit(1, Type.MONEY)),
        ),
        Service(
            "young_children",
            agg("any", cmp("<", age(Scope.MEMBER), lit(8))),
            arith("*", agg("sum", mem("monthly_income")), lit(2)),
            subject="household",
        ),
    ]
    totals = evaluate_registry(services, params={}, today=TODAY)
    assert totals == {
        "big_households": ServiceTotal(1, 0),
        # mother, daughter, stranger, drifter: 3,000,000,000 + 4 times 1
        "adults": ServiceTotal(4, 3_000_000_004),
        "young_children": ServiceTotal(1, 6_000_000_000),
    }


def test_other_databases_are_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="use SQLite or PostgreSQL"):
        facts_query("mysql")
    assert connection.vendor in ("sqlite", "postgresql")


def test_one_reading_of_a_household_gives_each_members_own_facts(
    register: dict[str, Person],
) -> None:
    for person in register.values():
        together = household_subjects(person)
        assert together[person.pk] == subject_for(person)
        for member_id, subject in together.items():
            member = Person.objects.get(pk=member_id)
            assert subject == subject_for(member)
