"""``{% has_saemaul_assignment user as found %}``: whether the navigation shows the Saemaul
link (cached, `gov3.saemaul.nav`)."""

from __future__ import annotations

from typing import Any

from django import template

from gov3.saemaul.nav import has_assignment

register = template.Library()


@register.simple_tag
def has_saemaul_assignment(user: Any) -> bool:
    """True for a signed-in user with a programme role; False for anyone else."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return has_assignment(user.pk)
