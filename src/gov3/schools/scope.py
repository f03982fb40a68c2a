"""Which schools an officer works for (their scope), for year end, the follow-up list and the
dashboards.

Who may: a **school officer** (`OfficerRole.SCHOOL_OFFICER`), or any officer of the education
office that handles the pack's school-entry requests (as the school-entry lists always allowed).
Which schools, from the officer's agency:

* a school's own office — the agency whose code is the school's code — that school only;
* an agency with an area (a district office of education): the schools in that area, at any
  level below it;
* an agency with no area (the ministry): every school of the country.

Anyone else sees no school: their pages are "not found" and nothing is logged.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.core.errors import NotFoundError
from gov3.schools.models import School


def school_agency(officer: User, country: str) -> Agency:
    """The officer's agency if it may work on schools at all; else `NotFoundError`."""
    from gov3.cases.services import handling_agency  # noqa: PLC0415
    from gov3.schools.installed import schools_data  # noqa: PLC0415

    agency = officer.agency if officer.is_officer else None
    if agency is None or agency.country != country:
        raise NotFoundError(gettext("There is no such list in your agency."))
    if officer.role == OfficerRole.SCHOOL_OFFICER:
        return agency
    office = handling_agency(country, schools_data(country).request_service)
    if office is None or office.pk != agency.pk:
        raise NotFoundError(gettext("There is no such list in your agency."))
    return agency


def area_q(agency: Agency, field: str) -> Q:
    """``field`` (a path to an `Area`) in the agency's area or below it; everything if the
    agency has no area."""
    if agency.area_id is None:
        return Q()
    return (
        Q(**{field: agency.area_id})
        | Q(**{f"{field}__parent": agency.area_id})
        | Q(**{f"{field}__parent__parent": agency.area_id})
    )


def school_q(agency: Agency, prefix: str = "") -> Q:
    """A filter for the schools the agency works for (``prefix`` leads to a `School`)."""
    own = School.objects.filter(country=agency.country, code=agency.code).first()
    if own is not None:
        return Q(**{f"{prefix}pk": own.pk})
    return Q(**{f"{prefix}country": agency.country}) & area_q(agency, f"{prefix}area")


def placement_q(agency: Agency) -> Q:
    """A filter for the school-entry placements the agency follows up: those of its schools,
    and (for a district office or the ministry) the children of its area with no school."""
    if School.objects.filter(country=agency.country, code=agency.code).exists():
        return school_q(agency, "school__")
    return school_q(agency, "school__") | (Q(school__isnull=True) & area_q(agency, "area"))


def schools_for(officer: User, country: str) -> QuerySet[School]:
    """The schools this officer works for (`NotFoundError` if none may be seen at all)."""
    agency = school_agency(officer, country)
    return School.objects.filter(school_q(agency)).select_related("area", "area__parent")


def school_for(officer: User, country: str, code: str) -> School:
    """One school in the officer's scope; another school is "not found" (404, not logged)."""
    school = schools_for(officer, country).filter(code=code).first()
    if school is None:
        raise NotFoundError(gettext("There is no such school."))
    return school
