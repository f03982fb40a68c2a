"""Write commands of the population register.

Each `do_*` command owns its transaction, records the life event and an audit entry, and
publishes the event to subscribers (offers, cases) only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.core.events import passport_cancelled
from gov3.registry.models import (
    Address,
    Area,
    AreaLevel,
    Disability,
    Household,
    LifeEvent,
    LifeEventKind,
    Passport,
    PassportStatus,
    Person,
    Relationship,
    Sex,
)
from gov3.registry.national_ids import check_consistent, national_id_scheme
from gov3.tasks.runner import enqueue_signal


def _record_event(
    actor: str, person: Person, kind: LifeEventKind, on: date, **details: Any
) -> LifeEvent:
    event = LifeEvent(
        person=person,
        kind=kind,
        occurred_on=on,
        recorded_at=timezone.now(),
        recorded_by=actor,
        details=details,
    )
    event.save()
    record_audit(
        actor=actor,
        action=f"registry.{kind}",
        target_type="person",
        target_id=person.pk,
        data={"life_event": event.pk, "occurred_on": on.isoformat(), **details},
    )
    # The offers it may bring are worked out by a worker once this commits (a job recorded
    # in this transaction: never lost if the write commits, never run if it rolls back).
    enqueue_signal("life_event_committed", event=event)
    return event


def _refuse_dead(person: Person, what: str) -> None:
    if person.date_of_death is not None:
        raise ValidationFailedError(
            f"{person} died on {person.date_of_death}; a {what} cannot be recorded."
        )


def _refuse_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationFailedError(f"The {what} date {day} is in the future.")


@dataclass(frozen=True)
class AreaRecord:
    """One administrative area as a country pack declares it."""

    code: str
    parent_code: str | None
    level: str
    name_local: str
    name_en: str


def do_load_areas(actor: str, country: str, areas: Iterable[AreaRecord]) -> tuple[int, int]:
    """Create or update a country's areas (parents before children); returns (created, updated)."""
    created = updated = 0
    with transaction.atomic(durable=True):
        by_code = {a.code: a for a in Area.objects.filter(country=country)}
        for record in areas:
            parent = by_code[record.parent_code] if record.parent_code else None
            fields = {
                "level": AreaLevel(record.level),
                "parent": parent,
                "name_local": record.name_local,
                "name_en": record.name_en,
            }
            area = by_code.get(record.code)
            if area is None:
                area = Area.objects.create(country=country, code=record.code, **fields)
                created += 1
            elif any(getattr(area, k) != v for k, v in fields.items()):
                Area.objects.filter(pk=area.pk).update(**fields)
                updated += 1
            by_code[record.code] = area
        if created or updated:
            record_audit(
                actor=actor,
                action="registry.load_areas",
                target_type="country",
                target_id=country,
                data={"created": created, "updated": updated},
            )
    return created, updated


def _district(area_code: str, country: str) -> Area:
    try:
        area = Area.objects.get(country=country, code=area_code)
    except Area.DoesNotExist:
        raise ValidationFailedError(
            f"There is no area with code {area_code!r} in country {country!r}; "
            "load the country pack first (gov3 country load)."
        ) from None
    return area


def do_register_person(
    actor: str,
    *,
    country: str,
    national_id: str,
    name_local: str,
    name_latin: str,
    birth_date: date,
    sex: str,
    nationality: str,
    area_code: str,
    street: str,
    registered_on: date | None = None,
) -> Person:
    """Register a resident who is not yet in the register, heading a new household."""
    _refuse_future(birth_date, "birth")
    compact = check_consistent(country, national_id, birth_date, Sex(sex))
    on = registered_on or timezone.localdate()
    with transaction.atomic(durable=True):
        address = Address.objects.create(area=_district(area_code, country), street=street)
        household = Household.objects.create(address=address, created_on=on)
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    country=country,
                    national_id=compact,
                    name_local=name_local,
                    name_latin=name_latin.upper(),
                    birth_date=birth_date,
                    sex=sex,
                    nationality=nationality,
                    household=household,
                    relationship_to_head=Relationship.HEAD,
                )
        except IntegrityError:
            raise ValidationFailedError(
                f"A person with the national id {compact} is already registered."
            ) from None
        _record_event(actor, person, LifeEventKind.REGISTRATION, on, household=household.pk)
    return person


def allocate_national_id(country: str, birth_date: date, sex: str) -> str:
    """The first unused national id number for a person born on ``birth_date``."""
    scheme = national_id_scheme(country)
    taken = set(
        Person.objects.filter(country=country, birth_date=birth_date).values_list(
            "national_id", flat=True
        )
    )
    for serial in range(1, 97_000):
        number = scheme.make(birth_date, sex, serial)
        if (
            number not in taken
            and not Person.objects.filter(country=country, national_id=number).exists()
        ):
            return number
    raise ValidationFailedError(f"No free national id number for {birth_date}.")


