"""The guardian service: for each child a citizen acts for, the attendance, the assessment
summary and the class's notices; consent requests answered yes or no with a receipt; absence
reports with evidence (a photo or PDF, checked before anything is written) that the class
teacher accepts, making the days excused, or not."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from gov3.accounts.models import User
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.translations import LANGUAGES
from gov3.offers.agreement import sha256_json, sha256_text
from gov3.schools.models import Enrolment, Learner, Teacher, TeachingAssignment
from gov3.schools.work.classes import teaches
from gov3.schools.work.models import (
    AbsenceReason,
    AbsenceReport,
    AbsenceReportStatus,
    AttendanceMark,
    AttendanceStatus,
    ConsentAnswer,
    SchoolNotice,
)

#: An absence report covers at most this many days.
MAX_REPORT_DAYS = 31
#: A planned absence (e.g. a family event) may be reported this many days ahead.
MAX_DAYS_AHEAD = 30
MAX_NOTE = 1000
MAX_TITLE = 200
MAX_BODY = 4000
#: Evidence is sniffed from its first bytes, never taken from its name or declared type.
_PDF, _JPEG, _PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


def current_enrolment(learner: Learner) -> Enrolment | None:
    """The learner's open enrolment, if any."""
    return (
        Enrolment.objects.filter(learner=learner, ended_on__isnull=True)
        .select_related("school")
        .first()
    )


def _acts_for(user: User, learner: Learner) -> bool:
    """Whether the citizen is the learner or acts for them (the register's guardian)."""
    from gov3.schools.queries import learners_for  # noqa: PLC0415 - queries reads these models

    return learners_for(user).filter(pk=learner.pk).exists()


def _class_of(enrolment: Enrolment) -> Q:
    return Q(
        assignment__teacher__school_id=enrolment.school_id,
        assignment__school_year=enrolment.school_year,
        assignment__grade=enrolment.grade,
        assignment__class_name=enrolment.class_name,
    )


# -- notices and consent requests ------------------------------------------------------------


def do_publish_notice(
    teacher: Teacher,
    assignment: TeachingAssignment,
    *,
    title: str,
    body: str,
    asks_consent: bool = False,
    answer_by: date | None = None,
    today: date | None = None,
) -> SchoolNotice:
    """A notice to the guardians of the class; with ``asks_consent`` a consent request that
    each guardian answers yes or no by ``answer_by``."""
    today = today or timezone.localdate()
    if assignment.teacher_id != teacher.pk:
        raise ValidationFailedError(gettext("This is not your class."))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationFailedError(gettext("Write a title and the notice."))
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise ValidationFailedError(gettext("The notice is too long."))
    if asks_consent and (answer_by is None or answer_by < today):
        raise ValidationFailedError(
            gettext("A consent request needs an answer date from today on.")
        )
    with transaction.atomic(durable=True):
        notice = SchoolNotice.objects.create(
            assignment=assignment,
            title=title,
            body=body,
            asks_consent=asks_consent,
            answer_by=answer_by if asks_consent else None,
            published_at=timezone.now(),
        )
        record_audit(
            actor=f"teacher:{teacher.user.get_username()}",
            action="schools.notice",
            target_type="class",
            target_id=assignment.pk,
            data={"notice": str(notice.public_id), "consent": asks_consent},
        )
    return notice


def notices_for(enrolment: Enrolment) -> list[SchoolNotice]:
    """The notices of the learner's class, newest first."""
    return list(SchoolNotice.objects.filter(_class_of(enrolment)).order_by("-published_at", "pk"))


def consent_text(child: str, title: str, agreed: bool, language: str) -> str:
    """What the guardian says, in ``language`` (kept in the receipt with its SHA-256)."""
    with translation.override(language):
        if agreed:
            return gettext(
                "As the guardian of %(child)s, I agree that my child takes part in: %(title)s."
            ) % {"child": child, "title": title}
        return gettext(
            "As the guardian of %(child)s, I do not agree that my child takes part in: %(title)s."
        ) % {"child": child, "title": title}


def notice_snapshot(notice: SchoolNotice) -> dict[str, object]:
    return {
        "notice": str(notice.public_id),
        "title": notice.title,
        "body": notice.body,
        "answer_by": notice.answer_by.isoformat() if notice.answer_by else None,
        "school": notice.assignment.teacher.school.code,
        "school_year": notice.assignment.school_year,
        "grade": notice.assignment.grade,
        "class": notice.assignment.class_name,
    }


