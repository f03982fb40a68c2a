"""Sign-in with the national digital ID: off to the provider, back with a code, signed in; and
signing out at the provider too."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gov3.core.personal_data import no_personal_data
from gov3.identity import oidc
from gov3.identity.config import client_public_jwks, national_id_provider
from gov3.identity.services import (
    NotInRegisterError,
    do_record_refused_sign_in,
    do_sign_in_with_national_id,
)

PENDING = "gov3_national_id_pending"
NEXT = "gov3_national_id_next"
#: The ID token of this session's sign-in: the hint that lets the provider end its session.
ID_TOKEN = "gov3_national_id_token"  # noqa: S105 - a session key name
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _explain(reason: str) -> str:
    """What the citizen is told for each refusal: what happened and what to do."""
    if reason in {"not_in_register", "deceased"}:
        return _(
            "The national digital ID confirmed who you are, but the population register has "
            "no one with that identity number who can open an account. No account was made. "
            "Ask your local office to check your registration."
        )
    if reason == "not_a_citizen_account":
        return _(
            "This identity belongs to an officer or administrator account, which cannot sign "
            "in this way. Use the officer sign-in page."
        )
    if reason == "provider_unreachable":
        return _(
            "The national digital ID service did not answer. Nothing was changed. "
            "Try again in a few minutes, or sign in another way."
        )
    if reason == "provider_error":
        return _("The sign-in was cancelled at the national digital ID service. Nothing changed.")
    return _(
        "The answer from the national digital ID service could not be trusted (it was "
        "expired, altered, or meant for another site), so you were not signed in and nothing "
        "was changed. Start the sign-in again."
    )


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "identity/sign_in_refused.html",
        {"message": _explain(reason), "reason": reason},
        status=403 if reason != "provider_unreachable" else 502,
    )


@no_personal_data
@require_GET
def national_id_start(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the national digital ID with a signed request."""
    provider = national_id_provider()
    if not provider.enabled:
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("identity:national_id_callback"))
    try:
        url, pending = oidc.authorization_request(
            provider, redirect_uri, ui_locales=get_language() or ""
        )
    except oidc.SignInRefusedError as refusal:
        return _refused(request, refusal.reason)
    next_url = request.GET.get("next", "")
    request.session[PENDING] = pending.as_session()
    request.session[NEXT] = (
        next_url
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=False)
        else ""
    )
    return redirect(url)


@no_personal_data
@require_GET
def national_id_callback(request: HttpRequest) -> HttpResponse:
    """The citizen back from the provider: check everything, then sign them in."""
    provider = national_id_provider()
    if not provider.enabled:
        raise Http404
    # Used once: a replayed or second answer finds nothing pending.
    pending = oidc.PendingSignIn.from_session(request.session.pop(PENDING, None))
    next_url = str(request.session.pop(NEXT, "") or "")
    answer = {key: str(value) for key, value in request.GET.items()}
    try:
        claims, id_token = oidc.complete_sign_in(provider, pending, answer)
    except oidc.SignInRefusedError as refusal:
        do_record_refused_sign_in(
            method="national_id",
            reason=refusal.reason,
            data={"issuer": provider.issuer, "detail": refusal.detail[:200]},
        )
        return _refused(request, refusal.reason)
    national_id = claims.get(provider.national_id_claim)
    if not isinstance(national_id, str) or not national_id.strip():
        do_record_refused_sign_in(
            method="national_id",
            reason="no_national_id_claim",
            data={"issuer": provider.issuer, "subject": str(claims.get("sub", ""))},
        )
        return _refused(request, "no_national_id_claim")
    try:
        user = do_sign_in_with_national_id(
            country=provider.country,
            issuer=provider.issuer,
            subject=str(claims["sub"]),
            national_id=national_id,
        )
    except NotInRegisterError as refusal:
        return _refused(request, str(refusal))
    login(request, user, backend=BACKEND)
    request.session[ID_TOKEN] = id_token
    return redirect(next_url or "portal:me")


@no_personal_data
@require_POST
def national_id_logout(request: HttpRequest) -> HttpResponse:
    """Sign out of gov3, and of the national digital ID (RP-initiated logout)."""
    id_token = request.session.get(ID_TOKEN)
    logout(request)
    provider = national_id_provider()
    if isinstance(id_token, str) and provider.enabled:
        url = oidc.logout_url(
            provider,
            id_token_hint=id_token,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("portal:home")),
        )
        if url:
            return redirect(url)
    return redirect("portal:home")


@no_personal_data
@require_GET
def client_jwks(request: HttpRequest) -> JsonResponse:
    """gov3's public client key as a JWK set, for the provider to check its signatures."""
    provider = national_id_provider()
    if not provider.enabled:
        raise Http404
    return JsonResponse(client_public_jwks(provider))
