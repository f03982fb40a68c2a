"""Import and export formats: CSV and JSON for villages, projects and results; GeoJSON for the
village map (RFC 7946 FeatureCollection, longitude before latitude).

Reading only turns a file into numbered rows; the import commands in
``services/imports.py`` check every row before writing anything.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from gov3.core.spreadsheets import neutralise, restore
from gov3.saemaul.errors import ImportProblem, ImportRejectedError
from gov3.saemaul.models import InfrastructureItem, ProgrammeRound, Project, Village

VILLAGE_COLUMNS = [
    "code",
    "name_local",
    "name_en",
    "area_code",
    "households",
    "population",
    "latitude",
    "longitude",
    "village_class",
    *InfrastructureItem.values,
]
VILLAGE_REQUIRED = ["code", "name_local", "area_code"]
PROJECT_COLUMNS = [
    "public_id",
    "village_code",
    "round_code",
    "title",
    "category",
    "status",
    "description",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
    "estimated_cost_krw",
    "requested_grant_krw",
    "community_cash_krw",
    "community_labour_days",
    "approved_grant_krw",
]
PROJECT_REQUIRED = ["village_code", "title", "category"]
RESULT_FIXED = ["round_code", "village_code", "total", "showed_results", "note"]


@dataclass(frozen=True)
class Row:
    """One record of an import file: its number (line in a CSV file, position in a JSON list)
    and its values."""

    number: int
    values: dict[str, Any]


def read_csv(text: str, required: Iterable[str]) -> list[Row]:
    """The data rows of a CSV file with a header line; numbered by their line in the file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejectedError(
            gettext("The file has problems; nothing was imported."),
            [
                ImportProblem(
                    0,
                    "",
                    gettext("the header lacks the columns %(columns)s")
                    % {"columns": ", ".join(missing)},
                )
            ],
        )
    rows = []
    for record in reader:
        if None in record:
            raise ImportRejectedError(
                gettext("The file has problems; nothing was imported."),
                [
                    ImportProblem(
                        reader.line_num, "", gettext("the row has more values than the header")
                    )
                ],
            )
        rows.append(
            Row(reader.line_num, {k: restore((v or "").strip()).strip() for k, v in record.items()})
        )
    return rows


def read_json(text: str, required: Iterable[str]) -> list[Row]:
    """The records of a JSON list of objects; numbered from 1."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejectedError(
            gettext("The file has problems; nothing was imported."),
            [ImportProblem(0, "", gettext("not valid JSON (%(error)s)") % {"error": exc.msg})],
        ) from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportRejectedError(
            gettext("The file has problems; nothing was imported."),
            [ImportProblem(0, "", gettext("a JSON import is a list of objects"))],
        )
    problems = [
        ImportProblem(i, column, gettext("is missing"))
        for i, item in enumerate(data, start=1)
        for column in required
        if column not in item
    ]
    if problems:
        raise ImportRejectedError(gettext("The file has problems; nothing was imported."), problems)
    return [Row(i, dict(item)) for i, item in enumerate(data, start=1)]


def _csv(columns: list[str], records: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else neutralise(v) for k, v in record.items()})
    return out.getvalue()


def _json(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=1, default=str)


# --- villages -------------------------------------------------------------------------------


def village_records(villages: QuerySet[Village]) -> Iterable[dict[str, Any]]:
    """Villages as flat records (checklist: empty not recorded, 0 not done, 1 done before the
    programme, a year: done that year)."""
    for village in (
        villages.select_related("area").prefetch_related("infrastructure").order_by("code")
    ):
        record: dict[str, Any] = {
            "code": village.code,
            "name_local": village.name_local,
            "name_en": village.name_en,
            "area_code": village.area.code,
            "households": village.households,
            "population": village.population,
            "latitude": village.latitude,
            "longitude": village.longitude,
            "village_class": village.village_class,
        }
        for row in village.infrastructure.all():
            record[row.item] = (row.completed_year or 1) if row.done else 0
        yield record


def villages_csv(villages: QuerySet[Village]) -> str:
    """Villages as CSV (the import format)."""
    return _csv(VILLAGE_COLUMNS, village_records(villages))


def villages_json(villages: QuerySet[Village]) -> str:
    """Villages as a JSON list (the import format)."""
    return _json(village_records(villages))


def villages_geojson(villages: QuerySet[Village]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the villages that have a location, for the map."""
    features = [
        {
            "type": "Feature",
            "id": village.code,
            "geometry": {"type": "Point", "coordinates": [village.longitude, village.latitude]},
            "properties": {
                "code": village.code,
                "name": village.name_local,
                "name_en": village.name_en,
                "area": village.area.name_local,
                "area_code": village.area.code,
                "village_class": village.village_class,
                "households": village.households,
                "population": village.population,
            },
        }
        for village in villages.select_related("area")
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("code")
    ]
    return {"type": "FeatureCollection", "features": features}


# --- projects and results -------------------------------------------------------------------


def project_records(projects: QuerySet[Project]) -> Iterable[dict[str, Any]]:
    """Projects as flat records."""
    for project in projects.select_related("village", "round").order_by("created_at", "id"):
        yield {
            "public_id": str(project.public_id),
            "village_code": project.village.code,
            "round_code": project.round.code if project.round else "",
            "title": project.title,
            "category": project.category,
            "status": project.status,
            "description": project.description,
            "latitude": project.latitude,
            "longitude": project.longitude,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "estimated_cost_krw": project.estimated_cost_krw,
            "requested_grant_krw": project.requested_grant_krw,
            "community_cash_krw": project.community_cash_krw,
            "community_labour_days": project.community_labour_days,
            "approved_grant_krw": project.approved_grant_krw,
        }


def projects_csv(projects: QuerySet[Project]) -> str:
    """Projects as CSV."""
    return _csv(PROJECT_COLUMNS, project_records(projects))


def projects_json(projects: QuerySet[Project]) -> str:
    """Projects as a JSON list."""
    return _json(project_records(projects))


def result_columns(round_: ProgrammeRound) -> list[str]:
    """The columns of a round's results: its rubric's criteria between the fixed ones."""
    criteria = list(round_.rubric.criteria.values_list("code", flat=True)) if round_.rubric else []
    return [*RESULT_FIXED[:2], *criteria, *RESULT_FIXED[2:]]


def result_records(round_: ProgrammeRound) -> Iterable[dict[str, Any]]:
    """A round's evaluations as flat records, best first."""
    for evaluation in round_.evaluations.select_related("village").order_by(
        "-total", "village__code"
    ):
        yield {
            "round_code": round_.code,
            "village_code": evaluation.village.code,
            **evaluation.scores,
            "total": evaluation.total,
            "showed_results": int(evaluation.showed_results),
            "note": evaluation.note,
        }


def results_csv(round_: ProgrammeRound) -> str:
    """A round's results as CSV (the import format)."""
    return _csv(result_columns(round_), result_records(round_))


def results_json(round_: ProgrammeRound) -> str:
    """A round's results as a JSON list."""
    return _json(result_records(round_))
