"""HR analytics (issue 18 item 10): aggregates of the organisation and its people on a day —
headcount by agency against the authorised headcount, headcount by grade, vacancies, the
share of open positions, years of service, and the ratings of each agency's latest evaluation
period against the quota. Counts only: no name, no person.

Scope follows the role model: an HR officer sees their own agency; an HR officer of the
personnel ministry (the agency whose code is `GOV3_PERSONNEL_MINISTRY`) sees every agency of
the country. Anyone else: refused.

The open datasets (`personnel_*_rows`, published by `gov3.opendata.datasets`) suppress small
cells with the open-data mechanism (`gov3.opendata.core.suppression`). Vacancies are not
published: with the (organisational, unsuppressed) authorised headcount they would give back
the suppressed headcounts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.core.errors import PermissionRefusedError
from gov3.opendata.core.suppression import suppress_counts
from gov3.personnel.models import (
    Appointment,
    EvaluationPeriod,
    Position,
    PositionType,
    Rating,
    Unit,
)
from gov3.personnel.services import pack_for

#: Years of service, as bands: (label, from, to) — `to` None: and more.
SERVICE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("2-4", 2, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20+", 20, None),
)


def ministry_code() -> str:
    """The code of the agency whose HR officers see every agency ("" : none)."""
    return str(getattr(settings, "GOV3_PERSONNEL_MINISTRY", "") or "")


def scope(user: object) -> list[Agency]:
    """The agencies whose figures `user` may see: their own (an HR officer), every agency of
    the country (an HR officer of the personnel ministry). Anyone else is refused."""
    if not (
        isinstance(user, User)
        and user.is_officer
        and user.role == OfficerRole.HR_OFFICER
        and user.agency is not None
    ):
        raise PermissionRefusedError("Only HR officers see personnel analytics.")
    agency = user.agency
    if ministry_code() and agency.code == ministry_code():
        return list(Agency.objects.filter(country=agency.country).order_by("code"))
    return [agency]


def is_ministry(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.agency is not None
        and bool(ministry_code())
        and user.agency.code == ministry_code()
    )


def years_between(start: date, day: date) -> int:
    """Whole years from `start` to `day`."""
    years = day.year - start.year
    if (day.month, day.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def service_band(years: int) -> str:
    for label, low, high in SERVICE_BANDS:
        if years >= low and (high is None or years <= high):
            return label
    return SERVICE_BANDS[-1][0]


@dataclass(frozen=True)
class AgencyFigures:
    """One agency on a day."""

    agency: Agency
    authorised: int
    actual: int
    vacancies: int  # sum over units of authorised minus actual, where short
    positions: int
    vacant_positions: int
    open_positions: int

    @property
    def open_share(self) -> float:
        """Open positions as a percentage of all positions (0 with none)."""
        return 100.0 * self.open_positions / self.positions if self.positions else 0.0


@dataclass(frozen=True)
class RatingFigures:
    """An agency's latest evaluation period: ratings given (general grades) against the
    most the quota allows for that many people."""

    agency: Agency
    period: EvaluationPeriod
    counts: dict[str, int]
    allowed: dict[str, int]


@dataclass
class Analytics:
    """Everything the analytics page and API show."""

    day: date
    agencies: list[AgencyFigures]
    grades: list[tuple[str, str, int]]  # (code, name, headcount) highest grade first
    service: list[tuple[str, int]]  # (band, people)
    ratings: list[RatingFigures] = field(default_factory=list)

    @property
    def totals(self) -> AgencyFigures | None:
        if not self.agencies:
            return None
        first = self.agencies[0]
        return AgencyFigures(
            agency=first.agency,
            authorised=sum(a.authorised for a in self.agencies),
            actual=sum(a.actual for a in self.agencies),
            vacancies=sum(a.vacancies for a in self.agencies),
            positions=sum(a.positions for a in self.agencies),
            vacant_positions=sum(a.vacant_positions for a in self.agencies),
            open_positions=sum(a.open_positions for a in self.agencies),
        )


def _held(agency_ids: list[int], day: date) -> Any:
    """Appointments held on `day` in these agencies' units."""
    return Appointment.objects.filter(
        position__unit__agency_id__in=agency_ids, starts_on__lte=day
    ).exclude(ends_on__lt=day)


