"""Officer pages of participation: the agency's petitions (overdue flagged) with the
dashboard figures, one petition (answer, transfer, extend, split; objections) and its
attachments, disclosure requests, consultations (draft a parameter change, respond, adopt).
Petition text is shown escaped, as everything a citizen writes.

Petitions and requests are read through `queries`: only those with the officer's agency that
the access policy lets the officer read, each person shown written to the access log. Every
form here is sent by POST."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from gov3.accounts.access_policy import may_state
from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.catalogue.eligibility import language
from gov3.catalogue.packs import pack_path
from gov3.core.errors import Gov3Error, NotFoundError
from gov3.core.models import AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.participation import drafts, queries
from gov3.participation.charts import bar_chart, count_text
from gov3.participation.figures import disclosure_figures
from gov3.participation.forms import (
    DisclosureDecisionForm,
    ObjectionDecisionForm,
    OfficerPetitionForm,
    ParameterDraftForm,
    PublicationForm,
    TextForm,
)
from gov3.participation.installed import policy
from gov3.participation.models import (
    Consultation,
    Petition,
    PetitionStatus,
    ProactivePublication,
    PublicPetition,
    PublicPetitionStatus,
    Stance,
)
from gov3.participation.services.consultations import do_adopt, do_open_consultation, do_respond
from gov3.participation.services.disclosure import (
    deemed_refused,
    do_decide_disclosure,
    do_extend_disclosure,
    do_publish_proactively,
)
from gov3.participation.services.petitions import (
    do_answer_petition,
    do_decide_petition_objection,
    do_extend_petition,
    do_split_petition,
    do_transfer_petition,
)
from gov3.participation.services.public import do_answer_public_petition, effective_status
from gov3.participation.views import impact_view, upload_of


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@officer_required
@require_GET
@access_logged(queries.PETITION_QUEUE_PARTS)
def queue(request: HttpRequest) -> HttpResponse:
    """The agency's open petitions the officer may read, overdue first (each petitioner listed
    is in the access log), and its figures (counts only)."""
    officer = _officer(request)
    today = timezone.localdate()
    items = queries.petition_queue_for_officer(officer)
    # The figures count every petition of the agency (counts show no one's data).
    every = Petition.objects.filter(agency_id=officer.agency_id or 0)
    still_open = every.filter(status=PetitionStatus.OPEN)
    answered = list(
        every.filter(status=PetitionStatus.ANSWERED).values_list(
            "filed_on", "answered_on", "due_on", "satisfaction"
        )
    )
    days = [(a - f).days for f, a, _, _ in answered if a]
    ratings = [s for *_, s in answered if s]
    by_category: dict[str, int] = {}
    for category in every.values_list("category", flat=True):
        by_category[category] = by_category.get(category, 0) + 1
    figures = {
        "open": still_open.count(),
        "overdue": still_open.filter(due_on__lt=today).count(),
        "answered": len(answered),
        "on_time": (sum(1 for f, a, d, _ in answered if a and a <= d) / len(answered))
        if answered
        else None,
        "median_days": statistics.median(days) if days else None,
        "satisfaction": statistics.mean(ratings) if ratings else None,
    }
    names = policy(officer.agency.country).categories if officer.agency else {}
    lang = language()
    labelled = [
        (k, names[k].names.get(lang, names[k].names["en"]) if k in names else k, n)
        for k, n in sorted(by_category.items())
    ]
    chart = bar_chart([(k, label, n, count_text(n)) for k, label, n in labelled])
    public = list(
        PublicPetition.objects.filter(agency_id=officer.agency_id or 0)
        .exclude(status=PublicPetitionStatus.ANSWERED)
        .order_by("-signature_count")[:50]
    )
    for item in public:
        item.shown_status = PublicPetitionStatus(effective_status(item, today)).label  # type: ignore[attr-defined]
    context = {
        "handles": may_state(officer, AccessPurpose.PETITION_HANDLING),
        "petitions": items,
        "public": public,
        "today": today,
        "figures": figures,
        "chart": chart,
        "by_category": [(label, n) for _, label, n in labelled],
    }
    return render(request, "participation/officer_queue.html", context)


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(queries.PETITION_PARTS)
def petition(request: HttpRequest, public_id: str) -> HttpResponse:
    """One petition: the petitioner's name, text, attachments and history, and the alike
    petitions of its group (each petitioner shown is in the access log)."""
    officer = _officer(request)
    try:
        found = queries.petition_for_officer(officer, public_id)
    except NotFoundError:
        raise Http404 from None
    form = OfficerPetitionForm(request.POST or None, initial={"version": found.version})
    objection_form = ObjectionDecisionForm(request.POST or None, prefix="objection")
    error = ""
    if request.method == "POST":
        try:
            if "objection-outcome" in request.POST:
                if objection_form.is_valid():
                    do_decide_petition_objection(
                        officer,
                        found,
                        outcome=objection_form.cleaned_data["outcome"],
                        reason=objection_form.cleaned_data["text"],
                    )
            elif form.is_valid():
                data = form.cleaned_data
                version = data["version"]
                if data["action"] == form.ANSWER:
                    do_answer_petition(officer, found, text=data["text"], expected_version=version)
                elif data["action"] == form.TRANSFER:
                    do_transfer_petition(
                        officer,
                        found,
                        to_agency=data["agency"],
                        reason=data["text"],
                        expected_version=version,
                    )
                    return redirect("participation:officer_queue")
                elif data["action"] == form.EXTEND:
                    do_extend_petition(
                        officer, found, reason=data["text"], expected_version=version
                    )
                else:
                    do_split_petition(officer, found, reason=data["text"], expected_version=version)
        except Gov3Error as exc:
            error = str(exc)
        else:
            if not form.errors and not objection_form.errors:
                return redirect("participation:officer_petition", public_id=found.public_id)
    context = {
        "petition": found,
        "group": queries.group_for_officer(officer, found),
        "attachments": list(found.attachments.order_by("pk").only("name", "size")),
        "events": list(
            found.events.order_by("at", "pk").select_related("to_agency", "from_agency")
        ),
        "objection": getattr(found, "objection", None),
        "form": form,
        "objection_form": objection_form,
        "error": error,
        "today": timezone.localdate(),
    }
    return render(
        request, "participation/officer_petition.html", context, status=400 if error else 200
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(queries.REQUEST_QUEUE_PARTS)
def disclosure_queue(request: HttpRequest) -> HttpResponse:
    """The agency's requests the officer may read (deemed refusals flagged; each requester
    listed is in the access log), its decisions in figures, and its proactive publication
    list with the form to add to it."""
    officer = _officer(request)
    today = timezone.localdate()
    form = PublicationForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            do_publish_proactively(
                officer, title=form.cleaned_data["title"], url=form.cleaned_data["url"]
            )
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:officer_disclosure_queue")
    items = queries.request_queue_for_officer(officer)
    for item in items:
        item.deemed = deemed_refused(item, today)  # type: ignore[attr-defined]
    agency = officer.agency
    context = {
        "handles": may_state(officer, AccessPurpose.DISCLOSURE_HANDLING),
        "requests": items,
        "figures": disclosure_figures(agency.country, today, language(), agency=agency)
        if agency
        else None,
        "publications": list(
            ProactivePublication.objects.filter(agency_id=officer.agency_id or 0).order_by(
                "-published_on", "-pk"
            )[:100]
        ),
        "form": form,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/officer_disclosure_queue.html", context, status=status)


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(queries.REQUEST_PARTS)
def disclosure_request(request: HttpRequest, public_id: str) -> HttpResponse:
    """One request and the decision form (the requester's read is in the access log)."""
    officer = _officer(request)
    try:
        found = queries.request_for_officer(officer, public_id)
    except NotFoundError:
        raise Http404 from None
    rules = policy(found.country)
    grounds = [(k, v["ko"]) for k, v in rules.grounds.items()]
    form = DisclosureDecisionForm(
        request.POST or None,
        request.FILES or None,
        grounds=grounds,
        initial={"version": found.version},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "extend":
                do_extend_disclosure(
                    officer, found, reason=data["text"], expected_version=data["version"]
                )
            else:
                do_decide_disclosure(
                    officer,
                    found,
                    decision=data["decision"],
                    grounds=list(data["grounds"]),
                    reason=data["text"],
                    files=upload_of(data["file"]),
                    expected_version=data["version"],
                )
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:officer_disclosure", public_id=found.public_id)
    context = {
        "request_": found,
        "form": form,
        "error": error,
        "deemed": deemed_refused(found, timezone.localdate()),
    }
    return render(
        request,
        "participation/officer_disclosure.html",
        context,
        status=400 if error or request.method == "POST" else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def consultations(request: HttpRequest) -> HttpResponse:
    """The agency's consultations with their stance counts, and the form to open one."""
    officer = _officer(request)
    today = timezone.localdate()
    form = ParameterDraftForm(
        request.POST or None,
        initial={
            "effective_on": today,
            "closes_on": today + timedelta(days=40),
            "service": "basic_pension",
            "parameter": "basic_pension.income_limit_single",
        },
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pack_dir = pack_path(officer.agency.country, settings.GOV3_COUNTRIES_DIR)  # type: ignore[union-attr]
            files = drafts.parameter_change(
                pack_dir,
                service_file=f"{data['service']}.yaml",
                new_version=data["version"],
                values={data["parameter"]: data["value"]},
                valid_from=data["effective_on"],
                source_title=data["title"],
                source_url=data["source"],
            )
            made = do_open_consultation(
                officer,
                service_id=data["service"],
                title=data["title"],
                summary=data["summary"],
                files=files,
                effective_on=data["effective_on"],
                opens_on=today,
                closes_on=data["closes_on"],
            )
        except (Gov3Error, OSError) as exc:
            error = str(exc)
        else:
            return redirect("participation:officer_consultation", public_id=made.public_id)
    items = list(
        Consultation.objects.filter(agency_id=officer.agency_id or 0)
        .annotate(
            supporting=Count("comments", filter=Q(comments__stance=Stance.SUPPORT)),
            opposing=Count("comments", filter=Q(comments__stance=Stance.OPPOSE)),
            commenting=Count("comments", filter=Q(comments__stance=Stance.COMMENT)),
        )
        .order_by("-opens_on")[:50]
    )
    context = {"consultations": items, "form": form, "error": error}
    return render(
        request,
        "participation/officer_consultations.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def consultation(request: HttpRequest, public_id: str) -> HttpResponse:
    """A consultation of the agency: its impact (suppressed aggregates) and the comments,
    shown without who wrote them (no name, no id: nobody's data is read)."""
    officer = _officer(request)
    found = Consultation.objects.filter(
        public_id=public_id, agency_id=officer.agency_id or 0
    ).first()
    if found is None:
        raise Http404
    error = ""
    republished = None
    if request.method == "POST":
        try:
            if request.POST.get("do") == "adopt":
                republished = do_adopt(officer, found)
            else:
                do_respond(officer, found, text=request.POST.get("text", ""))
        except Gov3Error as exc:
            error = str(exc)
        else:
            if republished is None:
                return redirect("participation:officer_consultation", public_id=found.public_id)
    found.refresh_from_db()
    context = {
        "consultation": found,
        "impact": impact_view(found.impact, found.country),
        "comments": list(found.comments.order_by("created_at")[:200]),
        "republished": republished,
        "error": error,
    }
    return render(
        request, "participation/officer_consultation.html", context, status=400 if error else 200
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def public_petition(request: HttpRequest, public_id: str) -> HttpResponse:
    """A public petition to the agency and its public answer: what everyone reads on the
    public page (neither who opened it nor who signed it is shown)."""
    officer = _officer(request)
    found = PublicPetition.objects.filter(
        public_id=public_id, agency_id=officer.agency_id or 0
    ).first()
    if found is None:
        raise Http404
    form = TextForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            do_answer_public_petition(officer, found, text=form.cleaned_data["text"])
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:public_petition", public_id=found.public_id)
    context = {
        "petition": found,
        "status": PublicPetitionStatus(effective_status(found, timezone.localdate())).label,
        "form": form,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/officer_public_petition.html", context, status=status)


@officer_required
@require_GET
@access_logged(queries.ATTACHMENT_PARTS)
def petition_attachment(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """A file the petitioner attached, downloaded (never shown inline) by an officer who may
    read the petition; the read is in the petitioner's access log."""
    try:
        found = queries.attachment_for_officer(_officer(request), str(public_id), number)
    except NotFoundError:
        raise Http404 from None
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
