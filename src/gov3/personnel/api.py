"""The personnel API (/api/v1/personnel/): an HR officer's organisation, staff records and
orders; a civil servant's own record. The same rules as the pages: another agency's staff
record is 404 and nothing is logged."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.personnel import queries
from gov3.personnel.batch import BatchLine, BatchRefusedError, do_approve_batch, do_issue_batch
from gov3.personnel.models import OrderBatch, OrderKind, PersonnelOrder
from gov3.personnel.page_helpers import hr_api_officer
from gov3.personnel.services import OrderDraft, do_approve_order, do_issue_order

router = Router(tags=["personnel"])


class UnitOut(Schema):
    code: str
    name: str
    parent: str | None
    depth: int
    authorised_headcount: int
    actual_headcount: int


class AppointmentOut(Schema):
    position: str
    agency: str
    grade: str
    step: int
    starts_on: date
    ends_on: date | None


class OrderOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    position: str | None
    grade: str
    step: int | None
    effective_on: date
    exception_rules: list[str]


class RecordOut(Schema):
    id: int
    employee_number: str
    name: str = Field(description="from the population register")
    birth_date: date = Field(description="from the population register")
    monthly_pay: int | None = Field(description="exact, in the currency's minor unit")
    currency: str
    appointments: list[AppointmentOut]
    orders: list[OrderOut]


class OrderIn(InputSchema):
    """An order to draft; the position by its code (not needed for a retirement)."""

    kind: str = Field(description=" | ".join(OrderKind.values))
    position: str = Field(default="", max_length=40, description="position code")
    grade: str = Field(default="", max_length=10, description="empty: the current grade")
    step: int | None = Field(default=None, ge=1, le=40)
    effective_on: date
    exception_reason: str = Field(default="", max_length=1000)


def _order_out(order: PersonnelOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "position": order.position.code if order.position else None,
        "grade": order.grade,
        "step": order.step,
        "effective_on": order.effective_on,
        "exception_rules": list(order.exception_rules),
    }


def _record_out(view: queries.RecordView) -> dict[str, Any]:
    record = view.record
    return {
        "id": record.pk,
        "employee_number": record.employee_number,
        "name": record.person.name_local,
        "birth_date": record.person.birth_date,
        "monthly_pay": view.monthly_pay,
        "currency": view.currency,
        "appointments": [
            {
                "position": a.position.code,
                "agency": a.position.unit.agency.code,
                "grade": a.grade,
                "step": a.step,
                "starts_on": a.starts_on,
                "ends_on": a.ends_on,
            }
            for a in view.appointments
        ],
        "orders": [_order_out(o) for o in view.orders],
    }


@router.get(
    "/organisation", response={200: list[UnitOut], 403: ErrorOut}, url_name="personnel_units"
)
@no_personal_data
def organisation(request: HttpRequest) -> list[dict[str, Any]]:
    """My agency's units with authorised and actual headcount today (counts only)."""
    rows = queries.organisation(hr_api_officer(request), timezone.localdate())
    return [
        {
            "code": r.unit.code,
            "name": r.unit.name_local,
            "parent": r.unit.parent.code if r.unit.parent else None,
            "depth": r.depth,
            "authorised_headcount": r.unit.authorised_headcount,
            "actual_headcount": r.actual,
        }
        for r in rows
    ]


@router.get(
    "/staff/{record_id}",
    response={200: RecordOut, 403: ErrorOut, 404: ErrorOut},
    url_name="personnel_record",
)
@access_logged(queries.RECORD_PARTS)
def staff_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """One staff record of my agency (the read is in the civil servant's access log);
    another agency's: 404, nothing logged."""
    officer = hr_api_officer(request)
    record = queries.staff_record_for_hr(officer, record_id, AccessChannel.API)
    return _record_out(queries.record_view(record))


