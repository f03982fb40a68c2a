"""Officer pages: sign in with a second factor, search the register, open a record, register
a birth."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from gov3.accounts.access_policy import purposes_for, readable_q
from gov3.accounts.decorators import officer_required
from gov3.accounts.forms import OfficerSignInForm
from gov3.accounts.models import OfficerRole, User
from gov3.accounts.second_factor import (
    do_record_recovery_code_sign_in,
    is_recovery_device,
    mark_signed_in,
)
from gov3.backoffice.forms import BirthForm, EligibilityForm, PurposeForm, SearchForm
from gov3.catalogue.eligibility import check
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.portal.views import eligibility_unavailable
from gov3.registry.models import Person
from gov3.registry.queries import (
    PARENT_PARTS,
    Reader,
    newborn_for_officer,
    person_by_national_id_for_officer,
    person_for_officer,
    read_record_as_officer,
    search_people,
)
from gov3.registry.services import do_register_birth
from gov3.rules.errors import EvaluationError


@no_personal_data
class OfficerSignInView(auth_views.LoginView):
    """Officer sign-in: password and a TOTP code (or a one-time recovery code)."""

    template_name = "backoffice/login.html"
    authentication_form = OfficerSignInForm
    next_page = "backoffice:search"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        assert isinstance(form, OfficerSignInForm)
        assert form.device is not None
        otp_login(self.request, form.device)
        mark_signed_in(self.request)
        if is_recovery_device(form.device):
            user = form.get_user()
            assert isinstance(user, User)
            left = do_record_recovery_code_sign_in(user)
            messages.warning(
                self.request,
                ngettext(
                    "You signed in with a recovery code; it no longer works. "
                    "%(left)d recovery code is left.",
                    "You signed in with a recovery code; it no longer works. "
                    "%(left)d recovery codes are left.",
                    left,
                )
                % {"left": left},
            )
        return response


def _reader(user: User, purpose: AccessPurpose) -> Reader:
    """The officer as a reader for `purpose`, limited by the access policy."""
    agency = user.agency.name_local if user.agency else ""
    return Reader(
        user_id=user.pk,
        label=user.get_username(),
        agency=agency,
        role=user.role,
        scope=readable_q(user, purpose),
    )


def _posted(request: HttpRequest) -> dict[str, Any] | None:
    """The submitted purpose form: sent by POST so that id numbers, names and purpose notes
    never appear in a URL (server and proxy logs, browser history)."""
    return request.POST if request.method == "POST" and "purpose" in request.POST else None


def _purposes(request: HttpRequest) -> list[AccessPurpose]:
    assert isinstance(request.user, User)
    return purposes_for(request.user)


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged("search result: name, birth date")
def search(request: HttpRequest) -> HttpResponse:
    """Search the register among the people the officer may read; the purpose is required
    before anyone is listed."""
    form = SearchForm(_posted(request), purposes=_purposes(request))
    results = None
    if form.is_bound and form.is_valid():
        assert isinstance(request.user, User)
        results = search_people(
            _reader(request.user, AccessPurpose(form.cleaned_data["purpose"])),
            form.cleaned_data["q"],
            purpose=AccessPurpose(form.cleaned_data["purpose"]),
            note=form.cleaned_data["note"],
        )
    return render(
        request,
        "backoffice/search.html",
        {"form": form, "results": results, "may_read": bool(_purposes(request))},
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged("identity, household, address, life events, passports")
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    """A person's record. Without a valid purpose, only the purpose form is shown (nothing read);
    outside the access policy, "not found" (and a refused attempt in the audit log)."""
    form = PurposeForm(_posted(request), purposes=_purposes(request))
    if not (form.is_bound and form.is_valid()):
        return render(request, "backoffice/purpose.html", {"form": form, "public_id": public_id})
    assert isinstance(request.user, User)
    try:
        record = read_record_as_officer(
            _reader(request.user, AccessPurpose(form.cleaned_data["purpose"])),
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
@require_http_methods(["GET", "POST"])
@access_logged("eligibility for a service")
def eligibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """Whether a person qualifies for a service, with the explanation the citizen would read.
    Like the record, it needs a stated purpose first, and the read is logged."""
    form = EligibilityForm(_posted(request), purposes=_purposes(request))
    if not (form.is_bound and form.is_valid()):
        return render(
            request, "backoffice/eligibility_purpose.html", {"form": form, "public_id": public_id}
        )
    assert isinstance(request.user, User)
    service_id = form.cleaned_data["service"]
    try:
        person = person_for_officer(
            _reader(request.user, AccessPurpose(form.cleaned_data["purpose"])),
            public_id,
            purpose=AccessPurpose(form.cleaned_data["purpose"]),
            note=form.cleaned_data["note"],
            what=f"eligibility for {service_id}",
        )
        explanation, view = check(person, service_id, timezone.localdate(), reader_is_subject=False)
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


def _registry_officers_only(request: HttpRequest) -> HttpResponse | None:
    """A clear 403 page for an officer whose role does not register births."""
    assert isinstance(request.user, User)
    if request.user.role != OfficerRole.REGISTRY_OFFICER:
        return render(request, "backoffice/registry_officers_only.html", status=403)
    return None


def _parent(form: BirthForm, field: str, reader: Reader, country: str) -> Person | None:
    """The parent whose number is in `field` (None if it was left empty); an unknown number
    becomes the field's error. A found parent's read is logged even if the birth is then
    refused: the page has told the officer that this number belongs to a living resident."""
    number = form.cleaned_data[field]
    if not number:
        return None
    try:
        return person_by_national_id_for_officer(
            reader,
            country,
            number,
            purpose=AccessPurpose.BIRTH_REGISTRATION,
            what=PARENT_PARTS,
        )
    except NotFoundError:
        form.add_error(field, gettext("No living resident has this number."))
        return None


@officer_required
@access_logged("identity and household, as a parent of a newborn")
def register_birth(request: HttpRequest) -> HttpResponse:
    """Register a newborn (registry officers only); on success, redirect to the confirmation
    page so that reloading it cannot register the child twice."""
    if (refused := _registry_officers_only(request)) is not None:
        return refused
    assert isinstance(request.user, User)
    form = BirthForm(request.POST) if request.method == "POST" else BirthForm()
    if form.is_bound and form.is_valid():
        reader = _reader(request.user, AccessPurpose.BIRTH_REGISTRATION)
        agency = request.user.agency
        country = agency.country if agency else str(settings.GOV3_COUNTRY)
        mother = _parent(form, "mother_id", reader, country)
        # An unknown mother stops here, before the father is looked up: nothing is logged.
        father = _parent(form, "father_id", reader, country) if mother else None
        if mother is not None and form.is_valid():
            data = form.cleaned_data
            try:
                child = do_register_birth(
                    request.user.get_username(),
                    mother=mother,
                    father=father,
                    name_local=data["name_local"],
                    name_latin=data["name_latin"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                )
            except ValidationFailedError as error:
                form.add_error(
                    None, gettext("Nothing was registered: %(reason)s") % {"reason": error}
                )
            else:
                return redirect("backoffice:birth_registered", public_id=child.public_id)
    return render(request, "backoffice/register_birth.html", {"form": form})


@officer_required
@access_logged("name and national id number of a newborn")
def birth_registered(request: HttpRequest, public_id: str) -> HttpResponse:
    """The confirmation of a birth the officer has just registered: name and new id number."""
    if (refused := _registry_officers_only(request)) is not None:
        return refused
    assert isinstance(request.user, User)
    try:
        child = newborn_for_officer(
            _reader(request.user, AccessPurpose.BIRTH_REGISTRATION),
            public_id,
            recorded_by=request.user.get_username(),
        )
    except NotFoundError:
        raise Http404 from None
    return render(
        request,
        "backoffice/birth_registered.html",
        {"child": child, "purpose": AccessPurpose.BIRTH_REGISTRATION},
    )
