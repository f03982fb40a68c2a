"""The Saemaul API (/api/v1/saemaul/): the same records, steps and permissions as the pages.

Thin handlers: find the record within the caller's jurisdiction (outside it: 404), call one
``do_*`` command, return what changed. A refused command answers 4xx with
``{"detail": message}`` and changes nothing (see gov3.api.main for the status of each error).
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.core.spreadsheets import neutralise
from gov3.saemaul import dashboards, exchange, models
from gov3.saemaul.models import (
    UNITS,
    Assembly,
    Evaluation,
    EvidencePhoto,
    Material,
    MaterialUse,
    Project,
    ProjectStatus,
    Report,
    ReportStatus,
    Resolution,
    Tranche,
    Village,
    VillageClass,
    VillageFundEntry,
)
from gov3.saemaul.photos import READ_LIMIT
from gov3.saemaul.queries import (
    AREA_REPORT_LEVEL,
    fund_balance,
    get_round,
    project_progress,
    round_rankings,
    village_profile,
    villages_in,
)
from gov3.saemaul.services.assemblies import ResolutionInput, do_record_assembly
from gov3.saemaul.services.evaluation import do_classify_villages, do_record_evaluation
from gov3.saemaul.services.evidence import do_add_evidence
from gov3.saemaul.services.ledgers import (
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
)
from gov3.saemaul.services.projects import (
    BoqLine,
    do_approve_project,
    do_check_project,
    do_create_project,
    do_return_project,
    do_submit_project,
)
from gov3.saemaul.services.reports import (
    do_approve_report,
    do_prepare_report,
    do_return_report,
    do_submit_report,
)
from gov3.saemaul.web_access import AWAITS, REVIEWS, Jurisdiction, Step, jurisdiction_of

router = Router(tags=["saemaul"])

#: Largest page of a list.
MAX_LIMIT = 1000


@no_personal_data
def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    j = jurisdiction_of(request.user)
    if j is None:
        raise PermissionRefusedError(gettext("You have no role in the Saemaul programme."))
    return j


@no_personal_data
def _village_step(request: HttpRequest, code: str, step: Step) -> tuple[Jurisdiction, Village]:
    """The caller's jurisdiction and the village (404 outside it) if their level takes the step
    (otherwise 403)."""
    j = _jurisdiction(request)
    village = j.village_by_code(code)
    j.require(step)
    return j, village


@no_personal_data
def _project_step(request: HttpRequest, public_id: str, step: Step) -> tuple[Jurisdiction, Project]:
    """The caller's jurisdiction and the project (404 outside it) if their level takes the step
    (otherwise 403)."""
    j = _jurisdiction(request)
    project = j.project_by_id(public_id)
    j.require(step)
    return j, project


def _scope(j: Jurisdiction, area_code: str | None) -> QuerySet[Village]:
    if not area_code:
        return j.villages()
    area = j.area_by_code(area_code)
    return j.villages().filter(pk__in=villages_in(area).values("pk"))


# --- schemas --------------------------------------------------------------------------------


class VillageOut(Schema):
    """A village in a list."""

    code: str
    public_id: str
    name_local: str
    name_en: str
    area_code: str
    area_name: str
    households: int
    population: int
    latitude: float | None
    longitude: float | None
    village_class: str


class VillageList(Schema):
    """A page of villages."""

    count: int
    items: list[VillageOut]


class ChecklistItemOut(Schema):
    """A line of the infrastructure checklist."""

    item: str
    label: str
    done: bool
    completed_year: int | None


class PersonOut(Schema):
    """A leader or a member of a village body."""

    role: str
    name: str
    sex: str
    since: date


class ClassOut(Schema):
    """A village's class in a year."""

    year: int
    village_class: str
    promoted: bool


class ProjectSummaryOut(Schema):
    """A project in a list."""

    public_id: str
    village_code: str
    title: str
    category: str
    status: str
    version: int


class VillageDetailOut(VillageOut):
    """A village's profile."""

    infrastructure: list[ChecklistItemOut]
    leaders: list[PersonOut]
    committee: list[PersonOut]
    womens_association: list[PersonOut]
    fund_balance_krw: int
    classes: list[ClassOut]
    projects: list[ProjectSummaryOut]


