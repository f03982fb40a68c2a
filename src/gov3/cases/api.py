"""The cases API (/api/v1/cases/): the citizen's cases and applications, the agency's queue
and decisions (take-up as open data is in gov3.opendata.api). The same rules as the pages: a
citizen sees only their cases, an officer only their agency's (reads logged in the access log,
channel API); another id is 404 and changes nothing."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.accounts.queries import person_acted_for
from gov3.cases.models import Case
from gov3.cases.queries import (
    case_for_citizen,
    case_for_officer,
    case_to_decide,
    cases_for,
    queue_for_officer,
)
from gov3.cases.services import (
    do_apply,
    do_approve_case,
    do_reject_case,
    do_reply_to_case,
    do_return_case,
)
from gov3.catalogue.eligibility import text
from gov3.core.errors import NotFoundError, PermissionRefusedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, citizens_own_data
from gov3.core.schemas import ErrorOut, InputSchema

router = Router(tags=["cases"])


class DecisionOut(Schema):
    outcome: str
    reason: str
    automatic: bool
    decided_at: datetime


class PaymentOut(Schema):
    amount: int
    currency: str
    status: str
    reference: str
    sandbox: bool


class CaseOut(Schema):
    """A case and its decisions."""

    id: str
    service: str
    service_name: str
    service_kind: str = Field(
        description="benefit (pays `amount`), eligibility (an entitlement: yes or no, no amount), "
        "document or reminder"
    )
    origin: str
    status: str
    for_person: str
    amount: int | None
    currency: str
    opened_at: datetime
    due_on: date
    information_request: str
    quality_check: bool
    version: int
    decisions: list[DecisionOut]
    payments: list[PaymentOut]


class ApplyIn(InputSchema):
    service: str = Field(min_length=1, max_length=60)
    for_person: str | None = Field(
        default=None, description="public id of a child you act for; empty for yourself"
    )


class ApplyOut(Schema):
    """The result of applying: a case if the rules say yes, else the reason."""

    eligible: bool
    case: CaseOut | None


class ReplyIn(InputSchema):
    version: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=2000)


class DecideIn(InputSchema):
    version: int = Field(ge=1)
    action: Literal["approve", "reject", "return"]
    text: str = Field(default="", max_length=2000)


def _citizen(request: HttpRequest) -> User:
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Only citizens have cases.")
    return user


def _officer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_officer:
        raise PermissionRefusedError("Only officers have a work queue.")
    return user


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.public_id),
        "service": case.service_id,
        "service_name": text(case.service_name),
        "service_kind": case.service_kind,
        "origin": case.origin,
        "status": case.status,
        "for_person": str(case.subject.public_id),
        "amount": case.amount,
        "currency": case.currency,
        "opened_at": case.opened_at,
        "due_on": case.due_on,
        "information_request": case.information_request,
        "quality_check": case.quality_check,
        "version": case.version,
        "decisions": list(case.decisions.order_by("decided_at").values(*DecisionOut.model_fields)),
        "payments": list(case.payments.order_by("created_at").values(*PaymentOut.model_fields)),
    }


def _page(cases: QuerySet[Case]) -> list[dict[str, Any]]:
    return [_out(case) for case in cases[:200]]


@router.get("/", response=list[CaseOut], url_name="cases_mine")
@citizens_own_data
def my_cases(request: HttpRequest) -> list[dict[str, Any]]:
    """My cases, newest first."""
    return _page(cases_for(_citizen(request)))


@router.post("/apply", response={200: ApplyOut, 404: ErrorOut, 422: ErrorOut}, url_name="apply")
@citizens_own_data
def apply(request: HttpRequest, payload: ApplyIn) -> dict[str, Any]:
    """Apply for a service (for yourself or a child you act for): the rules are applied at
    once; a case is opened only if they say yes (see the service's eligibility check for why)."""
    user = _citizen(request)
    subject = person_acted_for(user, payload.for_person)
    case = do_apply(user, subject, payload.service)
    return {"eligible": case is not None, "case": _out(case) if case else None}


@router.get("/mine/{public_id}", response={200: CaseOut, 404: ErrorOut}, url_name="case_mine")
@citizens_own_data
def my_case(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _out(case_for_citizen(_citizen(request), str(public_id)))


@router.post(
    "/mine/{public_id}/reply",
    response={200: CaseOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="case_reply",
)
@citizens_own_data
def reply(request: HttpRequest, public_id: uuid.UUID, payload: ReplyIn) -> dict[str, Any]:
    """Answer the agency's request for information."""
    user = _citizen(request)
    case = case_for_citizen(user, str(public_id))
    return _out(do_reply_to_case(user, case, expected_version=payload.version, text=payload.text))


@router.get("/queue", response={200: list[CaseOut], 403: ErrorOut}, url_name="case_queue")
@access_logged("work queue: names of applicants and subjects")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    """The open cases of my agency, the nearest due date first."""
    return [_out(case) for case in queue_for_officer(_officer(request), AccessChannel.API)]


@router.get(
    "/queue/{public_id}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut}, url_name="case"
)
@access_logged("case")
def officer_case(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """One case of my agency (the read is in the citizen's access log)."""
    return _out(case_for_officer(_officer(request), str(public_id), AccessChannel.API))


@router.post(
    "/queue/{public_id}/decide",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="case_decide",
)
@access_logged("case")
def decide(request: HttpRequest, public_id: uuid.UUID, payload: DecideIn) -> dict[str, Any]:
    """Approve, reject (a reason is required) or return for information (say what is
    needed). Two decisions at once: one succeeds, the other gets 409."""
    officer = _officer(request)
    case = case_to_decide(officer, str(public_id), AccessChannel.API)
    if payload.action == "approve":
        do_approve_case(officer, case, expected_version=payload.version, note=payload.text)
    elif payload.action == "reject":
        do_reject_case(officer, case, expected_version=payload.version, reason=payload.text)
    else:
        do_return_case(officer, case, expected_version=payload.version, request=payload.text)
    case.refresh_from_db()
    return _out(case)
