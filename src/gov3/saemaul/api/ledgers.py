"""Materials and money: material use, the village fund, tranches."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Status

from gov3.core.errors import NotFoundError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import MAX_LIMIT, _jurisdiction, router
from gov3.saemaul.api.converters import _fund_entry_out, _tranches_out, _use_out, _village_project
from gov3.saemaul.api.schemas import (
    FundEntryIn,
    FundEntryOut,
    FundOut,
    MaterialUseIn,
    MaterialUseOut,
    ReleaseIn,
    TranchesOut,
)
from gov3.saemaul.models import Tranche
from gov3.saemaul.queries import fund_balance
from gov3.saemaul.services.ledgers import (
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
)
from gov3.saemaul.web_access import Step

LEDGER_RESPONSES = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "/villages/{code}/material-use",
    response={200: list[MaterialUseOut], 404: ErrorOut},
    url_name="saemaul_material_use",
)
@no_personal_data
def list_material_use(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The materials a village put into its projects, newest first."""
    village = _jurisdiction(request).village_by_code(code)
    return [
        _use_out(u) for u in village.material_use.select_related("village", "project")[:MAX_LIMIT]
    ]


@router.post(
    "/villages/{code}/material-use",
    response={201: MaterialUseOut, **LEDGER_RESPONSES},
    url_name="saemaul_record_material_use",
)
@no_personal_data
def record_material_use(request: HttpRequest, code: str, payload: MaterialUseIn) -> Status[Any]:
    """Record delivered materials put into an approved project (village leader); refused (422)
    beyond what the village received."""
    j = _jurisdiction(request)
    village = j.village_for_step(code, Step.RECORD_MATERIAL_USE)
    project = _village_project(j, village, payload.project_id)
    use = do_record_material_use(
        j.actor,
        project,
        material=payload.material,
        quantity=payload.quantity,
        used_on=payload.used_on,
        note=payload.note,
    )
    return Status(201, _use_out(use))


@router.get(
    "/villages/{code}/fund", response={200: FundOut, 404: ErrorOut}, url_name="saemaul_fund"
)
@no_personal_data
def village_fund(request: HttpRequest, code: str) -> dict[str, Any]:
    """The village fund ledger and balance."""
    village = _jurisdiction(request).village_by_code(code)
    entries = village.fund.select_related("project", "tranche").order_by("-pk")[:MAX_LIMIT]
    return {
        "village_code": village.code,
        "balance_krw": fund_balance(village),
        "entries": [_fund_entry_out(e) for e in entries],
    }


@router.post(
    "/villages/{code}/fund",
    response={201: FundEntryOut, **LEDGER_RESPONSES},
    url_name="saemaul_record_fund_entry",
)
@no_personal_data
def record_fund_entry(request: HttpRequest, code: str, payload: FundEntryIn) -> Status[Any]:
    """Add a contribution, income, expense or other entry to the village fund (village leader);
    the fund never goes below zero."""
    j = _jurisdiction(request)
    village = j.village_for_step(code, Step.RECORD_FUND_ENTRY)
    entry = do_record_fund_entry(
        j.actor,
        village,
        kind=payload.kind,
        amount_krw=payload.amount_krw,
        on=payload.entry_on,
        note=payload.note,
        project=_village_project(j, village, payload.project_id) if payload.project_id else None,
    )
    return Status(201, _fund_entry_out(entry))


@router.get(
    "/projects/{public_id}/tranches",
    response={200: TranchesOut, 404: ErrorOut},
    url_name="saemaul_tranches",
)
@no_personal_data
def list_tranches(request: HttpRequest, public_id: str) -> dict[str, Any]:
    """A project's cash tranches and the progress its photos show."""
    return _tranches_out(_jurisdiction(request).project_by_id(public_id))


@router.post(
    "/projects/{public_id}/tranches/{number}/release",
    response={200: TranchesOut, **LEDGER_RESPONSES},
    url_name="saemaul_release_tranche",
)
@no_personal_data
def release_tranche(
    request: HttpRequest, public_id: str, number: int, payload: ReleaseIn
) -> dict[str, Any]:
    """Pay a tranche into the village fund (county); refused (422) until the progress photos
    meet its condition, or while an earlier tranche is unpaid."""
    j = _jurisdiction(request)
    project = j.project_by_id(public_id)
    tranche = Tranche.objects.filter(project=project, number=number).first()
    if tranche is None:
        raise NotFoundError(gettext("The project has no tranche %(n)s.") % {"n": number})
    j.require(Step.RELEASE_TRANCHE)
    do_release_tranche(j.actor, tranche, on=payload.released_on)
    return _tranches_out(project)