class ResolutionIn(InputSchema):
    """A decision put to the vote."""

    length_models = (models.Resolution,)

    title: str
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0
    text: str = ""


class AssemblyIn(InputSchema):
    """A general assembly to record."""

    length_models = (models.Assembly,)

    held_on: date
    eligible_members: int
    attended_men: int
    attended_women: int
    place: str = ""
    chaired_by: str = ""
    minutes: str = ""
    resolutions: list[ResolutionIn] = []


class ResolutionOut(Schema):
    """A resolution and whether it was adopted."""

    id: int
    number: int
    title: str
    votes_for: int
    votes_against: int
    abstentions: int
    adopted: bool


class AssemblyOut(Schema):
    """A recorded assembly."""

    id: int
    village_code: str
    held_on: date
    place: str
    eligible_members: int
    attended_men: int
    attended_women: int
    quorum_percent: int
    quorum_met: bool
    resolutions: list[ResolutionOut]


class BoqLineIn(InputSchema):
    """A line of the bill of quantities."""

    length_models = (models.ProjectLine,)

    description: str
    quantity: str
    unit: str
    unit_price_krw: int = 0
    material: str = ""


class ProjectIn(InputSchema):
    """A project to draft."""

    length_models = (models.Project,)

    title: str
    category: str
    description: str = ""
    resolution_id: int | None = None
    round_code: str | None = None
    infrastructure_item: str = ""
    latitude: float | None = None
    longitude: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    requested_grant_krw: int = 0
    community_cash_krw: int = 0
    community_labour_days: int = 0
    lines: list[BoqLineIn] = []


class BoqLineOut(Schema):
    """A line of the bill of quantities."""

    position: int
    description: str
    material: str
    quantity: str
    unit: str
    unit_price_krw: int
    amount_krw: int


class ProjectDecisionOut(Schema):
    """A step of a project's history."""

    action: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    note: str


class ProjectOut(ProjectSummaryOut):
    """A project with its money, lines and history."""

    description: str
    resolution_id: int | None
    round_code: str | None
    latitude: float | None
    longitude: float | None
    estimated_cost_krw: int
    requested_grant_krw: int
    community_cash_krw: int
    community_labour_days: int
    approved_grant_krw: int | None
    locked: bool
    return_reason: str
    lines: list[BoqLineOut]
    history: list[ProjectDecisionOut]


class SaemaulVersionIn(InputSchema):
    """The version of the project or report the caller saw."""

    length_models = (models.ProjectDecision,)

    version: int


class CheckIn(SaemaulVersionIn):
    """The eup/myeon check."""

    note: str = ""


class ReturnIn(SaemaulVersionIn):
    """A return for correction."""

    reason: str


class ApproveIn(SaemaulVersionIn):
    """The county's approval; the grant defaults to what was requested."""

    approved_grant_krw: int | None = None
    note: str = ""


class PhotoOut(Schema):
    """A progress photo and what its location check found."""

    public_id: str
    project_id: str
    stage: str
    flag: str
    flagged: bool
    flag_text: str
    latitude: float | None
    longitude: float | None
    distance_m: float | None
    threshold_m: int
    taken_at: datetime | None
    progress_percent: int
    caption: str
    review: str
    uploaded_at: datetime


class ReportIn(InputSchema):
    """A month to prepare the caller's own report for."""

    length_models = (models.Report,)

    year: int
    month: int
    narrative: str | None = None


class ReportOut(Schema):
    """A monthly report of one level of the chain."""

    id: int
    level: str
    unit_code: str
    unit_name: str
    year: int
    month: int
    status: str
    locked: bool
    version: int
    figures: dict[str, int]
    narrative: str
    reviewed_by: str
    return_reason: str


class MaterialOut(Schema):
    """Allocated, delivered and used quantities of one material."""

    material: str
    unit: str
    allocated: int
    delivered: int
    used: int


class DashboardOut(Schema):
    """The figures behind the dashboard pictures."""

    area_code: str | None
    villages: int
    villages_located: int
    classes_now: dict[str, int]
    classes_by_year: dict[str, dict[str, int]]
    materials: list[MaterialOut]
    projects_by_status: dict[str, int]


class RankedOut(Schema):
    """A village's place in a round's evaluation."""

    rank: int
    village_code: str
    village_name: str
    total: int
    showed_results: bool


