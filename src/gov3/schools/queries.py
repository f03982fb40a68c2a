"""Reads of school services. The finder shows no personal data; a citizen reads their own
learner record and those of the children they act for (another family's learner is "not
found", and nothing is logged)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from gov3.accounts.models import Agency, User
from gov3.accounts.queries import children_acted_for
from gov3.cases.services import handling_agency
from gov3.catalogue.packs import SchoolsData
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.models import Area, AreaLevel, Person
from gov3.schools.core.learner_numbers import is_valid_learner_number
from gov3.schools.models import (
    DistrictEntry,
    Enrolment,
    Learner,
    Placement,
    PlacementStatus,
    School,
)

#: At most this many areas are listed for one search.
MAX_AREAS = 20


@dataclass(frozen=True)
class AreaSchools:
    """An area and the schools serving it in a school year, in priority order."""

    area: Area
    entries: list[DistrictEntry]


def find_schools(country: str, text: str, school_year: int) -> list[AreaSchools]:
    """The lowest-level areas whose name (national script or English) contains ``text``, or
    whose parent's does, with the schools that serve each in ``school_year``."""
    text = text.strip()
    if len(text) < 2:
        raise ValidationFailedError(
            gettext("Type at least two letters of your neighbourhood (dong) or district.")
        )
    areas = list(
        Area.objects.filter(country=country, level=AreaLevel.DISTRICT)
        .filter(
            Q(name_local__icontains=text)
            | Q(name_en__icontains=text)
            | Q(parent__name_local__icontains=text)
            | Q(parent__name_en__icontains=text)
        )
        .select_related("parent")
        .order_by("code")[:MAX_AREAS]
    )
    entries: dict[int, list[DistrictEntry]] = {a.pk: [] for a in areas}
    for entry in (
        DistrictEntry.objects.filter(area__in=areas, school_year=school_year)
        .select_related("school", "school__area")
        .order_by("school__level", "priority")
    ):
        entries[entry.area_id].append(entry)
    return [AreaSchools(a, entries[a.pk]) for a in areas]


def school_years(country: str) -> list[int]:
    """The school years that have districts, newest first."""
    return sorted(
        set(
            DistrictEntry.objects.filter(school__country=country).values_list(
                "school_year", flat=True
            )
        ),
        reverse=True,
    )


def check_learner_number(data: SchoolsData, number: str) -> str:
    """``number`` without spaces, if it is written to the pack's pattern with the right check
    digit; otherwise a clear error (a mistyped or forged number never reaches the register)."""
    compact = number.replace(" ", "").strip().upper()
    spec = data.learner_id
    if not is_valid_learner_number(spec.pattern, spec.check, compact):
        raise ValidationFailedError(
            gettext(
                "%(number)s is not a valid learner number: it must look like %(pattern)s "
                "(# is a digit) and its check digit must match."
            )
            % {"number": compact[:30], "pattern": spec.pattern}
        )
    return compact


def people_for(user: User) -> list[Person]:
    """The citizen and the minor children they act for."""
    assert user.person is not None
    return [user.person, *children_acted_for(user)]


def learners_for(user: User) -> QuerySet[Learner]:
    """The learner records of the citizen and of the children they act for."""
    if not user.is_citizen or user.person is None:
        return Learner.objects.none()
    return (
        Learner.objects.filter(person__in=people_for(user))
        .select_related("person")
        .order_by("person__birth_date")
    )


def learner_for(user: User, public_id: object) -> Learner:
    """One learner the citizen may see (themselves or a child they act for); anything else
    is `NotFoundError` and nothing is logged."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError(gettext("There is no such learner.")) from None
    learner = learners_for(user).filter(public_id=wanted).first()
    if learner is None:
        raise NotFoundError(gettext("There is no such learner."))
    return learner


def enrolment_history(learner: Learner) -> list[Enrolment]:
    """The learner's enrolments, oldest first."""
    return list(
        Enrolment.objects.filter(learner=learner)
        .select_related("school")
        .order_by("started_on", "pk")
    )


# -- the education office: follow-up list and a school's entrants (access-logged) -------------


def education_office(officer: User, country: str) -> Agency:
    """The officer's agency if it handles the pack's school-entry requests; else "not found"
    (the pages are 404 for other officers, and nothing is logged)."""
    from gov3.schools.installed import schools_data  # noqa: PLC0415

    agency = handling_agency(country, schools_data(country).request_service)
    if not officer.is_officer or agency is None or officer.agency_id != agency.pk:
        raise NotFoundError(gettext("There is no such list in your agency."))
    return agency