def _child_relationship(parent: Person) -> Relationship:
    return {
        Relationship.HEAD: Relationship.CHILD,
        Relationship.SPOUSE: Relationship.CHILD,
        Relationship.CHILD: Relationship.GRANDCHILD,
    }.get(Relationship(parent.relationship_to_head), Relationship.OTHER)


def do_register_birth(
    actor: str,
    *,
    mother: Person | None,
    father: Person | None,
    name_local: str,
    name_latin: str,
    birth_date: date,
    sex: str,
) -> Person:
    """Register a newborn: a national id, links to both parents, a place in their household."""
    parents = [p for p in (mother, father) if p is not None]
    if not parents:
        raise ValidationFailedError("A birth needs at least one registered parent.")
    _refuse_future(birth_date, "birth")
    for parent in parents:
        if parent.birth_date >= birth_date:
            raise ValidationFailedError(f"{parent} was born after the child.")
    if mother is not None:
        _refuse_dead(mother, "birth")
    head_parent = mother if mother is not None and mother.household_id else parents[0]
    if head_parent.household_id is None:
        raise ValidationFailedError(f"{head_parent} has no registered household.")
    with transaction.atomic(durable=True):
        child = Person.objects.create(
            country=head_parent.country,
            national_id=allocate_national_id(head_parent.country, birth_date, sex),
            name_local=name_local,
            name_latin=name_latin.upper(),
            birth_date=birth_date,
            sex=Sex(sex),
            nationality=head_parent.nationality,
            mother=mother,
            father=father,
            household_id=head_parent.household_id,
            relationship_to_head=_child_relationship(head_parent),
        )
        _record_event(
            actor,
            child,
            LifeEventKind.BIRTH,
            birth_date,
            mother=mother.pk if mother else None,
            father=father.pk if father else None,
            household=child.household_id,
        )
    return child


def do_register_death(actor: str, person: Person, *, died_on: date) -> Person:
    """Record a death; the person stays in the register with their date of death."""
    _refuse_dead(person, "death")
    _refuse_future(died_on, "death")
    if died_on < person.birth_date:
        raise ValidationFailedError("The date of death is before the date of birth.")
    with transaction.atomic(durable=True):
        Person.objects.filter(pk=person.pk).update(date_of_death=died_on)
        person.date_of_death = died_on
        _record_event(actor, person, LifeEventKind.DEATH, died_on)
    return person


def do_register_marriage(actor: str, a: Person, b: Person, *, married_on: date) -> None:
    """Record a marriage of two living, unmarried adults; each becomes the other's spouse."""
    if a.pk == b.pk:
        raise ValidationFailedError("A person cannot marry themselves.")
    for p in (a, b):
        _refuse_dead(p, "marriage")
        if p.spouse_id is not None:
            raise ValidationFailedError(f"{p} is already married.")
        if p.age_on(married_on) < 18:
            raise ValidationFailedError(f"{p} is under 18 on {married_on}.")
    _refuse_future(married_on, "marriage")
    with transaction.atomic(durable=True):
        Person.objects.filter(pk=a.pk).update(spouse=b)
        Person.objects.filter(pk=b.pk).update(spouse=a)
        a.spouse, b.spouse = b, a
        _record_event(actor, a, LifeEventKind.MARRIAGE, married_on, spouse=b.pk)
        _record_event(actor, b, LifeEventKind.MARRIAGE, married_on, spouse=a.pk)


def do_register_divorce(actor: str, a: Person, *, divorced_on: date) -> None:
    """Record the divorce of a married person and their spouse."""
    if a.spouse_id is None:
        raise ValidationFailedError(f"{a} is not married.")
    b = Person.objects.get(pk=a.spouse_id)
    _refuse_future(divorced_on, "divorce")
    with transaction.atomic(durable=True):
        Person.objects.filter(pk__in=[a.pk, b.pk]).update(spouse=None)
        a.spouse = b.spouse = None
        _record_event(actor, a, LifeEventKind.DIVORCE, divorced_on, former_spouse=b.pk)
        _record_event(actor, b, LifeEventKind.DIVORCE, divorced_on, former_spouse=a.pk)


def do_register_move(
    actor: str, household: Household, *, area_code: str, street: str, moved_on: date
) -> Address:
    """Move a whole household to a new address; each living member gets a move event."""
    _refuse_future(moved_on, "move")
    with transaction.atomic(durable=True):
        old = household.address
        address = Address.objects.create(area=_district(area_code, old.area.country), street=street)
        Household.objects.filter(pk=household.pk).update(address=address)
        household.address = address
        for member in household.members.filter(date_of_death__isnull=True):
            _record_event(
                actor,
                member,
                LifeEventKind.MOVE,
                moved_on,
                from_area=old.area.code,
                to_area=area_code,
            )
    return address


