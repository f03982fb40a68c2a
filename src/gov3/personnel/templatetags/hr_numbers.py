"""`{{ n|count }}`: a count as people read it in the active language (grouped: 1,234 /
1.234), for tables next to charts (SVG attributes use `svgnum` instead)."""

from __future__ import annotations

from django import template

from gov3.core.charts import count_text

register = template.Library()


@register.filter
def count(value: int | None) -> str:
    return "" if value is None else count_text(int(value))
