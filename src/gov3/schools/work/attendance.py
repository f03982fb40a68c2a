"""Attendance taken on a phone: the class list of the day with one choice a learner (present
unless the teacher taps another), saved for the day in one command and changeable that day
only. An accepted absence report makes a non-present day excused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.schools.models import Enrolment, Teacher, TeachingAssignment
from gov3.schools.work.classes import enrolments_of
from gov3.schools.work.models import (
    AbsenceReport,
    AbsenceReportStatus,
    AttendanceMark,
    AttendanceStatus,
)


@dataclass(frozen=True)
class SheetRow:
    """One learner of the day's sheet: the mark saved (None before the first save), the
    status to show, and whether an accepted absence report covers the day."""

    enrolment: Enrolment
    mark: AttendanceMark | None
    status: str
    excused: bool


def _excused_enrolments(enrolment_ids: list[int], day: date) -> set[int]:
    return set(
        AbsenceReport.objects.filter(
            enrolment_id__in=enrolment_ids,
            status=AbsenceReportStatus.ACCEPTED,
            first_day__lte=day,
            last_day__gte=day,
        ).values_list("enrolment_id", flat=True)
    )


def attendance_sheet(assignment: TeachingAssignment, day: date) -> list[SheetRow]:
    """The class on ``day``: each learner with the mark saved, or present by default (absent
    when an accepted absence report covers the day)."""
    enrolments = enrolments_of(assignment, day)
    ids = [e.pk for e in enrolments]
    marks = {
        m.enrolment_id: m for m in AttendanceMark.objects.filter(enrolment_id__in=ids, day=day)
    }
    excused = _excused_enrolments(ids, day)
    rows = []
    for enrolment in enrolments:
        mark = marks.get(enrolment.pk)
        if mark is not None:
            status = mark.status
        else:
            status = (
                AttendanceStatus.ABSENT if enrolment.pk in excused else AttendanceStatus.PRESENT
            )
        rows.append(SheetRow(enrolment, mark, status, enrolment.pk in excused))
    return rows


def do_take_attendance(
    teacher: Teacher,
    assignment: TeachingAssignment,
    *,
    day: date,
    marks: Mapping[str, str],
    today: date | None = None,
) -> int:
    """Save the day's attendance of the class: ``marks`` maps a learner's public id to a
    status; a learner not named is present. Only today's attendance can be taken or changed.
    A learner not in the class or an unknown status is a clear error and nothing is saved.
    Returns the number of marks written or changed."""
    today = today or timezone.localdate()
    if assignment.teacher_id != teacher.pk:
        raise ValidationFailedError(gettext("This is not your class."))
    if day != today:
        raise ValidationFailedError(gettext("Attendance can be taken and changed on the day only."))
    enrolments = {str(e.learner.public_id): e for e in enrolments_of(assignment, day)}
    unknown = set(marks) - set(enrolments)
    if unknown:
        raise ValidationFailedError(gettext("A learner of the form is not in this class."))
    if any(status not in AttendanceStatus.values for status in marks.values()):
        raise ValidationFailedError(gettext("Choose present, absent, late or left early."))
    ids = [e.pk for e in enrolments.values()]
    now = timezone.now()
    with transaction.atomic(durable=True):
        existing = {
            m.enrolment_id: m
            for m in AttendanceMark.objects.select_for_update().filter(
                enrolment_id__in=ids, day=day
            )
        }
        excused = _excused_enrolments(ids, day)
        new, changed = [], []
        for public_id, enrolment in enrolments.items():
            status = marks.get(public_id, AttendanceStatus.PRESENT)
            is_excused = enrolment.pk in excused and status != AttendanceStatus.PRESENT
            mark = existing.get(enrolment.pk)
            if mark is None:
                new.append(
                    AttendanceMark(
                        enrolment=enrolment,
                        day=day,
                        status=status,
                        excused=is_excused,
                        recorded_by=teacher,
                        recorded_at=now,
                    )
                )
            elif mark.status != status or mark.excused != is_excused:
                mark.status, mark.excused = status, is_excused
                mark.recorded_by, mark.recorded_at = teacher, now
                changed.append(mark)
        AttendanceMark.objects.bulk_create(new)
        AttendanceMark.objects.bulk_update(
            changed, ["status", "excused", "recorded_by", "recorded_at"]
        )
        record_audit(
            actor=f"teacher:{teacher.user.get_username()}",
            action="schools.attendance",
            target_type="class",
            target_id=assignment.pk,
            data={
                "day": day.isoformat(),
                "new": len(new),
                "changed": len(changed),
                "not_present": sum(1 for s in marks.values() if s != AttendanceStatus.PRESENT),
            },
        )
    return len(new) + len(changed)