class MaterialUseIn(InputSchema):
    """Delivered material put into one of the village's approved projects."""

    length_models = (models.MaterialUse,)

    project_id: str
    material: str
    quantity: int
    used_on: date
    note: str = ""


class MaterialUseOut(Schema):
    """A recorded use of material."""

    id: int
    village_code: str
    project_id: str
    material: str
    unit: str
    quantity: int
    used_on: date
    note: str
    actor: str


class FundEntryIn(InputSchema):
    """Money into the village fund (contribution, income, other) or out of it (expense);
    ``amount_krw`` is positive."""

    length_models = (models.VillageFundEntry,)

    kind: str
    amount_krw: int
    entry_on: date
    note: str = ""
    project_id: str | None = None


class FundEntryOut(Schema):
    """A village fund ledger entry (amount positive in, negative out)."""

    id: int
    kind: str
    amount_krw: int
    balance_after_krw: int
    entry_on: date
    project_id: str | None
    tranche: int | None
    note: str
    actor: str


class FundOut(Schema):
    """The village fund: balance and entries, newest first."""

    village_code: str
    balance_krw: int
    entries: list[FundEntryOut]


class TrancheOut(Schema):
    """A part of an approved grant and its release condition."""

    number: int
    amount_krw: int
    min_progress_percent: int
    status: str
    released_on: date | None
    released_by: str


class TranchesOut(Schema):
    """A project's tranches and the progress its photos show."""

    project_id: str
    progress_percent: int
    tranches: list[TrancheOut]


class ReleaseIn(InputSchema):
    """The day a tranche is paid into the village fund."""

    released_on: date


class EvaluationIn(InputSchema):
    """A village's evaluation: points per rubric criterion (``showed_results`` only for a
    round without a rubric or without a pass score)."""

    length_models = (models.Evaluation,)

    village_code: str
    scores: dict[str, int] = {}
    showed_results: bool | None = None
    evaluated_on: date
    note: str = ""


class EvaluationOut(Schema):
    """A village's evaluation in a round."""

    round_code: str
    village_code: str
    village_name: str
    scores: dict[str, int]
    total: int
    showed_results: bool
    evaluated_on: date
    evaluated_by: str
    note: str


class ClassifyIn(InputSchema):
    """The year to classify, for the caller's area or one area in it."""

    year: int
    area_code: str | None = None


class ClassificationOut(Schema):
    """What a classification run did."""

    year: int
    area_code: str | None
    classified: int
    already_classified: int
    missing_figures: int
    promoted: int
    counts: dict[str, int]


# --- converters -----------------------------------------------------------------------------


def _village_out(village: Village) -> dict[str, Any]:
    return {
        "code": village.code,
        "public_id": str(village.public_id),
        "name_local": village.name_local,
        "name_en": village.name_en,
        "area_code": village.area.code,
        "area_name": village.area.name_local,
        "households": village.households,
        "population": village.population,
        "latitude": village.latitude,
        "longitude": village.longitude,
        "village_class": village.village_class,
    }


def _summary(project: Project) -> dict[str, Any]:
    return {
        "public_id": str(project.public_id),
        "village_code": project.village.code,
        "title": project.title,
        "category": project.category,
        "status": project.status,
        "version": project.version,
    }


def _project_out(project: Project) -> dict[str, Any]:
    return _summary(project) | {
        "description": project.description,
        "resolution_id": project.resolution_id,
        "round_code": project.round.code if project.round else None,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "estimated_cost_krw": project.estimated_cost_krw,
        "requested_grant_krw": project.requested_grant_krw,
        "community_cash_krw": project.community_cash_krw,
        "community_labour_days": project.community_labour_days,
        "approved_grant_krw": project.approved_grant_krw,
        "locked": project.status in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED),
        "return_reason": project.return_reason,
        "lines": [
            {
                "position": line.position,
                "description": line.description,
                "material": line.material,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price_krw": line.unit_price_krw,
                "amount_krw": line.amount_krw,
            }
            for line in project.lines.all()
        ],
        "history": [
            {
                "action": d.action,
                "from_status": d.from_status,
                "to_status": d.to_status,
                "actor": d.actor,
                "at": d.at,
                "note": d.note,
            }
            for d in project.decisions.all()
        ],
    }


