"""``{% unread_notifications user as count %}``: the signed-in citizen's unread count, for
the navigation."""

from __future__ import annotations

from typing import Any

from django import template

from gov3.accounts.models import User
from gov3.notifications.queries import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many notifications the citizen has not read; 0 for anyone else."""
    if not isinstance(user, User) or not user.is_citizen or user.person_id is None:
        return 0
    return unread_count(user.person_id)  # the id: no query for the person on every page
