"""Reads of the population register. Reads by officers and systems write the access log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q

from gov3.core.access import log_access, record_refused_read
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.models import LifeEvent, LifeEventKind, Passport, Person

RECORD_PARTS = "identity, household, address, life events, passports"
SEARCH_RESULT_PARTS = "search result: name, birth date"
PARENT_PARTS = "identity and household, as a parent of a newborn"
NEWBORN_PARTS = "name and national id number, confirming the birth registration"


@dataclass(frozen=True)
class Reader:
    """Who is reading, for the access log, and whom they may read for their purpose.

    `scope` is the access policy's filter for the reader and purpose
    (`gov3.accounts.access_policy.readable_q`); None only for systems and administrators."""

    user_id: int | None
    label: str
    agency: str
    role: str = ""
    scope: Q | None = None


def _within_scope(reader: Reader, person: Person, purpose: AccessPurpose, what: str) -> None:
    """Refuse a read outside the reader's scope: "not found" for them (nothing is shown), and a
    refused attempt in the audit log (not a read in the access log)."""
    if reader.scope is None:
        return
    if Person.objects.filter(pk=person.pk).filter(reader.scope).exists():
        return
    record_refused_read(
        actor=reader.label,
        subject_id=person.pk,
        purpose=purpose,
        what=what,
        reason="outside the access policy for this role and purpose",
    )
    raise NotFoundError("No person with that id is registered.")


@dataclass(frozen=True)
class PersonRecord:
    """Everything the register holds about one person, as shown on a record page."""

    person: Person
    household_members: list[Person]
    life_events: list[LifeEvent]
    passports: list[Passport]


def load_record(person: Person) -> PersonRecord:
    """Assemble a person's record (no logging: callers decide who is reading)."""
    members: list[Person] = []
    if person.household_id is not None:
        members = list(
            Person.objects.filter(household_id=person.household_id)
            .exclude(pk=person.pk)
            .order_by("birth_date")
        )
    return PersonRecord(
        person=person,
        household_members=members,
        life_events=list(person.life_events.order_by("-occurred_on", "-id")),
        passports=list(person.passports.order_by("-issued_on")),
    )


def _person_by_public_id(public_id: uuid.UUID | str) -> Person:
    try:
        return Person.objects.select_related("household__address__area").get(public_id=public_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("No person with that id is registered.") from None


def read_record_as_officer(
    reader: Reader,
    public_id: uuid.UUID | str,
    *,
    purpose: AccessPurpose,
    note: str = "",
    channel: AccessChannel = AccessChannel.WEB,
) -> PersonRecord:
    """Read a person's record for a stated purpose; the read is logged for the citizen to see."""
    person = person_for_officer(
        reader, public_id, purpose=purpose, note=note, what=RECORD_PARTS, channel=channel
    )
    return load_record(person)


def compact_id_number(text: str) -> str:
    """A national id number as the register stores it: 900101-1234568 (as printed on cards)
    and "900101 1234568" become 9001011234568."""
    return text.strip().replace("-", "").replace(" ", "")


def search_people(
    reader: Reader, query: str, *, purpose: AccessPurpose, note: str = "", limit: int = 20
) -> list[Person]:
    """Find people by national id (exact) or name (prefix) among those the reader may read;
    every person listed is logged."""
    query = query.strip()
    if len(query) < 2:
        return []
    id_number = compact_id_number(query)
    people = Person.objects.filter(
        Q(national_id=id_number)
        | Q(name_local__startswith=query)
        | Q(name_latin__startswith=query.upper())
    )
    if reader.scope is not None:
        people = people.filter(reader.scope)
    found = list(people.order_by("name_local", "birth_date")[:limit])
    if found:
        log_access(
            subject_ids=[p.pk for p in found],
            actor_id=reader.user_id,
            actor_label=reader.label,
            actor_role=reader.role,
            agency=reader.agency,
            purpose=purpose,
            purpose_note=note,
            channel=AccessChannel.WEB,
            what=SEARCH_RESULT_PARTS,
        )
    return found


def _log_read(
    reader: Reader,
    person: Person,
    *,
    purpose: AccessPurpose,
    what: str,
    note: str = "",
    channel: AccessChannel = AccessChannel.WEB,
) -> None:
    log_access(
        subject_ids=[person.pk],
        actor_id=reader.user_id,
        actor_label=reader.label,
        actor_role=reader.role,
        agency=reader.agency,
        purpose=purpose,
        purpose_note=note,
        channel=channel,
        what=what,
    )


def person_for_officer(
    reader: Reader,
    public_id: uuid.UUID | str,
    *,
    purpose: AccessPurpose,
    note: str = "",
    what: str,
    channel: AccessChannel = AccessChannel.WEB,
) -> Person:
    """A person whose data an officer is about to use for `what`; the read is logged. Outside
    the reader's scope: NotFoundError, and a refused attempt in the audit log."""
    person = _person_by_public_id(public_id)
    _within_scope(reader, person, purpose, what)
    _log_read(reader, person, purpose=purpose, note=note, what=what, channel=channel)
    return person


def person_by_national_id_for_officer(
    reader: Reader,
    country: str,
    number: str,
    *,
    purpose: AccessPurpose,
    note: str = "",
    what: str,
    channel: AccessChannel = AccessChannel.WEB,
) -> Person:
    """The living resident with this national id number (hyphen optional), whose data an
    officer is about to use for `what`; the read is logged. An unknown number logs nothing."""
    try:
        person = Person.objects.get(
            country=country, national_id=compact_id_number(number), date_of_death__isnull=True
        )
    except Person.DoesNotExist:
        raise NotFoundError("No living resident has this number.") from None
    try:
        _within_scope(reader, person, purpose, what)
    except NotFoundError:
        raise NotFoundError("No living resident has this number.") from None
    _log_read(reader, person, purpose=purpose, note=note, what=what, channel=channel)
    return person


def newborn_for_officer(reader: Reader, public_id: uuid.UUID | str, *, recorded_by: str) -> Person:
    """A child whose birth `recorded_by` registered, for the confirmation page; the read is
    logged. Anyone else is "not found": the page is no way around stating a purpose."""
    person = _person_by_public_id(public_id)
    if not person.life_events.filter(kind=LifeEventKind.BIRTH, recorded_by=recorded_by).exists():
        raise NotFoundError("No birth registered by you has that id.")
    _within_scope(reader, person, AccessPurpose.BIRTH_REGISTRATION, NEWBORN_PARTS)
    _log_read(reader, person, purpose=AccessPurpose.BIRTH_REGISTRATION, what=NEWBORN_PARTS)
    return person
