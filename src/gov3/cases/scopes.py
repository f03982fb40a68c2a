"""The access-policy scope the cases app knows: the people in an agency's cases."""

from __future__ import annotations

from django.db.models import Q

from gov3.accounts.access_policy import NOBODY, scope
from gov3.accounts.models import User
from gov3.cases.models import Case, Objection


@scope("agency_cases")
def agency_cases(officer: User) -> Q:
    """The applicants and subjects of the officer's agency's cases (open or decided, so the
    queue is included), and the people whose objections the agency handles."""
    if officer.agency_id is None:
        return NOBODY
    cases = Case.objects.filter(agency_id=officer.agency_id)
    return (
        Q(pk__in=cases.values("subject_id"))
        | Q(pk__in=cases.values("applicant_id"))
        | Q(pk__in=Objection.objects.filter(agency_id=officer.agency_id).values("person_id"))
    )
