"""An officer's own second factor, signed in with it: recovery codes (shown once) and their
sessions, of which they may end the others."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.accounts.second_factor import (
    do_end_own_session,
    do_make_recovery_codes,
    own_sessions,
    recovery_codes_left,
)
from gov3.core.personal_data import no_personal_data


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
