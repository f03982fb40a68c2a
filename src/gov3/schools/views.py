"""School pages: the public school finder, and a citizen's learner records (their own and the
children's they act for). Thin: parse, authorise, call one query, render. Another family's
learner is 404 and nothing is logged."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gov3.accounts.decorators import signed_in_citizen
from gov3.catalogue.eligibility import language, text
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.schools import queries
from gov3.schools.forms import FinderForm
from gov3.schools.installed import schools_data


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
