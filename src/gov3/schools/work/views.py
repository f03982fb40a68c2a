"""The teacher's pages: the classes of this school year, a class list, the day's attendance
(one tap a learner, no script), term results, notices and consent requests, and the absence
reports of the classes. Each page showing learners writes their access log; another teacher's
class or report is 404 and nothing is logged."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from gov3.accounts.models import User
from gov3.catalogue.eligibility import language
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.schools.models import Teacher, TeachingAssignment
from gov3.schools.work import assessment as assessment_cmds
from gov3.schools.work import guardian as guardian_cmds
from gov3.schools.work.attendance import attendance_sheet, do_take_attendance
from gov3.schools.work.classes import (
    class_for,
    classes_for,
    enrolments_of,
    log_teacher_read,
    teacher_for,
)
from gov3.schools.work.models import AbsenceReportStatus, AttendanceStatus, ConsentAnswer


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _teacher_and_class(request: HttpRequest, pk: int) -> tuple[Teacher, TeachingAssignment]:
    try:
        teacher = teacher_for(_user(request))
        return teacher, class_for(teacher, pk, timezone.localdate())
    except NotFoundError:
        raise Http404 from None


def _label(assignment: TeachingAssignment) -> str:
    return gettext("Grade %(grade)s, class %(name)s") % {
        "grade": assignment.grade,
        "name": assignment.class_name,
    }


@login_required
@no_personal_data
def my_classes(request: HttpRequest) -> HttpResponse:
    """The teacher's classes of this school year (no learner shown)."""
    try:
        teacher = teacher_for(_user(request))
    except NotFoundError:
        raise Http404 from None
    classes = [(a, _label(a)) for a in classes_for(teacher, timezone.localdate())]
    pending = sum(
        1
        for r in guardian_cmds.reports_for_teacher(teacher)
        if r.status == AbsenceReportStatus.PENDING
    )
    return render(
        request,
        "schools/work/classes.html",
        {"teacher": teacher, "classes": classes, "pending": pending, "lang": language()},
    )


@login_required
@access_logged("class list: learners' names and learner numbers")
def class_list(request: HttpRequest, pk: int) -> HttpResponse:
    teacher, assignment = _teacher_and_class(request, pk)
    enrolments = enrolments_of(assignment, timezone.localdate())
    log_teacher_read(teacher, enrolments, "class list")
    return render(
        request,
        "schools/work/class_list.html",
        {"assignment": assignment, "label": _label(assignment), "enrolments": enrolments},
    )