def _log(officer: User, agency: Agency, people: list[int], what: str) -> None:
    log_access(
        subject_ids=people,
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=str(officer.role),
        agency=agency.code,
        purpose=AccessPurpose.SCHOOL_ENTRY,
        channel=AccessChannel.WEB,
        what=what,
    )


def follow_up_list(officer: User, country: str, today: date) -> list[Placement]:
    """Children of this year's rounds the office must follow up (child safety): no guardian in
    the register, no school, or no answer by the notice's deadline. Logs each child read."""
    from gov3.schools.scope import placement_q, school_agency  # noqa: PLC0415

    # The education office, a district office or a school's own office: each its own scope.
    agency = school_agency(officer, country)
    rows = [
        p
        for p in Placement.objects.filter(round__country=country)
        .filter(placement_q(agency))
        .exclude(status__in=[PlacementStatus.CONFIRMED, PlacementStatus.REQUESTED])
        .select_related("child", "guardian", "school", "area", "offer", "round")
        .order_by("round__school_year", "child__birth_date", "pk")
        if p.status != PlacementStatus.OFFERED or (p.offer is not None and p.offer.deadline < today)
    ]
    _log(officer, agency, [p.child_id for p in rows], "school-entry follow-up list")
    return rows


def school_entrants(
    officer: User, country: str, code: str, school_year: int
) -> tuple[School, list[Placement]]:
    """A school's entrants of a round and where each stands. Logs each child read."""
    agency = education_office(officer, country)
    school = School.objects.filter(country=country, code=code).first()
    if school is None:
        raise NotFoundError(gettext("There is no such school."))
    rows = list(
        Placement.objects.filter(round__school_year=school_year, school=school)
        .select_related("child", "guardian")
        .order_by("child__name_local", "pk")
    )
    _log(officer, agency, [p.child_id for p in rows], f"entrants of {school.code}")
    return school, rows


# -- attendance rates (aggregates: no one's personal data) ------------------------------------


@dataclass(frozen=True)
class AttendanceRate:
    """Attendance of one class over the days taken: ``rate`` is the share of learner-days
    attended (present, late or left early count as attended; an excused absence does not, and
    is counted apart). None when no day was taken."""

    school_code: str
    school_year: int
    grade: int
    class_name: str
    learner_days: int
    attended: int
    absent: int
    excused: int
    late: int
    left_early: int
    #: Learners (enrolments) with a mark in the class: for suppressing small groups.
    learners: int = 0

    @property
    def rate(self) -> float | None:
        return self.attended / self.learner_days if self.learner_days else None


def attendance_rates(
    country: str,
    school_year: int,
    *,
    school_code: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[AttendanceRate]:
    """Attendance rates by school and class of a school year (optionally one school, and the
    days from ``since`` to ``until``), in school code and class order. One grouped query."""
    from django.db.models import Count  # noqa: PLC0415

    from gov3.schools.work.models import AttendanceMark, AttendanceStatus  # noqa: PLC0415

    marks = AttendanceMark.objects.filter(
        enrolment__school__country=country, enrolment__school_year=school_year
    )
    if school_code is not None:
        marks = marks.filter(enrolment__school__code=school_code)
    if since is not None:
        marks = marks.filter(day__gte=since)
    if until is not None:
        marks = marks.filter(day__lte=until)
    rows = (
        marks.values("enrolment__school__code", "enrolment__grade", "enrolment__class_name")
        .annotate(
            total=Count("pk"),
            learners=Count("enrolment", distinct=True),
            absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
            excused=Count("pk", filter=Q(status=AttendanceStatus.ABSENT, excused=True)),
            late=Count("pk", filter=Q(status=AttendanceStatus.LATE)),
            left_early=Count("pk", filter=Q(status=AttendanceStatus.LEFT_EARLY)),
        )
        .order_by("enrolment__school__code", "enrolment__grade", "enrolment__class_name")
    )
    return [
        AttendanceRate(
            school_code=r["enrolment__school__code"],
            school_year=school_year,
            grade=r["enrolment__grade"],
            class_name=r["enrolment__class_name"],
            learner_days=r["total"],
            attended=r["total"] - r["absent"],
            absent=r["absent"],
            excused=r["excused"],
            late=r["late"],
            left_early=r["left_early"],
            learners=r["learners"],
        )
        for r in rows
    ]
