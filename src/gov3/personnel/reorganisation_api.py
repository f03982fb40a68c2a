"""Personnel API for the organisation through time (/api/v1/personnel/…, in the OpenAPI
document): the agency's units as they were on a day, and a unit's lineage through
reorganisations. Units and counts only; another agency's unit by id is 404."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema
from pydantic import Field

from gov3.core.errors import NotFoundError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.personnel import unit_history
from gov3.personnel.models import Unit
from gov3.personnel.page_helpers import hr_api_officer

router = Router(tags=["personnel"])


class TreeUnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent: str | None
    depth: int
    authorised_headcount: int
    actual_headcount: int
    opened_on: date
    closed_on: date | None


class TreeOut(Schema):
    date: date
    units: list[TreeUnitOut]


class UnitRefOut(Schema):
    id: int
    code: str
    name: str
    opened_on: date
    closed_on: date | None


class ActOut(Schema):
    number: str
    kind: str = Field(description="split | merge | rename | move")
    effective_on: date
    predecessors: list[UnitRefOut]
    successors: list[UnitRefOut]


class LineageOut(Schema):
    unit: UnitRefOut
    earlier: list[ActOut] = Field(description="the acts it came from, oldest first")
    later: list[ActOut] = Field(description="the acts that reorganised it and its successors")


def _ref(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name_local,
        "opened_on": unit.opened_on,
        "closed_on": unit.closed_on,
    }


def _act(step: unit_history.LineageStep) -> dict[str, Any]:
    return {
        "number": step.act.number,
        "kind": step.act.kind,
        "effective_on": step.act.effective_on,
        "predecessors": [_ref(u) for u in step.predecessors],
        "successors": [_ref(u) for u in step.successors],
    }


@router.get("/units/tree", response={200: TreeOut, 403: ErrorOut}, url_name="personnel_unit_tree")
@no_personal_data
def unit_tree(request: HttpRequest, on: date | None = None) -> dict[str, Any]:
    """My agency's units open on a day (`on`, default today) as a tree, depth first, with the
    authorised headcount and the posts held that day: a past day shows the units as they were."""
    officer = hr_api_officer(request)
    day = on or timezone.localdate()
    rows = unit_history.tree_on(officer.agency_id or 0, day)
    by_id = {r.unit.pk: r.unit for r in rows}
    return {
        "date": day,
        "units": [
            {
                "id": r.unit.pk,
                "code": r.unit.code,
                "name": r.unit.name_local,
                "name_en": r.unit.name_en,
                "parent": by_id[r.unit.parent_id].code if r.unit.parent_id in by_id else None,
                "depth": r.depth,
                "authorised_headcount": r.unit.authorised_headcount,
                "actual_headcount": r.actual,
                "opened_on": r.unit.opened_on,
                "closed_on": r.unit.closed_on,
            }
            for r in rows
        ],
    }


@router.get(
    "/units/{unit_id}/lineage",
    response={200: LineageOut, 403: ErrorOut, 404: ErrorOut},
    url_name="personnel_unit_lineage",
)
@no_personal_data
def unit_lineage(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    """A unit of my agency with the reorganisations it came from and those that followed,
    with their numbers and dates; another agency's unit: 404."""
    officer = hr_api_officer(request)
    unit = Unit.objects.filter(pk=unit_id, agency_id=officer.agency_id or 0).first()
    if unit is None:
        raise NotFoundError(gettext("There is no such unit in your agency."))
    found = unit_history.lineage(unit)
    return {
        "unit": _ref(unit),
        "earlier": [_act(s) for s in found.earlier],
        "later": [_act(s) for s in found.later],
    }
