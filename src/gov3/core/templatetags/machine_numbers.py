"""Numbers written for machines inside HTML: SVG geometry, data attributes, coordinates.

Django localises numbers in templates (`floatformat` always does), so a Vietnamese page wrote
``48,5`` for 48.5 — which an SVG parser reads as two numbers, scattering the chart. Everything
a program reads gets these filters instead: a dot for the decimal separator, no grouping, in
every language. Numbers people read keep the locale's format.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def svg_number(value: float | int | Decimal | str | None, places: int = 2) -> str:
    """``value`` with at most ``places`` decimals, a dot as separator and no trailing zeros:
    ``48.0`` → ``48``, ``12.345`` → ``12.35``, ``-0.0`` → ``0``."""
    if value is None or value == "":
        return "0"
    number = round(float(value), places)
    text = f"{number:.{places}f}".rstrip("0").rstrip(".") if places else f"{number:.0f}"
    return "0" if text in ("-0", "") else text


@register.filter
def svgnum(value: float | int | Decimal | str | None, places: int = 2) -> str:
    """`{{ bar.y|svgnum }}`: a number for an SVG attribute or a data attribute."""
    return svg_number(value, int(places))


@register.filter
def coordinate(value: float | Decimal | None) -> str:
    """`{{ village.latitude|coordinate }}`: decimal degrees with five places (about a metre),
    written the same in every language, as maps and GPS devices read them."""
    if value is None:
        return ""
    return f"{float(value):.5f}"