def _assembly_out(assembly: Assembly) -> dict[str, Any]:
    return {
        "id": assembly.pk,
        "village_code": assembly.village.code,
        "held_on": assembly.held_on,
        "place": assembly.place,
        "eligible_members": assembly.eligible_members,
        "attended_men": assembly.attended_men,
        "attended_women": assembly.attended_women,
        "quorum_percent": assembly.quorum_percent,
        "quorum_met": assembly.quorum_met,
        "resolutions": [
            {
                "id": r.pk,
                "number": r.number,
                "title": r.title,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "abstentions": r.abstentions,
                "adopted": r.adopted,
            }
            for r in assembly.resolutions.all()
        ],
    }


def _photo_out(photo: EvidencePhoto) -> dict[str, Any]:
    return {
        "public_id": str(photo.public_id),
        "project_id": str(photo.project.public_id),
        "stage": photo.stage,
        "flag": photo.flag,
        "flagged": photo.flagged,
        "flag_text": str(photo.get_flag_display()),
        "latitude": photo.latitude,
        "longitude": photo.longitude,
        "distance_m": photo.distance_m,
        "threshold_m": photo.threshold_m,
        "taken_at": photo.taken_at,
        "progress_percent": photo.progress_percent,
        "caption": photo.caption,
        "review": photo.review,
        "uploaded_at": photo.uploaded_at,
    }


def _report_out(report: Report) -> dict[str, Any]:
    unit = report.village if report.village is not None else report.area
    assert unit is not None
    return {
        "id": report.pk,
        "level": report.level,
        "unit_code": unit.code,
        "unit_name": unit.name_local,
        "year": report.year,
        "month": report.month,
        "status": report.status,
        "locked": report.locked,
        "version": report.version,
        "figures": {k: v for k, v in report.figures.items() if isinstance(v, int)},
        "narrative": report.narrative,
        "reviewed_by": report.reviewed_by,
        "return_reason": report.return_reason,
    }


def _use_out(use: MaterialUse) -> dict[str, Any]:
    return {
        "id": use.pk,
        "village_code": use.village.code,
        "project_id": str(use.project.public_id),
        "material": use.material,
        "unit": str(UNITS[Material(use.material)]),
        "quantity": use.quantity,
        "used_on": use.used_on,
        "note": use.note,
        "actor": use.actor,
    }


def _fund_entry_out(entry: VillageFundEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "amount_krw": entry.amount_krw,
        "balance_after_krw": entry.balance_after_krw,
        "entry_on": entry.entry_on,
        "project_id": str(entry.project.public_id) if entry.project else None,
        "tranche": entry.tranche.number if entry.tranche else None,
        "note": entry.note,
        "actor": entry.actor,
    }


def _tranches_out(project: Project) -> dict[str, Any]:
    return {
        "project_id": str(project.public_id),
        "progress_percent": project_progress(project),
        "tranches": [
            {
                "number": t.number,
                "amount_krw": t.amount_krw,
                "min_progress_percent": t.min_progress_percent,
                "status": t.status,
                "released_on": t.released_on,
                "released_by": t.released_by,
            }
            for t in project.tranches.all()
        ],
    }


def _evaluation_out(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "round_code": evaluation.round.code,
        "village_code": evaluation.village.code,
        "village_name": evaluation.village.name_local,
        "scores": evaluation.scores,
        "total": evaluation.total,
        "showed_results": evaluation.showed_results,
        "evaluated_on": evaluation.evaluated_on,
        "evaluated_by": evaluation.evaluated_by,
        "note": evaluation.note,
    }


def _village_project(j: Jurisdiction, village: Village, public_id: str) -> Project:
    """One of the village's projects, by id (outside the jurisdiction: 404)."""
    project = j.project_by_id(public_id)
    if project.village_id != village.pk:
        raise ValidationFailedError(gettext("The village has no project with that id."))
    return project


def _people(rows: list[Any], role: Any) -> list[dict[str, Any]]:
    return [{"role": str(role(r)), "name": r.name, "sex": r.sex, "since": r.since} for r in rows]


# --- villages and assemblies ----------------------------------------------------------------


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
    j, village = _village_step(request, code, Step.RECORD_ASSEMBLY)
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


