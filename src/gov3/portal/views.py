"""Citizen pages: sign in, my information, records of children I act for, who looked at my data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gov3.accounts.forms import CitizenSignInForm
from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for, role_label
from gov3.core.access import entries_about
from gov3.registry.queries import load_record


def home(request: HttpRequest) -> HttpResponse:
    """The public front page."""
    return render(request, "portal/home.html")


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
def child_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The record of a minor child the citizen acts for; any other id is not found."""
    citizen = _citizen(request)
    child = children_acted_for(citizen).filter(public_id=public_id).first()
    if child is None:
        raise Http404
    context = {"record": load_record(child), "children": [], "is_self": False}
    return render(request, "portal/record.html", context)


@login_required
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
        {"entries": entries, "me": citizen.person, "acting_for": len(people) > 1},
    )
