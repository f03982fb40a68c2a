"""An officer's own second factor: enrolling an authenticator app with a one-time link (or a
passkey: `officer_passkey_views`); and,
signed in with it, recovery codes (shown once) and their sessions, of which they may end the
others."""

from __future__ import annotations

import io
import secrets
from base64 import b32encode
from urllib.parse import quote

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from gov3.accounts.decorators import officer_required
from gov3.accounts.enrolment import code_matches, do_enrol_totp, usable_link
from gov3.accounts.models import EnrolmentLink, User
from gov3.accounts.second_factor import (
    do_end_own_session,
    do_make_recovery_codes,
    mark_signed_in,
    own_sessions,
    recovery_codes_left,
)
from gov3.core.errors import ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.identity.forms import EnrolmentForm
from gov3.identity.officer_enrolment import do_record_refused_enrolment


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@no_personal_data
@officer_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; a POST makes a new set and shows it this once."""
    officer = _officer(request)
    codes = do_make_recovery_codes(officer) if request.method == "POST" else None
    response = render(
        request,
        "identity/officer_recovery_codes.html",
        {"codes": codes, "left": recovery_codes_left(officer)},
    )
    response["Cache-Control"] = "no-store"
    return response


@no_personal_data
@officer_required
def sessions(request: HttpRequest) -> HttpResponse:
    """The officer's own sessions (this one marked), each other one with "End"."""
    found = own_sessions(_officer(request), request.session.session_key)
    return render(request, "identity/officer_sessions.html", {"sessions": found})


@no_personal_data
@officer_required
@require_POST
def end_session(request: HttpRequest, session_id: str) -> HttpResponse:
    """End one of the officer's other sessions; another's, or an unknown one: not found."""
    if not do_end_own_session(_officer(request), request.session.session_key, session_id):
        raise Http404
    messages.success(request, _("The session was ended. It has to sign in again."))
    return redirect("identity:officer_sessions")


#: The authenticator key being enrolled, kept in the session until its first code is right.
ENROLMENT = "gov3_enrolment"


def _pending_key(request: HttpRequest, link: EnrolmentLink) -> str:
    pending = request.session.get(ENROLMENT)
    if isinstance(pending, dict) and pending.get("link") == link.pk:
        return str(pending["key"])
    key_hex = secrets.token_hex(20)
    request.session[ENROLMENT] = {"link": link.pk, "key": key_hex}
    return key_hex


def authenticate_link_officer(
    request: HttpRequest, link: EnrolmentLink, secret: str, password: str
) -> User | None:
    """The link's officer, authenticated, if `password` is theirs. A wrong one counts towards
    their lockout (django-axes) like one at the sign-in, recorded and logged with the link's
    path as ``…/enrol/[link]/…``: the secret in the URL still works after a wrong password, so
    it must not reach the lockout records or the log."""
    AxesProxyHandler.update_request(request)
    request.axes_path_info = request.path_info.replace(secret, "[link]")  # type: ignore[attr-defined]
    user: User | None = authenticate(request, username=link.user.get_username(), password=password)
    return user


@no_personal_data
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, secret: str) -> HttpResponse:
    """A one-time enrolment link: the officer confirms their password and enrols a new
    authenticator app with its first code; then they are signed in."""
    link = usable_link(secret)
    if link is None:
        if request.method == "POST":
            do_record_refused_enrolment("link_unusable", link=None)
        return render(request, "identity/officer_enrol_unusable.html", status=404)
    key_hex = _pending_key(request, link)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate_link_officer(request, link, secret, form.cleaned_data["password"])
        last_t = code_matches(key_hex, form.cleaned_data["otp_token"].strip())
        if user is None:
            do_record_refused_enrolment("wrong_password", link=link)
            form.add_error("password", _("The password is wrong."))
        elif last_t is None:
            do_record_refused_enrolment("wrong_code", link=link)
            form.add_error(
                "otp_token",
                _("The code does not match the new key. Enter the code your app shows now."),
            )
        else:
            try:
                device = do_enrol_totp(link.pk, key_hex=key_hex, last_t=last_t)
            except ValidationFailedError:
                return render(request, "identity/officer_enrol_unusable.html", status=404)
            request.session.pop(ENROLMENT, None)
            login(request, user)
            otp_login(request, device)
            mark_signed_in(request)
            return redirect("backoffice:search")
    secret_b32 = b32encode(bytes.fromhex(key_hex)).decode()
    uri = (
        f"otpauth://totp/{quote(settings.OTP_TOTP_ISSUER)}:{quote(link.user.get_username())}"
        f"?secret={secret_b32}&issuer={quote(settings.OTP_TOTP_ISSUER)}&digits=6&period=30"
    )
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, title="QR")
    return render(
        request,
        "identity/officer_enrol.html",
        {
            "form": form,
            "username": link.user.get_username(),
            "key": " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)),
            "qr_svg": svg.getvalue().decode(),
            "passkey_url": reverse("identity:officer_enrol_passkey", args=[secret]),
            "passkey_options_url": reverse("identity:officer_enrol_passkey_options", args=[secret]),
        },
    )
