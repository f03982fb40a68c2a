"""Recruitment pages (thin). HR officers, under /officer/personnel/recruitment/: their agency's
exam notices (and opening one), one notice's applicants per stage with score entry and closing
the stage, and the merit list with appointment. Citizens, at /me/recruitment/: the notices open
today, each with their eligibility explained from the register's facts, applying with one
action, and their own applications. Another agency's notice by id: not found, nothing logged;
each officer page showing applicants writes the access log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import officer_required, signed_in_citizen
from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.personnel import recruitment
from gov3.personnel.models import ApplicationStatus, ExamNotice
from gov3.personnel.page_helpers import hr_officer
from gov3.personnel.services import pack_for

APPLICANT_PARTS = "exam applications: names, birth dates, stage scores, ranks"


def log_applicants(
    officer: User, person_ids: list[int], channel: AccessChannel = AccessChannel.WEB
) -> None:
    """The officer read these applicants' data (each sees it in "who looked at my data")."""
    if person_ids:
        log_access(
            subject_ids=sorted(set(person_ids)),
            actor_id=officer.pk,
            actor_label=officer.get_username(),
            actor_role=officer.role,
            agency=officer.agency.name_local if officer.agency else "",
            purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
            channel=channel,
            what=APPLICANT_PARTS,
        )


def _language() -> str:
    return (get_language() or "en")[:2]


def stage_rows(notice: ExamNotice) -> list[dict[str, Any]]:
    """The notice's stages in the reader's language, with their state."""
    language = _language()
    current = recruitment.current_stage(notice)
    return [
        {
            "id": s.id,
            "label": s.label.get(language) or s.label["en"],
            "max_score": s.max_score,
            "pass_mark": s.pass_mark,
            "weight": s.weight,
            "closed": n < notice.stages_closed,
            "current": current is not None and current.id == s.id,
        }
        for n, s in enumerate(recruitment.stages_of(notice))
    ]


