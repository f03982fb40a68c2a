"""Who may call the API: the signed-in session (CSRF on every unsafe method) or a token.

The same rules as the pages: an officer or administrator counts only after signing in with
their second factor (django-otp), a citizen with their password. Systems send a bearer token
instead (`ApiTokenAuth`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from gov3.accounts.models import ApiToken, User
from gov3.accounts.posts import apply_post
from gov3.accounts.services import TOKEN_PREFIX, token_hash


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


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer gov3_…``: a token made with `gov3 accounts token`, for systems.

    The token stands for its account with the same permissions; only its SHA-256 is stored.
    An expired or revoked token, or one of an inactive account, is refused (401).
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = timezone.now()
        record = (
            ApiToken.objects.select_related("user")
            .filter(sha256=token_hash(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = apply_post(record.user)
        return record.user


token_auth = ApiTokenAuth()
