"""What the HR officers' pages share: who may open them, and how an approval is reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel import queries

T = TypeVar("T")


def hr_officer(request: HttpRequest) -> User:
    """The signed-in HR officer; anyone else sees "not found" (the pages' existence is no
    secret, but nothing on them is theirs to see)."""
    user = request.user
    if not queries.is_hr_officer(user):
        raise Http404
    assert isinstance(user, User)
    return user


def hr_api_officer(request: HttpRequest) -> User:
    """The HR officer calling a personnel API; anyone else is refused (403, with why)."""
    user = request.user
    if not queries.is_hr_officer(user):
        raise PermissionRefusedError(gettext("Only HR officers use the personnel API."))
    assert isinstance(user, User)
    return user


def report_approval(
    request: HttpRequest, approve: Callable[[], T], approved: Callable[[T], str]
) -> None:
    """Run an approval command and say how it went on the next page: another agency's (or no)
    such thing is "not found", a refusal is shown with its reason, success with `approved`."""
    try:
        done = approve()
    except NotFoundError:
        raise Http404 from None
    except (ValidationFailedError, PermissionRefusedError) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, approved(done))