def _date(request: HttpRequest, name: str) -> date:
    return date.fromisoformat(request.POST.get(name, ""))


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def notices(request: HttpRequest) -> HttpResponse:
    """The agency's exam notices (counts only); an HR officer opens one here."""
    officer = hr_officer(request)
    data = pack_for(officer.agency.country if officer.agency else "kr")
    error = ""
    if request.method == "POST":
        try:
            notice = recruitment.do_open_notice(
                officer,
                title=request.POST.get("title", ""),
                grade=request.POST.get("grade", ""),
                job_series=request.POST.get("job_series", ""),
                posts=int(request.POST.get("posts", "")),
                opens_on=_date(request, "opens_on"),
                closes_on=_date(request, "closes_on"),
                final_exam_on=_date(request, "final_exam_on"),
            )
        except ValueError:
            error = gettext("Give the number of posts and the three dates.")
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("The exam notice is open."))
            return redirect("personnel:recruitment_notice", notice_id=notice.pk)
    rows = list(recruitment.agency_notices(officer))
    counts = {
        n.pk: n.applications.count()  # a handful of notices per agency
        for n in rows
    }
    context = {
        "notices": [(n, counts[n.pk]) for n in rows],
        "grades": [g.code for g in data.grades],
        "job_series": data.job_series,
        "error": error,
    }
    return render(
        request, "personnel/recruitment_notices.html", context, status=400 if error else 200
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(APPLICANT_PARTS)
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """One notice: its stages and pass marks, the applicants still in with the scores of each
    stage, score entry for the stage under way and closing it."""
    officer = hr_officer(request)
    try:
        notice = recruitment.notice_for_hr(officer, notice_id)
    except NotFoundError:
        raise Http404 from None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                recruitment.do_close_stage(officer, notice.pk)
                messages.success(request, gettext("The stage is closed."))
            else:
                stage = recruitment.current_stage(notice)
                for application in notice.applications.filter(status=ApplicationStatus.APPLIED):
                    raw = request.POST.get(f"score-{application.pk}", "").strip()
                    if raw:
                        recruitment.do_enter_score(
                            officer, application.pk, stage.id if stage else "", int(raw)
                        )
                messages.success(request, gettext("The scores are saved."))
        except ValueError:
            error = gettext("A score is a whole number.")
        except (ValidationFailedError, NotFoundError) as refused:
            error = str(refused)
        else:
            return redirect("personnel:recruitment_notice", notice_id=notice.pk)
        notice.refresh_from_db()
    applications = list(
        notice.applications.select_related("person").prefetch_related("scores").order_by("number")
    )
    log_applicants(officer, [a.person_id for a in applications])
    stages = stage_rows(notice)
    rows = []
    for a in applications:
        scores = {s.stage: s.score for s in a.scores.all()}
        rows.append({"a": a, "cells": [(s, scores.get(s["id"])) for s in stages]})
    context = {
        "notice": notice,
        "stages": stages,
        "current": recruitment.current_stage(notice),
        "rows": rows,
        "in_exams": timezone.localdate() > notice.closes_on and notice.status != "merit",
        "error": error,
    }
    return render(
        request, "personnel/recruitment_notice.html", context, status=400 if error else 200
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(APPLICANT_PARTS)
def merit(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The merit list: rank, total and every stage's score, who is within the posts; each
    successful applicant is appointed here (an appointment order awaiting approval)."""
    officer = hr_officer(request)
    try:
        notice = recruitment.notice_for_hr(officer, notice_id)
    except NotFoundError:
        raise Http404 from None
    today = timezone.localdate()
    positions = recruitment.vacant_positions(notice, today)
    error = ""
    if request.method == "POST":
        position = positions.filter(code=request.POST.get("position", "")).first()
        try:
            if position is None:
                raise ValidationFailedError(gettext("Choose a vacant position."))
            order = recruitment.do_appoint(
                officer,
                int(request.POST.get("application", "0") or 0),
                position,
                _date(request, "effective_on"),
            )
        except ValueError:
            error = gettext("Give the date the appointment takes effect.")
        except (ValidationFailedError, NotFoundError) as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                gettext("Appointment order %(number)s drafted; it awaits approval.")
                % {"number": order.number},
            )
            return redirect("personnel:recruitment_merit", notice_id=notice.pk)
    ranked = recruitment.merit_list(notice)
    log_applicants(officer, [a.person_id for a in ranked])
    stages = stage_rows(notice)
    rows = []
    for a in ranked:
        scores = {s.stage: s.score for s in a.scores.all()}
        rows.append({"a": a, "scores": [scores.get(s["id"]) for s in stages]})
    rules = recruitment.rules_for(notice.agency.country, notice.opens_on)
    tie_break = [s["label"] for sid in rules.tie_break for s in stages if s["id"] == sid]
    context = {
        "notice": notice,
        "stages": stages,
        "rows": rows,
        "tie_break": tie_break,
        "tie_break_basis": rules.tie_break_basis,
        "positions": list(positions),
        "today": today,
        "error": error,
    }
    return render(
        request, "personnel/recruitment_merit.html", context, status=400 if error else 200
    )


def explained(notice: ExamNotice, citizen: User) -> list[dict[str, Any]]:
    """The citizen's eligibility for `notice`, condition by condition, with the register's
    facts it read, in the reader's language."""
    assert citizen.person is not None
    language = _language()
    country = notice.agency.country
    return [
        {
            "met": c.met,
            "label": c.condition.label.get(language) or c.condition.label["en"],
            "basis": c.condition.legal_basis,
            "facts": [
                (recruitment.fact_label(country, name, language), value) for name, value in c.facts
            ],
        }
        for c in recruitment.eligibility(notice, citizen.person)
    ]


@login_required
@require_http_methods(["GET", "POST"])
@citizens_own_data
def citizen_exams(request: HttpRequest) -> HttpResponse:
    """The exams open today with my eligibility explained, one button to apply, and my
    applications with their stage, scores, rank and probation."""
    citizen = signed_in_citizen(request)
    error = ""
    if request.method == "POST":
        try:
            application = recruitment.do_apply(citizen, int(request.POST.get("notice", "0") or 0))
        except recruitment.NotEligibleError as refused:
            error = (
                gettext("You are not eligible for this exam:")
                + " "
                + "; ".join(
                    c.condition.label.get(_language()) or c.condition.label["en"]
                    for c in refused.failed
                )
            )
        except (ValidationFailedError, NotFoundError, ValueError) as refused:
            error = str(refused) if not isinstance(refused, ValueError) else gettext("Bad input.")
        else:
            messages.success(
                request,
                gettext("Your application %(number)s is received.")
                % {"number": application.number},
            )
            return redirect("personnel:citizen_exams")
    mine = list(recruitment.own_applications(citizen))
    applied = {a.notice_id for a in mine}
    open_rows: list[dict[str, Any]] = [
        {"notice": n, "applied": n.pk in applied, "checks": explained(n, citizen)}
        for n in recruitment.open_notices()
    ]
    for row in open_rows:
        row["eligible"] = all(c["met"] for c in row["checks"])
    own_rows = []
    for a in mine:
        stages = stage_rows(a.notice)
        scores = {s.stage: s.score for s in a.scores.all()}
        own_rows.append({"a": a, "stages": [(s, scores.get(s["id"])) for s in stages]})
    context = {"open": open_rows, "mine": own_rows, "error": error}
    return render(request, "personnel/citizen_exams.html", context, status=400 if error else 200)