# --- projects -------------------------------------------------------------------------------


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
    j, village = _village_step(request, code, Step.EDIT_PROJECT)
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
    j, project = _project_step(request, public_id, Step.SUBMIT_PROJECT)
    return _project_out(do_submit_project(j.actor, project, expected_version=payload.version))


@router.post(
    "/projects/{public_id}/check", response=STEP_RESPONSES, url_name="saemaul_check_project"
)
@no_personal_data
def check_project(request: HttpRequest, public_id: str, payload: CheckIn) -> dict[str, Any]:
    """The eup/myeon office passes a submitted project to the county."""
    j, project = _project_step(request, public_id, Step.CHECK_PROJECT)
    return _project_out(
        do_check_project(j.actor, project, expected_version=payload.version, note=payload.note)
    )


@router.post(
    "/projects/{public_id}/approve", response=STEP_RESPONSES, url_name="saemaul_approve_project"
)
@no_personal_data
def approve_project(request: HttpRequest, public_id: str, payload: ApproveIn) -> dict[str, Any]:
    """The county approves a checked project; its grant is then locked."""
    j, project = _project_step(request, public_id, Step.APPROVE_PROJECT)
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
    j, project = _project_step(request, public_id, Step.RETURN_PROJECT)
    if AWAITS[j.level] != project.status:
        raise ValidationFailedError(
            gettext("The project is '%(status)s'; you cannot return it from there.")
            % {"status": project.get_status_display()}
        )
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
    j, project = _project_step(request, public_id, Step.UPLOAD_PHOTO)
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


# --- materials and money --------------------------------------------------------------------

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
    j, village = _village_step(request, code, Step.RECORD_MATERIAL_USE)
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
    j, village = _village_step(request, code, Step.RECORD_FUND_ENTRY)
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


# --- evaluation and classes -----------------------------------------------------------------


