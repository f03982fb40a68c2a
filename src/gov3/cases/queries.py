"""Reads of cases: a citizen's own cases; an agency's work queue. Officer reads of a case
(personal data) are written to the access log."""

from __future__ import annotations

from django.db.models import QuerySet

from gov3.accounts.models import OfficerRole, User
from gov3.cases.models import OPEN_CASE_STATUSES, Case, Objection, ObjectionStatus
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError, PermissionRefusedError
from gov3.core.models import AccessChannel, AccessPurpose


def cases_for(user: User) -> QuerySet[Case]:
    """The citizen's cases (as applicant), newest first."""
    if not user.is_citizen or user.person_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(applicant_id=user.person_id)
        .select_related("subject", "agency")
        .order_by("-opened_at")
    )


def case_for_citizen(user: User, public_id: str) -> Case:
    case = cases_for(user).filter(public_id=public_id).first()
    if case is None:
        raise NotFoundError("There is no such case.")
    return case


def work_queue(officer: User) -> QuerySet[Case]:
    """The open cases of the officer's agency, the nearest due date first."""
    if not officer.is_officer or officer.agency_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(agency_id=officer.agency_id, status__in=OPEN_CASE_STATUSES)
        .select_related("subject", "applicant")
        .order_by("due_on", "opened_at")
    )


def _log_officer_read(
    officer: User,
    subject_ids: list[int],
    channel: AccessChannel,
    what: str,
) -> None:
    log_access(
        subject_ids=subject_ids,
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.name_local if officer.agency else "",
        purpose=AccessPurpose.BENEFIT_ASSESSMENT,
        channel=channel,
        what=what,
    )


QUEUE_PARTS = "work queue: name, service, amount, due date"


def queue_for_officer(
    officer: User, channel: AccessChannel = AccessChannel.WEB, limit: int = 200
) -> list[Case]:
    """The first `limit` cases of the officer's work queue; everyone listed (applicants and
    subjects) is written to the access log."""
    cases = list(work_queue(officer)[:limit])
    people = [pid for case in cases for pid in (case.subject_id, case.applicant_id)]
    if people:
        _log_officer_read(officer, people, channel, QUEUE_PARTS)
    return cases


def objections_for_officer(officer: User, limit: int = 200) -> list[Objection]:
    """The agency's open objections (for the queue page); each objector's read is logged."""
    objections = list(open_objections(officer).select_related("offer", "case")[:limit])
    if objections:
        _log_officer_read(
            officer, [o.person_id for o in objections], AccessChannel.WEB, "objection"
        )
    return objections


def case_to_decide(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> Case:
    """A case the officer may decide, its read logged. An officer who may not decide it (an
    auditor, another agency) is refused before anything is read or logged."""
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError("There is no such case in your agency.")
    found = Case.objects.filter(public_id=public_id, agency_id=officer.agency_id).first()
    if found is None:
        raise NotFoundError("There is no such case in your agency.")
    if officer.role == OfficerRole.AUDITOR:
        raise PermissionRefusedError("Auditors read cases; they do not decide them.")
    return case_for_officer(officer, public_id, channel)


def open_objections(officer: User) -> QuerySet[Objection]:
    if not officer.is_officer or officer.agency_id is None:
        return Objection.objects.none()
    return Objection.objects.filter(
        agency_id=officer.agency_id, status=ObjectionStatus.OPEN
    ).order_by("due_on")


def case_for_officer(
    officer: User, public_id: str, channel: AccessChannel = AccessChannel.WEB
) -> Case:
    """A case of the officer's agency, its read logged (purpose: assessing the service)."""
    if not officer.is_officer or officer.agency_id is None:
        raise NotFoundError("There is no such case in your agency.")
    case = (
        Case.objects.filter(public_id=public_id, agency_id=officer.agency_id)
        .select_related("subject", "applicant", "agency", "offer")
        .first()
    )
    if case is None:
        raise NotFoundError("There is no such case in your agency.")
    _log_officer_read(
        officer, [case.subject_id, case.applicant_id], channel, f"case {case.service_id}"
    )
    return case
