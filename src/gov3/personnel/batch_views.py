"""Batch order pages: an HR officer drafts many transfers from CSV at once (all or none, every
refused line reported); the head of the HR unit reviews and approves the batch."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import officer_required
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.personnel import queries
from gov3.personnel.batch import (
    BatchRefusedError,
    Refusal,
    batch_for,
    do_approve_batch,
    do_issue_batch,
    may_approve_batch,
    parse_csv,
)
from gov3.personnel.models import OrderBatch
from gov3.personnel.page_helpers import hr_officer as _hr_officer
from gov3.personnel.page_helpers import report_approval

BATCH_PARTS = "batch order: names, employee numbers, positions"


class BatchForm(forms.Form):
    lines = forms.CharField(
        label=gettext_lazy("Transfers, as CSV"),
        help_text=gettext_lazy(
            "First line: employee_number,position,effective_on,exception_reason; then one "
            "transfer a line (dates as YYYY-MM-DD)."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=2_000_000,
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def batches(request: HttpRequest) -> HttpResponse:
    """The agency's batch orders (numbers and counts) and the form to draft one."""
    officer = _hr_officer(request)
    form = BatchForm(request.POST or None)
    error = ""
    refusals: list[Refusal] = []
    if request.method == "POST" and form.is_valid():
        try:
            batch = do_issue_batch(officer, parse_csv(form.cleaned_data["lines"]))
        except BatchRefusedError as refused:
            error = gettext("%(count)s line(s) refused; nothing was issued.") % {
                "count": len(refused.refusals)
            }
            refusals = refused.refusals
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                gettext("Batch order %(number)s is waiting for approval.")
                % {"number": batch.number},
            )
            return redirect("personnel:batch", batch_id=batch.pk)
    listed = OrderBatch.objects.filter(agency_id=officer.agency_id or 0)[:100]
    context = {
        "batches": [(b, b.orders.count()) for b in listed],
        "form": form,
        "error": error,
        "refusals": refusals,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "personnel/batches.html", context, status=status)


@officer_required
@require_http_methods(["GET"])
@access_logged(BATCH_PARTS)
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One batch of the agency, every order in it; the head approves it here. Another
    agency's batch: 404, nothing logged."""
    officer = _hr_officer(request)
    try:
        found = batch_for(officer, batch_id)
    except NotFoundError:
        raise Http404 from None
    orders = list(
        found.orders.select_related("record__person", "position__unit__agency").order_by("number")
    )
    queries.log_reads(officer, [o.record.person_id for o in orders], BATCH_PARTS, AccessChannel.WEB)
    context = {
        "batch": found,
        "orders": orders,
        "approvable": found.status == "draft"
        and may_approve_batch(officer, found, timezone.localdate()),
    }
    return render(request, "personnel/batch.html", context)


@officer_required
@require_POST
@no_personal_data
def approve_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    officer = _hr_officer(request)
    report_approval(
        request,
        lambda: do_approve_batch(officer, batch_id),
        lambda approved: (
            gettext("Batch order %(number)s is approved.") % {"number": approved.number}
        ),
    )
    return redirect("personnel:batch", batch_id=batch_id)
