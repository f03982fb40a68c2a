"""The participation API (/api/v1/participation/): a citizen's petitions (file, read, rate),
public petitions (open, sign), information-disclosure requests (ask, follow, object),
consultations and their impact (what a draft means for me, support, oppose or comment).
The same rules as the pages: another citizen's petition is 404 and changes nothing."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import uuid
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from gov3.accounts.decorators import citizen_of
from gov3.accounts.models import User
from gov3.core.errors import NotFoundError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut, InputSchema
from gov3.participation import queries
from gov3.participation.foryou import for_person
from gov3.participation.models import (
    Consultation,
    DisclosureObjection,
    DisclosureRequest,
    Petition,
    PublicPetition,
)
from gov3.participation.services.consultations import do_comment
from gov3.participation.services.disclosure import (
    deemed_refused,
    do_object_to_disclosure,
    do_request_disclosure,
    objection_deadline,
)
from gov3.participation.services.petitions import do_file_petition, do_rate_petition
from gov3.participation.services.public import do_open_public_petition, do_sign
from gov3.participation.services.submissions import MAX_TEXT

router = Router(tags=["participation"])


class PetitionIn(InputSchema):
    """A petition to file; text fields as long as the petition's columns allow at most."""

    length_models = (Petition,)

    kind: str = Field(description="complaint | question | proposal")
    category: str = Field(default="", description="empty: routed by the text")
    area: str = Field(default="", max_length=20, description="area code of the place")
    title: str = Field(min_length=1)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class PetitionOut(Schema):
    id: str
    kind: str
    category: str
    title: str
    text: str
    agency: str
    status: str
    filed_on: date
    due_on: date
    extended: bool
    grouped: bool
    answer: str
    satisfaction: int | None


class RateIn(InputSchema):
    rating: int = Field(ge=1, le=5)


class SignOut(Schema):
    signatures: int
    threshold: int
    status: str


class PublicPetitionIn(InputSchema):
    """A public petition to open; it goes to the agency of its category."""

    length_models = (PublicPetition,)

    category: str = Field(description="a subject of the country pack's petition categories")
    title: str = Field(min_length=1)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class PublicPetitionOut(Schema):
    id: str
    title: str
    agency: str
    category: str
    status: str
    signatures: int
    threshold: int
    opened_on: date
    closes_on: date


class DisclosureIn(InputSchema):
    agency: str = Field(min_length=1, max_length=60, description="the agency's code")
    subject: str = Field(min_length=1, max_length=MAX_TEXT, description="the information asked for")


class DisclosureOut(Schema):
    id: str
    agency: str
    subject: str
    received_on: date
    due_on: date
    extended: bool
    decision: str = Field(description="disclose | partial | refuse; empty while undecided")
    deemed_refused: bool = Field(description="no decision within the legal period")
    grounds: list[str]
    reason: str
    objection_until: date | None = Field(description="last day to object; null: nothing to")
    objection: str = Field(description="empty, or the outcome of the objection (open: pending)")


class ObjectionIn(InputSchema):
    length_models = (DisclosureObjection,)

    text: str = Field(min_length=1, max_length=MAX_TEXT)


class CommentIn(InputSchema):
    stance: str = Field(description="support | oppose | comment")
    text: str = Field(default="", max_length=MAX_TEXT)


class CommentOut(Schema):
    stance: str
    text: str


class ConsultationOut(Schema):
    id: str
    service: str
    title: str
    status: str
    current_version: str
    draft_version: str
    effective_on: date
    opens_on: date
    closes_on: date
    impact: dict[str, Any]


class ForMeOut(Schema):
    eligible_now: bool
    eligible_draft: bool
    amount_now: int | None
    amount_draft: int | None
    change: int


def _citizen(request: HttpRequest) -> User:
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Only citizens have petitions.")
    return user


def _out(petition: Petition) -> dict[str, Any]:
    return {
        "id": str(petition.public_id),
        "kind": petition.kind,
        "category": petition.category,
        "title": petition.title,
        "text": petition.text,
        "agency": petition.agency.code,
        "status": petition.status,
        "filed_on": petition.filed_on,
        "due_on": petition.due_on,
        "extended": petition.extended,
        "grouped": petition.group_id is not None,
        "answer": petition.answer,
        "satisfaction": petition.satisfaction,
    }


@router.get("/petitions", response=list[PetitionOut], url_name="participation_petitions")
@citizens_own_data
def my_petitions(request: HttpRequest) -> list[dict[str, Any]]:
    """My petitions, newest first."""
    return [_out(p) for p in queries.petitions_of(_citizen(request)).select_related("agency")[:200]]


