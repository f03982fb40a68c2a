"""Reads of participation records. A citizen sees only their own petitions and requests
(another id: not found). An officer reads the petitions and requests with their agency that
the access policy lets them read (`petition_handling` → `agency_petitioners`,
`disclosure_handling` → `agency_requesters`; docs/access-policy.md); each petitioner or
requester shown is written to the access log, and a read outside the policy is "not found"
and a refused attempt in the audit log."""

from __future__ import annotations

from typing import NoReturn

from django.db.models import QuerySet
from django.utils.translation import gettext

from gov3.accounts.access_policy import readable_people
from gov3.accounts.models import User
from gov3.core.access import log_access, record_refused_read
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.participation.models import (
    Consultation,
    DisclosureRequest,
    Petition,
    PetitionAttachment,
    PetitionStatus,
    PublicPetition,
)
from gov3.registry.models import Person

#: What each officer read shows, as written to the access log.
PETITION_QUEUE_PARTS = "petition queue: title, due date"
PETITION_PARTS = "petition: name, title, text, attachments, objection, history"
GROUP_PARTS = "alike petition in the same group: title, status"
ATTACHMENT_PARTS = "petition attachment"
REQUEST_QUEUE_PARTS = "information-disclosure requests: what was asked for, due date"
REQUEST_PARTS = "information-disclosure request: what was asked for, decision"
OUTSIDE_POLICY = "outside the access policy for this role and purpose"


def petitions_of(user: User) -> QuerySet[Petition]:
    if not user.is_citizen or user.person_id is None:
        return Petition.objects.none()
    return Petition.objects.filter(petitioner_id=user.person_id).order_by("-filed_at")


def petition_for_citizen(user: User, public_id: str) -> Petition:
    petition = petitions_of(user).filter(public_id=public_id).first()
    if petition is None:
        raise NotFoundError("There is no such petition.")
    return petition


def _readable(officer: User, purpose: AccessPurpose) -> QuerySet[Person]:
    """The people whose petitions or requests `officer` may read for `purpose` (the access
    policy: role → purpose → scope)."""
    return readable_people(officer, purpose)


def _log(
    officer: User,
    person_ids: list[int],
    what: str,
    purpose: AccessPurpose,
    channel: AccessChannel,
) -> None:
    log_access(
        subject_ids=person_ids,
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.name_local if officer.agency else "",
        purpose=purpose,
        channel=channel,
        what=what,
    )


def _refuse(officer: User, person_id: int, purpose: AccessPurpose, what: str, why: str) -> NoReturn:
    """A read of another agency's (or an out-of-scope) petition or request: "not found" for the
    officer, a refused attempt in the audit log, nothing in the access log."""
    record_refused_read(
        actor=officer.get_username(), subject_id=person_id, purpose=purpose, what=what, reason=why
    )
    raise NotFoundError(gettext("There is no such item in your agency."))


def _check(
    officer: User, agency_id: int, person_id: int, purpose: AccessPurpose, what: str
) -> None:
    """Refuse unless the record is with the officer's agency and the policy lets the officer
    read the person who filed it for `purpose`."""
    if agency_id != officer.agency_id:
        _refuse(officer, person_id, purpose, what, "the record is with another agency")
    if not _readable(officer, purpose).filter(pk=person_id).exists():
        _refuse(officer, person_id, purpose, what, OUTSIDE_POLICY)


def agency_petitions(officer: User) -> QuerySet[Petition]:
    """The open petitions of the officer's agency that the access policy lets the officer read
    (none for a role not granted `petition_handling`), the nearest due date first."""
    if not officer.is_officer or officer.agency_id is None:
        return Petition.objects.none()
    return Petition.objects.filter(
        agency_id=officer.agency_id,
        status=PetitionStatus.OPEN,
        petitioner__in=_readable(officer, AccessPurpose.PETITION_HANDLING),
    ).order_by("due_on", "filed_at")


