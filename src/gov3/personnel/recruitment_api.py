"""The recruitment API (/api/v1/personnel/recruitment/…): HR officers' notices, applicants,
scores, stages and merit list; citizens' open notices with their eligibility, applying and
their own applications. The same rules as the pages: another agency's notice or application
is 404 and nothing is logged; each list of applicants is in their access log."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.personnel import recruitment
from gov3.personnel.models import Application, ExamNotice
from gov3.personnel.page_helpers import hr_api_officer
from gov3.personnel.recruitment_views import APPLICANT_PARTS, log_applicants

router = Router(tags=["personnel"])


class StageOut(Schema):
    id: str
    kind: str
    max_score: int
    pass_mark: int
    weight: int = Field(description="weight in the merit total (0: pass/fail only)")


class NoticeOut(Schema):
    id: int
    number: str
    agency: str
    title: str
    grade: str
    job_series: str
    posts: int
    opens_on: date
    closes_on: date
    final_exam_on: date
    status: str
    stages: list[StageOut]
    stages_closed: int


class NoticeIn(InputSchema):
    title: str = Field(max_length=200)
    grade: str = Field(max_length=10)
    job_series: str = Field(max_length=40)
    posts: int = Field(ge=1, le=1000)
    opens_on: date
    closes_on: date
    final_exam_on: date


class ApplicantOut(Schema):
    id: int
    number: str
    name: str = Field(description="from the population register")
    birth_date: date = Field(description="from the population register")
    status: str
    dropped_at: str
    scores: dict[str, int]
    rank: int | None
    total: int | None
    order: str | None
    probation_ends_on: date | None


class ScoreIn(InputSchema):
    stage: str = Field(max_length=20)
    score: int = Field(ge=0, le=1000, description="0 to the stage's maximum")


class CheckOut(Schema):
    id: str
    met: bool
    legal_basis: str
    facts: dict[str, str] = Field(description="the register's facts the condition read")


class OpenNoticeOut(NoticeOut):
    eligible: bool
    conditions: list[CheckOut]
    applied: bool


class AppointIn(InputSchema):
    position: str = Field(max_length=40, description="a vacant position's code")
    effective_on: date


class OrderRefOut(Schema):
    number: str
    status: str
    effective_on: date
    probation_ends_on: date | None


def _citizen(request: HttpRequest) -> User:
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Sign in as a citizen.")
    return user


def _notice_out(notice: ExamNotice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "number": notice.number,
        "agency": notice.agency.code,
        "title": notice.title,
        "grade": notice.grade,
        "job_series": notice.job_series,
        "posts": notice.posts,
        "opens_on": notice.opens_on,
        "closes_on": notice.closes_on,
        "final_exam_on": notice.final_exam_on,
        "status": notice.status,
        "stages": [
            {
                "id": s.id,
                "kind": s.kind,
                "max_score": s.max_score,
                "pass_mark": s.pass_mark,
                "weight": s.weight,
            }
            for s in recruitment.stages_of(notice)
        ],
        "stages_closed": notice.stages_closed,
    }


def _applicant_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "name": a.person.name_local,
        "birth_date": a.person.birth_date,
        "status": a.status,
        "dropped_at": a.dropped_at,
        "scores": {s.stage: s.score for s in a.scores.all()},
        "rank": a.rank,
        "total": a.total,
        "order": a.order.number if a.order else None,
        "probation_ends_on": a.probation_ends_on,
    }


@router.get(
    "/recruitment/notices",
    response={200: list[NoticeOut], 403: ErrorOut},
    url_name="recruitment_notices",
)
@no_personal_data
def notices(request: HttpRequest) -> list[dict[str, Any]]:
    """My agency's exam notices."""
    return [
        _notice_out(n)
        for n in recruitment.agency_notices(hr_api_officer(request)).select_related("agency")
    ]


@router.post(
    "/recruitment/notices",
    response={200: NoticeOut, 403: ErrorOut, 422: ErrorOut},
    url_name="recruitment_open_notice",
)
@no_personal_data
def open_notice(request: HttpRequest, payload: NoticeIn) -> dict[str, Any]:
    """Open an exam notice of my agency; stages and pass marks are the pack's for the grade."""
    notice = recruitment.do_open_notice(
        hr_api_officer(request),
        title=payload.title,
        grade=payload.grade,
        job_series=payload.job_series,
        posts=payload.posts,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        final_exam_on=payload.final_exam_on,
    )
    return _notice_out(notice)


@router.get(
    "/recruitment/notices/{notice_id}/applications",
    response={200: list[ApplicantOut], 403: ErrorOut, 404: ErrorOut},
    url_name="recruitment_applications",
)
@access_logged(APPLICANT_PARTS)
def applications(request: HttpRequest, notice_id: int) -> list[dict[str, Any]]:
    """The applicants of a notice of my agency, with their scores (logged)."""
    officer = hr_api_officer(request)
    notice = recruitment.notice_for_hr(officer, notice_id)
    rows = list(
        notice.applications.select_related("person", "order")
        .prefetch_related("scores")
        .order_by("number")
    )
    log_applicants(officer, [a.person_id for a in rows], AccessChannel.API)
    return [_applicant_out(a) for a in rows]


