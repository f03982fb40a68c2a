"""`{% agency_name agency %}`: an agency's name in the reader's language.

A Korean district office is 종로구청 on Korean pages and "Jongno-gu Office" on English and
Vietnamese ones. The access log keeps the name as it was when the record was read (a text), so
the tag also takes that text and finds the agency it names.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from gov3.accounts.models import Agency
from gov3.catalogue.installed import country_pack
from gov3.catalogue.packs import PackError

register = template.Library()


def name_in(agency: Agency, language: str) -> str:
    """The local name on pages in the agency's country's language, else the English one."""
    try:
        local = country_pack(agency.country).locale
    except (PackError, OSError):
        local = ""
    if language == local or not agency.name_en:
        return agency.name_local
    return agency.name_en


@register.simple_tag(takes_context=True)
def agency_name(context: Any, agency: Agency | str | None) -> str:
    """An `Agency`, or the local name stored with a record, in the active language."""
    if not agency:
        return ""
    language = (get_language() or "en").split("-")[0]
    if isinstance(agency, Agency):
        return name_in(agency, language)
    memo: dict[str, str] = context.render_context.setdefault("gov3_agency_names", {})
    if agency not in memo:
        found = Agency.objects.filter(name_local=agency).order_by("pk").first()
        memo[agency] = name_in(found, language) if found is not None else agency
    return memo[agency]
