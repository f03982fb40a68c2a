"""The OpenID provider's endpoints: django-oauth-toolkit's views, each declaring what it shows;
the consent screen is gov3's own and only citizens may consent."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from oauth2_provider import views as toolkit

from gov3.accounts.models import User
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.identity.provider import SCOPES


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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        context["releases"] = [SCOPES[scope] for scope in scopes if scope in SCOPES]
        return context


@access_logged("claims released to a client system (ID token)")
class TokenView(toolkit.TokenView):  # type: ignore[misc]
    """Code and refresh-token exchange; the ID token carries the released claims."""


@access_logged("claims released to a client system (userinfo)")
class UserInfoView(toolkit.UserInfoView):  # type: ignore[misc]
    """The claims of the token's citizen, as their scopes allow."""


@no_personal_data
class RevokeTokenView(toolkit.RevokeTokenView):  # type: ignore[misc]
    """A client gives up a token (RFC 7009)."""


@no_personal_data
class DiscoveryView(toolkit.ConnectDiscoveryInfoView):  # type: ignore[misc]
    """The OpenID provider's discovery document."""


@no_personal_data
class JwksView(toolkit.JwksInfoView):  # type: ignore[misc]
    """The provider's public signing keys."""
