"""Who may act in a participation command: the signed-in citizen, an officer of the agency
concerned (auditors only read), an agency set up for petitions."""

from __future__ import annotations

from django.utils.translation import gettext

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.registry.models import Person


def citizen_person(user: User) -> Person:
    if not user.is_citizen or user.person is None:
        raise PermissionRefusedError(gettext("Only a signed-in citizen can do this."))
    return user.person


def acting_officer(officer: User, agency: Agency | None) -> Agency:
    """The officer's agency, if it is ``agency`` (or any, when None) and the officer may
    act (auditors only read); otherwise "not found"."""
    if (
        not officer.is_officer
        or officer.agency is None
        or officer.role == OfficerRole.AUDITOR
        or (agency is not None and officer.agency_id != agency.pk)
    ):
        raise NotFoundError(gettext("There is no such item in your agency."))
    return officer.agency


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationFailedError(
            gettext(
                "The agency %(code)s is not set up; an operator runs `gov3 participation load`."
            )
            % {"code": code}
        )
    return agency
