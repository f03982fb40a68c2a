"""HR analytics pages (thin): the figures of the officer's scope as charts (server-side SVG,
the shared `saemaul/charts/hbars.html`) each followed by its table, numbers per locale; the
same figures as CSV or JSON. Counts only, no one's personal data. Anyone but an HR officer:
not found."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import officer_required
from gov3.core.charts import count_text, hbar_chart
from gov3.core.errors import PermissionRefusedError
from gov3.core.personal_data import no_personal_data
from gov3.core.spreadsheets import neutralise
from gov3.personnel import analytics


def _figures(request: HttpRequest) -> analytics.Analytics:
    try:
        return analytics.analytics(request.user, timezone.localdate())
    except PermissionRefusedError:
        raise Http404 from None


def percent_text(value: float) -> str:
    """A percentage with one decimal, per locale (``12.5`` / ``12,5``)."""
    return number_format(round(value, 1), 1)


def _bars(items: list[tuple[str, int]]) -> list[tuple[str, str, int, str]]:
    return [("status", label, value, count_text(value)) for label, value in items]


def charts(figures: analytics.Analytics) -> dict[str, Any]:
    """The charts of the page (geometry only; every number is also in a table)."""
    headcount = [
        (
            a.agency.name_local,
            _bars(
                [
                    (gettext("Authorised"), a.authorised),
                    (gettext("Actual"), a.actual),
                    (gettext("Vacancies"), a.vacancies),
                ]
            ),
        )
        for a in figures.agencies
    ]
    ratings = [
        (
            f.agency.name_local,
            [
                (
                    "status",
                    gettext("%(rating)s (at most %(allowed)s)")
                    % {"rating": r, "allowed": count_text(f.allowed.get(r, 0))},
                    n,
                    count_text(n),
                )
                for r, n in f.counts.items()
            ],
        )
        for f in figures.ratings
    ]
    open_share = [
        (
            "",
            [
                (
                    "status",
                    a.agency.name_local,
                    round(a.open_share * 10),
                    f"{percent_text(a.open_share)} %",
                )
                for a in figures.agencies
            ],
        )
    ]
    return {
        "headcount": hbar_chart(headcount),
        "grades": hbar_chart([("", _bars([(name, n) for _, name, n in figures.grades]))]),
        "service": hbar_chart([("", _bars(figures.service))]),
        "ratings": hbar_chart(ratings) if ratings else None,
        "open_share": hbar_chart(open_share),
    }


@officer_required
@require_http_methods(["GET"])
@no_personal_data
def analytics_page(request: HttpRequest) -> HttpResponse:
    """Headcount, grades, years of service, ratings against the quota and open positions."""
    figures = _figures(request)
    context = {
        "f": figures,
        "totals": figures.totals,
        "charts": charts(figures),
        "open_shares": [(a, percent_text(a.open_share)) for a in figures.agencies],
        "ministry": analytics.is_ministry(request.user),
    }
    return render(request, "personnel/analytics.html", context)


def figures_json(figures: analytics.Analytics) -> dict[str, Any]:
    """The figures as data (the JSON download and the API)."""
    return {
        "date": figures.day.isoformat(),
        "agencies": [
            {
                "agency": a.agency.code,
                "authorised_headcount": a.authorised,
                "actual_headcount": a.actual,
                "vacancies": a.vacancies,
                "positions": a.positions,
                "vacant_positions": a.vacant_positions,
                "open_positions": a.open_positions,
            }
            for a in figures.agencies
        ],
        "grades": [{"grade": code, "headcount": n} for code, _, n in figures.grades],
        "years_of_service": [{"band": band, "people": n} for band, n in figures.service],
        "ratings": [
            {
                "agency": f.agency.code,
                "period": f"{f.period.kind}-{f.period.year}-{f.period.half}",
                "rating": r,
                "people": n,
                "quota_max": f.allowed.get(r),
            }
            for f in figures.ratings
            for r, n in f.counts.items()
        ],
    }


def figures_csv(figures: analytics.Analytics) -> str:
    """One table: (figure, agency, key, value) rows, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "agency", "key", "value"])
    data = figures_json(figures)
    for row in data["agencies"]:
        for key, value in row.items():
            if key != "agency":
                writer.writerow(["organisation", neutralise(row["agency"]), key, value])
    for row in data["grades"]:
        writer.writerow(["grade", "", neutralise(row["grade"]), row["headcount"]])
    for row in data["years_of_service"]:
        writer.writerow(["years_of_service", "", row["band"], row["people"]])
    for row in data["ratings"]:
        writer.writerow(["rating", neutralise(row["agency"]), row["rating"], row["people"]])
    return out.getvalue()


@officer_required
@require_http_methods(["GET"])
@no_personal_data
def analytics_download(request: HttpRequest, fmt: str) -> HttpResponse:
    figures = _figures(request)
    if fmt == "csv":
        response = HttpResponse(figures_csv(figures), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(figures_json(figures), ensure_ascii=False),
            content_type="application/json",
        )
    response["Content-Disposition"] = f'attachment; filename="personnel-analytics.{fmt}"'
    return response
