"""`{{ amount|money:country }}`: an exact integer amount in the country's currency."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from gov3.catalogue.installed import country_pack

register = template.Library()


@register.filter
def money(amount: int | None, country: str) -> str:
    """Format an amount kept in the currency's minor unit, e.g. ``930,000 KRW``."""
    if amount is None:
        return ""
    currency = country_pack(country).currency
    value = Decimal(amount).scaleb(-currency.minor_unit)
    shown = number_format(value, decimal_pos=currency.minor_unit, force_grouping=True)
    return f"{shown} {currency.code}"


@register.filter
def money_change(amount: int | None, country: str) -> str:
    """A change of an amount, always with its sign: ``+10,300 KRW``, ``-10,300 KRW``, ``0 KRW``."""
    if amount is None:
        return ""
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return sign + money(abs(amount), country)
