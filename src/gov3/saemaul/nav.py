"""Whether the navigation shows the Saemaul link: does the user have a programme role?

Every page's navigation asks, for every signed-in user; the answer is cached per user (a query
only on a miss), cleared when the user's assignment is saved or deleted. Another process may
show or hide the link up to `CACHE_SECONDS` late when its cache is its own (a shared cache,
e.g. Redis, removes even that). Only the link: the programme's pages and API authorise from
the assignment itself (``permissions.py``), never from this.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

#: How long another process may show a stale link after an assignment changes.
CACHE_SECONDS = 300


def _key(user_id: int) -> str:
    return f"gov3:saemaul-assigned:{user_id}"


def has_assignment(user_id: int) -> bool:
    """True if the user has a Saemaul programme role (cached)."""
    from gov3.saemaul.models import SaemaulAssignment  # noqa: PLC0415 - models load after apps

    key = _key(user_id)
    found: bool | None = cache.get(key)
    if found is None:
        found = SaemaulAssignment.objects.filter(user_id=user_id).exists()
        cache.set(key, found, CACHE_SECONDS)
    return found


def forget(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Signal receiver: an assignment was saved or deleted; its user's answer is asked again."""
    cache.delete(_key(instance.user_id))
