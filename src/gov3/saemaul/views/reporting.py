"""The reporting chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gov3.core.errors import Gov3Error
from gov3.core.personal_data import no_personal_data
from gov3.registry.models import AreaLevel
from gov3.saemaul.forms import ReportForm, ReturnForm, VersionForm
from gov3.saemaul.models import Report, ReportLevel, ReportStatus
from gov3.saemaul.queries import AREA_REPORT_LEVEL, child_reports
from gov3.saemaul.services.reports import (
    do_approve_report,
    do_prepare_report,
    do_return_report,
    do_submit_report,
)
from gov3.saemaul.views.access import (
    PAGE_SIZE,
    _context,
    _form_page,
    _post_step,
    saemaul_view,
)
from gov3.saemaul.web_access import REVIEWS, Jurisdiction

#: Labels of the figures of monthly reports (keys from queries.village_month_figures).
FIGURE_LABELS = {
    "assemblies": gettext_lazy("Assemblies held"),
    "attended_men": gettext_lazy("Men attending"),
    "attended_women": gettext_lazy("Women attending"),
    "resolutions_adopted": gettext_lazy("Resolutions adopted"),
    "projects_submitted": gettext_lazy("Projects submitted"),
    "projects_approved": gettext_lazy("Projects approved"),
    "projects_completed": gettext_lazy("Projects completed"),
    "photos": gettext_lazy("Progress photos"),
    "photos_flagged": gettext_lazy("Photos flagged"),
    "fund_in_krw": gettext_lazy("Village fund: money in (KRW)"),
    "fund_out_krw": gettext_lazy("Village fund: money out (KRW)"),
    "fund_balance_krw": gettext_lazy("Village fund balance (KRW)"),
    "reports_expected": gettext_lazy("Reports expected from the level below"),
    "reports_approved": gettext_lazy("Reports approved from the level below"),
    "delivered_cement": gettext_lazy("Cement delivered (bags)"),
    "delivered_steel": gettext_lazy("Steel delivered (kg)"),
    "delivered_rebar": gettext_lazy("Reinforcing bars delivered (kg)"),
    "delivered_cash": gettext_lazy("Cash delivered (KRW)"),
    "used_cement": gettext_lazy("Cement used (bags)"),
    "used_steel": gettext_lazy("Steel used (kg)"),
    "used_rebar": gettext_lazy("Reinforcing bars used (kg)"),
    "used_cash": gettext_lazy("Cash used (KRW)"),
}


def _reports_to_review(j: Jurisdiction) -> QuerySet[Report]:
    level = REVIEWS.get(j.level)
    if level is None:
        return Report.objects.none()
    submitted = Report.objects.filter(status=ReportStatus.SUBMITTED, level=level)
    if level == ReportLevel.VILLAGE:
        return submitted.filter(village__in=j.villages())
    if j.area is None:
        return submitted.filter(area__country=j.country, area__parent__isnull=True)
    return submitted.filter(area__parent=j.area)


def _own_reports(j: Jurisdiction) -> QuerySet[Report]:
    if j.village is not None:
        return Report.objects.filter(village=j.village)
    if j.area is not None:
        return Report.objects.filter(
            area=j.area, level=AREA_REPORT_LEVEL.get(AreaLevel(j.area.level))
        )
    return Report.objects.none()


@saemaul_view
@no_personal_data
def reports(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Reports waiting for the user's review, and the user's own monthly reports."""
    today = timezone.localdate()
    prepares = j.village is not None or (j.area is not None and j.area.level in AREA_REPORT_LEVEL)
    form = ReportForm(request.POST or None, initial={"year": today.year, "month": today.month})
    if request.method == "POST":
        if not prepares:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = do_prepare_report(
                    j.actor,
                    year=form.cleaned_data["year"],
                    month=form.cleaned_data["month"],
                    village=j.village,
                    area=None if j.village is not None else j.area,
                    narrative=form.cleaned_data["narrative"] or None,
                )
            except Gov3Error as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The report was prepared. Check it, then submit it."))
                return redirect("saemaul:report", pk=report.pk)
    return _form_page(
        request,
        "saemaul/reports.html",
        j,
        to_review=_reports_to_review(j).select_related("village", "area")[:PAGE_SIZE],
        own=_own_reports(j).select_related("village", "area")[:24],
        form=form if prepares else None,
    )


@saemaul_view
@no_personal_data
def report(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """A monthly report: its figures, the reports below it, and the review steps."""
    the_report = j.report_by_id(pk)
    own = (
        the_report.village_id is not None and the_report.village_id == j.assignment.village_id
    ) or (the_report.area_id is not None and the_report.area_id == j.assignment.area_id)
    figures = [
        (FIGURE_LABELS.get(key, key), value) for key, value in sorted(the_report.figures.items())
    ]
    initial = {"version": the_report.version}
    return render(
        request,
        "saemaul/report.html",
        _context(
            j,
            report=the_report,
            unit=the_report.village or the_report.area,
            figures=figures,
            children=child_reports(the_report).select_related("village", "area"),
            can_submit=own and the_report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
            can_review=j.reviews(the_report) and the_report.status == ReportStatus.SUBMITTED,
            version_form=VersionForm(initial=initial),
            return_form=ReturnForm(initial=initial),
        ),
    )


def _report_step(
    request: HttpRequest,
    j: Jurisdiction,
    pk: int,
    *,
    review: bool,
    form_class: type[VersionForm],
    run: Callable[[Report, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Take one step on a report (submit: the level that prepared it; approve or return: the
    level directly above); a refusal is shown on the report page."""
    the_report = j.report_for_step(pk, review=review)
    _post_step(request, form_class(request.POST), lambda d: run(the_report, d), done)
    return redirect("saemaul:report", pk=the_report.pk)


@require_POST
@saemaul_view
@no_personal_data
def report_submit(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Send the user's own report to the level above."""
    return _report_step(
        request,
        j,
        pk,
        review=False,
        form_class=VersionForm,
        run=lambda r, d: do_submit_report(j.actor, r, expected_version=d["version"]),
        done=_("The report was submitted for review."),
    )


@require_POST
@saemaul_view
@no_personal_data
def report_approve(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Approve the report of the level below; its period is then locked."""
    return _report_step(
        request,
        j,
        pk,
        review=True,
        form_class=VersionForm,
        run=lambda r, d: do_approve_report(j.actor, r, expected_version=d["version"]),
        done=_("The report was approved; its period is now locked."),
    )


@require_POST
@saemaul_view
@no_personal_data
def report_return(request: HttpRequest, j: Jurisdiction, pk: int) -> HttpResponse:
    """Send the report of the level below back, saying what to correct."""
    return _report_step(
        request,
        j,
        pk,
        review=True,
        form_class=ReturnForm,
        run=lambda r, d: do_return_report(
            j.actor, r, expected_version=d["version"], reason=d["reason"]
        ),
        done=_("The report was returned for correction."),
    )
