"""Projects and their workflow steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gov3.core.errors import Gov3Error
from gov3.core.personal_data import no_personal_data
from gov3.saemaul.forms import (
    ApproveForm,
    BoqLineFormSet,
    CheckForm,
    PhotoReviewForm,
    ProjectForm,
    ReleaseTrancheForm,
    ReturnForm,
    VersionForm,
)
from gov3.saemaul.models import (
    ProgrammeRound,
    Project,
    ProjectStatus,
    Resolution,
    Tranche,
    TrancheStatus,
    Village,
)
from gov3.saemaul.queries import open_rounds, project_progress
from gov3.saemaul.services.ledgers import do_release_tranche
from gov3.saemaul.services.projects import (
    EDITABLE,
    BoqLine,
    do_approve_project,
    do_check_project,
    do_create_project,
    do_return_project,
    do_submit_project,
    do_update_project,
)
from gov3.saemaul.views.access import _context, _form_page, _post_step, saemaul_view
from gov3.saemaul.views.ledgers import PAYABLE
from gov3.saemaul.web_access import AWAITS, Jurisdiction, Step


def _adopted_resolutions(village: Village) -> QuerySet[Resolution]:
    return (
        Resolution.objects.filter(assembly__village=village, adopted=True)
        .select_related("assembly")
        .order_by("-assembly__held_on", "number")
    )


def _lines(formset: Any) -> list[BoqLine]:
    return [
        BoqLine(
            description=row["description"],
            quantity=row["quantity"],
            unit=row["unit"],
            unit_price_krw=row.get("unit_price_krw") or 0,
            material=row.get("material") or "",
        )
        for row in formset.cleaned_data
        if row.get("description")
    ]


PROJECT_FIELDS = (
    "title",
    "category",
    "description",
    "infrastructure_item",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
    "requested_grant_krw",
    "community_cash_krw",
    "community_labour_days",
)


def _project_forms(
    request: HttpRequest, village: Village, project: Project | None = None
) -> tuple[ProjectForm, Any]:
    initial: dict[str, Any] = {}
    line_initial: list[dict[str, Any]] = []
    if project is not None:
        initial = {name: getattr(project, name) for name in PROJECT_FIELDS}
        initial |= {"resolution": project.resolution_id, "round": project.round_id}
        line_initial = [
            {
                "description": line.description,
                "material": line.material,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price_krw": line.unit_price_krw,
            }
            for line in project.lines.all()
        ]
    data = request.POST if request.method == "POST" else None
    rounds = open_rounds(village.area.country)
    if project is not None and project.round_id is not None:
        rounds = rounds | ProgrammeRound.objects.filter(pk=project.round_id)
    form = ProjectForm(
        data,
        initial=initial,
        resolutions=_adopted_resolutions(village),
        rounds=rounds.distinct(),
    )
    lines = BoqLineFormSet(data, initial=line_initial or None, prefix="lines")
    return form, lines


@saemaul_view
@no_personal_data
def project_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Draft a project for the village (submitted to the eup/myeon office later)."""
    the_village = j.village_for_step(code, Step.EDIT_PROJECT)
    form, lines = _project_forms(request, the_village)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in PROJECT_FIELDS if name not in ("title", "category")}
        try:
            project = do_create_project(
                j.actor,
                the_village,
                title=data["title"],
                category=data["category"],
                round_=data["round"],
                resolution=data["resolution"],
                lines=_lines(lines),
                **fields,
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The project was saved as a draft. Check it, then submit it.")
            )
            return redirect("saemaul:project", public_id=project.public_id)
    return _form_page(
        request,
        "saemaul/project_form.html",
        j,
        village=the_village,
        form=form,
        lines=lines,
        project=None,
    )


