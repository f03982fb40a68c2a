"""Self-service pages (issue 18 item 9): a civil servant's leave and overtime requests with
their balance (/me/personnel/requests/), and the heads' approvals
(/officer/personnel/approvals/). Thin: the rules are in `self_service.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.forms import KrdsFormMixin
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.personnel import self_service

#: Names of the pack's kinds of leave (a kind not listed shows its code).
LEAVE_KINDS = {
    "annual": gettext_lazy("Annual leave"),
    "sick": gettext_lazy("Sick leave"),
    "special": gettext_lazy("Special leave"),
}


def leave_kind_label(code: str) -> str:
    return str(LEAVE_KINDS.get(code, code))


class LeaveForm(KrdsFormMixin, forms.Form):
    leave_kind = forms.ChoiceField(label=gettext_lazy("Kind of leave"))
    starts_on = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "leave")
        super().__init__(*args, **kwargs)
        field = self.fields["leave_kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, leave_kind_label(code)) for code in kinds]


class OvertimeForm(KrdsFormMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.IntegerField(label=gettext_lazy("Hours"), min_value=1, max_value=24)
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "overtime")
        super().__init__(*args, **kwargs)


def _civil_servant(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.kind == "officer" and not getattr(user, "is_verified", lambda: False)():
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
@citizens_own_data
def my_requests(request: HttpRequest) -> HttpResponse:
    """My leave balance, my requests with their status, and the forms to request leave or
    overtime."""
    user = _civil_servant(request)
    try:
        record = self_service.own_record(user)
    except NotFoundError:
        return render(request, "personnel/my_requests.html", {"record": None})
    balances = self_service.balances(record)
    kinds = [b.kind for b in balances]
    action = request.POST.get("action", "")
    leave_form = LeaveForm(request.POST if action == "leave" else None, kinds=kinds)
    overtime_form = OvertimeForm(request.POST if action == "overtime" else None)
    error = ""
    if request.method == "POST":
        try:
            if action == "leave" and leave_form.is_valid():
                data = leave_form.cleaned_data
                self_service.do_request_leave(
                    user,
                    leave_kind=data["leave_kind"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                )
            elif action == "overtime" and overtime_form.is_valid():
                data = overtime_form.cleaned_data
                self_service.do_request_overtime(
                    user, day=data["day"], hours=data["hours"], reason=data["reason"]
                )
            else:
                error = gettext("Check the form: some answers are missing or not valid.")
        except ValidationFailedError as refused:
            error = str(refused)
        if not error:
            messages.success(request, gettext("Your request is sent for approval."))
            return redirect("personnel:my_requests")
    context = {
        "record": record,
        "balances": [(leave_kind_label(b.kind), b) for b in balances],
        "requests": [(r, leave_kind_label(r.leave_kind)) for r in self_service.my_requests(user)],
        "leave_form": leave_form,
        "overtime_form": overtime_form,
        "error": error,
        "today": timezone.localdate(),
    }
    status = 400 if error else 200
    return render(request, "personnel/my_requests.html", context, status=status)


@login_required
@require_POST
@no_personal_data
def cancel_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Cancel one of my requests; another person's: not found."""
    user = _civil_servant(request)
    try:
        self_service.do_cancel(user, request_id)
    except NotFoundError:
        raise Http404 from None
    except ValidationFailedError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, gettext("The request is cancelled."))
    return redirect("personnel:my_requests")


@officer_required
@require_http_methods(["GET"])
@access_logged(self_service.REQUESTS_PARTS)
def approvals(request: HttpRequest) -> HttpResponse:
    """The leave and overtime requests waiting for my decision as a head."""
    user = request.user
    assert isinstance(user, User)
    waiting = self_service.waiting_for_me(user)
    context = {
        "is_head": self_service.head_post(user) is not None,
        "waiting": [(r, leave_kind_label(r.leave_kind)) for r in waiting],
    }
    return render(request, "personnel/approvals.html", context)


@officer_required
@require_POST
@no_personal_data
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve or refuse a request waiting for me; one not waiting for me: not found."""
    user = request.user
    assert isinstance(user, User)
    approve = request.POST.get("decision") == "approve"
    try:
        found = self_service.do_decide(
            user, request_id, approve=approve, note=request.POST.get("note", "")
        )
    except NotFoundError:
        raise Http404 from None
    except (ValidationFailedError, PermissionRefusedError) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            gettext("Decision recorded: the request is now %(status)s.")
            % {"status": found.get_status_display()},
        )
    return redirect("personnel:approvals")
