"""Reorganisation pages (thin): an HR officer drafts a reorganisation and the head of the HR
unit approves it; anyone of the HR staff reads the organisation as it was on a day and a
unit's history (its lineage with dates and act numbers). Units and counts only, no personal
data. Another agency's unit or act by id: not found."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import officer_required
from gov3.core.errors import PermissionRefusedError, ValidationFailedError
from gov3.core.personal_data import no_personal_data
from gov3.personnel import unit_history
from gov3.personnel.models import Unit
from gov3.personnel.page_helpers import hr_officer as _hr_officer
from gov3.personnel.page_helpers import report_approval
from gov3.personnel.reorganisation import (
    ReorganisationDraft,
    SuccessorDraft,
    agency_acts,
    do_approve_reorganisation,
    do_draft_reorganisation,
    may_approve,
)
from gov3.personnel.reorganisation_models import ReorganisationKind


def parse_successors(text: str) -> list[SuccessorDraft]:
    """`code; local name; English name; authorised headcount; parent code` a line (the last
    two may be left empty)."""
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        parts += [""] * (5 - len(parts))
        if len(parts) > 5 or not all(parts[:3]):
            raise forms.ValidationError(
                gettext("Line %(n)s: give a code, a local name and an English name.") % {"n": n}
            )
        headcount = None
        if parts[3]:
            if not parts[3].isdigit():
                raise forms.ValidationError(
                    gettext("Line %(n)s: the authorised headcount is a whole number.") % {"n": n}
                )
            headcount = int(parts[3])
        found.append(SuccessorDraft(parts[0], parts[1], parts[2], headcount, parts[4]))
    return found


def parse_mapping(text: str) -> dict[str, str]:
    """`position code = new unit code` a line."""
    mapping: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        position, sep, unit = (p.strip() for p in line.partition("="))
        if not sep or not position or not unit:
            raise forms.ValidationError(
                gettext("Line %(n)s: write a position code, '=', and a new unit's code.") % {"n": n}
            )
        mapping[position] = unit
    return mapping


class ReorganisationForm(forms.Form):
    """Draft a reorganisation."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of reorganisation"), choices=ReorganisationKind.choices
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    predecessors = forms.CharField(
        label=gettext_lazy("Units reorganised"),
        max_length=1000,
        help_text=gettext_lazy("Their codes, separated by commas."),
    )
    successors = forms.CharField(
        label=gettext_lazy("New units"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One a line: code; local name; English name; authorised headcount; parent unit "
            "code. The headcount is needed for a split (a merge adds up the old units'); "
            "without a parent code, the new unit stays where the old one was."
        ),
    )
    positions = forms.CharField(
        label=gettext_lazy("Where the positions go"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "For a split, one a line: position code = new unit code. Every position held on "
            "the date must be given. With one new unit, every position goes to it."
        ),
    )

    def clean_successors(self) -> list[SuccessorDraft]:
        return parse_successors(self.cleaned_data["successors"])

    def clean_positions(self) -> dict[str, str]:
        return parse_mapping(self.cleaned_data["positions"])


def _day(request: HttpRequest) -> date:
    raw = request.GET.get("on", "")
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def reorganisations(request: HttpRequest) -> HttpResponse:
    """The organisation on a day (`?on=YYYY-MM-DD`, default today), the agency's
    reorganisations with the head's approval buttons, and the form to draft one."""
    officer = _hr_officer(request)
    today = timezone.localdate()
    form = ReorganisationForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = ReorganisationDraft(
            kind=data["kind"],
            effective_on=data["effective_on"],
            predecessors=[c.strip() for c in data["predecessors"].split(",") if c.strip()],
            successors=data["successors"],
            positions=data["positions"],
        )
        try:
            act = do_draft_reorganisation(officer, draft)
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                gettext("Reorganisation %(number)s is waiting for approval.")
                % {"number": act.number},
            )
            return redirect("personnel:reorganisations")
    day = _day(request)
    acts = list(agency_acts(officer)[:100])
    context = {
        "form": form,
        "error": error,
        "day": day,
        "units": unit_history.tree_on(officer.agency_id or 0, day),
        "acts": [(act, may_approve(officer, act, today)) for act in acts],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "personnel/reorganisations.html", context, status=status)


@officer_required
@require_POST
@no_personal_data
def approve_reorganisation(request: HttpRequest, act_id: int) -> HttpResponse:
    """The head of the HR unit approves a reorganisation; back to the reorganisations page."""
    officer = _hr_officer(request)
    report_approval(
        request,
        lambda: do_approve_reorganisation(officer, act_id),
        lambda act: (
            gettext("Reorganisation %(number)s is approved; it takes effect on %(day)s.")
            % {"number": act.number, "day": act.effective_on.isoformat()}
        ),
    )
    return redirect("personnel:reorganisations")


@officer_required
@require_http_methods(["GET"])
@no_personal_data
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit of the agency with its history: where it came from, what became of it, and the
    positions moved in or out, each with the act's number and date."""
    officer = _hr_officer(request)
    unit = (
        Unit.objects.filter(pk=unit_id, agency_id=officer.agency_id or 0)
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise Http404
    context = {
        "unit": unit,
        "lineage": unit_history.lineage(unit),
        "moves": list(unit_history.moves_of(unit)),
    }
    return render(request, "personnel/unit_history.html", context)
