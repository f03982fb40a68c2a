"""Villages."""

from typing import Any

from django.http import HttpRequest

from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import MAX_LIMIT, _jurisdiction, _scope, router
from gov3.saemaul.api.converters import _people, _summary, _village_out
from gov3.saemaul.api.schemas import VillageDetailOut, VillageList
from gov3.saemaul.queries import village_profile


@router.get("/villages", response=VillageList, url_name="saemaul_villages")
@no_personal_data
def list_villages(
    request: HttpRequest,
    area: str | None = None,
    village_class: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Villages in the caller's jurisdiction (optionally of one area or class)."""
    j = _jurisdiction(request)
    rows = _scope(j, area).select_related("area").order_by("code")
    if village_class:
        rows = rows.filter(village_class=village_class)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": rows.count(),
        "items": [_village_out(v) for v in rows[offset : offset + limit]],
    }


@router.get(
    "/villages/{code}", response={200: VillageDetailOut, 404: ErrorOut}, url_name="saemaul_village"
)
@no_personal_data
def village_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """A village's profile (404 outside the caller's jurisdiction)."""
    village = _jurisdiction(request).village_by_code(code)
    profile = village_profile(village)
    return _village_out(village) | {
        "infrastructure": [
            {"item": item, "label": label, "done": done, "completed_year": year}
            for item, label, done, year in profile.checklist
        ],
        "leaders": [
            {
                "role": leader.slot.name,
                "name": leader.name,
                "sex": leader.sex,
                "since": leader.since,
            }
            for leader in profile.leaders
        ],
        "committee": _people(profile.committee, lambda m: m.get_role_display()),
        "womens_association": _people(profile.womens_association, lambda m: m.get_role_display()),
        "fund_balance_krw": profile.fund_balance_krw,
        "classes": [
            {"year": c.year, "village_class": c.village_class, "promoted": c.promoted}
            for c in profile.classes
        ],
        "projects": [_summary(p) for p in profile.projects],
    }
