"""Passkeys: a citizen makes one (signed in), then signs in with it instead of a password.

The browser talks JSON to these views through `identity/passkeys.js`; the challenge of each
ceremony is kept in the session and used once.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import signed_in_citizen
from gov3.core.errors import ValidationFailedError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.identity import passkeys
from gov3.identity.models import Passkey
from gov3.identity.queries import passkey_by_credential_id, passkeys_of
from gov3.identity.services import (
    do_add_passkey,
    do_record_passkey_sign_in,
    do_record_refused_sign_in,
    do_remove_passkey,
)

REGISTRATION = "gov3_passkey_registration_challenge"
SIGN_IN = "gov3_passkey_sign_in_challenge"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _party(request: HttpRequest) -> passkeys.RelyingParty:
    """This site as the browser sees it (the host is one of ALLOWED_HOSTS)."""
    host = request.get_host()
    return passkeys.RelyingParty(
        rp_id=settings.GOV3_PASSKEY_RP_ID or host.rsplit(":", 1)[0],
        origin=f"{request.scheme}://{host}",
        name="gov3",
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@citizens_own_data
def passkey_list(request: HttpRequest) -> HttpResponse:
    """My passkeys: the ones I have, make another, remove one."""
    citizen = signed_in_citizen(request)
    return render(request, "identity/passkeys.html", {"passkeys": passkeys_of(citizen)})


@login_required
@citizens_own_data
@require_POST
def registration_options(request: HttpRequest) -> JsonResponse:
    """Options for making a passkey for the signed-in citizen."""
    citizen = signed_in_citizen(request)
    assert citizen.person is not None
    options, challenge = passkeys.registration_options(
        _party(request),
        user_handle=str(citizen.pk).encode(),
        user_name=citizen.get_username(),
        display_name=citizen.person.name_local,
        existing=[bytes(found.credential_id) for found in passkeys_of(citizen)],
    )
    request.session[REGISTRATION] = challenge
    return JsonResponse(json.loads(options))


@login_required
@citizens_own_data
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    """Keep the passkey the browser made, once the library has verified it."""
    citizen = signed_in_citizen(request)
    challenge = request.session.pop(REGISTRATION, None)
    body = _body(request)
    if not isinstance(challenge, str):
        return _refused(_("Start making the passkey again."))
    try:
        made = passkeys.verify_registration(_party(request), body.get("credential"), challenge)
        passkey = do_add_passkey(
            citizen,
            name=str(body.get("name") or _("Passkey")),
            credential_id=made.credential_id,
            public_key=made.public_key,
            sign_count=made.sign_count,
            transports=made.transports,
        )
    except passkeys.PasskeyRefusedError:
        return _refused(_("The passkey could not be verified, so it was not added."))
    except ValidationFailedError as error:
        return _refused(str(error))
    return JsonResponse({"name": passkey.name})


@login_required
@citizens_own_data
@require_POST
def remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """Remove one of my passkeys."""
    citizen = signed_in_citizen(request)
    try:
        do_remove_passkey(citizen, passkey_id)
    except ValidationFailedError:
        return redirect("identity:passkeys")
    return redirect("identity:passkeys")


@no_personal_data
@require_POST
def sign_in_options(request: HttpRequest) -> JsonResponse:
    """Options for signing in with any passkey of this site."""
    options, challenge = passkeys.authentication_options(_party(request))
    request.session[SIGN_IN] = challenge
    return JsonResponse(json.loads(options))


@no_personal_data
@require_POST
def sign_in(request: HttpRequest) -> JsonResponse:
    """Sign in with the passkey the browser used, once the library has verified it."""
    challenge = request.session.pop(SIGN_IN, None)
    body = _body(request)
    credential = body.get("credential")
    refused = _("This passkey could not sign you in. Nothing was changed. Sign in another way.")
    if not isinstance(challenge, str):
        return _refused(_("Start the passkey sign-in again."))
    try:
        credential_id = passkeys.credential_id_of(credential)
        passkey: Passkey | None = passkey_by_credential_id(credential_id)
        if passkey is None or not passkey.user.is_active or not passkey.user.is_citizen:
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
            method="passkey", reason=refusal.reason, data={"detail": refusal.detail[:200]}
        )
        return _refused(refused, status=403)
    do_record_passkey_sign_in(passkey, new_sign_count=new_count)
    login(request, passkey.user, backend=BACKEND)
    next_url = str(body.get("next") or "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=False):
        next_url = ""
    return JsonResponse({"redirect": next_url or reverse("portal:me")})