def agency_figures(agencies: list[Agency], day: date) -> list[AgencyFigures]:
    """Headcount against authorised, vacancies and positions per agency (open units on `day`),
    in a handful of grouped queries."""
    ids = [a.pk for a in agencies]
    units = list(
        Unit.objects.filter(agency_id__in=ids, opened_on__lte=day)
        .exclude(closed_on__lte=day)
        .values_list("pk", "agency_id", "authorised_headcount")
    )
    unit_ids = [pk for pk, _, _ in units]
    actual_by_unit = dict(
        _held(ids, day)
        .filter(position__unit_id__in=unit_ids)
        .values_list("position__unit")
        .annotate(n=Count("id"))
        .values_list("position__unit", "n")
    )
    authorised: Counter[int] = Counter()
    actual: Counter[int] = Counter()
    short: Counter[int] = Counter()
    for pk, agency_id, wanted in units:
        have = actual_by_unit.get(pk, 0)
        authorised[agency_id] += wanted
        actual[agency_id] += have
        short[agency_id] += max(wanted - have, 0)
    positions = Position.objects.filter(unit_id__in=unit_ids)
    all_positions = Counter(
        dict(
            positions.values_list("unit__agency")
            .annotate(n=Count("id"))
            .values_list("unit__agency", "n")
        )
    )
    open_positions = Counter(
        dict(
            positions.filter(position_type=PositionType.OPEN)
            .values_list("unit__agency")
            .annotate(n=Count("id"))
            .values_list("unit__agency", "n")
        )
    )
    filled = Counter(
        dict(
            positions.filter(
                pk__in=_held(ids, day).values("position_id"),
            )
            .values_list("unit__agency")
            .annotate(n=Count("id"))
            .values_list("unit__agency", "n")
        )
    )
    return [
        AgencyFigures(
            agency=a,
            authorised=authorised[a.pk],
            actual=actual[a.pk],
            vacancies=short[a.pk],
            positions=all_positions[a.pk],
            vacant_positions=all_positions[a.pk] - filled[a.pk],
            open_positions=open_positions[a.pk],
        )
        for a in agencies
    ]


def grade_counts(agencies: list[Agency], day: date) -> dict[tuple[int, str], int]:
    """(agency id, grade) -> people holding a post on `day`."""
    return {
        (agency_id, grade): n
        for agency_id, grade, n in _held([a.pk for a in agencies], day)
        .values_list("position__unit__agency", "grade")
        .annotate(n=Count("id"))
        .values_list("position__unit__agency", "grade", "n")
    }


def _grade_order(country: str) -> list[tuple[str, str]]:
    return [(g.code, g.name_en) for g in pack_for(country).grades]


def service_counts(agencies: list[Agency], day: date) -> dict[tuple[int, str], int]:
    """(agency id, band of years of service) -> people holding a post on `day`."""
    counts: Counter[tuple[int, str]] = Counter()
    rows = (
        _held([a.pk for a in agencies], day)
        .values_list("position__unit__agency", "record__entered_on")
        .annotate(n=Count("id"))
        .values_list("position__unit__agency", "record__entered_on", "n")
    )
    for agency_id, entered_on, n in rows:
        counts[(agency_id, service_band(years_between(entered_on, day)))] += n
    return dict(counts)


def rating_figures(agencies: list[Agency]) -> list[RatingFigures]:
    """Each agency's latest evaluation period: ratings of the general grades against the
    quota's maximum for that many people (the SCS have their own quota, left out here)."""
    result = []
    for agency in agencies:
        period = EvaluationPeriod.objects.filter(agency=agency).first()  # newest first
        if period is None:
            continue
        rules = pack_for(agency.country).evaluation_on(period.reference_day)
        if rules is None:
            continue
        general = rules.quotas["general"]
        counts = dict.fromkeys(general.ratings, 0)
        for grade, rating, n in (
            Rating.objects.filter(period=period)
            .values_list("grade", "rating")
            .annotate(n=Count("id"))
            .values_list("grade", "rating", "n")
        ):
            if rules.quota_for(grade) is general and rating in counts:
                counts[rating] += n
        allowed = rules.allowed(general, sum(counts.values()))
        result.append(RatingFigures(agency, period, counts, allowed))
    return result


