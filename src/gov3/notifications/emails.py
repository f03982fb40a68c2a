"""The e-mails gov3 sends: one notification, or the daily digest of several.

Each has a subject, a plain-text body and an HTML alternative, rendered from this app's
templates in the recipient's language: a greeting, the caller's title and text, the link made
absolute with ``GOV3_SITE_URL``, and a footer saying where to change what one receives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from gov3.notifications.models import Notification, Priority

#: RFC 3834: tells mail servers and auto-responders that no person wrote this message.
HEADERS = {"Auto-Submitted": "auto-generated"}
MAX_SUBJECT = 200


def absolute_url(link: str) -> str:
    """``link`` as a full address: a path is joined to GOV3_SITE_URL, a full URL is kept."""
    return urljoin(f"{settings.GOV3_SITE_URL}/", link)


def preferences_url() -> str:
    """Where a person changes which notifications they receive."""
    return absolute_url(reverse("notifications:preferences"))


def _one_line(text: str) -> str:
    # A line break in a header would be refused (and could inject headers).
    line = " ".join(text.split())
    return line if len(line) <= MAX_SUBJECT else f"{line[: MAX_SUBJECT - 1]}…"


def _render(
    template: str, context: dict[str, Any], *, to: str, language: str
) -> EmailMultiAlternatives:
    with translation.override(language):
        context = {**context, "language": language, "preferences_url": preferences_url()}
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=HEADERS,
    )
    message.attach_alternative(html, "text/html")
    return message


def _item(notification: Notification, language: str) -> dict[str, Any]:
    return {
        "title": notification.title_in(language),
        "body": notification.body_in(language),
        "link": absolute_url(notification.link),
        "is_legal": notification.priority == Priority.LEGAL_NOTICE,
        "priority": Priority(notification.priority),
    }


def notification_email(
    notification: Notification, *, to: str, name: str, language: str
) -> EmailMultiAlternatives:
    """The e-mail of one notification."""
    return _render(
        "notification",
        {"name": name, "item": _item(notification, language)},
        to=to,
        language=language,
    )


def digest_email(
    notifications: Sequence[Notification], *, to: str, name: str, language: str
) -> EmailMultiAlternatives:
    """One e-mail listing several notifications, highest priority first, then oldest first."""
    ordered = sorted(notifications, key=lambda n: (-n.priority, n.created_at, n.pk))
    return _render(
        "digest",
        {"name": name, "items": [_item(n, language) for n in ordered], "count": len(ordered)},
        to=to,
        language=language,
    )
