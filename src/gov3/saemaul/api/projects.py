"""Projects and their workflow steps, progress photos."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Status
from ninja.files import UploadedFile

from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import MAX_LIMIT, _jurisdiction, _scope, router
from gov3.saemaul.api.converters import _photo_out, _project_out, _summary
from gov3.saemaul.api.schemas import (
    ApproveIn,
    CheckIn,
    PhotoOut,
    ProjectIn,
    ProjectOut,
    ProjectSummaryOut,
    ReturnIn,
    SaemaulVersionIn,
)
from gov3.saemaul.models import Project, Resolution
from gov3.saemaul.photos import READ_LIMIT
from gov3.saemaul.queries import get_round
from gov3.saemaul.services.evidence import do_add_evidence
from gov3.saemaul.services.projects import (
    BoqLine,
    do_approve_project,
    do_check_project,
    do_create_project,
    do_return_project,
    do_submit_project,
)
from gov3.saemaul.web_access import Step


@router.get("/projects", response=list[ProjectSummaryOut], url_name="saemaul_projects")
@no_personal_data
def list_projects(
    request: HttpRequest, status: str | None = None, area: str | None = None
) -> list[dict[str, Any]]:
    """Projects of the villages in the caller's jurisdiction (optionally in one status)."""
    j = _jurisdiction(request)
    projects = Project.objects.filter(village__in=_scope(j, area)).select_related("village")
    if status:
        projects = projects.filter(status=status)
    return [_summary(p) for p in projects.order_by("-created_at")[:MAX_LIMIT]]


@router.post(
    "/villages/{code}/projects",
    response={201: ProjectOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="saemaul_create_project",
)
@no_personal_data
def create_project(request: HttpRequest, code: str, payload: ProjectIn) -> Status[Any]:
    """Draft a project for a village (village leader)."""
    j = _jurisdiction(request)
    village = j.village_for_step(code, Step.EDIT_PROJECT)
    resolution = None
    if payload.resolution_id is not None:
        resolution = Resolution.objects.filter(
            pk=payload.resolution_id, assembly__village=village
        ).first()
        if resolution is None:
            raise ValidationFailedError(
                gettext("The village has no assembly resolution with that id.")
            )
    round_ = None
    if payload.round_code:
        round_ = get_round(payload.round_code)
        if round_.country != village.area.country:
            raise NotFoundError(
                gettext("There is no programme round %(code)s.") % {"code": round_.code}
            )
    fields = payload.model_dump(
        exclude={"title", "category", "resolution_id", "round_code", "lines"}
    )
    project = do_create_project(
        j.actor,
        village,
        title=payload.title,
        category=payload.category,
        round_=round_,
        resolution=resolution,
        lines=[BoqLine(**line.model_dump()) for line in payload.lines],
        **fields,
    )
    return Status(201, _project_out(project))


@router.get(
    "/projects/{public_id}", response={200: ProjectOut, 404: ErrorOut}, url_name="saemaul_project"
)
@no_personal_data
def project_detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    """A project with its bill of quantities and history."""
    return _project_out(_jurisdiction(request).project_by_id(public_id))


STEP_RESPONSES = {200: ProjectOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/projects/{public_id}/submit", response=STEP_RESPONSES, url_name="saemaul_submit_project"
)
@no_personal_data
def submit_project(
    request: HttpRequest, public_id: str, payload: SaemaulVersionIn
) -> dict[str, Any]:
    """Send a project to the eup/myeon office; refused (422) without an adopted resolution."""
    j = _jurisdiction(request)
    project = j.project_for_step(public_id, Step.SUBMIT_PROJECT)
    return _project_out(do_submit_project(j.actor, project, expected_version=payload.version))


@router.post(
    "/projects/{public_id}/check", response=STEP_RESPONSES, url_name="saemaul_check_project"
)
@no_personal_data
def check_project(request: HttpRequest, public_id: str, payload: CheckIn) -> dict[str, Any]:
    """The eup/myeon office passes a submitted project to the county."""
    j = _jurisdiction(request)
    project = j.project_for_step(public_id, Step.CHECK_PROJECT)
    return _project_out(
        do_check_project(j.actor, project, expected_version=payload.version, note=payload.note)
    )


@router.post(
    "/projects/{public_id}/approve", response=STEP_RESPONSES, url_name="saemaul_approve_project"
)
@no_personal_data
def approve_project(request: HttpRequest, public_id: str, payload: ApproveIn) -> dict[str, Any]:
    """The county approves a checked project; its grant is then locked."""
    j = _jurisdiction(request)
    project = j.project_for_step(public_id, Step.APPROVE_PROJECT)
    return _project_out(
        do_approve_project(
            j.actor,
            project,
            expected_version=payload.version,
            approved_grant_krw=payload.approved_grant_krw,
            note=payload.note,
        )
    )


@router.post(
    "/projects/{public_id}/return", response=STEP_RESPONSES, url_name="saemaul_return_project"
)
@no_personal_data
def return_project(request: HttpRequest, public_id: str, payload: ReturnIn) -> dict[str, Any]:
    """Send a project back to the village for correction (eup/myeon: submitted ones;
    county: checked ones)."""
    j = _jurisdiction(request)
    project = j.project_for_step(public_id, Step.RETURN_PROJECT)
    refused = j.return_refused(project)
    if refused:
        raise ValidationFailedError(refused)
    return _project_out(
        do_return_project(j.actor, project, expected_version=payload.version, reason=payload.reason)
    )


@router.get(
    "/projects/{public_id}/photos",
    response={200: list[PhotoOut], 404: ErrorOut},
    url_name="saemaul_photos",
)
@no_personal_data
def list_photos(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    """A project's progress photos with their location checks."""
    project = _jurisdiction(request).project_by_id(public_id)
    return [_photo_out(p) for p in project.photos.select_related("project")]


@router.post(
    "/projects/{public_id}/photos",
    response={201: PhotoOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="saemaul_upload_photo",
)
@no_personal_data
def upload_photo(
    request: HttpRequest,
    public_id: str,
    *,
    stage: Form[str],
    photo: File[UploadedFile],
    progress_percent: Form[int] = 0,
    caption: Form[str] = "",
) -> Status[Any]:
    """Upload a progress photo (multipart); a photo without GPS or far from the site is kept
    and flagged."""
    j = _jurisdiction(request)
    project = j.project_for_step(public_id, Step.UPLOAD_PHOTO)
    evidence = do_add_evidence(
        j.actor,
        project,
        stage=stage,
        data=photo.read(READ_LIMIT + 1),  # a bigger file is refused as too large
        filename=photo.name or "",
        progress_percent=progress_percent,
        caption=caption,
    )
    return Status(201, _photo_out(evidence))
