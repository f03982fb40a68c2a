"""Saemaul pages for each programme role: village leaders, eup/myeon, county, province, centre.

Thin views: parse the form, find the record within the user's jurisdiction (anything outside
it is "not found"), call one ``do_*`` command, show the result. A refused command changes
nothing; its message is shown as an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gov3.accounts.models import User
from gov3.core.errors import Gov3Error, NotFoundError, PermissionRefusedError
from gov3.core.personal_data import no_personal_data
from gov3.registry.models import Area, AreaLevel
from gov3.saemaul import dashboards
from gov3.saemaul.forms import (
    ApproveForm,
    AreaForm,
    AssemblyForm,
    BoqLineFormSet,
    CheckForm,
    ClassifyForm,
    DeliveryForm,
    EvaluationForm,
    FundEntryForm,
    MaterialUseForm,
    PhotoForm,
    PhotoReviewForm,
    ProjectForm,
    ReleaseTrancheForm,
    ReportForm,
    ResolutionFormSet,
    ReturnForm,
    VersionForm,
)
from gov3.saemaul.models import (
    Allocation,
    Assembly,
    Delivery,
    Depot,
    DepotLevel,
    Evaluation,
    EvidencePhoto,
    Material,
    PhotoFlag,
    ProgrammeRound,
    Project,
    ProjectStatus,
    Report,
    ReportLevel,
    ReportStatus,
    Resolution,
    ReviewStatus,
    StockEntry,
    Tranche,
    TrancheStatus,
    Village,
    VillageClass,
)
from gov3.saemaul.photos import READ_LIMIT
from gov3.saemaul.queries import (
    AREA_REPORT_LEVEL,
    allocation_remaining,
    child_reports,
    fund_balance,
    open_rounds,
    project_progress,
    reference_figures,
    round_rankings,
    stock_position,
    village_profile,
    villages_in,
)
from gov3.saemaul.services.assemblies import ResolutionInput, do_record_assembly
from gov3.saemaul.services.evaluation import do_classify_villages, do_record_evaluation
from gov3.saemaul.services.evidence import do_add_evidence, do_review_evidence
from gov3.saemaul.services.ledgers import (
    do_deliver_materials,
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
)
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
from gov3.saemaul.services.reports import (
    do_approve_report,
    do_prepare_report,
    do_return_report,
    do_submit_report,
)
from gov3.saemaul.web_access import AWAITS, REVIEWS, Jurisdiction, Step, jurisdiction_of

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50

#: Labels of the figures of monthly reports (keys from queries.village_month_figures).
FIGURE_LABELS = {
    "assemblies": gettext_lazy("Assemblies held"),
    "attended_men": gettext_lazy("Men attending"),
    "attended_women": gettext_lazy("Women attending"),
    "resolutions_adopted": gettext_lazy("Resolutions adopted"),
    "projects_submitted": gettext_lazy("Projects submitted"),
    "projects_approved": gettext_lazy("Projects approved"),
    "projects_completed": gettext_lazy("Projects completed"),
    "photos": gettext_lazy("Progress photos"),
    "photos_flagged": gettext_lazy("Photos flagged"),
    "fund_in_krw": gettext_lazy("Village fund: money in (KRW)"),
    "fund_out_krw": gettext_lazy("Village fund: money out (KRW)"),
    "fund_balance_krw": gettext_lazy("Village fund balance (KRW)"),
    "reports_expected": gettext_lazy("Reports expected from the level below"),
    "reports_approved": gettext_lazy("Reports approved from the level below"),
    "delivered_cement": gettext_lazy("Cement delivered (bags)"),
    "delivered_steel": gettext_lazy("Steel delivered (kg)"),
    "delivered_rebar": gettext_lazy("Reinforcing bars delivered (kg)"),
    "delivered_cash": gettext_lazy("Cash delivered (KRW)"),
    "used_cement": gettext_lazy("Cement used (bags)"),
    "used_steel": gettext_lazy("Steel used (kg)"),
    "used_rebar": gettext_lazy("Reinforcing bars used (kg)"),
    "used_cash": gettext_lazy("Cash used (KRW)"),
}


def saemaul_view(view: View) -> View:
    """Only users with a programme role (officers signed in with their second factor).

    The view receives the user's ``Jurisdiction``; a record outside it is "not found", a step
    the user's level does not take is "forbidden".
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "portal:login")
        verified = getattr(user, "is_verified", lambda: False)()
        if isinstance(user, User) and not user.is_citizen and not verified:
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        jurisdiction = jurisdiction_of(user)
        if jurisdiction is None:
            return render(request, "saemaul/no_role.html", status=403)
        try:
            return view(request, jurisdiction, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except PermissionRefusedError as error:
            raise PermissionDenied(str(error)) from None

    return wrapped


@no_personal_data
def _refused(request: HttpRequest, error: Gov3Error) -> None:
    messages.error(request, str(error))


def _context(j: Jurisdiction, **extra: Any) -> dict[str, Any]:
    return {"j": j, "Step": Step, **extra}


@no_personal_data
def _form_step(request: HttpRequest, form: Form, run: Callable[[dict[str, Any]], Any]) -> Any:
    """Run one command with a POSTed form's data: its result when done, None when the input
    was wrong or the command refused it (the refusal becomes the form's error; nothing was
    changed)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return run(form.cleaned_data)
    except Gov3Error as error:
        form.add_error(None, str(error))
        return None


def _post_step(
    request: HttpRequest, form: Form, run: Callable[[dict[str, Any]], Any], done: str
) -> None:
    """Run one workflow step posted from a record's page; every input error or the refusal
    becomes an error message there (nothing was changed), success a success message."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return
    try:
        run(form.cleaned_data)
    except Gov3Error as error:
        _refused(request, error)
    else:
        messages.success(request, done)


def _form_page(
    request: HttpRequest, template: str, j: Jurisdiction, **context: Any
) -> HttpResponse:
    """A form page; shown again after a POST only when the input was wrong or refused."""
    return render(
        request,
        template,
        _context(j, **context),
        status=400 if request.method == "POST" else 200,
    )


# --- home and villages ----------------------------------------------------------------------


@saemaul_view
@no_personal_data
def home(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The user's starting page: their village, or the work waiting in their area."""
    if j.is_village:
        assert j.village is not None
        return redirect("saemaul:village", code=j.village.code)
    return render(
        request,
        "saemaul/home.html",
        _context(
            j,
            queue=_queue(j).count(),
            reports=_reports_to_review(j).count(),
            flagged=_flagged_photos(j).count(),
            villages=j.villages().count(),
        ),
    )


@saemaul_view
@no_personal_data
def villages(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The villages in the user's jurisdiction, by name or code, filtered by class."""
    rows = j.villages().select_related("area").order_by("code")
    q = request.GET.get("q", "").strip()[:100]
    klass = request.GET.get("class", "")
    if q:
        rows = rows.filter(Q(name_local__icontains=q) | Q(name_en__icontains=q) | Q(code=q))
    if klass in VillageClass.values:
        rows = rows.filter(village_class=klass)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "saemaul/villages.html",
        _context(
            j,
            page=page,
            q=q,
            klass=klass,
            classes=VillageClass.choices,
            query=urlencode({"q": q, "class": klass}) + "&",
        ),
    )


@saemaul_view
@no_personal_data
def village(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """A village's profile: checklist, leaders, bodies, fund, materials, classes, projects."""
    the_village = j.village_by_code(code)
    profile = village_profile(the_village)
    assemblies = the_village.assemblies.annotate(
        adopted=Count("resolutions", filter=Q(resolutions__adopted=True))
    ).order_by("-held_on")[:20]
    return render(
        request,
        "saemaul/village.html",
        _context(
            j,
            village=the_village,
            profile=profile,
            assemblies=assemblies,
            evaluations=the_village.evaluations.select_related("round").order_by("-round__year"),
            materials=dashboards.material_rows(Village.objects.filter(pk=the_village.pk)),
            location=dashboards.village_map(
                j.villages().filter(area=the_village.area),
                area=the_village.area,
                highlight=the_village.code,
            ),
            deliveries=the_village.deliveries.select_related("depot", "allocation__round")[:20],
        ),
    )


# --- assemblies -----------------------------------------------------------------------------


@saemaul_view
@no_personal_data
def assembly_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record a general assembly: attendance by sex and the resolutions voted on."""
    the_village = j.village_by_code(code)
    j.require(Step.RECORD_ASSEMBLY)
    form = AssemblyForm(request.POST or None)
    resolutions = ResolutionFormSet(request.POST or None, prefix="resolutions")
    if request.method == "POST" and form.is_valid() and resolutions.is_valid():
        data = form.cleaned_data
        inputs = [
            ResolutionInput(
                title=r["title"],
                votes_for=r.get("votes_for") or 0,
                votes_against=r.get("votes_against") or 0,
                abstentions=r.get("abstentions") or 0,
            )
            for r in resolutions.cleaned_data
            if r.get("title")
        ]
        try:
            assembly = do_record_assembly(
                j.actor,
                the_village,
                held_on=data["held_on"],
                eligible_members=data["eligible_members"],
                attended_men=data["attended_men"],
                attended_women=data["attended_women"],
                resolutions=inputs,
                place=data["place"],
                chaired_by=data["chaired_by"],
                minutes=data["minutes"],
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            if assembly.quorum_met:
                messages.success(request, _("The assembly was recorded."))
            else:
                messages.warning(
                    request,
                    _(
                        "The assembly was recorded, but it did not reach its quorum: no "
                        "resolution was adopted."
                    ),
                )
            return redirect("saemaul:assembly", code=the_village.code, pk=assembly.pk)
    return _form_page(
        request,
        "saemaul/assembly_form.html",
        j,
        village=the_village,
        form=form,
        resolutions=resolutions,
    )


@saemaul_view
@no_personal_data
def assembly(request: HttpRequest, j: Jurisdiction, code: str, pk: int) -> HttpResponse:
    """An assembly: attendance, quorum and resolutions."""
    the_village = j.village_by_code(code)
    the_assembly = Assembly.objects.filter(village=the_village, pk=pk).first()
    if the_assembly is None:
        raise Http404
    return render(
        request,
        "saemaul/assembly.html",
        _context(
            j,
            village=the_village,
            assembly=the_assembly,
            resolutions=the_assembly.resolutions.all(),
        ),
    )


# --- projects -------------------------------------------------------------------------------


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
    the_village = j.village_by_code(code)
    j.require(Step.EDIT_PROJECT)
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
    project = j.project_by_id(public_id)
    j.require(Step.EDIT_PROJECT)
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
    the_project = j.project_by_id(public_id)
    j.require(step)
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
    if j.may(Step.RETURN_PROJECT) and AWAITS.get(j.level) != the_project.status:
        messages.error(
            request,
            _("The project is '%(status)s'; you cannot return it from there.")
            % {"status": the_project.get_status_display()},
        )
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


# --- photos ---------------------------------------------------------------------------------


@saemaul_view
@no_personal_data
def photo_new(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """Upload a before/during/after photo; its location is compared with the site."""
    the_project = j.project_by_id(public_id)
    j.require(Step.UPLOAD_PHOTO)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            photo = do_add_evidence(
                j.actor,
                the_project,
                stage=form.cleaned_data["stage"],
                data=upload.read(READ_LIMIT + 1),  # a bigger file is refused as too large
                filename=upload.name or "",
                progress_percent=form.cleaned_data["progress_percent"],
                caption=form.cleaned_data["caption"],
            )
        except Gov3Error as error:
            form.add_error("photo", str(error))
        else:
            if photo.flagged:
                messages.warning(
                    request,
                    _("The photo was kept but flagged for an officer's review: %(flag)s.")
                    % {"flag": photo.get_flag_display()},
                )
            else:
                messages.success(request, _("The photo was added; it was taken at the site."))
            return redirect("saemaul:project", public_id=the_project.public_id)
    return _form_page(
        request,
        "saemaul/photo_form.html",
        j,
        project=the_project,
        village=the_project.village,
        form=form,
    )


@saemaul_view
@no_personal_data
def photo_file(request: HttpRequest, j: Jurisdiction, public_id: str) -> FileResponse:
    """The photo itself, only for users who may see its village."""
    photo = j.photo_by_id(public_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@saemaul_view
@no_personal_data
def photo_review(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """An officer accepts a flagged photo as evidence, or rejects it with a reason."""
    photo = j.photo_by_id(public_id)
    j.require(Step.REVIEW_PHOTO)
    form = PhotoReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or reject the photo."))
    else:
        try:
            do_review_evidence(
                j.actor,
                photo,
                accepted=form.cleaned_data["decision"] == ReviewStatus.ACCEPTED,
                note=form.cleaned_data["note"],
            )
        except Gov3Error as error:
            _refused(request, error)
        else:
            messages.success(request, _("Your review of the photo was recorded."))
    return redirect("saemaul:project", public_id=photo.project.public_id)


# --- officers' work -------------------------------------------------------------------------


def _queue(j: Jurisdiction) -> QuerySet[Project]:
    waiting = AWAITS.get(j.level)
    if waiting is None:
        return Project.objects.none()
    return (
        Project.objects.filter(village__in=j.villages(), status=waiting)
        .select_related("village")
        .order_by("submitted_at", "pk")
    )


def _flagged_photos(j: Jurisdiction) -> QuerySet[EvidencePhoto]:
    if not j.may(Step.REVIEW_PHOTO):
        return EvidencePhoto.objects.none()
    return (
        EvidencePhoto.objects.filter(
            project__village__in=j.villages(), review=ReviewStatus.UNREVIEWED
        )
        .exclude(flag=PhotoFlag.NONE)
        .select_related("project__village")
        .order_by("uploaded_at")
    )


@saemaul_view
@no_personal_data
def queue(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Projects waiting for the user's decision, and flagged photos to review."""
    page = Paginator(_queue(j), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "saemaul/queue.html",
        _context(j, page=page, photos=_flagged_photos(j)[:PAGE_SIZE]),
    )


def _depots(j: Jurisdiction) -> QuerySet[Depot]:
    if j.is_village:
        return Depot.objects.none()
    area_ids = set(j.villages().values_list("area_id", flat=True).distinct())
    county_ids = set(Area.objects.filter(pk__in=area_ids).values_list("parent_id", flat=True))
    return Depot.objects.filter(
        Q(level=DepotLevel.EUP_MYEON, area_id__in=area_ids)
        | Q(level=DepotLevel.COUNTY, area_id__in=county_ids)
    ).select_related("area")


@saemaul_view
@no_personal_data
def materials(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Depot stock with the reserve rule, deliveries, and materials delivered vs used."""
    if j.is_village:
        raise PermissionDenied
    depot_list = list(_depots(j).order_by("code"))
    # The (material, round) pairs each depot holds, and their rounds, in one query each.
    held: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for depot_id, held_material, held_round_id in (
        StockEntry.objects.filter(depot__in=depot_list)
        .values_list("depot_id", "material", "round_id")
        .distinct()
        .order_by("depot_id", "material", "round_id")
    ):
        held[depot_id].append((held_material, held_round_id))
    round_ids = {pair[1] for pairs in held.values() for pair in pairs}
    rounds = {r.pk: r for r in ProgrammeRound.objects.filter(pk__in=round_ids)}
    depots = []
    for depot in depot_list:
        stocks = []
        for material, round_id in held[depot.pk]:
            round_ = rounds.get(round_id) if round_id is not None else None
            stocks.append(
                (Material(material).label, round_, stock_position(depot, material, round_))
            )
        depots.append((depot, stocks))
    deliveries = (
        Delivery.objects.filter(village__in=j.villages())
        .select_related("village", "depot", "allocation__round")
        .order_by("-delivered_on", "-pk")[:PAGE_SIZE]
    )
    return render(
        request,
        "saemaul/materials.html",
        _context(
            j,
            depots=depots,
            deliveries=deliveries,
            flow=dashboards.material_rows(j.villages()),
        ),
    )


@saemaul_view
@no_personal_data
def delivery_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record materials handed from a depot to a village, against its allocation."""
    the_village = j.village_by_code(code)
    j.require(Step.MANAGE_MATERIALS)
    allocations = list(
        Allocation.objects.filter(village=the_village).select_related("round").order_by("-pk")
    )
    depots = list(
        Depot.objects.filter(
            Q(level=DepotLevel.EUP_MYEON, area_id=the_village.area_id)
            | Q(level=DepotLevel.COUNTY, area_id=the_village.area.parent_id)
        ).order_by("code")
    )
    form = DeliveryForm(
        request.POST or None,
        initial={"delivered_on": timezone.localdate()},
        allocations=[(str(a.pk), a.round.name) for a in allocations],
        depots=[(str(d.pk), d.name) for d in depots],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allocation = next(a for a in allocations if str(a.pk) == data["allocation"])
        depot = next(d for d in depots if str(d.pk) == data["depot"])
        try:
            do_deliver_materials(
                j.actor,
                allocation,
                depot,
                material=data["material"],
                quantity=data["quantity"],
                on=data["delivered_on"],
                received_by=data["received_by"],
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The delivery was recorded."))
            return redirect("saemaul:village", code=the_village.code)
    remaining = [
        (a, [(line, allocation_remaining(a, line.material)) for line in a.lines.all()])
        for a in allocations
    ]
    return _form_page(
        request,
        "saemaul/delivery_form.html",
        j,
        village=the_village,
        form=form,
        remaining=remaining,
    )


PAYABLE = (ProjectStatus.APPROVED, ProjectStatus.COMPLETED)


def _choices(projects: QuerySet[Project]) -> dict[str, Project]:
    return {str(p.public_id): p for p in projects}


@saemaul_view
@no_personal_data
def material_use_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record delivered materials put into one of the village's approved projects."""
    the_village = j.village_by_code(code)
    j.require(Step.RECORD_MATERIAL_USE)
    projects = _choices(the_village.projects.filter(status__in=PAYABLE).order_by("-approved_at"))
    form = MaterialUseForm(
        request.POST or None,
        initial={"project": request.GET.get("project", "")},
        projects=[(key, p.title) for key, p in projects.items()],
    )
    if _form_step(
        request,
        form,
        lambda d: do_record_material_use(
            j.actor,
            projects[d["project"]],
            material=d["material"],
            quantity=d["quantity"],
            used_on=d["used_on"],
            note=d["note"],
        ),
    ):
        messages.success(request, _("The use of materials was recorded."))
        return redirect("saemaul:village", code=the_village.code)
    return _form_page(
        request,
        "saemaul/material_use_form.html",
        j,
        village=the_village,
        form=form,
        has_projects=bool(projects),
        materials=dashboards.material_rows(Village.objects.filter(pk=the_village.pk)),
        uses=the_village.material_use.select_related("project")[:PAGE_SIZE],
    )


@saemaul_view
@no_personal_data
def fund(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """The village fund ledger; the village records contributions, income and expenses."""
    the_village = j.village_by_code(code)
    if request.method == "POST":
        j.require(Step.RECORD_FUND_ENTRY)
    form = None
    if j.may(Step.RECORD_FUND_ENTRY):
        projects = _choices(the_village.projects.order_by("-created_at"))
        form = FundEntryForm(
            request.POST or None, projects=[(key, p.title) for key, p in projects.items()]
        )
        if _form_step(
            request,
            form,
            lambda d: do_record_fund_entry(
                j.actor,
                the_village,
                kind=d["kind"],
                amount_krw=d["amount_krw"],
                on=d["entry_on"],
                note=d["note"],
                project=projects.get(d["project"]),
            ),
        ):
            messages.success(request, _("The entry was added to the village fund ledger."))
            return redirect("saemaul:fund", code=the_village.code)
    entries = the_village.fund.select_related("project", "tranche").order_by("-pk")
    return _form_page(
        request,
        "saemaul/fund.html",
        j,
        village=the_village,
        form=form,
        balance=fund_balance(the_village),
        page=Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
    )


# --- evaluation and classes -----------------------------------------------------------------


def _round_villages(j: Jurisdiction, round_: ProgrammeRound) -> QuerySet[Village]:
    """The user's villages the round supported or has evaluated."""
    return j.villages().filter(
        Q(pk__in=Allocation.objects.filter(round=round_).values("village_id"))
        | Q(pk__in=Evaluation.objects.filter(round=round_).values("village_id"))
    )


@saemaul_view
@no_personal_data
def evaluations(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """The villages of a round in the user's area and their evaluations, to enter or correct."""
    round_ = j.round_by_code(code)
    j.require(Step.EVALUATE_VILLAGES)
    page = Paginator(_round_villages(j, round_).order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    done = {
        e.village_id: e
        for e in Evaluation.objects.filter(round=round_, village_id__in=[v.pk for v in page])
    }
    return render(
        request,
        "saemaul/evaluations.html",
        _context(
            j,
            round=round_,
            rounds=ProgrammeRound.objects.filter(country=j.country).order_by("-year", "code"),
            page=page,
            rows=[(v, done.get(v.pk)) for v in page],
            query="",
        ),
    )


@saemaul_view
@no_personal_data
def evaluation_edit(
    request: HttpRequest, j: Jurisdiction, code: str, village_code: str
) -> HttpResponse:
    """Enter (or correct) a village's evaluation with the round's rubric."""
    round_ = j.round_by_code(code)
    the_village = j.village_by_code(village_code)
    j.require(Step.EVALUATE_VILLAGES)
    current = Evaluation.objects.filter(round=round_, village=the_village).first()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {f"score_{k}": v for k, v in current.scores.items()} | {
            "evaluated_on": current.evaluated_on,
            "note": current.note,
            "showed_results": "yes" if current.showed_results else "no",
        }
    form = EvaluationForm(
        request.POST or None,
        initial=initial,
        criteria=list(round_.rubric.criteria.all()) if round_.rubric else [],
        ask_result=round_.rubric is None or round_.pass_score is None,
    )
    evaluation = _form_step(
        request,
        form,
        lambda d: do_record_evaluation(
            j.actor,
            round_,
            the_village,
            scores=form.scores(),
            evaluated_on=d["evaluated_on"],
            showed_results=form.showed_results(),
            note=d["note"],
        ),
    )
    if evaluation is not None:
        messages.success(
            request,
            (
                _("%(village)s: %(total)s points, showed results.")
                if evaluation.showed_results
                else _("%(village)s: %(total)s points, no result: no support in the next round.")
            )
            % {"village": the_village.name_local, "total": evaluation.total},
        )
        return redirect("saemaul:evaluations", code=round_.code)
    return _form_page(
        request,
        "saemaul/evaluation_form.html",
        j,
        round=round_,
        village=the_village,
        form=form,
        current=current,
    )


@saemaul_view
@no_personal_data
def classify(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Compute the villages' classes for a year from the configured criteria (a year once)."""
    j.require(Step.CLASSIFY_VILLAGES)
    code = request.POST.get("area", "")
    area = j.area_by_code(code) if code else j.area
    choices = [(a.code, f"{a.name_local} ({a.name_en})") for a in j.areas()]
    if j.area is None:
        choices.insert(0, ("", _("Whole country")))
    form = ClassifyForm(
        request.POST or None, initial={"year": timezone.localdate().year - 1}, areas=choices
    )
    outcome = _form_step(
        request,
        form,
        lambda d: do_classify_villages(j.actor, d["year"], country=j.country, area=area),
    )
    if outcome is not None:
        messages.success(
            request,
            _("%(n)s villages were classified for %(year)s.")
            % {"n": outcome.classified, "year": outcome.year},
        )
        return render(
            request,
            "saemaul/classify.html",
            _context(
                j,
                form=form,
                area=area,
                outcome=outcome,
                counts=[(k.label, outcome.counts.get(k.value, 0)) for k in VillageClass],
            ),
        )
    return _form_page(request, "saemaul/classify.html", j, form=form, area=area, outcome=None)


# --- the reporting chain --------------------------------------------------------------------


def _reports_to_review(j: Jurisdiction) -> QuerySet[Report]:
    level = REVIEWS.get(j.level)
    if level is None:
        return Report.objects.none()
    submitted = Report.objects.filter(status=ReportStatus.SUBMITTED, level=level)
    if level == ReportLevel.VILLAGE:
        return submitted.filter(village__in=j.villages())
    if j.area is None:
        return submitted.filter(area__country=j.country, area__parent__isnull=True)
    return submitted.filter(area__parent=j.area)


def _own_reports(j: Jurisdiction) -> QuerySet[Report]:
    if j.village is not None:
        return Report.objects.filter(village=j.village)
    if j.area is not None:
        return Report.objects.filter(
            area=j.area, level=AREA_REPORT_LEVEL.get(AreaLevel(j.area.level))
        )
    return Report.objects.none()


@saemaul_view
@no_personal_data
def reports(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Reports waiting for the user's review, and the user's own monthly reports."""
    today = timezone.localdate()
    prepares = j.village is not None or (j.area is not None and j.area.level in AREA_REPORT_LEVEL)
    form = ReportForm(request.POST or None, initial={"year": today.year, "month": today.month})
    if request.method == "POST":
        if not prepares:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = do_prepare_report(
                    j.actor,
                    year=form.cleaned_data["year"],
                    month=form.cleaned_data["month"],
                    village=j.village,
                    area=None if j.village is not None else j.area,
                    narrative=form.cleaned_data["narrative"] or None,
                )
            except Gov3Error as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The report was prepared. Check it, then submit it."))
                return redirect("saemaul:report", pk=report.pk)
    return _form_page(
        request,
        "saemaul/reports.html",
        j,
        to_review=_reports_to_review(j).select_related("village", "area")[:PAGE_SIZE],
        own=_own_reports(j).select_related("village", "area")[:24],
        form=form if prepares else None,
    )


@saemaul_view
@no_personal_data
def report(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """A monthly report: its figures, the reports below it, and the review steps."""
    the_report = j.report_by_id(pk)
    own = (
        the_report.village_id is not None and the_report.village_id == j.assignment.village_id
    ) or (the_report.area_id is not None and the_report.area_id == j.assignment.area_id)
    figures = [
        (FIGURE_LABELS.get(key, key), value) for key, value in sorted(the_report.figures.items())
    ]
    initial = {"version": the_report.version}
    return render(
        request,
        "saemaul/report.html",
        _context(
            j,
            report=the_report,
            unit=the_report.village or the_report.area,
            figures=figures,
            children=child_reports(the_report).select_related("village", "area"),
            can_submit=own and the_report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
            can_review=j.reviews(the_report) and the_report.status == ReportStatus.SUBMITTED,
            version_form=VersionForm(initial=initial),
            return_form=ReturnForm(initial=initial),
        ),
    )


def _report_step(
    request: HttpRequest,
    j: Jurisdiction,
    pk: int,
    *,
    review: bool,
    form_class: type[VersionForm],
    run: Callable[[Report, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    the_report = j.report_by_id(pk)
    if review and not j.reviews(the_report):
        raise PermissionDenied
    if not review and not (
        the_report.village_id == j.assignment.village_id
        if the_report.village_id is not None
        else the_report.area_id == j.assignment.area_id
    ):
        raise PermissionDenied
    _post_step(request, form_class(request.POST), lambda d: run(the_report, d), done)
    return redirect("saemaul:report", pk=the_report.pk)


@require_POST
@saemaul_view
@no_personal_data
def report_submit(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Send the user's own report to the level above."""
    return _report_step(
        request,
        j,
        pk,
        review=False,
        form_class=VersionForm,
        run=lambda r, d: do_submit_report(j.actor, r, expected_version=d["version"]),
        done=_("The report was submitted for review."),
    )


@require_POST
@saemaul_view
@no_personal_data
def report_approve(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Approve the report of the level below; its period is then locked."""
    return _report_step(
        request,
        j,
        pk,
        review=True,
        form_class=VersionForm,
        run=lambda r, d: do_approve_report(j.actor, r, expected_version=d["version"]),
        done=_("The report was approved; its period is now locked."),
    )


@require_POST
@saemaul_view
@no_personal_data
def report_return(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Send the report of the level below back, saying what to correct."""
    return _report_step(
        request,
        j,
        pk,
        review=True,
        form_class=ReturnForm,
        run=lambda r, d: do_return_report(
            j.actor, r, expected_version=d["version"], reason=d["reason"]
        ),
        done=_("The report was returned for correction."),
    )


# --- results, dashboards, reference ---------------------------------------------------------


@no_personal_data
def _scope(request: HttpRequest, j: Jurisdiction) -> tuple[Area | None, QuerySet[Village], Any]:
    """The area chosen in ``?area=`` (within the jurisdiction) and its villages."""
    choices = [(a.code, f"{a.name_local} ({a.name_en})") for a in j.areas()]
    if j.area is None and not j.is_village:
        choices.insert(0, ("", _("Whole country")))
    form = AreaForm(request.GET or None, areas=choices)
    code = request.GET.get("area", "")
    if code:
        area = j.area_by_code(code)
        return area, j.villages().filter(pk__in=villages_in(area).values("pk")), form
    return j.area, j.villages(), form


@saemaul_view
@no_personal_data
def results(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Evaluation results and rankings of a round, class counts and promotions."""
    area, villages_qs, form = _scope(request, j)
    rounds = list(
        ProgrammeRound.objects.filter(country=j.country, evaluations__isnull=False)
        .distinct()
        .order_by("-year", "code")
    )
    chosen = next((r for r in rounds if r.code == request.GET.get("round")), None)
    chosen = chosen or (rounds[0] if rounds else None)
    page = None
    if chosen is not None:
        visible = set(villages_qs.values_list("pk", flat=True))
        ranking_area = area if area is not None else (j.village.area if j.village else None)
        ranked = [r for r in round_rankings(chosen, ranking_area) if r.village.pk in visible]
        page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dashboards.class_counts(villages_qs)
    current = villages_qs.values("village_class").annotate(n=Count("id")).order_by("village_class")
    current_counts = {row["village_class"]: row["n"] for row in current}
    return render(
        request,
        "saemaul/results.html",
        _context(
            j,
            form=form,
            area=area,
            rounds=rounds,
            chosen=chosen,
            page=page,
            chart=dashboards.class_chart(counts),
            query=urlencode(
                {"round": chosen.code if chosen else "", "area": area.code if area else ""}
            )
            + "&",
            current=[(k.label, current_counts.get(k.value, 0)) for k in VillageClass],
            all_rounds=(
                ProgrammeRound.objects.filter(country=j.country).order_by("-year", "code")
                if j.may(Step.EVALUATE_VILLAGES)
                else []
            ),
        ),
    )


@saemaul_view
@no_personal_data
def dashboard(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The pictures of an area: map by class, classes per year, materials, project statuses."""
    area, villages_qs, form = _scope(request, j)
    return render(
        request,
        "saemaul/dashboard.html",
        _context(
            j,
            form=form,
            area=area,
            board=dashboards.dashboard(villages_qs, area=area, country=j.country),
            export_query=f"?area={area.code}" if area is not None else "",
        ),
    )


@no_personal_data
def reference(request: HttpRequest) -> HttpResponse:
    """The documented national figures of the historical programme, with their sources."""
    return render(request, "saemaul/reference.html", {"figures": reference_figures()})
