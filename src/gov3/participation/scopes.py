"""The access-policy scopes the participation app knows: the people whose petitions and
information-disclosure requests an agency handles (docs/access-policy.md)."""

from __future__ import annotations

from django.db.models import Q

from gov3.accounts.access_policy import NOBODY, scope
from gov3.accounts.models import User
from gov3.participation.models import DisclosureRequest, Petition


@scope("agency_petitioners")
def agency_petitioners(officer: User) -> Q:
    """The petitioners of the petitions now with the officer's agency (routed or transferred
    to it; a petition transferred away leaves with its petitioner)."""
    if officer.agency_id is None:
        return NOBODY
    return Q(pk__in=Petition.objects.filter(agency_id=officer.agency_id).values("petitioner_id"))


@scope("agency_requesters")
def agency_requesters(officer: User) -> Q:
    """The requesters of the information-disclosure requests made to the officer's agency."""
    if officer.agency_id is None:
        return NOBODY
    return Q(
        pk__in=DisclosureRequest.objects.filter(agency_id=officer.agency_id).values("requester_id")
    )