@router.post(
    "/petitions",
    response={200: PetitionOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_file",
)
@citizens_own_data
def file_petition(request: HttpRequest, payload: PetitionIn) -> dict[str, Any]:
    """File a petition: routed at once (the category given, else the classifier) and grouped
    with an alike open petition of the same agency."""
    petition = do_file_petition(
        _citizen(request),
        kind=payload.kind,
        category=payload.category,
        area_code=payload.area,
        title=payload.title,
        text=payload.text,
    )
    return _out(petition)


@router.get(
    "/petitions/{public_id}",
    response={200: PetitionOut, 404: ErrorOut},
    url_name="participation_petition",
)
@citizens_own_data
def my_petition(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _out(queries.petition_for_citizen(_citizen(request), str(public_id)))


@router.post(
    "/petitions/{public_id}/rating",
    response={200: PetitionOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_rate",
)
@citizens_own_data
def rate(request: HttpRequest, public_id: uuid.UUID, payload: RateIn) -> dict[str, Any]:
    user = _citizen(request)
    petition = queries.petition_for_citizen(user, str(public_id))
    return _out(do_rate_petition(user, petition, rating=payload.rating))


@router.post(
    "/public-petitions/{public_id}/signatures",
    response={200: SignOut, 400: ErrorOut, 404: ErrorOut},
    url_name="participation_sign",
)
@citizens_own_data
def sign(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """Sign a public petition (once per person)."""
    petition = do_sign(_citizen(request), queries.public_petition(str(public_id)))
    return {
        "signatures": petition.signature_count,
        "threshold": petition.threshold,
        "status": petition.status,
    }


@router.post(
    "/public-petitions",
    response={200: PublicPetitionOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_open_public",
)
@citizens_own_data
def open_public_petition(request: HttpRequest, payload: PublicPetitionIn) -> dict[str, Any]:
    """Open a public petition for signatures; one that reaches the threshold in its period
    is answered publicly by the agency."""
    petition = do_open_public_petition(
        _citizen(request), title=payload.title, text=payload.text, category=payload.category
    )
    return {
        "id": str(petition.public_id),
        "title": petition.title,
        "agency": petition.agency.code,
        "category": petition.category,
        "status": petition.status,
        "signatures": petition.signature_count,
        "threshold": petition.threshold,
        "opened_on": petition.opened_on,
        "closes_on": petition.closes_on,
    }


def _disclosure(found: DisclosureRequest) -> dict[str, Any]:
    today = timezone.localdate()
    objection = getattr(found, "objection", None)
    return {
        "id": str(found.public_id),
        "agency": found.agency.code,
        "subject": found.subject,
        "received_on": found.received_on,
        "due_on": found.due_on,
        "extended": found.extended,
        "decision": found.decision,
        "deemed_refused": deemed_refused(found, today),
        "grounds": [str(ground) for ground in found.grounds],
        "reason": found.reason,
        "objection_until": objection_deadline(found, today) if objection is None else None,
        "objection": "" if objection is None else (objection.outcome or "open"),
    }


@router.get(
    "/disclosure-requests",
    response=list[DisclosureOut],
    url_name="participation_disclosure_requests",
)
@citizens_own_data
def my_disclosure_requests(request: HttpRequest) -> list[dict[str, Any]]:
    """My information-disclosure requests, newest first."""
    found = queries.requests_of(_citizen(request)).select_related("agency", "objection")
    return [_disclosure(r) for r in found[:200]]


@router.post(
    "/disclosure-requests",
    response={200: DisclosureOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_request_disclosure",
)
@citizens_own_data
def request_disclosure(request: HttpRequest, payload: DisclosureIn) -> dict[str, Any]:
    """Ask an agency for information it holds; it decides within the legal period."""
    found = do_request_disclosure(
        _citizen(request), agency_code=payload.agency, subject=payload.subject
    )
    return _disclosure(found)


@router.get(
    "/disclosure-requests/{public_id}",
    response={200: DisclosureOut, 404: ErrorOut},
    url_name="participation_disclosure_request",
)
@citizens_own_data
def my_disclosure_request(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return _disclosure(queries.request_for_citizen(_citizen(request), str(public_id)))


@router.post(
    "/disclosure-requests/{public_id}/objection",
    response={200: DisclosureOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_disclosure_objection",
)
@citizens_own_data
def object_to_disclosure(
    request: HttpRequest, public_id: uuid.UUID, payload: ObjectionIn
) -> dict[str, Any]:
    """Object to a refusal, a partial disclosure or a deemed refusal, within the period."""
    user = _citizen(request)
    found = queries.request_for_citizen(user, str(public_id))
    do_object_to_disclosure(user, found, text=payload.text)
    return _disclosure(queries.request_for_citizen(user, str(public_id)))


def _consultation(found: Consultation) -> dict[str, Any]:
    return {
        "id": str(found.public_id),
        "service": found.service_id,
        "title": found.title,
        "status": found.status,
        "current_version": found.current_version,
        "draft_version": found.draft_version,
        "effective_on": found.effective_on,
        "opens_on": found.opens_on,
        "closes_on": found.closes_on,
        "impact": found.impact,
    }


@router.get(
    "/consultations",
    response=list[ConsultationOut],
    auth=None,
    url_name="participation_consultations",
)
@no_personal_data
def consultations(request: HttpRequest) -> list[dict[str, Any]]:
    """Every consultation with its published impact (aggregates only, small cells null)."""
    return [_consultation(c) for c in Consultation.objects.order_by("-opens_on")[:100]]


@router.get(
    "/consultations/{public_id}/for-me",
    response={200: ForMeOut, 404: ErrorOut},
    url_name="participation_for_me",
)
@citizens_own_data
def for_me(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """What the draft would mean for me: the service under both versions."""
    user = _citizen(request)
    found = queries.consultation(str(public_id))
    if user.person is None or user.person.country != found.country:
        raise NotFoundError("There is no such consultation.")
    mine = for_person(found, user.person)
    return {
        "eligible_now": mine.now.eligible,
        "eligible_draft": mine.draft.eligible,
        "amount_now": mine.now.amount,
        "amount_draft": mine.draft.amount,
        "change": mine.change,
    }


@router.post(
    "/consultations/{public_id}/comments",
    response={200: CommentOut, 404: ErrorOut, 422: ErrorOut},
    url_name="participation_comment",
)
@citizens_own_data
def comment(request: HttpRequest, public_id: uuid.UUID, payload: CommentIn) -> dict[str, Any]:
    """Support, oppose or comment on a consultation, once, within its period."""
    made = do_comment(
        _citizen(request),
        queries.consultation(str(public_id)),
        stance=payload.stance,
        text=payload.text,
    )
    return {"stance": made.stance, "text": made.text}