@router.post(
    "/recruitment/applications/{application_id}/scores",
    response={200: ApplicantOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="recruitment_enter_score",
)
@access_logged(APPLICANT_PARTS)
def enter_score(request: HttpRequest, application_id: int, payload: ScoreIn) -> dict[str, Any]:
    """Enter an applicant's score in the stage under way (0 to the stage's maximum)."""
    officer = hr_api_officer(request)
    row = recruitment.do_enter_score(officer, application_id, payload.stage, payload.score)
    application = (
        Application.objects.select_related("person", "order")
        .prefetch_related("scores")
        .get(pk=row.application_id)
    )
    log_applicants(officer, [application.person_id], AccessChannel.API)
    return _applicant_out(application)


@router.post(
    "/recruitment/notices/{notice_id}/close-stage",
    response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="recruitment_close_stage",
)
@no_personal_data
def close_stage(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    """Close the stage under way: those below its pass mark drop out; after the last stage the
    merit list is made."""
    return _notice_out(recruitment.do_close_stage(hr_api_officer(request), notice_id))


@router.get(
    "/recruitment/notices/{notice_id}/merit-list",
    response={200: list[ApplicantOut], 403: ErrorOut, 404: ErrorOut},
    url_name="recruitment_merit_list",
)
@access_logged(APPLICANT_PARTS)
def merit_list(request: HttpRequest, notice_id: int) -> list[dict[str, Any]]:
    """The merit list of a notice of my agency, best first (logged)."""
    officer = hr_api_officer(request)
    rows = recruitment.merit_list(recruitment.notice_for_hr(officer, notice_id))
    log_applicants(officer, [a.person_id for a in rows], AccessChannel.API)
    return [_applicant_out(a) for a in rows]


@router.post(
    "/recruitment/applications/{application_id}/appoint",
    response={200: OrderRefOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="recruitment_appoint",
)
@no_personal_data
def appoint(request: HttpRequest, application_id: int, payload: AppointIn) -> dict[str, Any]:
    """Draft the appointment order of a successful applicant to a vacant position; it awaits
    the head of HR's approval like any order."""
    officer = hr_api_officer(request)
    application = (
        Application.objects.select_related("notice__agency")
        .filter(pk=application_id, notice__agency_id=officer.agency_id or 0)
        .first()
    )
    if application is None:
        raise NotFoundError("There is no such application in your agency.")
    position = (
        recruitment.vacant_positions(application.notice, payload.effective_on)
        .filter(code=payload.position)
        .first()
    )
    if position is None:
        raise ValidationFailedError(f"{payload.position!r} is not a vacant position to appoint to.")
    order = recruitment.do_appoint(officer, application.pk, position, payload.effective_on)
    application.refresh_from_db()
    return {
        "number": order.number,
        "status": order.status,
        "effective_on": order.effective_on,
        "probation_ends_on": application.probation_ends_on,
    }


@router.get(
    "/recruitment/open",
    response={200: list[OpenNoticeOut], 404: ErrorOut},
    url_name="recruitment_open",
)
@citizens_own_data
def open_notices(request: HttpRequest) -> list[dict[str, Any]]:
    """The notices taking applications today, each with my eligibility and its reasons."""
    citizen = _citizen(request)
    assert citizen.person is not None
    applied = set(
        Application.objects.filter(person=citizen.person).values_list("notice", flat=True)
    )
    result = []
    for notice in recruitment.open_notices():
        checks = recruitment.eligibility(notice, citizen.person)
        result.append(
            _notice_out(notice)
            | {
                "eligible": all(c.met for c in checks),
                "applied": notice.pk in applied,
                "conditions": [
                    {
                        "id": c.condition.id,
                        "met": c.met,
                        "legal_basis": c.condition.legal_basis,
                        "facts": dict(c.facts),
                    }
                    for c in checks
                ],
            }
        )
    return result


class MyApplicationOut(Schema):
    number: str
    notice: str
    status: str
    dropped_at: str
    scores: dict[str, int]
    rank: int | None
    order: str | None
    probation_ends_on: date | None


def _mine_out(a: Application) -> dict[str, Any]:
    return {
        "number": a.number,
        "notice": a.notice.number,
        "status": a.status,
        "dropped_at": a.dropped_at,
        "scores": {s.stage: s.score for s in a.scores.all()},
        "rank": a.rank,
        "order": a.order.number if a.order else None,
        "probation_ends_on": a.probation_ends_on,
    }


@router.post(
    "/recruitment/open/{notice_id}/apply",
    response={200: MyApplicationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="recruitment_apply",
)
@citizens_own_data
def apply(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    """Apply to an open notice: eligibility read from the register; 422 naming each condition
    not met; 422 on a second application."""
    application = recruitment.do_apply(_citizen(request), notice_id)
    return _mine_out(recruitment.own_applications(application.account).get(pk=application.pk))


@router.get(
    "/recruitment/mine",
    response={200: list[MyApplicationOut], 404: ErrorOut},
    url_name="recruitment_mine",
)
@citizens_own_data
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    """My applications, their stage, scores, rank, order and probation."""
    return [_mine_out(a) for a in recruitment.own_applications(_citizen(request))]
