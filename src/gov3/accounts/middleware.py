"""An officer acts in the agency and role of their post effective today (ADR 0036)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gov3.accounts.models import User
from gov3.accounts.posts import apply_post


class OfficerPostMiddleware:
    """After authentication: the signed-in officer's `agency` and `role` become those of
    their post on today's date (cached; no post, no officer rights)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User):
            apply_post(user)
        return self.get_response(request)
