"""The HR officer adds an entry to a staff record's details or ends an open one (thin views;
the record page shows them). Another agency's record or entry by id: not found, not logged."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import officer_required
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.personnel import queries
from gov3.personnel.page_helpers import hr_officer as _hr_officer
from gov3.personnel.record_models import DetailKind, RecordDetail
from gov3.personnel.records import DetailDraft, do_add_detail, do_end_detail


class DetailForm(forms.Form):
    """Add an entry to a record's details."""

    kind = forms.ChoiceField(label=_("Kind of detail"), choices=DetailKind.choices)
    title = forms.CharField(
        label=pgettext_lazy("record detail", "What"),
        max_length=200,
        help_text=_("The degree, the post held, the course, the award or the measure."),
    )
    issuer = forms.CharField(
        label=pgettext_lazy("record detail", "Given by"),
        max_length=200,
        help_text=_("The school, employer, training institute or deciding body."),
    )
    starts_on = forms.DateField(
        label=pgettext_lazy("record detail", "From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=pgettext_lazy("record detail", "Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hours = forms.IntegerField(
        label=_("Training hours"), required=False, min_value=1, max_value=10000
    )
    reference = forms.CharField(label=_("Document reference"), max_length=100, required=False)


@officer_required
@require_POST
@no_personal_data
def add_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    """Add an entry; back to the record page with the outcome."""
    officer = _hr_officer(request)
    record = queries.agency_records(officer).filter(pk=record_id).first()
    if record is None:
        raise Http404
    form = DetailForm(request.POST, prefix="detail")
    if not form.is_valid():
        messages.error(request, gettext("The detail was not added: check every field."))
        return redirect("personnel:staff_record", record_id=record.pk)
    data = form.cleaned_data
    draft = DetailDraft(
        kind=data["kind"],
        title=data["title"],
        issuer=data["issuer"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        hours=data["hours"],
        reference=data["reference"],
    )
    try:
        do_add_detail(officer, record, draft)
    except (ValidationFailedError, PermissionRefusedError) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, gettext("The detail is added to the record."))
    return redirect("personnel:staff_record", record_id=record.pk)


@officer_required
@require_POST
@no_personal_data
def end_detail(request: HttpRequest, detail_id: int) -> HttpResponse:
    """End an open entry today (or on the date given), with the reason."""
    officer = _hr_officer(request)
    detail = (
        RecordDetail.objects.filter(pk=detail_id, record__in=queries.agency_records(officer))
        .only("pk", "record_id")
        .first()
    )
    if detail is None:
        raise Http404
    field = forms.DateField(required=False)
    try:
        ends_on = field.clean(request.POST.get("ends_on", "")) or timezone.localdate()
    except forms.ValidationError:
        messages.error(request, gettext("Enter a valid date."))
        return redirect("personnel:staff_record", record_id=detail.record_id)
    try:
        do_end_detail(officer, detail.pk, ends_on, request.POST.get("reason", ""))
    except NotFoundError:
        raise Http404 from None
    except (ValidationFailedError, PermissionRefusedError) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, gettext("The detail is ended; it stays in the history."))
    return redirect("personnel:staff_record", record_id=detail.record_id)
