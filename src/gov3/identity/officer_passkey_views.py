"""Officers' passkeys as their second factor: an officer signed in with the authenticator app
adds a passkey, or enrols one with a one-time enrolment link; later they sign in with their
password and that passkey instead of a code."""

from __future__ import annotations

import json

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import officer_required
from gov3.accounts.enrolment import usable_link
from gov3.accounts.models import User
from gov3.accounts.second_factor import mark_signed_in
from gov3.core.errors import ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.identity import passkeys
from gov3.identity.forms import OfficerPasswordForm
from gov3.identity.models import OfficerPasskey
from gov3.identity.officer_enrolment import do_enrol_officer_passkey, do_record_refused_enrolment
from gov3.identity.officer_self_service import authenticate_link_officer
from gov3.identity.passkey_views import BACKEND, _body, _party, _refused
from gov3.identity.services import (
    do_add_officer_passkey,
    do_record_officer_passkey_use,
    do_record_refused_sign_in,
)

REGISTRATION = "gov3_officer_passkey_registration_challenge"
SIGN_IN = "gov3_officer_passkey_sign_in_challenge"
#: The officer whose password was right, waiting for their passkey (never signed in yet).
PENDING = "gov3_officer_passkey_pending"
#: A passkey enrolment with a link: the link, and the challenge of its ceremony.
ENROLMENT = "gov3_officer_passkey_enrolment"


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@no_personal_data
@officer_required
def officer_passkeys(request: HttpRequest) -> HttpResponse:
    """My passkeys as a second factor, and making one."""
    found = OfficerPasskey.objects.filter(user=_officer(request)).order_by("created_at")
    return render(request, "identity/officer_passkeys.html", {"passkeys": found})


@no_personal_data
@officer_required
@require_POST
def officer_registration_options(request: HttpRequest) -> JsonResponse:
    officer = _officer(request)
    options, challenge = passkeys.registration_options(
        _party(request),
        user_handle=f"officer-{officer.pk}".encode(),
        user_name=officer.get_username(),
        display_name=officer.get_username(),
        existing=[
            bytes(found.credential_id) for found in OfficerPasskey.objects.filter(user=officer)
        ],
    )
    request.session[REGISTRATION] = challenge
    return JsonResponse(json.loads(options))


@no_personal_data
@officer_required
@require_POST
def officer_register(request: HttpRequest) -> JsonResponse:
    officer = _officer(request)
    challenge = request.session.pop(REGISTRATION, None)
    body = _body(request)
    if not isinstance(challenge, str):
        return _refused(_("Start making the passkey again."))
    try:
        made = passkeys.verify_registration(_party(request), body.get("credential"), challenge)
        passkey = do_add_officer_passkey(
            officer,
            name=str(body.get("name") or _("Passkey")),
            credential_id=made.credential_id,
            public_key=made.public_key,
            sign_count=made.sign_count,
        )
    except passkeys.PasskeyRefusedError:
        return _refused(_("The passkey could not be verified, so it was not added."))
    except ValidationFailedError as error:
        return _refused(str(error))
    return JsonResponse({"name": passkey.name})