@saemaul_view
@no_personal_data
def project_edit(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """Correct a draft or returned project. After approval the amounts are locked."""
    project = j.project_for_step(public_id, Step.EDIT_PROJECT)
    form, lines = _project_forms(request, project.village, project)
    version = VersionForm(request.POST or None, initial={"version": project.version})
    if request.method == "POST" and form.is_valid() and lines.is_valid() and version.is_valid():
        data = form.cleaned_data
        changes = {
            name: data[name] for name in PROJECT_FIELDS if data[name] != getattr(project, name)
        }
        new_lines = _lines(lines)
        old_lines = [
            (line.description, line.material, line.quantity, line.unit, line.unit_price_krw)
            for line in project.lines.all()
        ]
        lines_changed = old_lines != [
            (b.description, b.material, b.quantity, b.unit, b.unit_price_krw) for b in new_lines
        ]
        resolution = data["resolution"]
        if resolution is not None and resolution.pk == project.resolution_id:
            resolution = None
        if data["round"] is not None and data["round"].pk != project.round_id:
            form.add_error("round", _("The round of a project cannot be changed."))
        else:
            try:
                do_update_project(
                    j.actor,
                    project,
                    expected_version=version.cleaned_data["version"],
                    lines=new_lines if lines_changed else None,
                    resolution=resolution,
                    **changes,
                )
            except Gov3Error as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The project was saved."))
                return redirect("saemaul:project", public_id=project.public_id)
    return _form_page(
        request,
        "saemaul/project_form.html",
        j,
        village=project.village,
        form=form,
        lines=lines,
        project=project,
        version=version,
    )


@saemaul_view
@no_personal_data
def project(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """A project: what, where, money, history, photos and the steps the user may take."""
    the_project = j.project_by_id(public_id)
    status = the_project.status
    can = {
        "edit": j.may(Step.EDIT_PROJECT) and status in EDITABLE,
        "submit": j.may(Step.SUBMIT_PROJECT) and status in EDITABLE,
        "photo": j.may(Step.UPLOAD_PHOTO),
        "check": j.may(Step.CHECK_PROJECT) and status == ProjectStatus.SUBMITTED,
        "approve": j.may(Step.APPROVE_PROJECT) and status == ProjectStatus.CHECKED,
        "return": AWAITS.get(j.level) == status,
        "review": j.may(Step.REVIEW_PHOTO),
        "use": j.may(Step.RECORD_MATERIAL_USE) and status in PAYABLE,
        "release": j.may(Step.RELEASE_TRANCHE) and status in PAYABLE,
    }
    tranches = list(the_project.tranches.all())
    initial = {"version": the_project.version}
    return render(
        request,
        "saemaul/project.html",
        _context(
            j,
            project=the_project,
            village=the_project.village,
            can=can,
            lines=the_project.lines.all(),
            decisions=the_project.decisions.all(),
            photos=the_project.photos.all(),
            tranches=tranches,
            next_tranche=next((t for t in tranches if t.status == TrancheStatus.PENDING), None),
            release_form=ReleaseTrancheForm(),
            progress=project_progress(the_project),
            version_form=VersionForm(initial=initial),
            check_form=CheckForm(initial=initial),
            return_form=ReturnForm(initial=initial),
            approve_form=ApproveForm(
                initial=initial | {"approved_grant_krw": the_project.requested_grant_krw}
            ),
            review_form=PhotoReviewForm(),
            locked=status in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED),
        ),
    )


def _project_step(
    request: HttpRequest,
    j: Jurisdiction,
    public_id: str,
    *,
    step: Step,
    form_class: type[Form],
    run: Callable[[Project, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Take one workflow step on a project; a refusal is shown on the project page."""
    the_project = j.project_for_step(public_id, step)
    _post_step(request, form_class(request.POST), lambda d: run(the_project, d), done)
    return redirect("saemaul:project", public_id=the_project.public_id)


@require_POST
@saemaul_view
@no_personal_data
def project_submit(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """Send the project to the eup/myeon office (needs an adopted assembly resolution)."""
    return _project_step(
        request,
        j,
        public_id,
        step=Step.SUBMIT_PROJECT,
        form_class=VersionForm,
        run=lambda p, d: do_submit_project(j.actor, p, expected_version=d["version"]),
        done=_("The project was submitted to the eup/myeon office."),
    )


@require_POST
@saemaul_view
@no_personal_data
def project_check(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """The eup/myeon office passes the project to the county."""
    return _project_step(
        request,
        j,
        public_id,
        step=Step.CHECK_PROJECT,
        form_class=CheckForm,
        run=lambda p, d: do_check_project(
            j.actor, p, expected_version=d["version"], note=d["note"]
        ),
        done=_("The project was checked and passed to the county."),
    )


@require_POST
@saemaul_view
@no_personal_data
def project_return(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """Send the project back to the village, saying what to correct."""
    the_project = j.project_by_id(public_id)
    refused = j.return_refused(the_project) if j.may(Step.RETURN_PROJECT) else None
    if refused:
        messages.error(request, refused)
        return redirect("saemaul:project", public_id=the_project.public_id)
    return _project_step(
        request,
        j,
        public_id,
        step=Step.RETURN_PROJECT,
        form_class=ReturnForm,
        run=lambda p, d: do_return_project(
            j.actor, p, expected_version=d["version"], reason=d["reason"]
        ),
        done=_("The project was returned to the village for correction."),
    )


@require_POST
@saemaul_view
@no_personal_data
def project_approve(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """The county approves the project; its grant is then locked."""
    return _project_step(
        request,
        j,
        public_id,
        step=Step.APPROVE_PROJECT,
        form_class=ApproveForm,
        run=lambda p, d: do_approve_project(
            j.actor,
            p,
            expected_version=d["version"],
            approved_grant_krw=d["approved_grant_krw"],
            note=d["note"],
        ),
        done=_("The project was approved; its grant is now locked."),
    )


@require_POST
@saemaul_view
@no_personal_data
def tranche_release(
    request: HttpRequest, j: Jurisdiction, public_id: str, number: int
) -> HttpResponse:
    """The county pays a tranche of the grant into the village fund; refused (and shown on the
    project page) until the progress photos meet the tranche's condition."""
    tranche = Tranche.objects.filter(project=j.project_by_id(public_id), number=number).first()
    if tranche is None:
        raise Http404
    return _project_step(
        request,
        j,
        public_id,
        step=Step.RELEASE_TRANCHE,
        form_class=ReleaseTrancheForm,
        run=lambda p, d: do_release_tranche(j.actor, tranche, on=d["released_on"]),
        done=_("Tranche %(number)s was paid into the village fund.") % {"number": number},
    )