def do_answer_consent(
    user: User,
    learner: Learner,
    notice: SchoolNotice,
    *,
    agreed: bool,
    language: str,
    today: date | None = None,
) -> ConsentAnswer:
    """The guardian's yes or no to a consent request for the child, once, by the answer date;
    the receipt pins the text agreed to and the request as shown."""
    today = today or timezone.localdate()
    enrolment = current_enrolment(learner)
    if (
        enrolment is None
        or not _acts_for(user, learner)
        or not SchoolNotice.objects.filter(_class_of(enrolment), pk=notice.pk).exists()
    ):
        raise NotFoundError(gettext("There is no such notice."))
    if not notice.asks_consent:
        raise ValidationFailedError(gettext("This notice asks for no answer."))
    if notice.answer_by is not None and today > notice.answer_by:
        raise ValidationFailedError(gettext("The answer date has passed; call the school."))
    if ConsentAnswer.objects.filter(notice=notice, learner=learner).exists():
        raise ValidationFailedError(
            gettext("You have already answered; call the school to change it.")
        )
    language = language if language in LANGUAGES else "en"
    said = consent_text(learner.person.name_local, notice.title, agreed, language)
    snapshot = notice_snapshot(notice)
    with transaction.atomic(durable=True):
        answer = ConsentAnswer.objects.create(
            notice=notice,
            learner=learner,
            agreed=agreed,
            text=said,
            text_sha256=sha256_text(said),
            notice_snapshot=snapshot,
            notice_sha256=sha256_json(snapshot),
            language=language,
            answered_at=timezone.now(),
            answered_by=user,
            guardian=user.person,  # type: ignore[misc]
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="schools.consent",
            target_type="learner",
            target_id=learner.pk,
            data={
                "notice": str(notice.public_id),
                "agreed": agreed,
                "text_sha256": answer.text_sha256,
                "notice_sha256": answer.notice_sha256,
            },
        )
    return answer


# -- absence reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_evidence(name: str, data: bytes) -> Evidence:
    """A photo (JPEG or PNG that decodes) or a PDF within the upload size limit, sniffed from
    its bytes; anything else is a clear error."""
    limit = int(settings.GOV3_ATTACHMENT_MAX_BYTES)
    if not data:
        raise ValidationFailedError(gettext("Attach the evidence: a photo or a PDF."))
    if len(data) > limit:
        raise ValidationFailedError(
            gettext("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}
        )
    not_allowed = gettext(
        "The file %(name)s is not a photo (JPEG or PNG) or a PDF; nothing was sent."
    ) % {"name": name[:100]}
    if data.startswith(_PDF):
        if b"%%EOF" not in data[-1024:]:
            raise ValidationFailedError(not_allowed)
        return Evidence(name[-200:], "application/pdf", data)
    if data.startswith((_JPEG, _PNG)):
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationFailedError(not_allowed) from None
        if kind in ("JPEG", "PNG"):
            return Evidence(name[-200:], f"image/{kind.lower()}", data)
    raise ValidationFailedError(not_allowed)


def do_report_absence(
    user: User,
    learner: Learner,
    *,
    first_day: date,
    last_day: date,
    reason: str,
    note: str,
    evidence_name: str,
    evidence: bytes,
    today: date | None = None,
) -> AbsenceReport:
    """The guardian reports the child's absence with evidence; the class teacher sees it.
    Bad input is a clear error and nothing is saved."""
    today = today or timezone.localdate()
    if not _acts_for(user, learner):
        raise NotFoundError(gettext("There is no such learner."))
    enrolment = current_enrolment(learner)
    if enrolment is None:
        raise ValidationFailedError(gettext("The child is not enrolled at a school."))
    if reason not in AbsenceReason.values:
        raise ValidationFailedError(gettext("Choose the reason for the absence."))
    if last_day < first_day:
        raise ValidationFailedError(gettext("The last day is before the first day."))
    if (last_day - first_day).days + 1 > MAX_REPORT_DAYS:
        raise ValidationFailedError(
            gettext("One report covers at most %(n)d days.") % {"n": MAX_REPORT_DAYS}
        )
    if first_day < enrolment.started_on or last_day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailedError(
            gettext("The days must be in the child's current enrolment, at most %(n)d days ahead.")
            % {"n": MAX_DAYS_AHEAD}
        )
    if len(note.strip()) > MAX_NOTE:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": MAX_NOTE}
        )
    checked = check_evidence(evidence_name, evidence)
    with transaction.atomic(durable=True):
        report = AbsenceReport.objects.create(
            enrolment=enrolment,
            first_day=first_day,
            last_day=last_day,
            reason=reason,
            note=note.strip(),
            evidence=checked.data,
            evidence_name=checked.name,
            evidence_type=checked.content_type,
            evidence_size=len(checked.data),
            evidence_sha256=checked.sha256,
            reported_by=user,
            reported_at=timezone.now(),
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="schools.absence_report",
            target_type="learner",
            target_id=learner.pk,
            data={
                "report": str(report.public_id),
                "from": first_day.isoformat(),
                "to": last_day.isoformat(),
                "evidence_sha256": checked.sha256,
            },
        )
    return report


