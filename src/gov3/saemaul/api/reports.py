"""The reporting chain."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Status

from gov3.core.errors import PermissionRefusedError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import MAX_LIMIT, _jurisdiction, router
from gov3.saemaul.api.converters import _report_out
from gov3.saemaul.api.schemas import ReportIn, ReportOut, ReturnIn, SaemaulVersionIn
from gov3.saemaul.models import ReportStatus
from gov3.saemaul.queries import AREA_REPORT_LEVEL
from gov3.saemaul.services.reports import (
    do_approve_report,
    do_prepare_report,
    do_return_report,
    do_submit_report,
)
from gov3.saemaul.web_access import REVIEWS


@router.get("/reports", response=list[ReportOut], url_name="saemaul_reports")
@no_personal_data
def list_reports(
    request: HttpRequest, status: str | None = None, to_review: bool = False
) -> list[dict[str, Any]]:
    """Reports in the caller's jurisdiction; ``to_review=true``: only those waiting for the
    caller's approval."""
    j = _jurisdiction(request)
    reports = j.reports().select_related("village", "area")
    if to_review:
        level = REVIEWS.get(j.level)
        reports = reports.filter(level=level or "-", status=ReportStatus.SUBMITTED)
        return [_report_out(r) for r in reports[:MAX_LIMIT] if j.reviews(r)]
    if status:
        reports = reports.filter(status=status)
    return [_report_out(r) for r in reports.order_by("-year", "-month", "level")[:MAX_LIMIT]]


@router.post(
    "/reports",
    response={201: ReportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="saemaul_prepare_report",
)
@no_personal_data
def prepare_report(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    """Prepare (or refresh) the caller's own report for a month; an approved one is locked."""
    j = _jurisdiction(request)
    if j.village is None and (j.area is None or j.area.level not in AREA_REPORT_LEVEL):
        raise PermissionRefusedError(gettext("Your level prepares no report."))
    report = do_prepare_report(
        j.actor,
        year=payload.year,
        month=payload.month,
        village=j.village,
        area=None if j.village is not None else j.area,
        narrative=payload.narrative,
    )
    return Status(201, _report_out(report))


@router.get(
    "/reports/{report_id}", response={200: ReportOut, 404: ErrorOut}, url_name="saemaul_report"
)
@no_personal_data
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """A report (404 outside the caller's jurisdiction)."""
    return _report_out(_jurisdiction(request).report_by_id(report_id))


REPORT_STEP_RESPONSES = {200: ReportOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/reports/{report_id}/submit",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_submit_report",
)
@no_personal_data
def submit_report(
    request: HttpRequest, report_id: int, payload: SaemaulVersionIn
) -> dict[str, Any]:
    """Send the caller's own report to the level above."""
    j = _jurisdiction(request)
    report = j.report_for_step(report_id, review=False)
    return _report_out(do_submit_report(j.actor, report, expected_version=payload.version))


@router.post(
    "/reports/{report_id}/approve",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_approve_report",
)
@no_personal_data
def approve_report(
    request: HttpRequest, report_id: int, payload: SaemaulVersionIn
) -> dict[str, Any]:
    """Approve the report of the level below; its period is locked from then on (409 after)."""
    j = _jurisdiction(request)
    report = j.report_for_step(report_id, review=True)
    return _report_out(do_approve_report(j.actor, report, expected_version=payload.version))


@router.post(
    "/reports/{report_id}/return",
    response=REPORT_STEP_RESPONSES,
    url_name="saemaul_return_report",
)
@no_personal_data
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn) -> dict[str, Any]:
    """Send the report of the level below back for correction."""
    j = _jurisdiction(request)
    report = j.report_for_step(report_id, review=True)
    return _report_out(
        do_return_report(j.actor, report, expected_version=payload.version, reason=payload.reason)
    )