@no_personal_data
def officer_sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: user name and password; step 2 (same page): the passkey."""
    form = OfficerPasswordForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[PENDING] = form.get_user().pk
        return render(request, "identity/officer_sign_in.html", {"passkey_step": True})
    return render(request, "identity/officer_sign_in.html", {"form": form})


@no_personal_data
@require_POST
def officer_sign_in_options(request: HttpRequest) -> JsonResponse:
    pending = request.session.get(PENDING)
    if not isinstance(pending, int):
        return _refused(_("Start the passkey sign-in again."))
    allowed = [
        bytes(found.credential_id)
        for found in OfficerPasskey.objects.filter(user_id=pending, confirmed=True)
    ]
    options, challenge = passkeys.authentication_options(_party(request), allowed=allowed)
    request.session[SIGN_IN] = challenge
    return JsonResponse(json.loads(options))


@no_personal_data
@require_POST
def officer_sign_in_verify(request: HttpRequest) -> JsonResponse:
    pending = request.session.get(PENDING)
    challenge = request.session.pop(SIGN_IN, None)
    if not isinstance(pending, int) or not isinstance(challenge, str):
        return _refused(_("Start the passkey sign-in again."))
    credential = _body(request).get("credential")
    try:
        passkey = (
            OfficerPasskey.objects.select_related("user")
            .filter(
                user_id=pending,
                confirmed=True,
                credential_id=passkeys.credential_id_of(credential),
            )
            .first()
        )
        if passkey is None or not passkey.user.is_active or not passkey.user.is_officer:
            raise passkeys.PasskeyRefusedError("unknown_passkey")
        new_count = passkeys.verify_sign_in(
            _party(request),
            credential,
            challenge,
            public_key=bytes(passkey.public_key),
            sign_count=passkey.sign_count,
        )
    except passkeys.PasskeyRefusedError as refusal:
        do_record_refused_sign_in(
            method="officer_passkey",
            reason=refusal.reason,
            data={"user": pending, "detail": refusal.detail[:200]},
        )
        return _refused(
            _("This passkey could not sign you in. Nothing was changed. Sign in another way."),
            status=403,
        )
    do_record_officer_passkey_use(passkey, new_sign_count=new_count)
    officer = passkey.user
    officer.otp_device = passkey
    request.session.pop(PENDING, None)
    login(request, officer, backend=BACKEND)  # django-otp marks the session verified
    mark_signed_in(request)
    return JsonResponse({"redirect": reverse("backoffice:search")})


def _unusable_link() -> JsonResponse:
    return _refused(
        _(
            "This enrolment link cannot be used: it is wrong, was already used or has expired. "
            "Nothing was changed. Ask your administrator for a new link."
        ),
        status=404,
    )


@no_personal_data
@require_POST
def enrol_options(request: HttpRequest, secret: str) -> JsonResponse:
    """Enrolment with a link, step 1: the officer's password; if it is right, the options
    for making their passkey."""
    link = usable_link(secret)
    if link is None:
        do_record_refused_enrolment("link_unusable", link=None)
        return _unusable_link()
    officer = link.user
    password = _body(request).get("password")
    found = authenticate_link_officer(
        request, link, secret, password if isinstance(password, str) else ""
    )
    if found is None:  # django-axes counts it like a wrong password at sign-in
        do_record_refused_enrolment("wrong_password", link=link)
        return _refused(_("The password is wrong."))
    options, challenge = passkeys.registration_options(
        _party(request),
        user_handle=f"officer-{officer.pk}".encode(),
        user_name=officer.get_username(),
        display_name=officer.get_username(),
        existing=[
            bytes(known.credential_id) for known in OfficerPasskey.objects.filter(user=officer)
        ],
    )
    request.session[ENROLMENT] = {"link": link.pk, "challenge": challenge}
    return JsonResponse(json.loads(options))


@no_personal_data
@require_POST
def enrol(request: HttpRequest, secret: str) -> JsonResponse:
    """Enrolment with a link, step 2: the new passkey; if it verifies, the link is used up
    and the officer is signed in with it."""
    pending = request.session.pop(ENROLMENT, None)
    link = usable_link(secret)
    if link is None:
        do_record_refused_enrolment("link_unusable", link=None)
        return _unusable_link()
    if not isinstance(pending, dict) or pending.get("link") != link.pk:
        do_record_refused_enrolment("no_ceremony", link=link)
        return _refused(_("Start again: enter your password and make the passkey."))
    try:
        made = passkeys.verify_registration(
            _party(request), _body(request).get("credential"), str(pending["challenge"])
        )
        passkey = do_enrol_officer_passkey(
            link.pk,
            name=_("Passkey"),
            credential_id=made.credential_id,
            public_key=made.public_key,
            sign_count=made.sign_count,
        )
    except passkeys.PasskeyRefusedError as refusal:
        do_record_refused_enrolment(refusal.reason, link=link, detail=refusal.detail)
        return _refused(_("The passkey could not be verified, so nothing was changed. Try again."))
    except ValidationFailedError as error:  # used meanwhile, or a passkey already known
        do_record_refused_enrolment("refused", link=link, detail=str(error))
        if usable_link(secret) is None:
            return _unusable_link()
        return _refused(_("The passkey could not be verified, so nothing was changed. Try again."))
    officer = passkey.user
    officer.otp_device = passkey
    login(request, officer, backend=BACKEND)  # django-otp marks the session verified
    mark_signed_in(request)
    return JsonResponse({"redirect": reverse("backoffice:search")})
