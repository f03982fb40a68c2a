"""The API of open positions and self-service requests (issue 18 items 8 and 9), mounted on
the personnel router (/api/v1/personnel/...). The same rules as the pages: a request not
waiting for you or another agency's posting is 404 and nothing is logged."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.personnel import open_positions as op
from gov3.personnel import self_service
from gov3.personnel.models import Position
from gov3.personnel.queries import is_hr_officer
from gov3.personnel.self_service_models import StaffRequest

router = Router(tags=["personnel"])


class PostingOut(Schema):
    id: int
    title: str
    agency: str
    position: str
    duties: str
    requirements: str
    opens_on: date
    closes_on: date
    contract_years: int
    status: str


class PostingIn(InputSchema):
    position: str = Field(max_length=40, description="code of an open position of my agency")
    title: str = Field(max_length=200)
    duties: str = Field(max_length=5000)
    requirements: str = Field(default="", max_length=5000)
    opens_on: date
    closes_on: date
    contract_years: int = Field(ge=1, le=10)


class MemberIn(InputSchema):
    name: str = Field(max_length=200)
    affiliation: str = Field(max_length=200)
    external: bool
    chair: bool = False


class CommitteeIn(InputSchema):
    members: list[MemberIn] = Field(max_length=20)


class ApplyIn(InputSchema):
    statement: str = Field(max_length=5000)


class ApplicationOut(Schema):
    id: int
    posting: int
    status: str
    submitted_at: datetime


class SelectIn(InputSchema):
    starts_on: date
    years: int | None = Field(default=None, ge=1, le=10)


class ContractOut(Schema):
    order: str
    order_id: int
    kind: str
    starts_on: date
    ends_on: date
    years: int


class ShareOut(Schema):
    scs_posts: int
    open_posts: int
    allowed: int
    percent: int
    legal_basis: str


class DecisionOut(Schema):
    level: int
    position: str
    decision: str
    note: str


class RequestOut(Schema):
    id: int
    kind: str
    leave_kind: str
    starts_on: date
    ends_on: date
    days: int
    hours: int
    reason: str
    status: str
    waiting_for: str | None = Field(description="code of the head position it waits for")
    decisions: list[DecisionOut]


class WaitingOut(RequestOut):
    name: str = Field(description="the requester, from the population register")


class BalanceOut(Schema):
    kind: str
    entitlement: int | None
    approved: int
    waiting: int
    left: int | None


class LeaveIn(InputSchema):
    leave_kind: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    reason: str = Field(default="", max_length=500)


class OvertimeIn(InputSchema):
    day: date
    hours: int = Field(ge=0, le=24)
    reason: str = Field(default="", max_length=500)


class DecideIn(InputSchema):
    note: str = Field(default="", max_length=500)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionRefusedError("Sign in first.")
    return user


def _posting_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "agency": p.agency.code,
        "position": p.position.code,
        "duties": p.duties,
        "requirements": p.requirements,
        "opens_on": p.opens_on,
        "closes_on": p.closes_on,
        "contract_years": p.contract_years,
        "status": p.status,
    }


def _request_out(r: StaffRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "leave_kind": r.leave_kind,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "days": r.days,
        "hours": r.hours,
        "reason": r.reason,
        "status": r.status,
        "waiting_for": r.waiting_for.code if r.waiting_for else None,
        "decisions": [
            {
                "level": d.level,
                "position": d.position.code,
                "decision": d.decision,
                "note": d.note,
            }
            for d in r.decisions.all()
        ],
    }


@router.get(
    "/open-positions", response=list[PostingOut], auth=None, url_name="personnel_open_postings"
)
@no_personal_data
def public_postings(request: HttpRequest) -> list[dict[str, Any]]:
    """The open positions anyone may apply to today (no sign-in)."""
    return [_posting_out(p) for p in op.open_postings()]


@router.post(
    "/open-positions/{posting_id}/applications",
    response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_open_apply",
)
@citizens_own_data
def apply(request: HttpRequest, posting_id: int, payload: ApplyIn) -> dict[str, Any]:
    """Apply to an open posting as myself (name and birth date are the register's)."""
    application = op.do_apply(_user(request), posting_id, payload.statement)
    return {
        "id": application.pk,
        "posting": posting_id,
        "status": application.status,
        "submitted_at": application.submitted_at,
    }


@router.get(
    "/open-positions/share", response={200: ShareOut, 403: ErrorOut}, url_name="personnel_share"
)
@no_personal_data
def open_share(request: HttpRequest) -> dict[str, Any]:
    """My agency's SCS posts, how many are open positions and how many may be (HR)."""
    user = _user(request)
    if not is_hr_officer(user) or user.agency is None:
        raise PermissionRefusedError("Only HR officers see the share of open positions.")
    share = op.share(user.agency)
    return share.__dict__


@router.post(
    "/positions/{position_code}/designate-open",
    response={200: ShareOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_designate_open",
)
@no_personal_data
def designate(request: HttpRequest, position_code: str) -> dict[str, Any]:
    """Designate an SCS post of my agency as an open position (refused over the pack's share,
    naming the rule); the share after it."""
    user = _user(request)
    agency = user.agency
    found = Position.objects.filter(code=position_code, unit__agency_id=user.agency_id or 0)
    position = found.first()
    if position is None or agency is None:
        raise NotFoundError("There is no such senior civil service post in your agency.")
    op.do_designate_open_position(user, position.pk)
    return op.share(agency).__dict__


@router.post(
    "/open-positions",
    response={200: PostingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_publish_posting",
)
@no_personal_data
def publish(request: HttpRequest, payload: PostingIn) -> dict[str, Any]:
    """Publish a posting of an open position of my agency (the contract's years checked)."""
    user = _user(request)
    position = Position.objects.filter(
        code=payload.position, unit__agency_id=user.agency_id or 0
    ).first()
    if position is None:
        raise NotFoundError("There is no such open position in your agency.")
    posting = op.do_publish_posting(
        user,
        position.pk,
        op.PostingDraft(
            title=payload.title,
            duties=payload.duties,
            requirements=payload.requirements,
            opens_on=payload.opens_on,
            closes_on=payload.closes_on,
            contract_years=payload.contract_years,
        ),
    )
    return _posting_out(posting)


@router.put(
    "/open-positions/{posting_id}/committee",
    response={200: list[MemberIn], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_committee",
)
@no_personal_data
def committee(request: HttpRequest, posting_id: int, payload: CommitteeIn) -> list[dict[str, Any]]:
    """Form the selection committee: refused unless the chair and a majority are external."""
    made = op.do_form_committee(
        _user(request),
        posting_id,
        [op.MemberDraft(m.name, m.affiliation, m.external, m.chair) for m in payload.members],
    )
    return [
        {"name": m.name, "affiliation": m.affiliation, "external": m.external, "chair": m.chair}
        for m in made
    ]


@router.post(
    "/open-applications/{application_id}/select",
    response={200: ContractOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_select_candidate",
)
@no_personal_data
def select(request: HttpRequest, application_id: int, payload: SelectIn) -> dict[str, Any]:
    """Select a candidate: their appointment order (awaiting approval) carries the contract's
    end."""
    contract = op.do_select_candidate(
        _user(request), application_id, starts_on=payload.starts_on, years=payload.years
    )
    return {
        "order": contract.order.number,
        "order_id": contract.order.pk,
        "kind": contract.order.kind,
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "years": contract.years,
    }


@router.get(
    "/me/requests",
    response={200: list[RequestOut], 403: ErrorOut},
    url_name="personnel_my_requests",
)
@citizens_own_data
def my_requests(request: HttpRequest) -> list[dict[str, Any]]:
    """My leave and overtime requests with their status and decisions."""
    return [_request_out(r) for r in self_service.my_requests(_user(request))]


@router.get(
    "/me/leave-balance",
    response={200: list[BalanceOut], 403: ErrorOut, 404: ErrorOut},
    url_name="personnel_my_balance",
)
@citizens_own_data
def my_balance(request: HttpRequest) -> list[dict[str, Any]]:
    """My leave this year, kind by kind."""
    record = self_service.own_record(_user(request))
    return [{**b.__dict__, "left": b.left} for b in self_service.balances(record)]


@router.post(
    "/me/requests/leave",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_request_leave",
)
@citizens_own_data
def request_leave(request: HttpRequest, payload: LeaveIn) -> dict[str, Any]:
    """Request leave; refused beyond the year's balance, naming the rule."""
    made = self_service.do_request_leave(
        _user(request),
        leave_kind=payload.leave_kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        reason=payload.reason,
    )
    return _request_out(made)


@router.post(
    "/me/requests/overtime",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_request_overtime",
)
@citizens_own_data
def request_overtime(request: HttpRequest, payload: OvertimeIn) -> dict[str, Any]:
    """Request overtime on a day; refused beyond the day's or the month's limit."""
    made = self_service.do_request_overtime(
        _user(request), day=payload.day, hours=payload.hours, reason=payload.reason
    )
    return _request_out(made)


@router.post(
    "/me/requests/{request_id}/cancel",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_cancel_request",
)
@citizens_own_data
def cancel(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Cancel my request (another person's: 404)."""
    return _request_out(self_service.do_cancel(_user(request), request_id))


@router.get(
    "/approvals",
    response={200: list[WaitingOut], 403: ErrorOut},
    url_name="personnel_approvals",
)
@access_logged(self_service.REQUESTS_PARTS)
def approvals(request: HttpRequest) -> list[dict[str, Any]]:
    """The requests waiting for my decision as a head (the read is logged)."""
    found = self_service.waiting_for_me(_user(request), AccessChannel.API)
    return [{**_request_out(r), "name": r.record.person.name_local} for r in found]


def _decide(request: HttpRequest, request_id: int, note: str, *, approve: bool) -> dict[str, Any]:
    made = self_service.do_decide(_user(request), request_id, approve=approve, note=note)
    return _request_out(made)


@router.post(
    "/approvals/{request_id}/approve",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_approve_request",
)
@no_personal_data
def approve(request: HttpRequest, request_id: int, payload: DecideIn) -> dict[str, Any]:
    """Approve a request waiting for me (on to the next level, or approved at the last)."""
    return _decide(request, request_id, payload.note, approve=True)


@router.post(
    "/approvals/{request_id}/refuse",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_refuse_request",
)
@no_personal_data
def refuse(request: HttpRequest, request_id: int, payload: DecideIn) -> dict[str, Any]:
    """Refuse a request waiting for me."""
    return _decide(request, request_id, payload.note, approve=False)
