"""Citizen and public pages of participation. Thin: parse, authorise, call one command,
render. Another citizen's petition or request is 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.decorators import citizen_of, signed_in_citizen
from gov3.accounts.models import Agency
from gov3.catalogue.eligibility import language
from gov3.core.errors import Gov3Error, NotFoundError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.opendata.datasets import threshold
from gov3.participation import queries
from gov3.participation.charts import bar_chart, count_text
from gov3.participation.core.impact import AGE_BANDS
from gov3.participation.figures import (
    consultation_figures,
    disclosure_figures,
    petition_figures,
)
from gov3.participation.forms import (
    CommentForm,
    DisclosureRequestForm,
    PetitionForm,
    PublicPetitionForm,
    RateForm,
    TextForm,
)
from gov3.participation.foryou import for_person
from gov3.participation.installed import policy
from gov3.participation.models import (
    Consultation,
    ConsultationStatus,
    ProactivePublication,
    PublicPetition,
    PublicPetitionStatus,
)
from gov3.participation.services.consultations import do_comment
from gov3.participation.services.disclosure import (
    deemed_refused,
    do_object_to_disclosure,
    do_request_disclosure,
)
from gov3.participation.services.disclosure import objection_deadline as disclosure_deadline
from gov3.participation.services.petitions import (
    do_file_petition,
    do_object_to_petition,
    do_rate_petition,
    objection_deadline,
)
from gov3.participation.services.public import (
    collecting,
    do_open_public_petition,
    do_sign,
    effective_status,
)
from gov3.participation.services.submissions import Upload
from gov3.registry.models import Area


def _categories(country: str) -> list[tuple[str, str]]:
    lang = language()
    return [(k, c.names.get(lang, c.names["en"])) for k, c in policy(country).categories.items()]


def upload_of(file: Any) -> list[Upload]:
    if not file:
        return []
    return [Upload(file.name, file.content_type or "", file.read())]


@login_required
@citizens_own_data
def petitions(request: HttpRequest) -> HttpResponse:
    """My petitions and the form to file one."""
    user = signed_in_citizen(request)
    person = user.person
    assert person is not None
    home = Area.objects.filter(address__household__members=person).values_list("code", flat=True)
    form = PetitionForm(
        request.POST or None,
        request.FILES or None,
        categories=_categories(person.country),
        initial={"area": home.first() or ""},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = do_file_petition(
                user,
                kind=data["kind"],
                category=data["category"],
                area_code=data["area"],
                title=data["title"],
                text=data["text"],
                attachments=upload_of(data["attachment"]),
            )
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:petition", public_id=petition.public_id)
    context = {"petitions": list(queries.petitions_of(user)[:100]), "form": form, "error": error}
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/petitions.html", context, status=status)


@login_required
@citizens_own_data
def petition(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in_citizen(request)
    try:
        found = queries.petition_for_citizen(user, public_id)
    except NotFoundError:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("do") == "rate":
                rate = RateForm(request.POST)
                if rate.is_valid():
                    do_rate_petition(user, found, rating=rate.cleaned_data["rating"])
            elif request.POST.get("do") == "object":
                do_object_to_petition(user, found, text=request.POST.get("text", ""))
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:petition", public_id=found.public_id)
    context = {
        "petition": found,
        "events": list(
            found.events.order_by("at", "pk").select_related("to_agency", "from_agency")
        ),
        "objection": getattr(found, "objection", None),
        "objection_deadline": objection_deadline(found),
        "today": timezone.localdate(),
        "rate_form": RateForm(),
        "text_form": TextForm(),
        "error": error,
        "category": policy(found.country).categories[found.category].names.get(language()),
    }
    return render(request, "participation/petition.html", context, status=400 if error else 200)


@no_personal_data
def public_petitions(request: HttpRequest) -> HttpResponse:
    """Every public petition; a signed-in citizen opens a new one here."""
    today = timezone.localdate()
    user = citizen_of(request)
    form = None
    error = ""
    if user is not None and user.person is not None:
        form = PublicPetitionForm(request.POST or None, categories=_categories(user.person.country))
        if request.method == "POST" and form.is_valid():
            try:
                made = do_open_public_petition(
                    user,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    category=form.cleaned_data["category"],
                )
            except Gov3Error as exc:
                error = str(exc)
            else:
                return redirect("participation:public_petition", public_id=made.public_id)
    elif request.method == "POST":
        return redirect(f"/login/?next={request.path}")
    items = list(PublicPetition.objects.select_related("agency").order_by("-opened_on")[:100])
    for item in items:
        item.shown_status = PublicPetitionStatus(effective_status(item, today)).label  # type: ignore[attr-defined]
    context = {"petitions": items, "form": form, "error": error}
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/public_petitions.html", context, status=status)


@no_personal_data
def public_petition(request: HttpRequest, public_id: str) -> HttpResponse:
    """A public petition, its signature count and the button to sign (nobody who signed or
    opened it is shown)."""
    try:
        found = queries.public_petition(public_id)
    except NotFoundError:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        user = citizen_of(request)
        if user is None:
            return redirect(f"/login/?next={request.path}")
        try:
            do_sign(user, found)
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:public_petition", public_id=found.public_id)
    context = {
        "petition": found,
        "status": PublicPetitionStatus(effective_status(found, timezone.localdate())).label,
        "collecting": collecting(found, timezone.localdate()),
        "error": error,
    }
    return render(
        request, "participation/public_petition.html", context, status=400 if error else 200
    )


@login_required
@citizens_own_data
def disclosure(request: HttpRequest) -> HttpResponse:
    user = signed_in_citizen(request)
    country = user.person.country  # type: ignore[union-attr]
    agencies = [
        (a.code, a.name_local)
        for a in Agency.objects.filter(country=country).order_by("name_local")
    ]
    form = DisclosureRequestForm(request.POST or None, agencies=agencies)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            made = do_request_disclosure(
                user, agency_code=form.cleaned_data["agency"], subject=form.cleaned_data["subject"]
            )
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:disclosure_request", public_id=made.public_id)
    context = {"requests": list(queries.requests_of(user)[:100]), "form": form, "error": error}
    return render(
        request,
        "participation/disclosure.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@citizens_own_data
def disclosure_request(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in_citizen(request)
    try:
        found = queries.request_for_citizen(user, public_id)
    except NotFoundError:
        raise Http404 from None
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        try:
            do_object_to_disclosure(user, found, text=request.POST.get("text", ""))
        except Gov3Error as exc:
            error = str(exc)
        else:
            return redirect("participation:disclosure_request", public_id=found.public_id)
    context = {
        "request_": found,
        "deemed": deemed_refused(found, today),
        "deadline": disclosure_deadline(found, today),
        "objection": getattr(found, "objection", None),
        "files": list(found.files.only("name", "size", "sha256")),
        "text_form": TextForm(),
        "error": error,
    }
    return render(
        request, "participation/disclosure_request.html", context, status=400 if error else 200
    )


@no_personal_data
def consultations(request: HttpRequest) -> HttpResponse:
    items = Consultation.objects.exclude(status=ConsultationStatus.WITHDRAWN).order_by("-opens_on")
    return render(request, "participation/consultations.html", {"consultations": list(items[:50])})


def dimension_titles() -> dict[str, str]:
    return {
        "area": gettext("By area"),
        "age_band": gettext("By age band"),
        "household_type": gettext("By household type"),
    }


def group_labels(dimension: str, keys: list[str], country: str) -> dict[str, str]:
    """What a reader sees for each group of an impact table: the area's name, the age band
    in words, the household type in words (the published data keeps the codes)."""
    if dimension == "area":
        lang = language()
        names = {
            area.code: area.name_local if lang == "ko" else area.name_en
            for area in Area.objects.filter(country=country, code__in=keys)
        }
        return {key: names.get(key, key) for key in keys}
    if dimension == "age_band":
        bands = {}
        for label, low, high in AGE_BANDS:
            if high >= AGE_BANDS[-1][2]:
                bands[label] = gettext("%(low)d years and over") % {"low": low}
            else:
                bands[label] = gettext("%(low)d to %(high)d years") % {"low": low, "high": high}
        return {key: bands.get(key, key) for key in keys}
    if dimension == "household_type":
        kinds = {
            "single": gettext("One person living alone"),
            "couple": gettext("A couple"),
            "with_children": gettext("With children under 18"),
            "other": gettext("Other households"),
        }
        return {key: kinds.get(key, key) for key in keys}
    return {key: key for key in keys}


def impact_view(impact: dict[str, Any], country: str) -> dict[str, Any]:
    """The stored impact as the page shows it: a chart per dimension (people who start
    qualifying) with the table behind it, each group named in words."""
    tables = []
    titles = dimension_titles()
    for dimension, table in (impact.get("tables") or {}).items():
        labels = group_labels(dimension, [row["key"] for row in table["rows"]], country)
        rows = [{**row, "label": labels[row["key"]]} for row in table["rows"]]
        bars = [
            (row["key"], row["label"], row["start"] or 0, count_text(row["start"])) for row in rows
        ]
        tables.append(
            {
                "dimension": dimension,
                "title": titles.get(dimension, dimension),
                "rows": rows,
                "total": table["total"],
                "chart": bar_chart(bars),
            }
        )
    return {
        "total": impact.get("total", {}),
        "tables": tables,
        "threshold": impact.get("threshold"),
    }


@citizens_own_data
def consultation(request: HttpRequest, public_id: str) -> HttpResponse:
    """A consultation and its impact (suppressed aggregates); a signed-in citizen also sees
    what the draft would mean for them (their own facts, nobody else's)."""
    try:
        found = queries.consultation(public_id)
    except NotFoundError:
        raise Http404 from None
    user = citizen_of(request)
    error = ""
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if user is None:
            return redirect(f"/login/?next={request.path}")
        if form.is_valid():
            try:
                do_comment(
                    user, found, stance=form.cleaned_data["stance"], text=form.cleaned_data["text"]
                )
            except Gov3Error as exc:
                error = str(exc)
            else:
                return redirect("participation:consultation", public_id=found.public_id)
    mine = None
    if user is not None and user.person is not None and user.person.country == found.country:
        mine = for_person(found, user.person)
    counts = {
        stance: found.comments.filter(stance=stance).count()
        for stance in ("support", "oppose", "comment")
    }
    context = {
        "consultation": found,
        "impact": impact_view(found.impact, found.country),
        "mine": mine,
        "mine_reasons": []
        if mine is None
        else [
            (gettext("Why, today"), mine.now_reasons),
            (gettext("Why, under the draft"), mine.draft_reasons),
        ],
        "form": form,
        "error": error,
        "counts": counts,
        "open": found.status == ConsultationStatus.OPEN
        and found.opens_on <= timezone.localdate() <= found.closes_on,
    }
    return render(request, "participation/consultation.html", context, status=400 if error else 200)


@no_personal_data
def figures(request: HttpRequest) -> HttpResponse:
    """Petitions, information disclosure and consultations in figures (no sign-in)."""
    from django.conf import settings  # noqa: PLC0415 - the country at request time (tests)

    country = str(settings.GOV3_COUNTRY)
    today = timezone.localdate()
    lang = language()
    context = {
        "threshold": threshold(),
        "petitions": petition_figures(country, today, lang),
        "disclosure": disclosure_figures(country, today, lang),
        "consultations": consultation_figures(country, today),
    }
    return render(request, "participation/figures.html", context)


@no_personal_data
def publications(request: HttpRequest) -> HttpResponse:
    """Every agency's proactive publication list (published without a request)."""
    items = list(
        ProactivePublication.objects.select_related("agency").order_by("-published_on", "-pk")[:300]
    )
    lang = language()
    for item in items:
        agency = item.agency
        item.agency_name = agency.name_local if lang == "ko" else agency.name_en  # type: ignore[attr-defined]
    return render(request, "participation/publications.html", {"items": items})
