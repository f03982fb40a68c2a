"""HR analytics: the figures of a small known organisation (two agencies, five civil
servants), the scope (an agency's HR officer sees their agency only; the personnel ministry
sees every agency; anyone else: not found), ratings against the quota, the page's charts
with their tables and per-locale numbers, and the open datasets with small cells
suppressed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gov3.core.errors import PermissionRefusedError
from gov3.personnel import analytics, evaluation
from gov3.personnel.models import PositionType
from gov3.personnel.services import do_create_position
from tests.api.test_offers_cases_api import API, sign_in_officer
from tests.conftest import ACTOR
from tests.personnel.conftest import Organisation, build_evaluation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db


def _open_position(org: Organisation) -> None:
    do_create_position(
        ACTOR,
        unit=org.positions["district-welfare"].unit,
        code="d-open",
        title_local="개방형 과장",
        title_en="Open post",
        grade_high="G4",
        grade_low="G5",
        job_series="administration",
        position_type=PositionType.OPEN,
    )


def test_figures_of_a_small_known_organisation(org: Organisation) -> None:
    _open_position(org)
    hr = org.accounts["district-hr"][0]
    figures = analytics.analytics(hr, timezone.localdate())
    [district] = figures.agencies  # the district's HR officer sees the district only
    assert district.agency == org.district
    # Units: personnel 3 authorised / 2 held, welfare 4 / 1: 7 / 3, vacancies 1 + 3.
    assert (district.authorised, district.actual, district.vacancies) == (7, 3, 4)
    # Positions: head, officer, two welfare posts and the open post; welfare-2 and the open
    # post are vacant.
    assert (district.positions, district.vacant_positions, district.open_positions) == (5, 2, 1)
    assert district.open_share == 20.0
    grades = {code: n for code, _, n in figures.grades}
    assert grades == {"SCS": 0, "G3": 0, "G4": 1, "G5": 0, "G6": 1, "G7": 1, "G8": 0, "G9": 0}
    # Everyone entered on 2010-03-01: at least 16 years of service (whatever today is).
    years = analytics.years_between(org.records["welfare"].entered_on, figures.day)
    band = analytics.service_band(years)
    assert dict(figures.service)[band] == 3
    assert sum(n for _, n in figures.service) == 3
    assert figures.ratings == []


def test_bands_and_years() -> None:
    from datetime import date  # noqa: PLC0415

    assert analytics.years_between(date(2020, 3, 1), date(2021, 2, 28)) == 0
    assert analytics.years_between(date(2020, 3, 1), date(2021, 3, 1)) == 1
    assert [analytics.service_band(y) for y in (0, 1, 2, 4, 5, 9, 10, 19, 20, 40)] == [
        "0-1", "0-1", "2-4", "2-4", "5-9", "5-9", "10-19", "10-19", "20+", "20+"
    ]  # fmt: skip


def test_scope_another_agency_and_the_ministry(org: Organisation) -> None:
    city_hr = org.accounts["city-hr"][0]
    day = timezone.localdate()
    assert [a.agency for a in analytics.analytics(city_hr, day).agencies] == [org.city]
    with pytest.raises(PermissionRefusedError):
        analytics.analytics(org.accounts["welfare"][0], day)  # a welfare officer
    with override_settings(GOV3_PERSONNEL_MINISTRY=org.city.code):
        everyone = analytics.analytics(city_hr, day)
        assert {a.agency for a in everyone.agencies} == {org.city, org.district}
        assert everyone.totals is not None
        assert everyone.totals.actual == 5
        # The district's HR officer is not the ministry: still the district only.
        district = analytics.analytics(org.accounts["district-hr"][0], day)
        assert [a.agency for a in district.agencies] == [org.district]

    # Pages: the city's HR officer sees no district figure; a welfare officer: not found.
    page = _signed_in(org.accounts["city-hr"]).get(reverse("personnel:analytics"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "서울특별시청" in text
    assert "종로구청" not in text
    welfare = _signed_in(org.accounts["welfare"])
    assert welfare.get(reverse("personnel:analytics")).status_code == 404
    assert welfare.get(reverse("personnel:analytics_download", args=["json"])).status_code == 404
    assert welfare.get(f"{API}/personnel/analytics").status_code == 403  # session auth


def test_ratings_against_the_quota(org: Organisation) -> None:
    ev = build_evaluation(org)
    head = ev.head[0]
    for record, rating in zip(ev.staff, "SAAABBC", strict=True):
        evaluation.do_rate(head, ev.period.pk, record.pk, rating)
    figures = analytics.analytics(org.accounts["district-hr"][0], timezone.localdate())
    [ratings] = figures.ratings
    assert ratings.period == ev.period
    assert ratings.counts == {"S": 1, "A": 3, "B": 2, "C": 1}
    assert ratings.allowed == {"S": 1, "A": 3, "B": 2, "C": 1}  # 7 rated: 1.4, 4.2, 6.3
    api = sign_in_officer(*org.accounts["district-hr"])
    body = api.get(f"{API}/personnel/analytics").json()
    assert {(r["rating"], r["people"], r["quota_max"]) for r in body["ratings"]} == {
        ("S", 1, 1),
        ("A", 3, 3),
        ("B", 2, 2),
        ("C", 1, 1),
    }
    assert body["agencies"][0]["actual_headcount"] == 10  # 3 + the head + 6 staff


def test_page_draws_charts_with_tables_and_numbers_per_locale(org: Organisation) -> None:
    _open_position(org)
    client = _signed_in(org.accounts["district-hr"])
    page = client.get(reverse("personnel:analytics")).content.decode()
    assert page.count("<svg") == 4  # headcount, grades, years, open share (no ratings yet)
    assert page.count("<table") == 4
    assert "No evaluation period yet." in page
    assert "20.0" in page  # the open share, English
    client.cookies["django_language"] = "vi"
    vi = client.get(reverse("personnel:analytics"), headers={"accept-language": "vi"})
    assert "20,0" in vi.content.decode()  # Vietnamese decimal comma, outside the SVG
    data = json.loads(client.get(reverse("personnel:analytics_download", args=["json"])).content)
    assert data["agencies"][0]["open_positions"] == 1
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("personnel:analytics_download", args=["csv"])).content.decode()
    )))  # fmt: skip
    assert ["organisation", "kr-district", "actual_headcount", "3"] in rows


def _dataset(slug: str) -> list[dict[str, str]]:
    response = Client().get(f"/open-data/datasets/{slug}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_open_data_suppresses_small_cells(org: Organisation) -> None:
    _open_position(org)
    with override_settings(GOV3_OPEN_DATA_MIN_CELL=5):
        rows = _dataset("personnel-headcount")
        cells = {(r["agency"], r["grade"]): r["headcount"] for r in rows}
        # Each agency holds 1 G4 and 1 G6 (and the district 1 G7): all under 5, so empty;
        # zeros are published.
        assert cells[("kr-district", "G4")] == ""
        assert cells[("kr-seoul", "G6")] == ""
        assert cells[("kr-district", "G7")] == ""
        assert cells[("kr-district", "G9")] == "0"
        assert all(v in ("", "0") for v in cells.values())
        service = _dataset("personnel-service")
        assert {r["people"] for r in service} <= {"", "0"}
        positions = {r["agency"]: r for r in _dataset("personnel-positions")}
        # The organisation (no people) is published as counted.
        assert positions["kr-district"]["open_positions"] == "1"
        assert positions["kr-district"]["positions"] == "5"
        assert positions["kr-district"]["authorised_headcount"] == "7"
    with override_settings(GOV3_OPEN_DATA_MIN_CELL=1):  # nothing to suppress
        cells = {(r["agency"], r["grade"]): r["headcount"] for r in _dataset("personnel-headcount")}
        assert cells[("kr-district", "G7")] == "1"
        assert cells[("kr-seoul", "G4")] == "1"
    schema = Client().get("/open-data/datasets/personnel-headcount.schema.json").json()
    assert [f["name"] for f in schema["fields"]] == ["agency", "grade", "headcount"]


def test_open_ratings_hide_the_quota_with_the_count(org: Organisation) -> None:
    ev = build_evaluation(org)
    for record, rating in zip(ev.staff, "SAAABBC", strict=True):
        evaluation.do_rate(ev.head[0], ev.period.pk, record.pk, rating)
    with override_settings(GOV3_OPEN_DATA_MIN_CELL=3):
        rows = _dataset("personnel-ratings")
    shown = {r["rating"]: (r["people"], r["quota_max"]) for r in rows}
    # A: 3 is published; S, B, C (1, 2, 1) are under 3 and hidden with their quota.
    assert shown["A"] == ("3", "3")
    assert shown["S"] == ("", "")
    assert shown["B"] == ("", "")
    assert shown["C"] == ("", "")
