"""Import and export: CSV and JSON for villages, projects and results; GeoJSON for the map.
A bad row is reported with its row number and what is wrong, and nothing is imported."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from gov3.core.models import AuditEntry
from gov3.registry.models import Area
from gov3.saemaul import exchange
from gov3.saemaul.errors import ImportRejectedError
from gov3.saemaul.models import Evaluation, ProgrammeRound, Project, Village, VillageInfrastructure
from gov3.saemaul.queries import villages_in
from gov3.saemaul.services import do_import_projects, do_import_results, do_import_villages
from tests.saemaul.conftest import ACTOR, make_village

VILLAGES_CSV = """\
code,name_local,name_en,area_code,households,population,latitude,longitude,roads,electricity
46820-03-0001,금동리,Geumdong-ri,46820-03,40,180,34.52,126.54,1972,1
46820-03-0002,송정리,Songjeong-ri,46820-03,55,250,34.53,126.55,0,
46820-02-0001,대평리,Daepyeong-ri,46820-02,31,140,34.50,126.62,,0
"""


def _villages(text: str) -> list[exchange.Row]:
    return exchange.read_csv(text, exchange.VILLAGE_REQUIRED)


@pytest.mark.django_db
def test_a_village_csv_is_imported(county: dict[str, Area], programme: None) -> None:
    outcome = do_import_villages(ACTOR, _villages(VILLAGES_CSV), country="kr")
    assert (outcome.created, outcome.updated) == (3, 0)
    village = Village.objects.get(code="46820-03-0001")
    assert (village.name_local, village.households, village.area.code) == ("금동리", 40, "46820-03")
    assert set(village.infrastructure.values_list("item", "done", "completed_year")) == {
        ("roads", True, 1972),
        ("electricity", True, None),
    }
    # Importing again updates instead of duplicating.
    again = do_import_villages(
        ACTOR, _villages(VILLAGES_CSV.replace(",40,180,", ",41,180,")), country="kr"
    )
    assert (again.created, again.updated) == (0, 3)
    assert Village.objects.get(code="46820-03-0001").households == 41
    assert Village.objects.count() == 3


@pytest.mark.django_db
def test_a_csv_with_a_bad_row_reports_the_row_and_imports_nothing(
    county: dict[str, Area], programme: None
) -> None:
    bad = VILLAGES_CSV.replace("46820-03,55,250", "46820-99,55,250").replace(
        "31,140,34.50", "many,140,34.50"
    )
    with pytest.raises(ImportRejectedError, match="nothing was imported") as error:
        do_import_villages(ACTOR, _villages(bad), country="kr")
    problems = [(p.row, p.field) for p in error.value.problems]
    assert problems == [(3, "area_code"), (4, "households")]
    assert str(error.value.problems[0]) == "row 3, area_code: there is no area 46820-99"
    assert str(error.value.problems[1]) == "row 4, households: 'many' is not a whole number"
    assert not Village.objects.exists()
    assert not VillageInfrastructure.objects.exists()
    assert not AuditEntry.objects.filter(action="saemaul.import_villages").exists()


@pytest.mark.django_db
def test_rule_breaking_rows_and_duplicates_are_reported_too(
    county: dict[str, Area], programme: None
) -> None:
    text = VILLAGES_CSV + "46820-03-0001,또리,,46820,10,5,,,,yes\n"
    with pytest.raises(ImportRejectedError) as error:
        do_import_villages(ACTOR, _villages(text), country="kr")
    messages = [str(p) for p in error.value.problems]
    assert "row 5, code: 46820-03-0001 also appears in row 2" in messages
    assert any(m.startswith("row 5, electricity: use 0") for m in messages)
    assert not Village.objects.exists()


def test_a_file_without_the_required_columns_is_refused() -> None:
    with pytest.raises(ImportRejectedError) as error:
        exchange.read_csv("code,name\nx,y\n", exchange.VILLAGE_REQUIRED)
    assert (
        str(error.value.problems[0]) == "file: the header lacks the columns name_local, area_code"
    )


@pytest.mark.django_db
def test_villages_round_trip_through_csv_and_json(county: dict[str, Area], programme: None) -> None:
    do_import_villages(ACTOR, _villages(VILLAGES_CSV), country="kr")
    exported = exchange.villages_csv(villages_in())
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["code"] for r in rows] == ["46820-02-0001", "46820-03-0001", "46820-03-0002"]
    assert rows[1]["roads"] == "1972"
    assert rows[1]["electricity"] == "1"
    assert rows[2]["roads"] == "0"
    as_json = exchange.villages_json(villages_in())
    records = exchange.read_json(as_json, exchange.VILLAGE_REQUIRED)
    assert do_import_villages(ACTOR, records, country="kr").updated == 3
    assert Village.objects.count() == 3


@pytest.mark.django_db
def test_the_map_is_a_geojson_feature_collection(county: dict[str, Area], programme: None) -> None:
    make_village(county["46820-03"], "46820-03-0001", latitude=34.52, longitude=126.54)
    make_village(county["46820-03"], "46820-03-0002", latitude=None, longitude=None)
    collection = exchange.villages_geojson(villages_in(county["46820"]))
    json.dumps(collection)  # serialisable as it is
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [126.54, 34.52]}
    assert feature["properties"]["village_class"] == "basic"
    assert feature["properties"]["area_code"] == "46820-03"


@pytest.mark.django_db
def test_projects_import_as_drafts_and_export(village: Village) -> None:
    records = json.dumps(
        [
            {
                "village_code": village.code,
                "round_code": "kr-model-village",
                "title": "공동 창고",
                "category": "income",
                "latitude": 34.52,
                "longitude": 126.54,
                "requested_grant_krw": 1_000_000,
                "lines": [
                    {"description": "시멘트", "quantity": 80, "unit": "포대", "material": "cement"}
                ],
            }
        ]
    )
    outcome = do_import_projects(ACTOR, exchange.read_json(records, exchange.PROJECT_REQUIRED))
    assert outcome.created == 1
    project = Project.objects.get()
    assert (project.status, project.round.code if project.round else "", project.lines.count()) == (
        "draft",
        "kr-model-village",
        1,
    )
    exported = list(csv.DictReader(io.StringIO(exchange.projects_csv(Project.objects.all()))))
    assert exported[0]["title"] == "공동 창고"
    assert exported[0]["status"] == "draft"


@pytest.mark.django_db
def test_a_bad_project_record_names_its_position(village: Village) -> None:
    records = json.dumps(
        [
            {"village_code": village.code, "title": "좋은 사업", "category": "income"},
            {
                "village_code": "nowhere",
                "title": "나쁜 사업",
                "category": "fun",
                "starts_on": "soon",
            },
        ]
    )
    with pytest.raises(ImportRejectedError) as error:
        do_import_projects(ACTOR, exchange.read_json(records, exchange.PROJECT_REQUIRED))
    assert [(p.row, p.field) for p in error.value.problems] == [
        (2, "village_code"),
        (2, "category"),
        (2, "starts_on"),
    ]
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_results_import_and_export(county: dict[str, Area], programme: None) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    for i in (1, 2):
        make_village(county["46820-03"], f"46820-03-000{i}")
    text = (
        "round_code,village_code,project_completed,participation,contribution,leadership,upkeep\n"
        "kr-1970-seed,46820-03-0001,40,20,15,10,5\n"
        "kr-1970-seed,46820-03-0002,10,5,5,2,2\n"
    )
    do_import_results(
        ACTOR, seed, exchange.read_csv(text, ["village_code"]), evaluated_on=date(1971, 6, 30)
    )
    assert dict(Evaluation.objects.values_list("village__code", "showed_results")) == {
        "46820-03-0001": True,
        "46820-03-0002": False,
    }
    exported = list(csv.DictReader(io.StringIO(exchange.results_csv(seed))))
    assert [(r["village_code"], r["total"], r["showed_results"]) for r in exported] == [
        ("46820-03-0001", "90", "1"),
        ("46820-03-0002", "24", "0"),
    ]
    bad = text.replace(",40,20,15", ",41,20,15").replace("0002,10,5", "0002,,5")
    with pytest.raises(ImportRejectedError) as error:
        do_import_results(
            ACTOR, seed, exchange.read_csv(bad, ["village_code"]), evaluated_on=date(1971, 6, 30)
        )
    assert [(p.row, p.field) for p in error.value.problems] == [(2, ""), (3, "project_completed")]
    assert Evaluation.objects.get(village__code="46820-03-0001").total == 90  # unchanged


@pytest.mark.django_db
def test_an_empty_file_is_refused(programme: None) -> None:
    with pytest.raises(ImportRejectedError, match="nothing was imported"):
        do_import_villages(ACTOR, [], country="kr")
