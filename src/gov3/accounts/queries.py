"""Reads about accounts: whom a citizen may act for."""

from __future__ import annotations

import uuid
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from gov3.accounts.models import AccountKind, OfficerRole, User
from gov3.catalogue.installed import country_pack
from gov3.core.dates import add_years
from gov3.core.errors import NotFoundError
from gov3.registry.models import Person


def age_of_majority(country: str) -> int:
    """The age of majority in the country pack (Korea: 19, Civil Act art. 4)."""
    return country_pack(country).age_of_majority


def children_acted_for(user: User, today: date | None = None) -> QuerySet[Person]:
    """The living minor children a citizen may act for as their parent."""
    if not user.is_citizen or user.person is None:
        return Person.objects.none()
    today = today or timezone.localdate()
    me = user.person
    majority = age_of_majority(me.country)
    # Born after this date means still a minor today.
    cutoff = add_years(today, -majority)
    return (
        Person.objects.filter(Q(mother=me) | Q(father=me))
        .filter(date_of_death__isnull=True, birth_date__gt=cutoff)
        .order_by("birth_date")
    )


def child_acted_for(user: User, public_id: object) -> Person | None:
    """One of the children `user` acts for, by the public id a page or the API was given;
    None for anyone else and for anything that is not an id."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return children_acted_for(user).filter(public_id=wanted).first()


def person_acted_for(user: User, public_id: object) -> Person:
    """The citizen themselves (no id given) or one of the children they act for, by the id a
    page or the API was given; NotFoundError for anyone else and anything that is not an id."""
    if user.person is None:
        raise NotFoundError("There is no such person.")
    if not public_id:
        return user.person
    child = child_acted_for(user, public_id)
    if child is None:
        raise NotFoundError("There is no such person.")
    return child


def role_label(code: str) -> str:
    """The reader's role in the current language (the access log stores the code)."""
    if code in OfficerRole.values:
        return str(OfficerRole(code).label)
    if code in AccountKind.values:
        return str(AccountKind(code).label)
    return code
