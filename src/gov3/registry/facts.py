"""The rule facts of one resident and their household, read from the register.

Follows the definitions in `gov3.rules.facts` exactly (the snapshot and the SQL relation read
the same facts for everyone; tests compare the three). Facts a pack declared are read by their
reader (`registry.readers`), once per household.
"""

from __future__ import annotations

from django.db.models import Max

from gov3.registry.models import Area, AreaLevel, PassportStatus, Person
from gov3.registry.readers import reader_for
from gov3.rules.facts import NO_DATE, Subject, declared
from gov3.rules.ir import Value


def _province(area: Area | None) -> str:
    while area is not None and area.level != AreaLevel.PROVINCE:
        area = area.parent
    return area.code if area is not None else ""


def _facts(person: Person, members: list[Person]) -> dict[str, Value]:
    household = person.household
    area = household.address.area if household is not None else None
    member_ids = {member.pk for member in members}
    if person.mother_id is None:
        birth_order = 1
    else:
        birth_order = (
            1
            + Person.objects.filter(
                mother_id=person.mother_id, birth_date__lt=person.birth_date
            ).count()
        )
    expiry = person.passports.filter(status=PassportStatus.VALID).aggregate(last=Max("expires_on"))[
        "last"
    ]
    return {
        "birth_date": person.birth_date,
        "sex": person.sex,
        "nationality": person.nationality,
        "area": area.code if area is not None else "",
        "province": _province(area),
        "relationship_to_head": person.relationship_to_head or "head"
        if household is not None
        else "head",
        "has_spouse": person.spouse is not None and person.spouse.date_of_death is None,
        "lives_with_parent": household is not None
        and bool({person.mother_id, person.father_id} & member_ids),
        "birth_order": birth_order,
        "disability": person.disability,
        "monthly_income": person.monthly_income or 0,
        "income_assessed": person.income_assessed_on is not None,
        "has_passport": expiry is not None,
        "passport_expiry": expiry or NO_DATE,
    }


def subject_for(person: Person) -> Subject:
    """`person`'s facts and their household's (the living members; a deceased person, or one
    without a household, is a household of one)."""
    return household_subjects(person)[person.pk]


def household_subjects(person: Person) -> dict[int, Subject]:
    """The `Subject` of `person` and of every living member of their household, by person id,
    from one reading of the household (for a change that concerns several of them)."""
    household = person.household
    if household is None or person.date_of_death is not None:
        members = [person]
    else:
        members = list(
            Person.objects.filter(household=household, date_of_death__isnull=True)
            .select_related("household__address__area__parent__parent", "spouse")
            .order_by("pk")
        )
    rows = {member.pk: _facts(member, members) for member in members}
    for name, fact in declared().items():
        options = dict(fact.options)
        found = reader_for(name, fact).for_people(list(rows), options)
        for pk, row in rows.items():
            row[name] = found.get(pk, fact.default)
    everyone = list(rows.values())
    return {pk: Subject(facts, everyone) for pk, facts in rows.items()}
