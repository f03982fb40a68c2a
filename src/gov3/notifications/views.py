"""Citizen pages under /me/notifications/: the list (unread first, mark as read) and the
preferences. Thin: find the signed-in citizen, call one command, render.

Only a citizen signed in with their own account has these pages; anyone else's notification
is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gov3.accounts.models import User
from gov3.core.errors import Gov3Error, NotFoundError
from gov3.core.personal_data import citizens_own_data
from gov3.notifications.forms import PreferenceForm
from gov3.notifications.queries import (
    notifications_for,
    preferences_for,
    site_language,
    unread_count,
)
from gov3.notifications.services import do_mark_read, do_set_preferences
from gov3.registry.models import Person

PAGE_SIZE = 30


def _citizen(request: HttpRequest) -> tuple[User, Person]:
    user = request.user
    if not isinstance(user, User) or not user.is_citizen or user.person is None:
        raise Http404
    return user, user.person


@login_required
@citizens_own_data
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications, unread first, each with a link to the details."""
    _, person = _citizen(request)
    page = Paginator(notifications_for(person), PAGE_SIZE).get_page(request.GET.get("page"))
    language = site_language()
    rows = [(n, n.title_in(language), n.body_in(language)) for n in page]
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "rows": rows, "unread": unread_count(person)},
    )


@login_required
@require_POST
@citizens_own_data
def mark_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark one of my notifications as read and go back to the list."""
    user, person = _citizen(request)
    try:
        do_mark_read(user.get_username(), person, public_id)
    except NotFoundError:
        raise Http404 from None
    return redirect("notifications:inbox")


@login_required
@citizens_own_data
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose which notifications come where, how often, when not, and in which language."""
    user, person = _citizen(request)
    form = PreferenceForm(
        request.POST if request.method == "POST" else None, preference=preferences_for(person)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_set_preferences(
                user.get_username(),
                person,
                digest=data["digest"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                time_zone=data["time_zone"],
                language=data["language"],
                channels=form.channels(),
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