@login_required
@require_http_methods(["GET", "POST"])
@access_logged("the day's attendance of a class: learners' names and marks")
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's attendance: everyone present unless tapped otherwise; Save keeps it for the day
    (and saving again changes it)."""
    teacher, assignment = _teacher_and_class(request, pk)
    today = timezone.localdate()
    error, status, saved = "", 200, False
    if request.method == "POST":
        marks = {k[2:]: str(v) for k, v in request.POST.items() if k.startswith("m-")}
        try:
            do_take_attendance(teacher, assignment, day=today, marks=marks, today=today)
        except ValidationFailedError as exc:
            error, status = str(exc), 400
        else:
            return redirect(f"{request.path}?saved=1")
    saved = request.GET.get("saved") == "1"
    rows = attendance_sheet(assignment, today)
    log_teacher_read(teacher, [r.enrolment for r in rows], "attendance of the day")
    return render(
        request,
        "schools/work/attendance.html",
        {
            "assignment": assignment,
            "label": _label(assignment),
            "day": today,
            "rows": rows,
            "taken": any(r.mark is not None for r in rows),
            "choices": AttendanceStatus.choices,
            "error": error,
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@access_logged("term results of a class: learners' names and results")
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """Results of the class in one subject and term (chosen first)."""
    teacher, assignment = _teacher_and_class(request, pk)
    country = teacher.school.country
    spec = assessment_cmds.assessment_spec(country)
    source = request.POST if request.method == "POST" else request.GET
    error, status = "", 200
    chosen: tuple[int, str] | None = None
    if source.get("term") or source.get("subject"):
        try:
            chosen = assessment_cmds.check_term_and_subject(
                country, source.get("term"), source.get("subject")
            )
        except ValidationFailedError as exc:
            error, status = str(exc), 400
    if request.method == "POST" and chosen is not None:
        results = {k[2:]: str(v) for k, v in request.POST.items() if k.startswith("r-")}
        try:
            assessment_cmds.do_record_assessment(
                teacher, assignment, term=chosen[0], subject=chosen[1], results=results
            )
        except ValidationFailedError as exc:
            error, status = str(exc), 400
        else:
            return redirect(f"{request.path}?term={chosen[0]}&subject={chosen[1]}&saved=1")
    rows = []
    if chosen is not None:
        rows = assessment_cmds.assessment_sheet(
            assignment, chosen[0], chosen[1], timezone.localdate()
        )
        log_teacher_read(teacher, [r.enrolment for r in rows], "term results")
    return render(
        request,
        "schools/work/assessment.html",
        {
            "assignment": assignment,
            "label": _label(assignment),
            "terms": [(n, spec.term_label(n)) for n in spec.terms],
            "subjects": [(c, spec.subject_label(c)) for c in spec.subjects],
            "chosen": chosen,
            "scale": assessment_cmds.scale_for(assignment),
            "rows": rows,
            "error": error,
            "saved": request.GET.get("saved") == "1",
        },
        status=status,
    )


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@access_logged("notices of a class and the guardians' consent answers: learners' names")
def notices(request: HttpRequest, pk: int) -> HttpResponse:
    """The class's notices and consent requests with the answers; a form for a new one."""
    teacher, assignment = _teacher_and_class(request, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            guardian_cmds.do_publish_notice(
                teacher,
                assignment,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                asks_consent=request.POST.get("asks_consent") == "1",
                answer_by=_parse_day(request.POST.get("answer_by", "")),
            )
        except ValidationFailedError as exc:
            error, status = str(exc), 400
        else:
            return redirect(request.path)
    enrolments = enrolments_of(assignment, timezone.localdate())
    items = []
    for notice in assignment.notices.all().order_by("-published_at", "pk"):
        answers = (
            {a.learner_id: a for a in ConsentAnswer.objects.filter(notice=notice)}
            if notice.asks_consent
            else {}
        )
        items.append((notice, [(e, answers.get(e.learner_id)) for e in enrolments]))
    if any(n.asks_consent for n, _rows in items):
        log_teacher_read(teacher, enrolments, "consent answers")
    return render(
        request,
        "schools/work/notices.html",
        {
            "assignment": assignment,
            "label": _label(assignment),
            "items": items,
            "error": error,
            "form": request.POST if status == 400 else {},
        },
        status=status,
    )


@login_required
@access_logged("absence reports of the teacher's classes: learners' names, days and reasons")
def absences(request: HttpRequest) -> HttpResponse:
    try:
        teacher = teacher_for(_user(request))
    except NotFoundError:
        raise Http404 from None
    reports = guardian_cmds.reports_for_teacher(teacher)
    log_teacher_read(teacher, [r.enrolment for r in reports], "absence reports")
    return render(request, "schools/work/absences.html", {"reports": reports})


@login_required
@require_http_methods(["GET", "POST"])
@access_logged("an absence report: the learner's name, days, reason and evidence")
def absence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One absence report: accept it (the days become excused) or not, with a reason."""
    try:
        teacher = teacher_for(_user(request))
        report = guardian_cmds.report_for_teacher(teacher, public_id)
    except NotFoundError:
        raise Http404 from None
    error, status = "", 200
    if request.method == "POST":
        try:
            guardian_cmds.do_decide_absence(
                teacher,
                report,
                accepted=request.POST.get("decision") == "accept",
                note=request.POST.get("note", ""),
            )
        except ValidationFailedError as exc:
            error, status = str(exc), 400
        else:
            return redirect(request.path)
    log_teacher_read(teacher, [report.enrolment], "absence report")
    return render(
        request,
        "schools/work/absence.html",
        {"report": report, "error": error, "pending": report.status == "pending"},
        status=status,
    )


@login_required
@access_logged("the evidence of an absence report")
def absence_evidence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The evidence file, as a download (its type was sniffed when it was sent)."""
    try:
        teacher = teacher_for(_user(request))
        report = guardian_cmds.report_for_teacher(teacher, public_id)
    except NotFoundError:
        raise Http404 from None
    log_teacher_read(teacher, [report.enrolment], "absence report evidence")
    suffix = {"application/pdf": "pdf", "image/png": "png"}.get(report.evidence_type, "jpg")
    response = HttpResponse(bytes(report.evidence), content_type=report.evidence_type)
    response["Content-Disposition"] = f'attachment; filename="evidence-{report.public_id}.{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
