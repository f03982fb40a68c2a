"""School pages: the public school finder, and a citizen's learner records (their own and the
children's they act for). Thin: parse, authorise, call one query, render. Another family's
learner is 404 and nothing is logged."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import officer_required, signed_in_citizen
from gov3.accounts.models import User
from gov3.catalogue.eligibility import language, text
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.schools import queries
from gov3.schools.entry import do_request_entry_change, placement_for_guardian
from gov3.schools.forms import EntryRequestForm, FinderForm
from gov3.schools.installed import schools_data
from gov3.schools.services import do_issue_school_certificate


def _country() -> str:
    from django.conf import settings  # noqa: PLC0415 - read per request (tests override it)

    return str(settings.GOV3_COUNTRY)


@no_personal_data
def finder(request: HttpRequest) -> HttpResponse:
    """Which schools serve an address, by school year (no sign-in)."""
    country = _country()
    years = queries.school_years(country) or [timezone.localdate().year]
    form = FinderForm(request.GET or None, years=years)
    results: list[queries.AreaSchools] | None = None
    error, status = "", 200
    if form.is_valid():
        try:
            results = queries.find_schools(
                country, form.cleaned_data["q"], form.cleaned_data["year"]
            )
        except ValidationFailedError as exc:
            error, status = str(exc), 400
    elif form.is_bound:
        status = 400
    return render(
        request,
        "schools/finder.html",
        {"form": form, "results": results, "error": error, "lang": language()},
        status=status,
    )


@login_required
@citizens_own_data
def my_learners(request: HttpRequest) -> HttpResponse:
    """The learner records of the citizen and of the children they act for."""
    user = signed_in_citizen(request)
    learners = [
        (learner, queries.enrolment_history(learner)) for learner in queries.learners_for(user)
    ]
    return render(
        request,
        "schools/my_learners.html",
        {
            "learners": learners,
            "label": text(schools_data(_country()).learner_id.labels),
            "lang": language(),
        },
    )


@login_required
@citizens_own_data
def learner(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One learner's record with the enrolment history."""
    user = signed_in_citizen(request)
    try:
        record = queries.learner_for(user, public_id)
    except NotFoundError:
        raise Http404 from None
    return render(
        request,
        "schools/learner.html",
        {
            "learner": record,
            "history": queries.enrolment_history(record),
            "label": text(schools_data(_country()).learner_id.labels),
            "lang": language(),
        },
    )


# -- school entry: the guardian's request, the education office's lists -----------------------


@login_required
@citizens_own_data
def entry_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Instead of confirming the notice: ask for a deferral, early entry, special-education
    support or another school, with a reason (a case for the education office)."""
    user = signed_in_citizen(request)
    try:
        placement = placement_for_guardian(user, public_id)
    except NotFoundError:
        raise Http404 from None
    form = EntryRequestForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            case = do_request_entry_change(
                user,
                placement,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailedError as exc:
            error = str(exc)
        else:
            return redirect("cases:my_case", public_id=case.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "schools/entry_request.html",
        {"placement": placement, "form": form, "error": error, "lang": language()},
        status=status,
    )


def _officer(request: HttpRequest) -> User:
    officer = request.user
    assert isinstance(officer, User)
    return officer


@officer_required
@access_logged("school-entry follow-up list: child, guardian, school, status")
def officer_follow_up(request: HttpRequest) -> HttpResponse:
    """Children of the school-entry rounds to follow up (child safety)."""
    try:
        rows = queries.follow_up_list(_officer(request), _country(), timezone.localdate())
    except NotFoundError:
        raise Http404 from None
    return render(request, "schools/officer_follow_up.html", {"rows": rows, "lang": language()})


@officer_required
@access_logged("a school's entrants: child, guardian, status")
def officer_entrants(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A school's entrants of a round and where each stands."""
    try:
        school, rows = queries.school_entrants(_officer(request), _country(), code, year)
    except NotFoundError:
        raise Http404 from None
    return render(
        request,
        "schools/officer_entrants.html",
        {"school": school, "rows": rows, "year": year, "lang": language()},
    )


@login_required
@require_POST
@citizens_own_data
def issue_certificate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Issue a certificate of enrolment or graduation at once (own record, or a child's)."""
    user = signed_in_citizen(request)
    try:
        record = queries.learner_for(user, public_id)
    except NotFoundError:
        raise Http404 from None
    try:
        document = do_issue_school_certificate(user, record, request.POST.get("kind", ""))
    except ValidationFailedError as exc:
        return render(
            request,
            "schools/learner.html",
            {
                "learner": record,
                "history": queries.enrolment_history(record),
                "label": text(schools_data(_country()).learner_id.labels),
                "lang": language(),
                "error": str(exc),
            },
            status=400,
        )
    return redirect("documents:detail", public_id=document.public_id)
