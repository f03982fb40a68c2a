"""Who sees the pages (the user's jurisdiction) and the handling of a form step."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from gov3.accounts.models import User
from gov3.core.errors import Gov3Error, NotFoundError, PermissionRefusedError
from gov3.core.personal_data import no_personal_data
from gov3.saemaul.web_access import Jurisdiction, Step, jurisdiction_of

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50


def saemaul_view(view: View) -> View:
    """Only users with a programme role (officers signed in with their second factor).

    The view receives the user's ``Jurisdiction``; a record outside it is "not found", a step
    the user's level does not take is "forbidden".
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "portal:login")
        verified = getattr(user, "is_verified", lambda: False)()
        if isinstance(user, User) and not user.is_citizen and not verified:
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        jurisdiction = jurisdiction_of(user)
        if jurisdiction is None:
            return render(request, "saemaul/no_role.html", status=403)
        try:
            return view(request, jurisdiction, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except PermissionRefusedError as error:
            raise PermissionDenied(str(error)) from None

    return wrapped


@no_personal_data
def _refused(request: HttpRequest, error: Gov3Error) -> None:
    messages.error(request, str(error))


def _context(j: Jurisdiction, **extra: Any) -> dict[str, Any]:
    return {"j": j, "Step": Step, **extra}


@no_personal_data
def _form_step(request: HttpRequest, form: Form, run: Callable[[dict[str, Any]], Any]) -> Any:
    """Run one command with a POSTed form's data: its result when done, None when the input
    was wrong or the command refused it (the refusal becomes the form's error; nothing was
    changed)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return run(form.cleaned_data)
    except Gov3Error as error:
        form.add_error(None, str(error))
        return None


def _post_step(
    request: HttpRequest, form: Form, run: Callable[[dict[str, Any]], Any], done: str
) -> None:
    """Run one workflow step posted from a record's page; every input error or the refusal
    becomes an error message there (nothing was changed), success a success message."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return
    try:
        run(form.cleaned_data)
    except Gov3Error as error:
        _refused(request, error)
    else:
        messages.success(request, done)


def _form_page(
    request: HttpRequest, template: str, j: Jurisdiction, **context: Any
) -> HttpResponse:
    """A form page; shown again after a POST only when the input was wrong or refused."""
    return render(
        request,
        template,
        _context(j, **context),
        status=400 if request.method == "POST" else 200,
    )
