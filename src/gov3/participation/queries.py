"""Reads of participation records. A citizen sees only their own petitions and requests
(another id: not found); an officer sees their agency's, and each read of one is written to
the petitioner's access log."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.participation.models import (
    Consultation,
    DisclosureRequest,
    Petition,
    PetitionStatus,
    PublicPetition,
)


def petitions_of(user: User) -> QuerySet[Petition]:
    if not user.is_citizen or user.person_id is None:
        return Petition.objects.none()
    return Petition.objects.filter(petitioner_id=user.person_id).order_by("-filed_at")


def petition_for_citizen(user: User, public_id: str) -> Petition:
    petition = petitions_of(user).filter(public_id=public_id).first()
    if petition is None:
        raise NotFoundError("There is no such petition.")
    return petition


def agency_petitions(officer: User) -> QuerySet[Petition]:
    """The open petitions of the officer's agency, the nearest due date first."""
    if not officer.is_officer or officer.agency_id is None:
        return Petition.objects.none()
    return Petition.objects.filter(
        agency_id=officer.agency_id, status=PetitionStatus.OPEN
    ).order_by("due_on", "filed_at")


def overdue(officer: User, today: date) -> QuerySet[Petition]:
    return agency_petitions(officer).filter(due_on__lt=today)


def _log(officer: User, person_id: int, what: str, channel: AccessChannel) -> None:
    log_access(
        subject_ids=[person_id],
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.name_local if officer.agency else "",
        purpose=AccessPurpose.CITIZEN_REQUEST,
        channel=channel,
        what=what,
    )


def petition_for_officer(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> Petition:
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError("There is no such petition in your agency.")
    petition = (
        Petition.objects.filter(public_id=public_id, agency_id=officer.agency_id)
        .select_related("petitioner", "agency", "area")
        .first()
    )
    if petition is None:
        raise NotFoundError("There is no such petition in your agency.")
    _log(officer, petition.petitioner_id, "petition", channel)
    return petition


def requests_of(user: User) -> QuerySet[DisclosureRequest]:
    if not user.is_citizen or user.person_id is None:
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(requester_id=user.person_id).order_by("-received_on")


def request_for_citizen(user: User, public_id: str) -> DisclosureRequest:
    found = requests_of(user).filter(public_id=public_id).first()
    if found is None:
        raise NotFoundError("There is no such request.")
    return found


def agency_requests(officer: User) -> QuerySet[DisclosureRequest]:
    if not officer.is_officer or officer.agency_id is None:
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(agency_id=officer.agency_id).order_by("due_on")


def request_for_officer(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> DisclosureRequest:
    found = agency_requests(officer).filter(public_id=public_id).first()
    if found is None:
        raise NotFoundError("There is no such request in your agency.")
    _log(officer, found.requester_id, "information disclosure request", channel)
    return found


def public_petition(public_id: str) -> PublicPetition:
    found = PublicPetition.objects.filter(public_id=public_id).select_related("agency").first()
    if found is None:
        raise NotFoundError("There is no such petition.")
    return found


def consultation(public_id: str) -> Consultation:
    found = Consultation.objects.filter(public_id=public_id).select_related("agency").first()
    if found is None:
        raise NotFoundError("There is no such consultation.")
    return found
