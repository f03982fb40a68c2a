"""Reads of notifications: a person's list, their unread count, their preferences, their address.

A citizen reading their own notifications is not an officer's read of personal data, so
nothing here writes the access log.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils.translation import get_language

from gov3.accounts.models import User
from gov3.notifications.models import Language, Notification, Preference
from gov3.registry.models import Person


def notifications_for(person: Person) -> QuerySet[Notification]:
    """The notifications shown to ``person`` in the app: unread first, then newest first."""
    already_read = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    return (
        Notification.objects.filter(person=person, in_app=True)
        .alias(already_read=already_read)
        .order_by("already_read", "-created_at", "-id")
    )


def unread_count(person: Person | int) -> int:
    """How many of the notifications shown to ``person`` (a person or a person's id) in the app
    they have not read. An id spares the navigation loading the person on every page."""
    person_id = person if isinstance(person, int) else person.pk
    return Notification.objects.filter(
        person_id=person_id, in_app=True, read_at__isnull=True
    ).count()


def preferences_for(person: Person) -> Preference:
    """The person's saved preferences, or the defaults (not saved) if they never chose."""
    return Preference.objects.filter(person=person).first() or Preference(person=person)


def email_address_of(person: Person) -> str:
    """The e-mail address of the person's citizen account; empty if they have none."""
    address = (
        User.objects.filter(person=person, is_active=True).values_list("email", flat=True).first()
    )
    return address or ""


def site_language() -> str:
    """The active language if gov3 speaks it, else the site's, else English."""
    codes = set(Language.values)
    for candidate in (get_language(), settings.LANGUAGE_CODE):
        code = (candidate or "").split("-")[0].lower()
        if code in codes:
            return code
    return Language.EN


def language_for(preference: Preference, fallback: str = "") -> str:
    """The language to write to the person in: their choice, else ``fallback``, else the
    active or site language."""
    return preference.language or fallback or site_language()
