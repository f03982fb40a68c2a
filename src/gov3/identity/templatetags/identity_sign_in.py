"""The sign-in page's other ways in: the national digital ID (when configured)."""

from __future__ import annotations

from django import template

from gov3.identity.config import national_id_provider

register = template.Library()


@register.inclusion_tag("identity/other_sign_ins.html")
def other_sign_ins(next_url: str = "") -> dict[str, object]:
    """Buttons for the national digital ID, with where to go afterwards."""
    provider = national_id_provider()
    return {"provider": provider if provider.enabled else None, "next": next_url}
