"""Who may call the API: the signed-in session, with CSRF on every unsafe method.

The same rules as the pages: an officer or administrator counts only after signing in with
their second factor (django-otp), a citizen with their password. A later issue can add other
schemes (e.g. tokens for systems) next to this one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from gov3.accounts.models import User


class VerifiedSessionAuth(SessionAuth):
    """Django's session cookie (``ninja.security.django_auth``), second factor for officers."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
            return None
        if not user.is_citizen and not getattr(user, "is_verified", lambda: False)():
            return None
        return user


session_auth = VerifiedSessionAuth()
