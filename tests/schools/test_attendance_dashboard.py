"""Attendance rates on the school dashboard (issue 20 item 8): the numbers on a small known
set, by school and district, in the officer's scope, written per locale, the chart scaled to
100 %, and the open dataset's rate hidden for a small group of learners."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from gov3.catalogue.management.commands.country import load_country_areas
from gov3.schools.dashboards import dashboard, open_data_rows
from gov3.schools.installed import schools_data
from gov3.schools.models import Enrolment, School
from gov3.schools.services import do_enrol, do_load_schools
from gov3.schools.work.models import AttendanceMark
from tests.schools.test_year_end_and_dashboards import ACTOR, _agency, _learner, _officer

YEAR = 2026
FIRST_DAY = date(2026, 4, 6)


@pytest.fixture
def schools(db: None) -> dict[str, School]:
    load_country_areas("kr")
    do_load_schools(ACTOR, "kr", schools_data("kr"))
    return {s.code: s for s in School.objects.select_related("area", "area__parent")}


def _class(school: School, size: int, grade: int = 1) -> list[Enrolment]:
    out = []
    for _ in range(size):
        learner = _learner()
        out.append(
            do_enrol(
                ACTOR,
                learner,
                school,
                school_year=YEAR,
                grade=grade,
                class_name="1",
                on=date(YEAR, 3, 2),
            )
        )
    return out


def _mark(enrolment: Enrolment, day: int, status: str = "present", excused: bool = False) -> None:
    AttendanceMark.objects.create(
        enrolment=enrolment,
        day=FIRST_DAY + timedelta(days=day),
        status=status,
        excused=excused,
        recorded_at=datetime(YEAR, 4, 6, 0, tzinfo=UTC),
    )


def _known_attendance(schools: dict[str, School]) -> School:
    """KR-S-0001: two learners, four days — one absence (excused) and one late → 7 of 8
    learner-days attended (87.5 %). KR-S-0002 (same district): one learner present two days
    (100 %). The district: 9 of 10 (90 %). Returns a school of another district with marks,
    if the pack has one (out of a district office's scope)."""
    a, b = _class(schools["KR-S-0001"], 2, grade=2)
    for day in range(4):
        _mark(a, day)
        _mark(b, day, *(("absent", True) if day == 1 else ("late",) if day == 2 else ()))
    (c,) = _class(schools["KR-S-0002"], 1)
    _mark(c, 0)
    _mark(c, 1)
    jongno = schools["KR-S-0001"].area.parent_id
    elsewhere = next(s for s in schools.values() if s.area.parent_id != jongno)
    (d,) = _class(elsewhere, 1)
    _mark(d, 0, "absent")
    return elsewhere


def test_attendance_rates_on_a_small_known_set(schools: dict[str, School]) -> None:
    elsewhere = _known_attendance(schools)
    jongno = schools["KR-S-0001"].area.parent
    in_jongno = School.objects.filter(area__parent=jongno)
    board = dashboard(in_jongno, YEAR, "en").attendance
    by_school = {
        r.key: (r.learner_days, r.attended, r.absent, r.excused, r.learners)
        for r in board.by_school
    }
    assert by_school == {"KR-S-0001": (8, 7, 1, 1, 2), "KR-S-0002": (2, 2, 0, 0, 1)}
    (district,) = board.by_district
    assert (district.key, district.learner_days, district.attended) == (jongno.code, 10, 9)
    assert district.rate == 0.9
    assert {r.key: r.rate for r in board.by_school} == {"KR-S-0001": 0.875, "KR-S-0002": 1.0}
    # the whole country: the other district too, with its one absence
    everywhere = dashboard(School.objects.all(), YEAR, "en").attendance
    assert elsewhere.code in {r.key for r in everywhere.by_school}
    other = next(r for r in everywhere.by_district if r.key == elsewhere.area.parent.code)
    assert (other.learner_days, other.attended, other.rate) == (1, 0, 0.0)
    # no year taken: nothing shown
    assert dashboard(in_jongno, YEAR + 1, "en").attendance.by_district == []


def test_attendance_numbers_are_written_per_locale_and_the_chart_is_out_of_100(
    schools: dict[str, School],
) -> None:
    _known_attendance(schools)
    board = dashboard(School.objects.filter(code="KR-S-0001"), YEAR, "en")
    texts = {}
    for lang in ("en", "ko", "vi"):
        with translation.override(lang):
            texts[lang] = board.attendance.by_school[0].text()["rate"]
    assert texts == {"en": "87.5%", "ko": "87.5%", "vi": "87,5%"}
    chart = dashboard(School.objects.filter(code="KR-S-0002"), YEAR, "en").attendance.chart()
    (bar,) = chart.groups[0].bars
    full = chart.width - 124 - chart.left
    assert bar.width == full  # 100 % is a full bar, not the largest of the group
    chart = board.attendance.chart()
    assert chart.groups[0].bars[0].width == full * 0.875


def test_the_dashboard_page_shows_attendance_in_scope(schools: dict[str, School]) -> None:
    elsewhere = _known_attendance(schools)
    jongno = schools["KR-S-0001"].area.parent
    office = _officer("jongno-edu", _agency("kr-edu-jongno", jongno.code))
    page = office.get(reverse("schools:officer_dashboard"), {"year": YEAR}).content.decode()
    section = page[page.index('id="attendance-rates"') :]
    assert 'id="attendance-by-district"' in section
    assert "87.5%" in section
    assert "90.0%" in section
    assert "100.0%" in section
    assert elsewhere.code not in section
    # the numbers are outside the SVG too (the tables)
    tables = section[section.index("</svg>") :]
    assert "87.5%" in tables
    assert "90.0%" in tables
    page = office.get(reverse("schools:officer_dashboard"), {"year": YEAR + 1}).content.decode()
    assert "No attendance was taken in your schools in this school year." in page


def test_open_data_hides_the_rate_of_a_small_group(
    schools: dict[str, School], settings: Any
) -> None:
    elsewhere = _known_attendance(schools)
    code = schools["KR-S-0001"].area.parent.code
    settings.GOV3_OPEN_DATA_MIN_CELL = 5
    rows = {r["district"]: r for r in open_data_rows("kr", YEAR)}
    assert rows[code]["attendance_rate"] is None  # three learners marked: too few
    settings.GOV3_OPEN_DATA_MIN_CELL = 3
    rows = {r["district"]: r for r in open_data_rows("kr", YEAR)}
    assert rows[code]["attendance_rate"] == 0.9
    # one learner marked in the other district: hidden; no attendance taken: no rate
    assert rows[elsewhere.area.parent.code]["attendance_rate"] is None
    marked = {code, elsewhere.area.parent.code}
    assert all(r["attendance_rate"] is None for c, r in rows.items() if c not in marked)
