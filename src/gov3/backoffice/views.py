"""Officer pages: sign in with a second factor, search the register, open a record."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_otp import login as otp_login

from gov3.accounts.forms import OfficerSignInForm
from gov3.accounts.models import User
from gov3.backoffice.forms import EligibilityForm, PurposeForm, SearchForm
from gov3.catalogue.eligibility import check
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessPurpose
from gov3.portal.views import eligibility_unavailable
from gov3.registry.queries import (
    Reader,
    person_for_officer,
    read_record_as_officer,
    search_people,
)
from gov3.rules.errors import EvaluationError

View = Callable[..., HttpResponse]


class OfficerSignInView(auth_views.LoginView):
    """Officer sign-in: password and a TOTP code."""

    template_name = "backoffice/login.html"
    authentication_form = OfficerSignInForm
    next_page = "backoffice:search"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        assert isinstance(form, OfficerSignInForm)
        assert form.device is not None
        otp_login(self.request, form.device)
        return response


def officer_required(view: View) -> View:
    """Only officers who signed in with their second factor."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if not isinstance(user, User) or not user.is_officer or not verified:
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        return view(request, *args, **kwargs)

    return wrapped


def _reader(user: User) -> Reader:
    agency = user.agency.name_local if user.agency else ""
    return Reader(user_id=user.pk, label=user.get_username(), agency=agency, role=user.role)


@officer_required
def search(request: HttpRequest) -> HttpResponse:
    """Search the register; the purpose is required before anyone is listed."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        assert isinstance(request.user, User)
        results = search_people(
            _reader(request.user),
            form.cleaned_data["q"],
            purpose=AccessPurpose(form.cleaned_data["purpose"]),
            note=form.cleaned_data["note"],
        )
    return render(request, "backoffice/search.html", {"form": form, "results": results})


@officer_required
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    """A person's record. Without a valid purpose, only the purpose form is shown (nothing read)."""
    form = PurposeForm(request.GET if "purpose" in request.GET else None)
    if not (form.is_bound and form.is_valid()):
        return render(request, "backoffice/purpose.html", {"form": form, "public_id": public_id})
    assert isinstance(request.user, User)
    try:
        record = read_record_as_officer(
            _reader(request.user),
            public_id,
            purpose=AccessPurpose(form.cleaned_data["purpose"]),
            note=form.cleaned_data["note"],
        )
    except NotFoundError:
        raise Http404 from None
    return render(
        request,
        "backoffice/person.html",
        {"record": record, "purpose": AccessPurpose(form.cleaned_data["purpose"])},
    )


@officer_required
def eligibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """Whether a person qualifies for a service, with the explanation the citizen would read.
    Like the record, it needs a stated purpose first, and the read is logged."""
    form = EligibilityForm(request.GET if "purpose" in request.GET else None)
    if not (form.is_bound and form.is_valid()):
        return render(
            request, "backoffice/eligibility_purpose.html", {"form": form, "public_id": public_id}
        )
    assert isinstance(request.user, User)
    service_id = form.cleaned_data["service"]
    try:
        person = person_for_officer(
            _reader(request.user),
            public_id,
            purpose=AccessPurpose(form.cleaned_data["purpose"]),
            note=form.cleaned_data["note"],
            what=f"eligibility for {service_id}",
        )
        explanation, view = check(person, service_id, timezone.localdate())
    except NotFoundError:
        raise Http404 from None
    except EvaluationError:
        return eligibility_unavailable(request, service_id)
    return render(
        request,
        "backoffice/eligibility.html",
        {
            "explanation": explanation,
            "service": view,
            "person": person,
            "purpose": AccessPurpose(form.cleaned_data["purpose"]),
        },
    )