@router.get(
    "/rounds/{code}/evaluations",
    response={200: list[EvaluationOut], 404: ErrorOut},
    url_name="saemaul_evaluations",
)
@no_personal_data
def list_evaluations(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """A round's evaluations of the villages in the caller's jurisdiction."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    rows = Evaluation.objects.filter(round=round_, village__in=j.villages()).select_related(
        "round", "village"
    )
    return [_evaluation_out(e) for e in rows.order_by("village__code")[:MAX_LIMIT]]


@router.post(
    "/rounds/{code}/evaluations",
    response={200: EvaluationOut, **LEDGER_RESPONSES},
    url_name="saemaul_record_evaluation",
)
@no_personal_data
def record_evaluation(request: HttpRequest, code: str, payload: EvaluationIn) -> dict[str, Any]:
    """Record or correct a village's evaluation with the round's rubric (county); refused (422)
    for scores outside the rubric, or once a later round has allocated on these results."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    village = j.village_by_code(payload.village_code)
    j.require(Step.EVALUATE_VILLAGES)
    evaluation = do_record_evaluation(
        j.actor,
        round_,
        village,
        scores=payload.scores,
        evaluated_on=payload.evaluated_on,
        showed_results=payload.showed_results,
        note=payload.note,
    )
    return _evaluation_out(evaluation)


@router.post(
    "/classifications",
    response={200: ClassificationOut, **LEDGER_RESPONSES},
    url_name="saemaul_classify",
)
@no_personal_data
def classify(request: HttpRequest, payload: ClassifyIn) -> dict[str, Any]:
    """Compute the villages' classes for a year (province, central); a year is classified once,
    so a second run classifies only villages that were skipped."""
    j = _jurisdiction(request)
    j.require(Step.CLASSIFY_VILLAGES)
    area = j.area_by_code(payload.area_code) if payload.area_code else j.area
    outcome = do_classify_villages(j.actor, payload.year, country=j.country, area=area)
    return {
        "year": outcome.year,
        "area_code": area.code if area else None,
        "classified": outcome.classified,
        "already_classified": outcome.already_classified,
        "missing_figures": outcome.missing_figures,
        "promoted": outcome.promoted,
        "counts": {k: outcome.counts.get(k, 0) for k in VillageClass.values},
    }


# --- reports --------------------------------------------------------------------------------


@router.get("/reports", response=list[ReportOut], url_name="saemaul_reports")
@no_personal_data
def list_reports(
    request: HttpRequest, status: str | None = None, to_review: bool = False
) -> list[dict[str, Any]]:
    """Reports in the caller's jurisdiction; ``to_review=true``: only those waiting for the
    caller's approval."""
    j = _jurisdiction(request)
    reports = j.reports().select_related("village", "area")
    if to_review:
        level = REVIEWS.get(j.level)
        reports = reports.filter(level=level or "-", status=ReportStatus.SUBMITTED)
        return [_report_out(r) for r in reports[:MAX_LIMIT] if j.reviews(r)]
    if status:
        reports = reports.filter(status=status)
    return [_report_out(r) for r in reports.order_by("-year", "-month", "level")[:MAX_LIMIT]]


@router.post(
    "/reports",
    response={201: ReportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="saemaul_prepare_report",
)
@no_personal_data
def prepare_report(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    """Prepare (or refresh) the caller's own report for a month; an approved one is locked."""
    j = _jurisdiction(request)
    if j.village is None and (j.area is None or j.area.level not in AREA_REPORT_LEVEL):
        raise PermissionRefusedError(gettext("Your level prepares no report."))
    report = do_prepare_report(
        j.actor,
        year=payload.year,
        month=payload.month,
        village=j.village,
        area=None if j.village is not None else j.area,
        narrative=payload.narrative,
    )
    return Status(201, _report_out(report))


@router.get(
    "/reports/{report_id}", response={200: ReportOut, 404: ErrorOut}, url_name="saemaul_report"
)
@no_personal_data
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """A report (404 outside the caller's jurisdiction)."""
    return _report_out(_jurisdiction(request).report_by_id(report_id))


REPORT_STEP_RESPONSES = {200: ReportOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _own(j: Jurisdiction, report: Report) -> bool:
    if report.village_id is not None:
        return report.village_id == j.assignment.village_id
    return report.area_id == j.assignment.area_id


@router.post(
    "/reports/{report_id}/submit",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_submit_report",
)
@no_personal_data
def submit_report(
    request: HttpRequest, report_id: int, payload: SaemaulVersionIn
) -> dict[str, Any]:
    """Send the caller's own report to the level above."""
    j = _jurisdiction(request)
    report = j.report_by_id(report_id)
    if not _own(j, report):
        raise PermissionRefusedError(gettext("Only the level that prepared a report submits it."))
    return _report_out(do_submit_report(j.actor, report, expected_version=payload.version))


def _reviewable(j: Jurisdiction, report_id: int) -> Report:
    report = j.report_by_id(report_id)
    if not j.reviews(report):
        raise PermissionRefusedError(gettext("Only the level directly above reviews this report."))
    return report


@router.post(
    "/reports/{report_id}/approve",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_approve_report",
)
@no_personal_data
def approve_report(
    request: HttpRequest, report_id: int, payload: SaemaulVersionIn
) -> dict[str, Any]:
    """Approve the report of the level below; its period is locked from then on (409 after)."""
    j = _jurisdiction(request)
    report = _reviewable(j, report_id)
    return _report_out(do_approve_report(j.actor, report, expected_version=payload.version))


@router.post(
    "/reports/{report_id}/return",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_return_report",
)
@no_personal_data
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn) -> dict[str, Any]:
    """Send the report of the level below back for correction."""
    j = _jurisdiction(request)
    report = _reviewable(j, report_id)
    return _report_out(
        do_return_report(j.actor, report, expected_version=payload.version, reason=payload.reason)
    )


# --- dashboards, results, exports -----------------------------------------------------------


@router.get("/dashboard", response={200: DashboardOut, 404: ErrorOut}, url_name="saemaul_dashboard")
@no_personal_data
def dashboard(request: HttpRequest, area: str | None = None) -> dict[str, Any]:
    """The figures of the dashboard pictures, for the caller's jurisdiction or one area in it."""
    villages = _scope(_jurisdiction(request), area)
    now = {
        row["village_class"]: row["n"]
        for row in villages.values("village_class").annotate(n=Count("id")).order_by()
    }
    return {
        "area_code": area or None,
        "villages": villages.count(),
        "villages_located": villages.filter(
            latitude__isnull=False, longitude__isnull=False
        ).count(),
        "classes_now": now,
        "classes_by_year": {
            str(year): counts for year, counts in dashboards.class_counts(villages).items()
        },
        "materials": [
            {
                "material": m.material,
                "unit": str(UNITS[Material(m.material)]),
                "allocated": m.allocated,
                "delivered": m.delivered,
                "used": m.used,
            }
            for m in dashboards.material_rows(villages)
        ],
        "projects_by_status": {key: n for key, _, n in dashboards.status_counts(villages)},
    }


@router.get(
    "/rounds/{code}/rankings",
    response={200: list[RankedOut], 404: ErrorOut},
    url_name="saemaul_rankings",
)
@no_personal_data
def rankings(request: HttpRequest, code: str, area: str | None = None) -> list[dict[str, Any]]:
    """A round's evaluation ranking of the villages in the caller's jurisdiction."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    ranking_area = j.area_by_code(area) if area else j.area
    visible = set(_scope(j, area).values_list("pk", flat=True))
    return [
        {
            "rank": r.rank,
            "village_code": r.village.code,
            "village_name": r.village.name_local,
            "total": r.total,
            "showed_results": r.showed_results,
        }
        for r in round_rankings(round_, ranking_area)
        if r.village.pk in visible
    ]


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV = "text/csv; charset=utf-8"
JSON = "application/json"


@router.get("/exports/villages.csv", url_name="saemaul_export_villages_csv")
@no_personal_data
def export_villages_csv(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The villages in the caller's jurisdiction as CSV (the import format)."""
    villages = _scope(_jurisdiction(request), area)
    return _download(exchange.villages_csv(villages), CSV, "villages.csv")


@router.get("/exports/villages.json", url_name="saemaul_export_villages_json")
@no_personal_data
def export_villages_json(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The villages in the caller's jurisdiction as JSON (the import format)."""
    villages = _scope(_jurisdiction(request), area)
    return _download(exchange.villages_json(villages), JSON, "villages.json")


@router.get("/exports/villages.geojson", url_name="saemaul_export_villages_geojson")
@no_personal_data
def export_villages_geojson(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The located villages as a GeoJSON FeatureCollection (RFC 7946), for maps."""
    villages = _scope(_jurisdiction(request), area)
    body = json.dumps(exchange.villages_geojson(villages), ensure_ascii=False)
    return _download(body, "application/geo+json", "villages.geojson")


@router.get("/exports/projects.csv", url_name="saemaul_export_projects_csv")
@no_personal_data
def export_projects_csv(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The projects of the caller's villages as CSV."""
    villages = _scope(_jurisdiction(request), area)
    projects = Project.objects.filter(village__in=villages)
    return _download(exchange.projects_csv(projects), CSV, "projects.csv")


@router.get("/exports/projects.json", url_name="saemaul_export_projects_json")
@no_personal_data
def export_projects_json(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The projects of the caller's villages as JSON."""
    villages = _scope(_jurisdiction(request), area)
    projects = Project.objects.filter(village__in=villages)
    return _download(exchange.projects_json(projects), JSON, "projects.json")


def _result_records(j: Jurisdiction, code: str, area: str | None) -> tuple[Any, list[Any]]:
    round_ = j.round_by_code(code)
    visible = set(_scope(j, area).values_list("code", flat=True))
    records = [r for r in exchange.result_records(round_) if r["village_code"] in visible]
    return round_, records


@router.get("/exports/results.csv", url_name="saemaul_export_results_csv")
@no_personal_data
def export_results_csv(request: HttpRequest, round: str, area: str | None = None) -> HttpResponse:
    """A round's evaluation results for the caller's villages as CSV (the import format)."""
    round_, records = _result_records(_jurisdiction(request), round, area)
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=exchange.result_columns(round_), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows({k: "" if v is None else neutralise(v) for k, v in r.items()} for r in records)
    return _download(out.getvalue(), CSV, f"results-{round_.code}.csv")


@router.get("/exports/results.json", url_name="saemaul_export_results_json")
@no_personal_data
def export_results_json(request: HttpRequest, round: str, area: str | None = None) -> HttpResponse:
    """A round's evaluation results for the caller's villages as JSON."""
    round_, records = _result_records(_jurisdiction(request), round, area)
    body = json.dumps(records, ensure_ascii=False, indent=1, default=str)
    return _download(body, JSON, f"results-{round_.code}.json")
