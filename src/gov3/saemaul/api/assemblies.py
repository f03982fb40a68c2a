"""Village assemblies and their resolutions."""

from typing import Any

from django.http import HttpRequest
from ninja import Status

from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import _jurisdiction, router
from gov3.saemaul.api.converters import _assembly_out
from gov3.saemaul.api.schemas import AssemblyIn, AssemblyOut
from gov3.saemaul.services.assemblies import ResolutionInput, do_record_assembly
from gov3.saemaul.web_access import Step


@router.get(
    "/villages/{code}/assemblies",
    response={200: list[AssemblyOut], 404: ErrorOut},
    url_name="saemaul_assemblies",
)
@no_personal_data
def list_assemblies(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """A village's general assemblies, newest first, with their resolutions."""
    village = _jurisdiction(request).village_by_code(code)
    return [
        _assembly_out(a)
        for a in village.assemblies.prefetch_related("resolutions").order_by("-held_on")
    ]


@router.post(
    "/villages/{code}/assemblies",
    response={201: AssemblyOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="saemaul_record_assembly",
)
@no_personal_data
def record_assembly(request: HttpRequest, code: str, payload: AssemblyIn) -> Status[Any]:
    """Record a general assembly with attendance by sex and its resolutions (village leader)."""
    j = _jurisdiction(request)
    village = j.village_for_step(code, Step.RECORD_ASSEMBLY)
    assembly = do_record_assembly(
        j.actor,
        village,
        held_on=payload.held_on,
        eligible_members=payload.eligible_members,
        attended_men=payload.attended_men,
        attended_women=payload.attended_women,
        resolutions=[ResolutionInput(**r.model_dump()) for r in payload.resolutions],
        place=payload.place,
        chaired_by=payload.chaired_by,
        minutes=payload.minutes,
    )
    return Status(201, _assembly_out(assembly))
