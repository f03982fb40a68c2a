"""``{% main_nav %}``: the main navigation of every page (``includes/nav.html``), rendered once
for each combination of what it shows and then reused by the process (issue 15).

The navigation was about a quarter of a signed-in page's rendering (some twenty ``{% url %}``
reversals and as many translations on every request). Its HTML depends only on: the language,
the URL prefix, what the account is (citizen, officer and role, administrator), the unread
notifications count, whether the Saemaul link shows, and which of its own links is the current
page. All of these are the cache key, and the first two counts are read on every request as
before, so the kept HTML is never stale: a new notification or one read shows at once. Nothing
personal is in it (counts and links only). ``includes/nav.html`` may use only the context this
tag gives it (see its first comment).
"""

from __future__ import annotations

import re
from functools import cache
from types import SimpleNamespace
from typing import Any

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from gov3.notifications.templatetags.notification_tags import unread_notifications
from gov3.saemaul.templatetags.saemaul_nav import has_saemaul_assignment

register = template.Library()

TEMPLATE = "includes/nav.html"
#: The navigation's links, as the template names them: ``{% url 'app:name' as … %}``.
_URL_TAG = re.compile(r"{%\s*url\s+'([\w:-]+)'\s+as\s")
#: At most this many renderings are kept (they are a few kilobytes each); then start again.
LIMIT = 2048
_rendered: dict[tuple[Any, ...], SafeString] = {}


@cache
def link_names() -> tuple[str, ...]:
    """The URL names the navigation links to, read from its template."""
    source = get_template(TEMPLATE).template.source  # type: ignore[attr-defined]
    return tuple(dict.fromkeys(_URL_TAG.findall(source)))


@cache
def link_paths(prefix: str, urlconf: Any) -> frozenset[str]:
    """The paths of the navigation's links under `prefix` (one of them may be the current
    page)."""
    return frozenset(reverse(name, urlconf=urlconf) for name in link_names())


def forget() -> None:
    """Drop the kept renderings (tests; a deployment restarts the processes anyway)."""
    _rendered.clear()
    link_names.cache_clear()
    link_paths.cache_clear()


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> SafeString:
    """The navigation for the request's user and page."""
    user = context.get("user")
    request = context.get("request")
    citizen = bool(getattr(user, "is_citizen", False))
    account = SimpleNamespace(
        is_citizen=citizen,
        is_officer=bool(getattr(user, "is_officer", False)),
        role=str(getattr(user, "role", "") or ""),
        kind=str(getattr(user, "kind", "") or ""),
    )
    unread = unread_notifications(user) if citizen else 0
    saemaul = has_saemaul_assignment(user)
    prefix, urlconf = get_script_prefix(), get_urlconf()
    path = getattr(request, "path", "")
    current = path if path in link_paths(prefix, urlconf) else ""
    key = (get_language(), prefix, urlconf, *vars(account).values(), unread, saemaul, current)
    found = _rendered.get(key)
    if found is None:
        html = get_template(TEMPLATE).render(
            {
                "user": account,
                "request": SimpleNamespace(path=current),
                "unread_notifications_count": unread,
                "saemaul_assigned": saemaul,
            }
        )
        if len(_rendered) >= LIMIT:
            _rendered.clear()
        found = _rendered[key] = mark_safe(html)  # noqa: S308 - our template's output
    return found