def do_change_name(
    actor: str, person: Person, *, name_local: str, name_latin: str, changed_on: date
) -> Person:
    """Record a court-approved change of name (national script and romanised)."""
    _refuse_dead(person, "name change")
    old = {"name_local": person.name_local, "name_latin": person.name_latin}
    with transaction.atomic(durable=True):
        Person.objects.filter(pk=person.pk).update(
            name_local=name_local, name_latin=name_latin.upper()
        )
        person.name_local, person.name_latin = name_local, name_latin.upper()
        _record_event(actor, person, LifeEventKind.NAME_CHANGE, changed_on, old=old, new=name_local)
    return person


def do_register_disability(
    actor: str, person: Person, *, degree: str, registered_on: date
) -> Person:
    """Record a disability registration (or a change of its degree)."""
    _refuse_dead(person, "disability registration")
    degree = Disability(degree)
    with transaction.atomic(durable=True):
        Person.objects.filter(pk=person.pk).update(disability=degree)
        person.disability = degree
        _record_event(
            actor, person, LifeEventKind.DISABILITY_REGISTRATION, registered_on, degree=degree
        )
    return person


def do_record_income_assessment(
    actor: str, person: Person, *, monthly_income: int, assessed_on: date
) -> Person:
    """Record a recognised monthly income (an exact integer in the currency's minor unit)."""
    if isinstance(monthly_income, bool) or not isinstance(monthly_income, int):
        raise ValidationFailedError("Income must be a whole number in the currency's unit.")
    if monthly_income < 0:
        raise ValidationFailedError("Income cannot be negative.")
    with transaction.atomic(durable=True):
        Person.objects.filter(pk=person.pk).update(
            monthly_income=monthly_income, income_assessed_on=assessed_on
        )
        person.monthly_income, person.income_assessed_on = monthly_income, assessed_on
        _record_event(
            actor,
            person,
            LifeEventKind.INCOME_ASSESSMENT,
            assessed_on,
            monthly_income=monthly_income,
        )
    return person


def record_passport_cancelled(
    actor: str, person: Person, *, number: str, cancelled_on: date, reason: str
) -> bool:
    """Cancel a valid passport (e.g. its document was revoked: reported lost or stolen), inside
    the caller's transaction; a life event. False if it was not valid."""
    with transaction.atomic():
        cancelled = Passport.objects.filter(
            person=person, number=number, status=PassportStatus.VALID
        ).update(status=PassportStatus.CANCELLED)
        if cancelled:
            _record_event(
                actor,
                person,
                LifeEventKind.PASSPORT_CANCELLED,
                cancelled_on,
                number=number,
                reason=reason[:200],
            )
            passport_cancelled.send(
                sender=Passport, person=person, number=number, reason=reason, replaced_by=""
            )
    return bool(cancelled)


def do_record_passport_issued(
    actor: str, person: Person, *, number: str, issued_on: date, expires_on: date
) -> Passport:
    """Record a new passport; the person's previous valid passport is cancelled."""
    with transaction.atomic(durable=True):
        return record_passport_issued(
            actor, person, number=number, issued_on=issued_on, expires_on=expires_on
        )


def record_passport_issued(
    actor: str, person: Person, *, number: str, issued_on: date, expires_on: date
) -> Passport:
    """`do_record_passport_issued` inside the caller's transaction: the issuing of a passport
    document (gov3.documents) and its entry in the register commit together."""
    _refuse_dead(person, "passport")
    if expires_on <= issued_on:
        raise ValidationFailedError("A passport must expire after it is issued.")
    with transaction.atomic():
        for old in Passport.objects.select_for_update().filter(
            person=person, status=PassportStatus.VALID
        ):
            Passport.objects.filter(pk=old.pk).update(status=PassportStatus.CANCELLED)
            _record_event(
                actor,
                person,
                LifeEventKind.PASSPORT_CANCELLED,
                issued_on,
                number=old.number,
                replaced_by=number,
            )
            passport_cancelled.send(
                sender=Passport,
                person=person,
                number=old.number,
                reason=f"Replaced by passport {number}.",
                replaced_by=number,
            )
        try:
            with transaction.atomic():
                passport = Passport.objects.create(
                    person=person, number=number, issued_on=issued_on, expires_on=expires_on
                )
        except IntegrityError:
            raise ValidationFailedError(
                f"Passport number {number} has already been issued; numbers are never reused."
            ) from None
        _record_event(
            actor,
            person,
            LifeEventKind.PASSPORT_ISSUED,
            issued_on,
            number=number,
            expires_on=expires_on.isoformat(),
        )
    return passport
