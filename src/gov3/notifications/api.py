"""The notifications API (mounted at /api/v1/notifications/): a citizen's own notifications and
preferences, the same rules as the pages.

Thin handlers: find the signed-in citizen (anyone else: 403), call one ``do_*`` command,
return what changed. Someone else's notification is 404, exactly like one that does not
exist. A refused change answers 422 with ``{"detail": message}`` and saves nothing.
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import uuid
from datetime import datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.core.errors import PermissionRefusedError
from gov3.core.personal_data import citizens_own_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.notifications.models import (
    Channel,
    Notification,
    NotificationKind,
    Preference,
    Priority,
    is_legal_notice,
)
from gov3.notifications.queries import (
    notifications_for,
    preferences_for,
    site_language,
    unread_count,
)
from gov3.notifications.services import do_mark_read, do_set_preferences
from gov3.registry.models import Person

router = Router(tags=["notifications"])

#: Largest page of a list.
MAX_LIMIT = 200


def _citizen(request: HttpRequest) -> tuple[User, Person]:
    user = citizen_of(request)
    if user is None or user.person is None:
        raise PermissionRefusedError(
            gettext("Only citizens signed in with their own account have notifications.")
        )
    return user, user.person


# --- schemas --------------------------------------------------------------------------------


class NotificationOut(Schema):
    """One notification, its title and text in the language of the request."""

    id: uuid.UUID
    kind: str
    priority: str  # legal_notice, offer or reminder
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool
    read_at: datetime | None


class NotificationList(Schema):
    """A page of my notifications (unread first, then newest first) and my unread count."""

    unread: int
    total: int
    items: list[NotificationOut]


class ChannelsOut(Schema):
    """Where one kind of notification reaches me."""

    in_app: bool
    email: bool
    legal_notice: bool


class ChannelsIn(InputSchema):
    """Where one kind should reach me; leave one out to keep it (legal notices: in_app true)."""

    in_app: bool | None = None
    email: bool | None = None


#: A local clock time without a UTC offset (JSON Schema's `format: time` requires one).
LOCAL_TIME = r"^\d{2}:\d{2}$"


class PreferencesOut(Schema):
    """What I receive, how often, my quiet hours (local time) and language."""

    digest: str
    quiet_start: str = Field(pattern=LOCAL_TIME, description="local time, HH:MM")
    quiet_end: str = Field(pattern=LOCAL_TIME, description="local time, HH:MM")
    time_zone: str
    language: str
    channels: dict[str, ChannelsOut]


class PreferencesIn(InputSchema):
    """The preferences to save; kinds left out of ``channels`` keep their setting."""

    digest: str
    quiet_start: time
    quiet_end: time
    time_zone: str = ""
    language: str = ""
    channels: dict[str, ChannelsIn] = {}


def _notification_out(notification: Notification, language: str) -> dict[str, Any]:
    return {
        "id": notification.public_id,
        "kind": notification.kind,
        "priority": Priority(notification.priority).name.lower(),
        "title": notification.title_in(language),
        "body": notification.body_in(language),
        "link": notification.link,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
        "read_at": notification.read_at,
    }


def _preferences_out(preference: Preference) -> dict[str, Any]:
    return {
        "digest": preference.digest,
        "quiet_start": f"{preference.quiet_start:%H:%M}",
        "quiet_end": f"{preference.quiet_end:%H:%M}",
        "time_zone": preference.time_zone,
        "language": preference.language,
        "channels": {
            kind: {
                "in_app": preference.wants(kind, Channel.IN_APP),
                "email": preference.wants(kind, Channel.EMAIL),
                "legal_notice": is_legal_notice(kind),
            }
            for kind in NotificationKind.values
        },
    }


# --- endpoints ------------------------------------------------------------------------------


@router.get("/", response={200: NotificationList, 403: ErrorOut}, url_name="notifications_list")
@citizens_own_data
def list_notifications(
    request: HttpRequest, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """My notifications: unread first, then newest first."""
    _, person = _citizen(request)
    rows = notifications_for(person)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    total = rows.count()
    limit = max(1, min(limit, MAX_LIMIT))
    # Past the end the page is empty anyway; a huge offset would overflow the SQL OFFSET.
    offset = max(0, min(offset, total))
    language = site_language()
    return {
        "unread": unread_count(person),
        "total": total,
        "items": [_notification_out(n, language) for n in rows[offset : offset + limit]],
    }


@router.post(
    "/{public_id}/read",
    response={200: NotificationOut, 403: ErrorOut, 404: ErrorOut},
    url_name="notifications_mark_read",
)
@citizens_own_data
def mark_read(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """Mark one of my notifications as read (someone else's: 404, nothing changes)."""
    user, person = _citizen(request)
    notification = do_mark_read(user.get_username(), person, public_id)
    return _notification_out(notification, site_language())


@router.get(
    "/preferences",
    response={200: PreferencesOut, 403: ErrorOut},
    url_name="notifications_preferences",
)
@citizens_own_data
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    """What I receive where, how often, my quiet hours and language."""
    _, person = _citizen(request)
    return _preferences_out(preferences_for(person))


@router.put(
    "/preferences",
    response={200: PreferencesOut, 403: ErrorOut, 422: ErrorOut},
    url_name="notifications_set_preferences",
)
@citizens_own_data
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Save my preferences (wrong input: 422, nothing saved)."""
    user, person = _citizen(request)
    channels = {
        kind: {
            channel: wanted
            for channel, wanted in (
                (Channel.IN_APP.value, choice.in_app),
                (Channel.EMAIL.value, choice.email),
            )
            if wanted is not None
        }
        for kind, choice in payload.channels.items()
    }
    preference = do_set_preferences(
        user.get_username(),
        person,
        digest=payload.digest,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        time_zone=payload.time_zone,
        language=payload.language,
        channels=channels,
    )
    return _preferences_out(preference)
