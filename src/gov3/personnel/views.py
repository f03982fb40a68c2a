"""Personnel pages (thin): HR officers see their agency's organisation, staff records and
orders, issue and approve orders; a civil servant sees their own record and orders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.personnel import queries
from gov3.personnel.certificates import own_certificates
from gov3.personnel.forms import OrderForm
from gov3.personnel.page_helpers import hr_officer as _hr_officer
from gov3.personnel.page_helpers import report_approval
from gov3.personnel.record_views import DetailForm
from gov3.personnel.records import details
from gov3.personnel.services import (
    OrderDraft,
    do_approve_order,
    do_issue_order,
    may_approve,
    pack_for,
)


@officer_required
@require_http_methods(["GET"])
@access_logged(queries.STAFF_LIST_PARTS)
def organisation(request: HttpRequest) -> HttpResponse:
    """The agency's units with authorised and actual headcount, who holds which post, and the
    orders waiting for approval."""
    officer = _hr_officer(request)
    today = timezone.localdate()
    pending = list(queries.orders_awaiting_approval(officer))
    context = {
        "units": queries.organisation(officer, today),
        "staff": queries.staff_list(officer, today),
        "pending": [(order, may_approve(officer, order, today)) for order in pending],
        "past_limits": queries.past_tenure_limits(officer, today),
    }
    return render(request, "personnel/organisation.html", context)


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(queries.RECORD_PARTS)
def staff_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """One staff record of the agency, with the form to issue an order about it."""
    officer = _hr_officer(request)
    try:
        record = queries.staff_record_for_hr(officer, record_id)
    except NotFoundError:
        raise Http404 from None
    pack = pack_for(record.country)
    positions = queries.order_positions(officer)
    form = OrderForm(request.POST or None, positions=positions, pack=pack)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = OrderDraft(
            kind=data["kind"],
            position=data["position"],
            grade=data["grade"] or "",
            step=data["step"],
            effective_on=data["effective_on"],
            exception_reason=data["exception_reason"],
        )
        try:
            order = do_issue_order(officer, record, draft)
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                gettext("Order %(number)s is waiting for approval.") % {"number": order.number},
            )
            return redirect("personnel:staff_record", record_id=record.pk)
    context = {
        "view": queries.record_view(record),
        "form": form,
        "error": error,
        "details": details(record),
        "detail_form": DetailForm(prefix="detail"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "personnel/staff_record.html", context, status=status)


@officer_required
@require_POST
@no_personal_data
def approve(request: HttpRequest, order_id: int) -> HttpResponse:
    """The head of the HR unit approves an order; back to the organisation page."""
    officer = _hr_officer(request)
    report_approval(
        request,
        lambda: do_approve_order(officer, order_id),
        lambda order: (
            gettext("Order %(number)s is approved; it takes effect on %(day)s.")
            % {"number": order.number, "day": order.effective_on.isoformat()}
        ),
    )
    return redirect("personnel:organisation")


@login_required
@require_http_methods(["GET"])
@citizens_own_data
def my_record(request: HttpRequest) -> HttpResponse:
    """A civil servant's own record: appointments, grade and pay, orders."""
    user = request.user
    assert isinstance(user, User)
    if user.kind == "officer" and not getattr(user, "is_verified", lambda: False)():
        raise Http404
    try:
        record = queries.own_record(user)
    except NotFoundError:
        return render(request, "personnel/my_record.html", {"view": None})
    context = {
        "view": queries.record_view(record),
        "certificates": own_certificates(user),
        "details": details(record),
    }
    return render(request, "personnel/my_record.html", context)