def reports_for_teacher(teacher: Teacher) -> list[AbsenceReport]:
    """The absence reports of the teacher's classes (all school years taught), pending first."""
    mine = Q()
    for a in TeachingAssignment.objects.filter(teacher=teacher):
        mine |= Q(
            enrolment__school_id=teacher.school_id,
            enrolment__school_year=a.school_year,
            enrolment__grade=a.grade,
            enrolment__class_name=a.class_name,
        )
    if not mine:
        return []
    reports = (
        AbsenceReport.objects.filter(mine)
        .defer("evidence")
        .select_related("enrolment__learner__person")
        .order_by("-reported_at", "pk")
    )
    return sorted(reports, key=lambda r: r.status != AbsenceReportStatus.PENDING)


def report_for_teacher(teacher: Teacher, public_id: object) -> AbsenceReport:
    """One report of the teacher's classes; anything else is "not found"."""
    report = (
        AbsenceReport.objects.filter(public_id=str(public_id))
        .select_related("enrolment__learner__person", "enrolment__school")
        .first()
        if _is_uuid(public_id)
        else None
    )
    if report is None or not teaches(teacher, report.enrolment):
        raise NotFoundError(gettext("There is no such absence report."))
    return report


def _is_uuid(value: object) -> bool:
    import uuid  # noqa: PLC0415

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def do_decide_absence(
    teacher: Teacher, report: AbsenceReport, *, accepted: bool, note: str = ""
) -> AbsenceReport:
    """The class teacher accepts the report (the days' marks become excused absences) or not
    (with a reason the guardian reads)."""
    if not teaches(teacher, report.enrolment):
        raise NotFoundError(gettext("There is no such absence report."))
    note = note.strip()
    if not accepted and not note:
        raise ValidationFailedError(gettext("Say why the report is not accepted."))
    if len(note) > 300:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": 300}
        )
    with transaction.atomic(durable=True):
        updated = AbsenceReport.objects.filter(
            pk=report.pk, status=AbsenceReportStatus.PENDING
        ).update(
            status=AbsenceReportStatus.ACCEPTED if accepted else AbsenceReportStatus.REJECTED,
            decided_by=teacher,
            decided_at=timezone.now(),
            decision_note=note,
        )
        if not updated:
            raise ValidationFailedError(gettext("This report has already been decided."))
        excused = 0
        if accepted:
            marks = AttendanceMark.objects.filter(
                enrolment=report.enrolment, day__gte=report.first_day, day__lte=report.last_day
            )
            # Those not present first, then those marked present by default: each once.
            excused = marks.exclude(status=AttendanceStatus.PRESENT).update(excused=True)
            excused += marks.filter(status=AttendanceStatus.PRESENT).update(
                status=AttendanceStatus.ABSENT, excused=True
            )
        record_audit(
            actor=f"teacher:{teacher.user.get_username()}",
            action="schools.absence_decided",
            target_type="learner",
            target_id=report.enrolment.learner_id,
            data={"report": str(report.public_id), "accepted": accepted, "marks": excused},
        )
    report.refresh_from_db()
    return report


# -- what the guardian reads -----------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceSummary:
    days: int
    present: int
    absent: int
    excused: int
    late: int
    left_early: int
    not_present: list[AttendanceMark]


def attendance_summary(enrolment: Enrolment) -> AttendanceSummary:
    """The school year's marks of the enrolment: counts, and each day not simply present."""
    marks = list(AttendanceMark.objects.filter(enrolment=enrolment).order_by("-day"))
    count = {s: sum(1 for m in marks if m.status == s) for s in AttendanceStatus.values}
    return AttendanceSummary(
        days=len(marks),
        present=count[AttendanceStatus.PRESENT],
        absent=count[AttendanceStatus.ABSENT],
        excused=sum(1 for m in marks if m.excused),
        late=count[AttendanceStatus.LATE],
        left_early=count[AttendanceStatus.LEFT_EARLY],
        not_present=[m for m in marks if m.status != AttendanceStatus.PRESENT],
    )


def reports_for_learner(enrolment: Enrolment) -> list[AbsenceReport]:
    return list(
        AbsenceReport.objects.filter(enrolment__learner_id=enrolment.learner_id)
        .defer("evidence")
        .order_by("-reported_at", "pk")
    )


def answers_for(learner: Learner) -> dict[int, ConsentAnswer]:
    """The consent answers given for the learner, by notice."""
    return {a.notice_id: a for a in ConsentAnswer.objects.filter(learner=learner)}


def answer_for(learner: Learner, public_id: object) -> ConsentAnswer:
    answer = (
        ConsentAnswer.objects.filter(learner=learner, public_id=str(public_id))
        .select_related("notice", "guardian")
        .first()
        if _is_uuid(public_id)
        else None
    )
    if answer is None:
        raise NotFoundError(gettext("There is no such receipt."))
    return answer


def notice_for(enrolment: Enrolment, public_id: object) -> SchoolNotice:
    notice = (
        SchoolNotice.objects.filter(_class_of(enrolment), public_id=str(public_id))
        .select_related("assignment__teacher__school")
        .first()
        if _is_uuid(public_id)
        else None
    )
    if notice is None:
        raise NotFoundError(gettext("There is no such notice."))
    return notice