def analytics(user: object, day: date) -> Analytics:
    """The figures `user` may see on `day` (refused for anyone but an HR officer)."""
    agencies = scope(user)
    country = agencies[0].country
    by_grade: Counter[str] = Counter()
    for (_, grade), n in grade_counts(agencies, day).items():
        by_grade[grade] += n
    order = _grade_order(country)
    known = {code for code, _ in order}
    grades = [(code, name, by_grade[code]) for code, name in order] + [
        (code, code, n) for code, n in sorted(by_grade.items()) if code not in known
    ]
    by_band: Counter[str] = Counter()
    for (_, band), n in service_counts(agencies, day).items():
        by_band[band] += n
    return Analytics(
        day=day,
        agencies=agency_figures(agencies, day),
        grades=grades,
        service=[(label, by_band[label]) for label, _, _ in SERVICE_BANDS],
        ratings=rating_figures(agencies),
    )


# --- Open data: every agency of the country, small cells suppressed --------------------------


def _threshold() -> int:
    return int(settings.GOV3_OPEN_DATA_MIN_CELL)


def _protect(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """Suppress one count column over all rows (its total implied), as `opendata` does."""
    published = suppress_counts({i: int(row[column]) for i, row in enumerate(rows)}, _threshold())
    for i, row in enumerate(rows):
        row[column] = published.cells[i]
    return rows


def _country_agencies(country: str) -> list[Agency]:
    return list(Agency.objects.filter(country=country).order_by("code"))


def headcount_rows(country: str, day: date) -> list[dict[str, Any]]:
    """Per agency and grade: people holding a post (suppressed below the threshold)."""
    agencies = _country_agencies(country)
    counts = grade_counts(agencies, day)
    order = [code for code, _ in _grade_order(country)] if agencies else []
    rows = [
        {"agency": a.code, "grade": grade, "headcount": counts.get((a.pk, grade), 0)}
        for a in agencies
        for grade in order
    ]
    return _protect(rows, "headcount")


def service_rows(country: str, day: date) -> list[dict[str, Any]]:
    """Per agency and band of years of service: people (suppressed below the threshold)."""
    agencies = _country_agencies(country)
    counts = service_counts(agencies, day)
    rows = [
        {"agency": a.code, "years_of_service": label, "people": counts.get((a.pk, label), 0)}
        for a in agencies
        for label, _, _ in SERVICE_BANDS
    ]
    return _protect(rows, "people")


def rating_rows(country: str, day: date) -> list[dict[str, Any]]:
    """Per agency's latest evaluation period and rating: people rated (suppressed)."""
    rows = [
        {
            "agency": f.agency.code,
            "period": f"{f.period.kind}-{f.period.year}-{f.period.half}",
            "rating": rating,
            "people": n,
            "quota_max": f.allowed.get(rating),
        }
        for f in rating_figures(_country_agencies(country))
        for rating, n in f.counts.items()
    ]
    rows = _protect(rows, "people")
    # The quota maximum follows from the period's total: publish it only with the counts.
    for row in rows:
        if row["people"] is None:
            row["quota_max"] = None
    return rows


def position_rows(country: str, day: date) -> list[dict[str, Any]]:
    """Per agency: authorised headcount, positions and open positions (the organisation, no
    people: published as counted)."""
    agencies = _country_agencies(country)
    ids = [a.pk for a in agencies]
    open_units = Unit.objects.filter(agency_id__in=ids, opened_on__lte=day).exclude(
        closed_on__lte=day
    )
    authorised = dict(
        open_units.values_list("agency")
        .annotate(n=Sum("authorised_headcount"))
        .values_list("agency", "n")
    )
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    for agency_id, kind, n in (
        Position.objects.filter(unit__in=open_units)
        .values_list("unit__agency", "position_type")
        .annotate(n=Count("id"))
        .values_list("unit__agency", "position_type", "n")
    ):
        totals[agency_id]["all"] += n
        totals[agency_id][kind] += n
    return [
        {
            "agency": a.code,
            "authorised_headcount": authorised.get(a.pk) or 0,
            "positions": totals[a.pk]["all"],
            "open_positions": totals[a.pk][PositionType.OPEN],
        }
        for a in agencies
    ]
