"""Commands of the reporting chain: village → eup/myeon → county → province → central.

Each level prepares a monthly report (a village's from its own records, an area's from the
approved reports one level down), submits it, and the level above approves it or returns it
for correction. An approved report is locked: it cannot be edited or prepared again, and a
village's data dated in an approved month cannot be added to.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.registry.models import Area, AreaLevel
from gov3.saemaul.errors import LockedError
from gov3.saemaul.models import Report, ReportLevel, ReportStatus, Village
from gov3.saemaul.queries import AREA_REPORT_LEVEL, combined_figures, village_month_figures
from gov3.saemaul.services._common import advance_version, audit, refuse

OPEN_FOR_EDITING = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _advance(
    report: Report,
    *,
    expected_version: int,
    allowed: tuple[str, ...],
    changes: dict[str, Any],
) -> None:
    """Move the report on if it is still at ``expected_version`` in an ``allowed`` status."""
    advance_version(
        Report,
        pk=report.pk,
        expected_version=expected_version,
        allowed_statuses=allowed,
        statuses=ReportStatus,
        what=gettext("report"),
        changes=changes,
    )


def _locked(report: Report) -> LockedError:
    return LockedError(
        gettext(
            "The %(period)s report of %(unit)s was approved by %(reviewer)s on %(day)s and is "
            "locked; it can no longer be changed. Put corrections in the next month's report."
        )
        % {
            "period": report.period,
            "unit": _unit_name(report),
            "reviewer": report.reviewed_by,
            "day": report.reviewed_at.date() if report.reviewed_at else "",
        }
    )


def _unit_name(report: Report) -> str:
    if report.village is not None:
        return report.village.name_local
    return report.area.name_local if report.area is not None else ""


def _check_period(year: int, month: int) -> None:
    today = timezone.localdate()
    if not 1 <= month <= 12:
        refuse(gettext("A month is numbered 1 to 12."))
    if (year, month) > (today.year, today.month):
        refuse(gettext("A report cannot be prepared for a month that has not begun."))


def _level_of(area: Area) -> str:
    if area.level not in AREA_REPORT_LEVEL:
        refuse(gettext("No report is prepared for this kind of area."))
    return AREA_REPORT_LEVEL[AreaLevel(area.level)]


def do_prepare_report(
    actor: str,
    *,
    year: int,
    month: int,
    village: Village | None = None,
    area: Area | None = None,
    narrative: str | None = None,
) -> Report:
    """Prepare (or refresh) the monthly report of a village or of an area.

    A village report counts its own records for the month; an area report adds up the approved
    reports one level down and says how many of the expected ones it includes. A submitted
    report must first be returned; an approved one is locked.
    """
    if (village is None) == (area is None):
        refuse(gettext("A report is for one village or one area."))
    _check_period(year, month)
    level: str = ReportLevel.VILLAGE
    lookup: dict[str, Any] = {"village": village}
    if area is not None:
        level = _level_of(area)
        lookup = {"area": area, "level": level}
    with transaction.atomic(durable=True):
        report = (
            Report.objects.select_for_update(of=("self",))
            .filter(year=year, month=month, **lookup)
            .select_related("village", "area")
            .first()
        )
        if report is not None and report.status == ReportStatus.APPROVED:
            raise _locked(report)
        if report is not None and report.status == ReportStatus.SUBMITTED:
            refuse(
                gettext("This report is being reviewed; it can be prepared again once returned.")
            )
        if report is None:
            report = Report(
                level=level,
                village=village,
                area=area,
                year=year,
                month=month,
                prepared_by=actor,
                prepared_at=timezone.now(),
            )
        report.figures = (
            village_month_figures(village, year, month)
            if village is not None
            else combined_figures(report)
        )
        if narrative is not None:
            report.narrative = narrative
        report.prepared_by, report.prepared_at = actor, timezone.now()
        report.status = (
            ReportStatus.DRAFT if report.status != ReportStatus.RETURNED else report.status
        )
        report.version += 0 if report.pk is None else 1
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            refuse(gettext("Someone else prepared this report at the same moment; reload it."))
        audit(actor, "prepare_report", report, level=level, period=report.period)
    return report


def do_edit_report(actor: str, report: Report, *, expected_version: int, narrative: str) -> Report:
    """Change a report's narrative while it is a draft or returned; an approved one is locked."""
    with transaction.atomic(durable=True):
        current = (
            Report.objects.select_for_update(of=("self",))
            .select_related("village", "area")
            .get(pk=report.pk)
        )
        if current.status == ReportStatus.APPROVED:
            raise _locked(current)
        _advance(
            report,
            expected_version=expected_version,
            allowed=OPEN_FOR_EDITING,
            changes={"narrative": narrative},
        )
        audit(actor, "edit_report", report, period=report.period)
    report.refresh_from_db()
    return report


def do_submit_report(actor: str, report: Report, *, expected_version: int) -> Report:
    """Send a report to the level above for review."""
    with transaction.atomic(durable=True):
        _advance(
            report,
            expected_version=expected_version,
            allowed=OPEN_FOR_EDITING,
            changes={
                "status": ReportStatus.SUBMITTED,
                "submitted_at": timezone.now(),
                "return_reason": "",
            },
        )
        audit(actor, "submit_report", report, period=report.period)
    report.refresh_from_db()
    return report


def do_approve_report(actor: str, report: Report, *, expected_version: int) -> Report:
    """The level above approves a submitted report; from now on it and its month are locked."""
    with transaction.atomic(durable=True):
        current = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if current.status == ReportStatus.APPROVED:
            raise _locked(current)
        _advance(
            report,
            expected_version=expected_version,
            allowed=(ReportStatus.SUBMITTED,),
            changes={
                "status": ReportStatus.APPROVED,
                "reviewed_by": actor,
                "reviewed_at": timezone.now(),
            },
        )
        audit(actor, "approve_report", report, period=report.period)
    report.refresh_from_db()
    return report


def do_return_report(actor: str, report: Report, *, expected_version: int, reason: str) -> Report:
    """The level above sends a submitted report back for correction, saying why."""
    if not reason.strip():
        refuse(gettext("Say what must be corrected."))
    with transaction.atomic(durable=True):
        current = (
            Report.objects.select_for_update(of=("self",))
            .select_related("village", "area")
            .get(pk=report.pk)
        )
        if current.status == ReportStatus.APPROVED:
            raise _locked(current)
        _advance(
            report,
            expected_version=expected_version,
            allowed=(ReportStatus.SUBMITTED,),
            changes={
                "status": ReportStatus.RETURNED,
                "return_reason": reason.strip(),
                "reviewed_by": actor,
                "reviewed_at": timezone.now(),
            },
        )
        audit(actor, "return_report", report, period=report.period, reason=reason)
    report.refresh_from_db()
    return report
