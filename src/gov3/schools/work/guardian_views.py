"""The guardian's pages for a child they act for (or their own learner record): school work
(attendance, results, notices and consent requests), an absence report with evidence, and the
receipt of a consent answer. Another family's child is 404 and nothing is logged."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from gov3.accounts.decorators import signed_in_citizen
from gov3.catalogue.eligibility import language
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import citizens_own_data
from gov3.schools import queries
from gov3.schools.models import Learner
from gov3.schools.work import guardian as cmds
from gov3.schools.work.assessment import assessment_summary
from gov3.schools.work.models import AbsenceReason

#: Read at most this much of an upload (a larger one is refused as too large).
_READ_LIMIT = 64 * 1024 * 1024


def _learner(request: HttpRequest, public_id: uuid.UUID) -> Learner:
    try:
        return queries.learner_for(signed_in_citizen(request), public_id)
    except NotFoundError:
        raise Http404 from None


def _school_work(request: HttpRequest, learner: Learner, **extra: object) -> dict[str, object]:
    enrolment = cmds.current_enrolment(learner)
    context: dict[str, object] = {"learner": learner, "enrolment": enrolment, "lang": language()}
    if enrolment is not None:
        answers = cmds.answers_for(learner)
        context.update(
            attendance=cmds.attendance_summary(enrolment),
            results=assessment_summary(enrolment),
            notices=[(n, answers.get(n.pk)) for n in cmds.notices_for(enrolment)],
            reports=cmds.reports_for_learner(enrolment),
            today=timezone.localdate(),
        )
    context.update(extra)
    return context


@login_required
@citizens_own_data
def school_work(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The child's attendance this school year, results, notices and absence reports."""
    learner = _learner(request, public_id)
    return render(request, "schools/work/guardian.html", _school_work(request, learner))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@citizens_own_data
def report_absence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Report the child's absence with evidence (a photo or a PDF)."""
    learner = _learner(request, public_id)
    error, status = "", 200
    if request.method == "POST":
        upload = request.FILES.get("evidence")
        first = _day(request.POST.get("first_day", ""))
        last = _day(request.POST.get("last_day", "")) or first
        if first is None or last is None:
            error, status = gettext("Give the first day of the absence."), 400
        else:
            try:
                cmds.do_report_absence(
                    signed_in_citizen(request),
                    learner,
                    first_day=first,
                    last_day=last,
                    reason=request.POST.get("reason", ""),
                    note=request.POST.get("note", ""),
                    evidence_name=(upload.name or "") if upload is not None else "",
                    evidence=upload.read(_READ_LIMIT + 1) if upload is not None else b"",
                )
            except ValidationFailedError as exc:
                error, status = str(exc), 400
            else:
                return redirect(f"/me/schools/{learner.public_id}/school-work/?reported=1")
    return render(
        request,
        "schools/work/report_absence.html",
        {
            "learner": learner,
            "enrolled": cmds.current_enrolment(learner) is not None,
            "reasons": AbsenceReason.choices,
            "error": error,
            "form": request.POST if status == 400 else {},
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
@citizens_own_data
def answer_consent(
    request: HttpRequest, public_id: uuid.UUID, notice_id: uuid.UUID
) -> HttpResponse:
    """Yes or no to a consent request; the receipt follows."""
    learner = _learner(request, public_id)
    enrolment = cmds.current_enrolment(learner)
    try:
        if enrolment is None:
            raise NotFoundError("no enrolment")
        notice = cmds.notice_for(enrolment, notice_id)
    except NotFoundError:
        raise Http404 from None
    answer = request.POST.get("answer")
    try:
        if answer not in ("yes", "no"):
            raise ValidationFailedError(gettext("Answer yes or no."))
        given = cmds.do_answer_consent(
            signed_in_citizen(request),
            learner,
            notice,
            agreed=answer == "yes",
            language=language(),
        )
    except ValidationFailedError as exc:
        return render(
            request,
            "schools/work/guardian.html",
            _school_work(request, learner, error=str(exc)),
            status=400,
        )
    return redirect(f"/me/schools/{learner.public_id}/consent/{given.public_id}/")


@login_required
@citizens_own_data
def consent_receipt(
    request: HttpRequest, public_id: uuid.UUID, answer_id: uuid.UUID
) -> HttpResponse:
    learner = _learner(request, public_id)
    try:
        answer = cmds.answer_for(learner, answer_id)
    except NotFoundError:
        raise Http404 from None
    return render(
        request, "schools/work/consent_receipt.html", {"learner": learner, "answer": answer}
    )