@router.post(
    "/staff/{record_id}/orders",
    response={200: OrderOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_issue_order",
)
@access_logged(queries.RECORD_PARTS)
def issue_order(request: HttpRequest, record_id: int, payload: OrderIn) -> dict[str, Any]:
    """Draft an order about a staff record of my agency; it waits for the head's approval.
    A broken tenure rule without an exception reason: 422 naming the rule and its basis."""
    officer = hr_api_officer(request)
    record = queries.staff_record_for_hr(officer, record_id, AccessChannel.API)
    position = None
    if payload.position:
        position = queries.order_positions(officer).filter(code=payload.position).first()
        if position is None:
            raise ValidationFailedError(f"Unknown position {payload.position!r}.")
    draft = OrderDraft(
        kind=payload.kind,
        position=position,
        grade=payload.grade,
        step=payload.step,
        effective_on=payload.effective_on,
        exception_reason=payload.exception_reason,
    )
    return _order_out(do_issue_order(officer, record, draft))


@router.post(
    "/orders/{order_id}/approve",
    response={200: OrderOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="personnel_approve_order",
)
@no_personal_data
def approve_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """Approve an order of my agency (heads of the HR unit only; never one about myself)."""
    return _order_out(do_approve_order(hr_api_officer(request), order_id))


@router.get("/me", response={200: RecordOut, 404: ErrorOut}, url_name="personnel_me")
@citizens_own_data
def my_record(request: HttpRequest) -> dict[str, Any]:
    """My own personnel record, appointments and orders."""
    user = request.user
    if not isinstance(user, User):
        raise NotFoundError("You have no personnel record.")
    return _record_out(queries.record_view(queries.own_record(user)))


# Open positions and self-service requests (issue 18 items 8 and 9).
from gov3.personnel.self_service_api import router as self_service_router  # noqa: E402

router.add_router("", self_service_router)

# Recruitment (issue 18 item 4): /api/v1/personnel/recruitment/…
from gov3.personnel.recruitment_api import router as recruitment_router  # noqa: E402

router.add_router("", recruitment_router)

# -- batch orders (personnel/batch.py) ---------------------------------------------------------


class BatchLineIn(InputSchema):
    employee_number: str = Field(max_length=20)
    position: str = Field(max_length=40, description="position code")
    effective_on: date
    exception_reason: str = Field(default="", max_length=1000)


class BatchIn(InputSchema):
    """Transfers drafted together; all or none."""

    lines: list[BatchLineIn] = Field(max_length=20_000)


class RefusalOut(Schema):
    line: int
    employee_number: str
    reason: str


class BatchRefusedOut(Schema):
    detail: str
    code: str = "batch_refused"
    refusals: list[RefusalOut]


class BatchOut(Schema):
    id: int
    number: str
    status: str
    orders: int


def _batch_out(batch: OrderBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "number": batch.number,
        "status": batch.status,
        "orders": batch.orders.count(),
    }


def _refused(error: BatchRefusedError) -> Status[dict[str, Any]]:
    return Status(
        422,
        {
            "detail": str(error),
            "code": "batch_refused",
            "refusals": [
                {"line": r.line, "employee_number": r.employee_number, "reason": r.reason}
                for r in error.refusals
            ],
        },
    )


@router.post(
    "/batches",
    response={200: BatchOut, 403: ErrorOut, 422: BatchRefusedOut | ErrorOut},
    url_name="personnel_issue_batch",
)
@no_personal_data
def issue_batch(request: HttpRequest, payload: BatchIn) -> Any:
    """Draft a batch of transfers, each checked like a single order; one refused line refuses
    the batch (422 listing every refused line, nothing issued)."""
    lines = [
        BatchLine(
            employee_number=line.employee_number,
            position=line.position,
            effective_on=line.effective_on,
            exception_reason=line.exception_reason,
        )
        for line in payload.lines
    ]
    try:
        return _batch_out(do_issue_batch(hr_api_officer(request), lines))
    except BatchRefusedError as error:
        return _refused(error)


@router.post(
    "/batches/{batch_id}/approve",
    response={200: BatchOut, 403: ErrorOut, 404: ErrorOut, 422: BatchRefusedOut | ErrorOut},
    url_name="personnel_approve_batch",
)
@no_personal_data
def approve_batch(request: HttpRequest, batch_id: int) -> Any:
    """Approve every order of a batch of my agency (the head of the HR unit, not the drafter);
    all or none."""
    try:
        return _batch_out(do_approve_batch(hr_api_officer(request), batch_id))
    except BatchRefusedError as error:
        return _refused(error)


# Analytics and import/export (issue 18 items 10 and 11) live in their own module.
from gov3.personnel.transfer_api import router as transfer_router  # noqa: E402

router.add_router("", transfer_router)

# Reorganisations (issue 18 item 1): the units through time.
from gov3.personnel.reorganisation_api import router as reorganisation_router  # noqa: E402

router.add_router("", reorganisation_router)
