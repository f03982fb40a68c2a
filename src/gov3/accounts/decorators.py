"""Who may open a page: officers who signed in with their second factor; citizens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from gov3.accounts.models import AccountKind, User

View = Callable[..., HttpResponse]


def officer_required(view: View) -> View:
    """Only officers who signed in with their second factor; others go to the officer sign-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if not isinstance(user, User) or not user.is_officer or not verified:
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        return view(request, *args, **kwargs)

    return wrapped


def citizen_of(request: HttpRequest) -> User | None:
    """The signed-in citizen with their registry person, or None for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.is_citizen or user.person_id is None:
        return None
    return user


def signed_in_citizen(request: HttpRequest) -> User:
    """The signed-in citizen; any other account sees "not found" (pages use login_required)."""
    user = citizen_of(request)
    if user is None:
        raise Http404
    return user


def administrator_required(view: View) -> View:
    """Only administrators who signed in with their second factor (on the officer or admin
    sign-in); anyone else signed in with a second factor gets "not found"."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if not isinstance(user, User) or not verified:
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        if user.kind != AccountKind.ADMINISTRATOR or not user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
