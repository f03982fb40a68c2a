"""Citizen pages: sign in, my information, records of children I act for, who looked at my data,
the service catalogue and "check my eligibility"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gov3.accounts.forms import CitizenSignInForm
from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for, person_acted_for, role_label
from gov3.catalogue.eligibility import KIND_HEADINGS, catalogue, check, service_view
from gov3.core.access import entries_about
from gov3.core.checkpoints import last_verification
from gov3.core.errors import NotFoundError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.registry.queries import load_record
from gov3.rules.errors import EvaluationError
from gov3.rules.pack import KINDS


@no_personal_data
def home(request: HttpRequest) -> HttpResponse:
    """The public front page."""
    return render(request, "portal/home.html")


@no_personal_data
class SignInView(auth_views.LoginView):
    """Citizen sign-in with user name and password."""

    template_name = "portal/login.html"
    authentication_form = CitizenSignInForm
    redirect_authenticated_user = True


def _citizen(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_citizen or user.person is None:
        raise Http404
    return user


@login_required
@citizens_own_data
def me(request: HttpRequest) -> HttpResponse:
    """My information: my own registry record, and the children I act for."""
    user = request.user
    if isinstance(user, User) and user.is_officer:
        return redirect("backoffice:search")
    citizen = _citizen(request)
    assert citizen.person is not None
    context: dict[str, Any] = {
        "record": load_record(citizen.person),
        "children": children_acted_for(citizen),
        "is_self": True,
    }
    return render(request, "portal/record.html", context)


@login_required
@citizens_own_data
def child_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The record of a minor child the citizen acts for; any other id is not found."""
    citizen = _citizen(request)
    child = children_acted_for(citizen).filter(public_id=public_id).first()
    if child is None:
        raise Http404
    context = {"record": load_record(child), "children": [], "is_self": False}
    return render(request, "portal/record.html", context)


@login_required
@citizens_own_data
def access_log(request: HttpRequest) -> HttpResponse:
    """Who looked at my data (and at my children's), when, from which agency and why."""
    citizen = _citizen(request)
    assert citizen.person is not None
    people = {citizen.person.pk: citizen.person}
    people.update({c.pk: c for c in children_acted_for(citizen)})
    entries = [
        (entry, people[entry.subject_id], role_label(entry.actor_role))
        for entry in entries_about(people)
    ]
    return render(
        request,
        "portal/access_log.html",
        {
            "entries": entries,
            "me": citizen.person,
            "acting_for": len(people) > 1,
            "verified": last_verification(),
        },
    )


def _rules_country(request: HttpRequest) -> str:
    """The country whose catalogue to show: the citizen's, else the deployment's."""
    user = request.user
    if isinstance(user, User) and user.person is not None:
        return user.person.country
    return str(settings.GOV3_COUNTRY)


@no_personal_data
def services(request: HttpRequest) -> HttpResponse:
    """The service catalogue: every service with who qualifies, in plain words."""
    day = timezone.localdate()
    views = catalogue(_rules_country(request), day)
    groups = [(kind, KIND_HEADINGS[kind], [v for v in views if v.kind == kind]) for kind in KINDS]
    return render(
        request, "portal/services.html", {"groups": [g for g in groups if g[2]], "day": day}
    )


@no_personal_data
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    """One service: who qualifies, the rule, the amounts in force and their legal basis."""
    day = timezone.localdate()
    try:
        view = service_view(_rules_country(request), service_id, day)
    except NotFoundError:
        raise Http404 from None
    children: list[Any] = []
    user = request.user
    if isinstance(user, User) and user.is_citizen and user.person is not None:
        children = list(children_acted_for(user))
    return render(
        request, "portal/service.html", {"service": view, "day": day, "children": children}
    )


def eligibility_unavailable(request: HttpRequest, service_id: str) -> HttpResponse:
    """The answer when a service's amounts for today are not published yet (nothing recorded)."""
    return render(
        request, "portal/eligibility_unavailable.html", {"service_id": service_id}, status=503
    )


@login_required
@citizens_own_data
def check_eligibility(request: HttpRequest, service_id: str) -> HttpResponse:
    """Check my eligibility (or a child's I act for) now, with the explanation."""
    citizen = _citizen(request)
    try:
        person = person_acted_for(citizen, request.GET.get("for"))
    except NotFoundError:
        raise Http404 from None
    try:
        explanation, view = check(
            person,
            service_id,
            timezone.localdate(),
            reader_is_subject=person.pk == citizen.person_id,
        )
    except NotFoundError:
        raise Http404 from None
    except EvaluationError:
        return eligibility_unavailable(request, service_id)
    context = {
        "explanation": explanation,
        "service": view,
        "person": person,
        "is_self": person.pk == citizen.person_id,
        "children": children_acted_for(citizen) if person.pk == citizen.person_id else [],
    }
    return render(request, "portal/eligibility.html", context)