def petition_queue_for_officer(
    officer: User, channel: AccessChannel = AccessChannel.WEB, limit: int = 200
) -> list[Petition]:
    """The first `limit` petitions of the agency's queue; each petitioner listed is written to
    the access log (the queue shows their petitions' titles)."""
    items = list(agency_petitions(officer)[:limit])
    _log(
        officer,
        [p.petitioner_id for p in items],
        PETITION_QUEUE_PARTS,
        AccessPurpose.PETITION_HANDLING,
        channel,
    )
    return items


def petition_for_officer(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> Petition:
    """A petition with the officer's agency, its read logged for the petitioner. Another
    agency's petition, or one the policy does not let the officer read, is "not found" and a
    refused attempt in the audit log."""
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    petition = (
        Petition.objects.filter(public_id=public_id)
        .select_related("petitioner", "agency", "area")
        .first()
    )
    if petition is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    purpose = AccessPurpose.PETITION_HANDLING
    _check(officer, petition.agency_id, petition.petitioner_id, purpose, PETITION_PARTS)
    _log(officer, [petition.petitioner_id], PETITION_PARTS, purpose, channel)
    return petition


def group_for_officer(
    officer: User, petition: Petition, channel: AccessChannel = AccessChannel.WEB, limit: int = 50
) -> list[Petition]:
    """The other petitions of `petition`'s group the officer may read (their titles are
    shown); each of their petitioners is written to the access log."""
    if petition.group_id is None or officer.agency_id is None:
        return []
    group = list(
        Petition.objects.filter(
            group_id=petition.group_id,
            agency_id=officer.agency_id,
            petitioner__in=_readable(officer, AccessPurpose.PETITION_HANDLING),
        )
        .exclude(pk=petition.pk)
        .order_by("filed_at")[:limit]
    )
    _log(
        officer,
        [p.petitioner_id for p in group],
        GROUP_PARTS,
        AccessPurpose.PETITION_HANDLING,
        channel,
    )
    return group


def attachment_for_officer(
    officer: User, public_id: str, number: int, channel: AccessChannel = AccessChannel.WEB
) -> PetitionAttachment:
    """The petition's `number`-th attachment (from 1), its read logged for the petitioner;
    refused like the petition itself."""
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    petition = Petition.objects.filter(public_id=public_id).first()
    if petition is None or number < 1:
        raise NotFoundError(gettext("There is no such item in your agency."))
    purpose = AccessPurpose.PETITION_HANDLING
    _check(officer, petition.agency_id, petition.petitioner_id, purpose, ATTACHMENT_PARTS)
    found = petition.attachments.order_by("pk")[number - 1 : number].first()
    if found is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    _log(officer, [petition.petitioner_id], f"{ATTACHMENT_PARTS}: {found.name}", purpose, channel)
    return found


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
    """The requests made to the officer's agency that the access policy lets the officer read
    (none for a role not granted `disclosure_handling`), the nearest due date first."""
    if not officer.is_officer or officer.agency_id is None:
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(
        agency_id=officer.agency_id,
        requester__in=_readable(officer, AccessPurpose.DISCLOSURE_HANDLING),
    ).order_by("due_on", "pk")


def request_queue_for_officer(
    officer: User, channel: AccessChannel = AccessChannel.WEB, limit: int = 200
) -> list[DisclosureRequest]:
    """The first `limit` requests of the agency; each requester listed is written to the
    access log (the list shows what they asked for)."""
    items = list(agency_requests(officer)[:limit])
    _log(
        officer,
        [r.requester_id for r in items],
        REQUEST_QUEUE_PARTS,
        AccessPurpose.DISCLOSURE_HANDLING,
        channel,
    )
    return items


def request_for_officer(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> DisclosureRequest:
    """A request made to the officer's agency, its read logged for the requester; refused
    like a petition."""
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    found = DisclosureRequest.objects.filter(public_id=public_id).first()
    if found is None:
        raise NotFoundError(gettext("There is no such item in your agency."))
    purpose = AccessPurpose.DISCLOSURE_HANDLING
    _check(officer, found.agency_id, found.requester_id, purpose, REQUEST_PARTS)
    _log(officer, [found.requester_id], REQUEST_PARTS, purpose, channel)
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
