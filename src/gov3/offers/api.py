"""The offers API (/api/v1/offers/): the citizen's inbox, one offer with why, confirm, decline,
"this is wrong". The same rules as the pages: a citizen sees only their own offers (another
id is 404 and changes nothing)."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.catalogue.eligibility import language, text
from gov3.core.errors import NotFoundError
from gov3.core.personal_data import citizens_own_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.offers.models import ConsentReceipt, Offer
from gov3.offers.queries import offer_for, offers_for
from gov3.offers.services import (
    confirmation_problem,
    do_confirm_offer,
    do_decline_offer,
    do_object_to_offer,
    do_view_offer,
)

router = Router(tags=["offers"])


class OfferOut(Schema):
    """An offer in the inbox."""

    id: str
    service: str
    service_name: str
    service_kind: str = Field(
        description="benefit (pays `amount`), eligibility (an entitlement: yes or no, no amount), "
        "document or reminder"
    )
    status: str
    for_person: str = Field(description="public id of the person the service is for")
    for_someone_else: bool
    amount: int | None
    currency: str
    period: str
    deadline: date
    version: int


class FactOut(Schema):
    name: str
    value: str
    source: str


class OfferDetailOut(OfferOut):
    """An offer with everything that says why."""

    service_version: str
    evaluated_on: date
    facts: list[FactOut]
    params: list[dict[str, Any]]
    legal_basis: list[dict[str, Any]]
    explanation: dict[str, Any] | None
    case: str | None
    cannot_confirm: str | None = Field(
        None, description="why this open offer cannot be confirmed today, if it cannot"
    )


class VersionIn(InputSchema):
    """The version of the offer the caller saw (an offer changed since is refused, 409)."""

    version: int = Field(ge=1)


class DeclineIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class ObjectionIn(InputSchema):
    text: str = Field(min_length=1, max_length=2000)


class ReceiptOut(Schema):
    """The consent receipt of a confirmation, and the case it opened."""

    offer: str
    agreement_version: str
    agreement_sha256: str
    offer_sha256: str
    confirmed_at: datetime
    acting_for: str | None
    case: str | None


class ObjectionOut(Schema):
    id: str
    due_on: date


def _citizen(request: HttpRequest) -> User:
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Only citizens have offers.")
    return user


def _out(offer: Offer) -> dict[str, Any]:
    return {
        "id": str(offer.public_id),
        "service": offer.service_id,
        "service_name": text(offer.service_name),
        "service_kind": offer.service_kind,
        "status": offer.status,
        "for_person": str(offer.subject.public_id),
        "for_someone_else": offer.for_someone_else,
        "amount": offer.amount,
        "currency": offer.currency,
        "period": offer.period,
        "deadline": offer.deadline,
        "version": offer.version,
    }


def _detail(offer: Offer) -> dict[str, Any]:
    case = getattr(offer, "case", None) if offer.status == "confirmed" else None
    return {
        **_out(offer),
        "service_version": offer.service_version,
        "evaluated_on": offer.evaluated_on,
        "facts": offer.facts,
        "params": offer.params,
        "legal_basis": offer.legal_basis,
        "explanation": offer.explanation.get(language()) or offer.explanation.get("en"),
        "case": str(case.public_id) if case else None,
    }


@router.get("/", response=list[OfferOut], url_name="offers_list")
@citizens_own_data
def list_offers(request: HttpRequest) -> list[dict[str, Any]]:
    """My offers: open ones first (nearest deadline first), then the answered ones."""
    offers = offers_for(_citizen(request)).order_by("status", "deadline", "pk")[:500]
    return [_out(offer) for offer in offers]


@router.get("/{public_id}", response={200: OfferDetailOut, 404: ErrorOut}, url_name="offer")
@citizens_own_data
def offer_detail(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """One offer, with the facts used, the parameters, the legal basis and the explanation.
    Reading it marks it viewed."""
    user = _citizen(request)
    offer = offer_for(user, str(public_id))
    problem = confirmation_problem(user, offer) if offer.is_open else None
    if problem is not None:
        # Someone who no longer acts for the subject does not see their facts.
        return {**_detail(offer), "facts": [], "explanation": None, "cannot_confirm": problem}
    return _detail(do_view_offer(offer))


def _receipt(receipt: ConsentReceipt) -> dict[str, Any]:
    case = getattr(receipt.offer, "case", None)
    return {
        "offer": str(receipt.offer.public_id),
        "agreement_version": receipt.agreement_version,
        "agreement_sha256": receipt.agreement_sha256,
        "offer_sha256": receipt.offer_sha256,
        "confirmed_at": receipt.confirmed_at,
        "acting_for": str(receipt.acting_for.public_id) if receipt.acting_for else None,
        "case": str(case.public_id) if case else None,
    }


ANSWER_RESPONSES = {200: ReceiptOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/{public_id}/confirm", response=ANSWER_RESPONSES, url_name="offer_confirm")
@citizens_own_data
def confirm(request: HttpRequest, public_id: uuid.UUID, payload: VersionIn) -> dict[str, Any]:
    """Confirm with one action; confirming again returns the first receipt (one case)."""
    user = _citizen(request)
    offer = offer_for(user, str(public_id))
    receipt = do_confirm_offer(
        user, offer, expected_version=payload.version, language=language(), channel="api"
    )
    return _receipt(receipt)


@router.post(
    "/{public_id}/decline",
    response={200: OfferOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="offer_decline",
)
@citizens_own_data
def decline(request: HttpRequest, public_id: uuid.UUID, payload: DeclineIn) -> dict[str, Any]:
    """Decline, with the reason."""
    user = _citizen(request)
    offer = do_decline_offer(
        user,
        offer_for(user, str(public_id)),
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(offer)


@router.post(
    "/{public_id}/objection",
    response={201: ObjectionOut, 404: ErrorOut, 422: ErrorOut},
    url_name="offer_objection",
)
@citizens_own_data
def objection(request: HttpRequest, public_id: uuid.UUID, payload: ObjectionIn) -> Status[Any]:
    """ "This is wrong": the agency responsible checks and answers."""
    user = _citizen(request)
    made = do_object_to_offer(user, offer_for(user, str(public_id)), text=payload.text)
    return Status(201, {"id": str(made.public_id), "due_on": made.due_on})
