"""Dashboards, results and exports."""

import csv
import io
import json
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse

from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.core.spreadsheets import neutralise
from gov3.saemaul import dashboards, exchange
from gov3.saemaul.api.access import _jurisdiction, _scope, router
from gov3.saemaul.api.schemas import DashboardOut, RankedOut
from gov3.saemaul.models import UNITS, Material, Project
from gov3.saemaul.queries import round_rankings
from gov3.saemaul.web_access import Jurisdiction


@router.get("/dashboard", response={200: DashboardOut, 404: ErrorOut}, url_name="saemaul_dashboard")
@no_personal_data
def dashboard(request: HttpRequest, area: str | None = None) -> dict[str, Any]:
    """The figures of the dashboard pictures, for the caller's jurisdiction or one area in it."""
    villages = _scope(_jurisdiction(request), area)
    now = {
        row["village_class"]: row["n"]
        for row in villages.values("village_class").annotate(n=Count("id")).order_by()
    }
    return {
        "area_code": area or None,
        "villages": villages.count(),
        "villages_located": villages.filter(
            latitude__isnull=False, longitude__isnull=False
        ).count(),
        "classes_now": now,
        "classes_by_year": {
            str(year): counts for year, counts in dashboards.class_counts(villages).items()
        },
        "materials": [
            {
                "material": m.material,
                "unit": str(UNITS[Material(m.material)]),
                "allocated": m.allocated,
                "delivered": m.delivered,
                "used": m.used,
            }
            for m in dashboards.material_rows(villages)
        ],
        "projects_by_status": {key: n for key, _, n in dashboards.status_counts(villages)},
    }


@router.get(
    "/rounds/{code}/rankings",
    response={200: list[RankedOut], 404: ErrorOut},
    url_name="saemaul_rankings",
)
@no_personal_data
def rankings(request: HttpRequest, code: str, area: str | None = None) -> list[dict[str, Any]]:
    """A round's evaluation ranking of the villages in the caller's jurisdiction."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    ranking_area = j.area_by_code(area) if area else j.area
    visible = set(_scope(j, area).values_list("pk", flat=True))
    return [
        {
            "rank": r.rank,
            "village_code": r.village.code,
            "village_name": r.village.name_local,
            "total": r.total,
            "showed_results": r.showed_results,
        }
        for r in round_rankings(round_, ranking_area)
        if r.village.pk in visible
    ]


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV = "text/csv; charset=utf-8"
JSON = "application/json"


@router.get("/exports/villages.csv", url_name="saemaul_export_villages_csv")
@no_personal_data
def export_villages_csv(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The villages in the caller's jurisdiction as CSV (the import format)."""
    villages = _scope(_jurisdiction(request), area)
    return _download(exchange.villages_csv(villages), CSV, "villages.csv")


@router.get("/exports/villages.json", url_name="saemaul_export_villages_json")
@no_personal_data
def export_villages_json(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The villages in the caller's jurisdiction as JSON (the import format)."""
    villages = _scope(_jurisdiction(request), area)
    return _download(exchange.villages_json(villages), JSON, "villages.json")


@router.get("/exports/villages.geojson", url_name="saemaul_export_villages_geojson")
@no_personal_data
def export_villages_geojson(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The located villages as a GeoJSON FeatureCollection (RFC 7946), for maps."""
    villages = _scope(_jurisdiction(request), area)
    body = json.dumps(exchange.villages_geojson(villages), ensure_ascii=False)
    return _download(body, "application/geo+json", "villages.geojson")


@router.get("/exports/projects.csv", url_name="saemaul_export_projects_csv")
@no_personal_data
def export_projects_csv(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The projects of the caller's villages as CSV."""
    villages = _scope(_jurisdiction(request), area)
    projects = Project.objects.filter(village__in=villages)
    return _download(exchange.projects_csv(projects), CSV, "projects.csv")


@router.get("/exports/projects.json", url_name="saemaul_export_projects_json")
@no_personal_data
def export_projects_json(request: HttpRequest, area: str | None = None) -> HttpResponse:
    """The projects of the caller's villages as JSON."""
    villages = _scope(_jurisdiction(request), area)
    projects = Project.objects.filter(village__in=villages)
    return _download(exchange.projects_json(projects), JSON, "projects.json")


def _result_records(j: Jurisdiction, code: str, area: str | None) -> tuple[Any, list[Any]]:
    round_ = j.round_by_code(code)
    visible = set(_scope(j, area).values_list("code", flat=True))
    records = [r for r in exchange.result_records(round_) if r["village_code"] in visible]
    return round_, records


@router.get("/exports/results.csv", url_name="saemaul_export_results_csv")
@no_personal_data
def export_results_csv(request: HttpRequest, round: str, area: str | None = None) -> HttpResponse:
    """A round's evaluation results for the caller's villages as CSV (the import format)."""
    round_, records = _result_records(_jurisdiction(request), round, area)
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=exchange.result_columns(round_), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows({k: "" if v is None else neutralise(v) for k, v in r.items()} for r in records)
    return _download(out.getvalue(), CSV, f"results-{round_.code}.csv")


@router.get("/exports/results.json", url_name="saemaul_export_results_json")
@no_personal_data
def export_results_json(request: HttpRequest, round: str, area: str | None = None) -> HttpResponse:
    """A round's evaluation results for the caller's villages as JSON."""
    round_, records = _result_records(_jurisdiction(request), round, area)
    body = json.dumps(records, ensure_ascii=False, indent=1, default=str)
    return _download(body, JSON, f"results-{round_.code}.json")
