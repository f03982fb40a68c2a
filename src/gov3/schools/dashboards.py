"""School dashboards and open data: entrants against first-grade places by school and district,
and transfers in and out of each district, for one school year. Counts only — no learner is
named — drawn as server-side SVG bars (`gov3.core.charts`) with the table behind each chart.

Scope: the officer's schools (`schools.scope`): a district office sees its district, the
ministry every school. Open data (`open_data_rows`) covers the whole country with small cells
suppressed (`opendata.core.suppression`).

Attendance rates (`Dashboard.attendance`): the share of learner-days attended, by school and
district, from the marks teachers take (`schools.queries.attendance_rates`); open data
publishes a district's rate only when enough learners were marked (small groups hidden).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils.formats import number_format

from gov3.core.charts import HBarChart, count_text, hbar_chart
from gov3.opendata.core.suppression import suppress_counts
from gov3.registry.models import Area
from gov3.schools.models import Enrolment, EnrolmentEnd, School


def district_of(school: School) -> Area:
    """The district a school belongs to: the parent of its neighbourhood (or the area itself
    at the top)."""
    return school.area.parent or school.area


@dataclass(frozen=True)
class EntrantRow:
    key: str
    name: str
    entrants: int
    places: int

    @property
    def free(self) -> int:
        return max(self.places - self.entrants, 0)

    @property
    def over(self) -> int:
        return max(self.entrants - self.places, 0)

    def text(self) -> dict[str, str]:
        """The numbers as people read them in the active language."""
        return {
            "entrants": count_text(self.entrants),
            "places": count_text(self.places),
            "free": count_text(self.free),
            "over": count_text(self.over),
        }


@dataclass(frozen=True)
class TransferRow:
    key: str
    name: str
    moved_in: int
    moved_out: int
    within: int

    def text(self) -> dict[str, str]:
        """The numbers as people read them in the active language."""
        return {
            "moved_in": count_text(self.moved_in),
            "moved_out": count_text(self.moved_out),
            "within": count_text(self.within),
        }


@dataclass(frozen=True)
class AttendanceRow:
    """Attendance of a school or district over the days taken (learner-days: one learner on
    one school day). ``learners`` counts a learner once in each class they were marked in."""

    key: str
    name: str
    learner_days: int
    attended: int
    absent: int
    excused: int
    learners: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.learner_days if self.learner_days else None

    @property
    def per_mille(self) -> int:
        """The rate out of 1,000 (the chart's bar length)."""
        return round(1000 * self.attended / self.learner_days) if self.learner_days else 0

    def text(self) -> dict[str, str]:
        """The numbers as people read them in the active language."""
        return {
            "rate": rate_text(self.rate),
            "learner_days": count_text(self.learner_days),
            "attended": count_text(self.attended),
            "absent": count_text(self.absent),
            "excused": count_text(self.excused),
        }


def rate_text(rate: float | None) -> str:
    """A rate as a percentage with one decimal in the active language (``95.2%`` / ``95,2%``);
    a dash when no day was taken."""
    if rate is None:
        return "\N{EN DASH}"
    return f"{number_format(round(100 * rate, 1), decimal_pos=1)}%"


@dataclass(frozen=True)
class Attendance:
    """Attendance rates by school and by district (only where attendance was taken)."""

    by_school: list[AttendanceRow]
    by_district: list[AttendanceRow]

    def chart(self) -> HBarChart:
        """One bar a district, a full bar being 100 %."""
        from django.utils.translation import gettext  # noqa: PLC0415

        return hbar_chart(
            [
                (
                    row.name,
                    [("rate", gettext("Attendance rate"), row.per_mille, rate_text(row.rate))],
                )
                for row in self.by_district
            ],
            scale_to=1000,
        )


@dataclass(frozen=True)
class Dashboard:
    school_year: int
    by_school: list[EntrantRow]
    by_district: list[EntrantRow]
    transfers: list[TransferRow]
    attendance: Attendance

    def entrants_chart(self) -> HBarChart:
        return _pair_chart(self.by_district)

    def transfers_chart(self) -> HBarChart:
        return hbar_chart(
            [
                (
                    row.name,
                    [
                        ("in", _in_label(), row.moved_in, count_text(row.moved_in)),
                        ("out", _out_label(), row.moved_out, count_text(row.moved_out)),
                    ],
                )
                for row in self.transfers
            ]
        )


def _in_label() -> str:
    from django.utils.translation import gettext  # noqa: PLC0415

    return gettext("Transferred in")


def _out_label() -> str:
    from django.utils.translation import gettext  # noqa: PLC0415

    return gettext("Transferred out")


def _pair_chart(rows: list[EntrantRow]) -> HBarChart:
    from django.utils.translation import gettext  # noqa: PLC0415

    return hbar_chart(
        [
            (
                row.name,
                [
                    ("entrants", gettext("Entrants"), row.entrants, count_text(row.entrants)),
                    ("places", gettext("First-grade places"), row.places, count_text(row.places)),
                ],
            )
            for row in rows
        ]
    )


def _name(obj: School | Area, lang: str) -> str:
    return obj.name_local if lang == "ko" else obj.name_en or obj.name_local


def _entrant_counts(schools: QuerySet[School], school_year: int) -> dict[int, int]:
    """Learners who entered grade 1 of each school in ``school_year``: counted once, at their
    first grade-1 school that year (not again where a transfer took them), and not if they
    were in grade 1 in an earlier year (held back)."""
    ids = set(schools.values_list("pk", flat=True))
    first_grade = Enrolment.objects.filter(grade=1, school__level="primary")
    learners = first_grade.filter(school_year=school_year, school_id__in=ids).values("learner_id")
    earlier = first_grade.filter(school_year__lt=school_year, learner_id__in=learners).values(
        "learner_id"
    )
    entered: dict[int, int] = {}
    for learner_id, school_id in (
        first_grade.filter(school_year=school_year, learner_id__in=learners)
        .exclude(learner_id__in=earlier)
        .order_by("learner_id", "started_on", "pk")
        .values_list("learner_id", "school_id")
    ):
        entered.setdefault(learner_id, school_id)
    counts: dict[int, int] = defaultdict(int)
    for school_id in entered.values():
        if school_id in ids:
            counts[school_id] += 1
    return counts


def dashboard(schools: QuerySet[School], school_year: int, lang: str) -> Dashboard:
    """Entrants against places and transfers for the given schools in ``school_year``."""
    listed = list(schools.select_related("area", "area__parent").order_by("code"))
    counts = _entrant_counts(schools, school_year)
    by_school = [
        EntrantRow(s.code, _name(s, lang), counts.get(s.pk, 0), s.entry_places)
        for s in listed
        if s.level == "primary" or counts.get(s.pk)
    ]
    districts: dict[int, Area] = {}
    entrants: dict[int, int] = defaultdict(int)
    places: dict[int, int] = defaultdict(int)
    school_district: dict[str, int] = {}
    for s in listed:
        d = district_of(s)
        districts[d.pk] = d
        school_district[s.code] = d.pk
        entrants[d.pk] += counts.get(s.pk, 0)
        places[d.pk] += s.entry_places
    by_district = [
        EntrantRow(districts[k].code, _name(districts[k], lang), entrants[k], places[k])
        for k in sorted(districts, key=lambda k: districts[k].code)
    ]
    return Dashboard(
        school_year,
        by_school,
        by_district,
        _transfers(listed, school_year, districts, school_district, lang),
        _attendance(listed, school_year, districts, school_district, lang),
    )


def _attendance(
    listed: list[School],
    school_year: int,
    districts: dict[int, Area],
    school_district: dict[str, int],
    lang: str,
) -> Attendance:
    """Attendance rates of ``school_year`` summed from the classes' (`queries.attendance_rates`)
    to each school in scope and its district; schools and districts with no day taken are left
    out."""
    from gov3.schools.queries import attendance_rates  # noqa: PLC0415

    by_code = {s.code: s for s in listed}
    sums: dict[tuple[str, Any], list[int]] = {}
    for country in sorted({s.country for s in listed}):
        for rate in attendance_rates(country, school_year):
            if rate.school_code not in by_code:
                continue
            figures = (rate.learner_days, rate.attended, rate.absent, rate.excused, rate.learners)
            for key in (
                ("school", rate.school_code),
                ("district", school_district[rate.school_code]),
            ):
                total = sums.setdefault(key, [0] * 5)
                for i, value in enumerate(figures):
                    total[i] += value
    by_school = [
        AttendanceRow(s.code, _name(s, lang), *sums[("school", s.code)])
        for s in listed
        if ("school", s.code) in sums
    ]
    by_district = [
        AttendanceRow(districts[k].code, _name(districts[k], lang), *sums[("district", k)])
        for k in sorted(districts, key=lambda k: districts[k].code)
        if ("district", k) in sums
    ]
    return Attendance(by_school, by_district)


def _transfers(
    listed: list[School],
    school_year: int,
    districts: dict[int, Area],
    school_district: dict[str, int],
    lang: str,
) -> list[TransferRow]:
    """Transfers in ``school_year``, per district: out of its schools to another district's,
    into them from another district's, and within it (a transfer leaves the new school's code
    as the note of the enrolment it ends)."""
    moves = list(
        Enrolment.objects.filter(school_year=school_year, end_reason=EnrolmentEnd.TRANSFERRED)
        .filter(Q(school_id__in=[s.pk for s in listed]) | Q(end_note__in=list(school_district)))
        .values_list("school__code", "end_note")
    )
    involved = {code for pair in moves for code in pair} - set(school_district)
    district_by_code = {
        s.code: district_of(s).pk
        for s in School.objects.filter(code__in=involved).select_related("area")
    }
    district_by_code.update(school_district)
    moved_in: dict[int, int] = defaultdict(int)
    moved_out: dict[int, int] = defaultdict(int)
    within: dict[int, int] = defaultdict(int)
    for origin_code, target_code in moves:
        origin, target = district_by_code.get(origin_code), district_by_code.get(target_code)
        if origin == target and origin is not None:
            within[origin] += 1
            continue
        if origin is not None:
            moved_out[origin] += 1
        if target is not None:
            moved_in[target] += 1
    return [
        TransferRow(
            districts[k].code,
            _name(districts[k], lang),
            moved_in.get(k, 0),
            moved_out.get(k, 0),
            within.get(k, 0),
        )
        for k in sorted(districts, key=lambda k: districts[k].code)
    ]


def threshold() -> int:
    return int(settings.GOV3_OPEN_DATA_MIN_CELL)


def suppressed(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each count column suppressed over all rows (small cells and what would reveal them)."""
    for column in columns:
        published = suppress_counts({i: int(r[column]) for i, r in enumerate(rows)}, threshold())
        for i, row in enumerate(rows):
            row[column] = published.cells[i]
    return rows


def open_data_rows(country: str, school_year: int) -> list[dict[str, Any]]:
    """Per district: entrants, first-grade places, transfers in, out and within (open data:
    small cells suppressed; places are public and never suppressed), and the attendance rate
    (a share, 4 decimals; empty where fewer learners than the small-cell threshold were marked,
    or none)."""
    board = dashboard(School.objects.filter(country=country), school_year, "en")
    transfers = {t.key: t for t in board.transfers}
    attendance = {a.key: a for a in board.attendance.by_district}
    rows: list[dict[str, Any]] = [
        {
            "school_year": school_year,
            "district": row.key,
            "entrants": row.entrants,
            "first_grade_places": row.places,
            "transferred_in": transfers[row.key].moved_in,
            "transferred_out": transfers[row.key].moved_out,
            "transferred_within": transfers[row.key].within,
            "attendance_rate": _open_rate(attendance.get(row.key)),
        }
        for row in board.by_district
    ]
    return suppressed(rows, ("entrants", "transferred_in", "transferred_out", "transferred_within"))


def _open_rate(row: AttendanceRow | None) -> float | None:
    """A district's attendance rate for open data: hidden for a small group of learners (a
    rate over a handful of children tells about each of them)."""
    if row is None or row.rate is None or row.learners < max(threshold(), 1):
        return None
    return round(row.rate, 4)


def open_data_year(country: str, day: date) -> int:
    """The school year open data shows on ``day``: the latest with enrolments by then."""
    latest = (
        Enrolment.objects.filter(school__country=country, started_on__lte=day)
        .aggregate(y=Max("school_year"))
        .get("y")
    )
    return int(latest) if latest else day.year
