"""The OpenID provider's endpoints: django-oauth-toolkit's views, each declaring what it shows;
the consent screen is gov3's own and only citizens may consent."""

from __future__ import annotations

import base64
import binascii
import json
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from oauth2_provider import views as toolkit

from gov3.accounts.models import User
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.identity.provider import SCOPES
from gov3.identity.services import (
    ANONYMOUS,
    do_record_refused_authorization,
    do_record_refused_token_request,
)


@citizens_own_data
class AuthorizationView(toolkit.AuthorizationView):  # type: ignore[misc]
    """The consent screen: which system asks, and what each scope would release."""

    template_name = "identity/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not (isinstance(user, User) and user.is_citizen):
            return render(request, "identity/authorize_citizens_only.html", status=403)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def error_response(self, error: Any, application: Any, **kwargs: Any) -> HttpResponse:
        """The toolkit's answer to a refused or declined request, written to the audit log."""
        request = self.request
        user = request.user
        do_record_refused_authorization(
            actor=user.get_username() if user.is_authenticated else ANONYMOUS,
            client_id=str(request.GET.get("client_id") or request.POST.get("client_id") or ""),
            error=str(getattr(error.oauthlib_error, "error", "") or "invalid_request"),
            description=str(getattr(error.oauthlib_error, "description", "") or ""),
        )
        response: HttpResponse = super().error_response(error, application, **kwargs)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        context["releases"] = [SCOPES[scope] for scope in scopes if scope in SCOPES]
        return context


@access_logged("claims released to a client system (ID token)")
class TokenView(toolkit.TokenView):  # type: ignore[misc]
    """Code and refresh-token exchange; the ID token carries the released claims. Each refused
    request is written to the audit log."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        _audit_if_refused(request, response, str(request.POST.get("grant_type", "")))
        return response


def _audit_if_refused(request: HttpRequest, response: HttpResponse, grant_type: str) -> None:
    """Write a refused token or revocation request to the audit log."""
    if response.status_code >= HTTPStatus.BAD_REQUEST:
        do_record_refused_token_request(
            client_id=_claimed_client_id(request),
            error=_oauth_error(response),
            grant_type=grant_type,
        )


def _claimed_client_id(request: HttpRequest) -> str:
    """The client id a token request claims: from HTTP Basic authentication (RFC 6749 §2.3.1,
    form-encoded) or the form's `client_id`; the secret is never read out."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return unquote(decoded.partition(":")[0].replace("+", " "))
    return str(request.POST.get("client_id", ""))


def _oauth_error(response: HttpResponse) -> str:
    """The `error` code of an OAuth error answer (RFC 6749 §5.2)."""
    try:
        answer = json.loads(response.content)
    except ValueError:
        return f"http_{response.status_code}"
    error = answer.get("error") if isinstance(answer, dict) else None
    return str(error) if error else f"http_{response.status_code}"


@access_logged("claims released to a client system (userinfo)")
class UserInfoView(toolkit.UserInfoView):  # type: ignore[misc]
    """The claims of the token's citizen, as their scopes allow."""


@no_personal_data
class RevokeTokenView(toolkit.RevokeTokenView):  # type: ignore[misc]
    """A client gives up a token (RFC 7009). A refused request (a client that does not
    authenticate) is written to the audit log like a refused token request."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        _audit_if_refused(request, response, "revocation")
        return response


@no_personal_data
class DiscoveryView(toolkit.ConnectDiscoveryInfoView):  # type: ignore[misc]
    """The OpenID provider's discovery document."""


@no_personal_data
class JwksView(toolkit.JwksInfoView):  # type: ignore[misc]
    """The provider's public signing keys."""
