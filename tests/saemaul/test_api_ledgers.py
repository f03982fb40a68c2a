"""The Saemaul API for materials used, the village fund, cash tranches, evaluations and
classes: the same levels and refusals as the pages, 404 outside the caller's jurisdiction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gov3.saemaul.models import (
    Evaluation,
    MaterialUse,
    ProgrammeRound,
    Tranche,
    TrancheStatus,
    Village,
    VillageClassification,
    VillageFundEntry,
)
from gov3.saemaul.queries import fund_balance
from gov3.saemaul.services import (
    do_add_evidence,
    do_allocate_round,
    do_record_annual_figures,
    do_record_evaluation,
)
from gov3.synthetic.saemaul import synthetic_photo
from tests.saemaul.conftest import ACTOR, SITE, days_ago
from tests.saemaul.test_api import API, post
from tests.saemaul.test_pages import (  # noqa: F401 - fixtures are used by name
    as_fixture,
    other_village_fixture,
    people_fixture,
)
from tests.saemaul.test_pages_ledgers import (  # noqa: F401 - fixtures are used by name
    PASSING,
    seoul_village_fixture,
    supplied_project,
)


@pytest.mark.django_db
def test_the_openapi_document_lists_the_new_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        f"{API}/villages/{{code}}/material-use",
        f"{API}/villages/{{code}}/fund",
        f"{API}/projects/{{public_id}}/tranches",
        f"{API}/projects/{{public_id}}/tranches/{{number}}/release",
        f"{API}/rounds/{{code}}/evaluations",
        f"{API}/classifications",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_material_use_through_the_api(
    as_: Callable[[str], Client], county: Any, village: Village, other_village: Village
) -> None:
    project = supplied_project(county, village)
    body = {
        "project_id": str(project.public_id),
        "material": "cement",
        "quantity": 80,
        "used_on": days_ago(5).isoformat(),
    }
    path = f"/villages/{village.code}/material-use"
    leader = as_("leader")
    response = post(leader, path, body)
    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0} == {
        "id": 0,
        "village_code": village.code,
        "project_id": str(project.public_id),
        "material": "cement",
        "unit": "bags",
        "quantity": 80,
        "used_on": days_ago(5).isoformat(),
        "note": "",
        "actor": "leader",
    }
    response = post(leader, path, body | {"quantity": 21})
    assert response.status_code == 422
    assert "cannot use 21 bags of Cement more" in response.json()["detail"]
    assert post(as_("county"), path, body).status_code == 403
    assert post(as_("samsan"), path, body).status_code == 404
    assert post(leader, f"/villages/{other_village.code}/material-use", body).status_code == 404
    assert MaterialUse.objects.count() == 1
    listed = leader.get(f"{API}{path}").json()
    assert [u["quantity"] for u in listed] == [80]


@pytest.mark.django_db
def test_the_village_fund_through_the_api(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    path = f"/villages/{village.code}/fund"
    leader = as_("leader")
    response = post(
        leader,
        path,
        {"kind": "contribution", "amount_krw": 300_000, "entry_on": days_ago(3).isoformat()},
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["amount_krw"], response.json()["balance_after_krw"]) == (
        300_000,
        300_000,
    )
    expense = {
        "kind": "expense",
        "amount_krw": 300_001,
        "entry_on": days_ago(2).isoformat(),
        "note": "모래",
    }
    response = post(leader, path, expense)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The village fund holds 300,000 KRW; 300,001 KRW cannot be paid out."
    )
    assert post(as_("county"), path, expense | {"amount_krw": 1}).status_code == 403
    other = f"/villages/{other_village.code}/fund"
    assert post(leader, other, expense | {"amount_krw": 1}).status_code == 404
    assert as_("samsan").get(f"{API}{path}").status_code == 404
    fund = as_("county").get(f"{API}{path}").json()
    assert fund["balance_krw"] == 300_000
    assert [e["kind"] for e in fund["entries"]] == ["contribution"]
    assert VillageFundEntry.objects.count() == 1


@pytest.mark.django_db
def test_tranches_through_the_api(
    as_: Callable[[str], Client], county: Any, village: Village
) -> None:
    project = supplied_project(county, village)
    base = f"/projects/{project.public_id}/tranches"
    county_client = as_("county")
    on = {"released_on": days_ago(1).isoformat()}
    assert post(as_("samsan"), f"{base}/1/release", on).status_code == 404
    assert post(as_("myeon"), f"{base}/1/release", on).status_code == 403
    assert post(county_client, f"{base}/7/release", on).status_code == 404
    response = post(county_client, f"{base}/1/release", on)
    assert response.status_code == 200, response.json()
    assert [t["status"] for t in response.json()["tranches"]] == ["released", "pending"]

    response = post(county_client, f"{base}/2/release", on)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "Tranche 2 is paid once progress photos show 50% of the works done; the photos so far "
        "show 0%."
    )
    assert Tranche.objects.get(project=project, number=2).status == TrancheStatus.PENDING
    assert fund_balance(village) == 1_000_000

    do_add_evidence(
        ACTOR,
        project,
        stage="during",
        filename="works.jpg",
        progress_percent=50,
        data=synthetic_photo(latitude=SITE[0], longitude=SITE[1]),
    )
    assert post(county_client, f"{base}/2/release", on).status_code == 200
    tranches = as_("leader").get(f"{API}{base}").json()
    assert tranches["progress_percent"] == 50
    assert [t["released_by"] for t in tranches["tranches"]] == ["county", "county"]
    assert fund_balance(village) == 2_000_000


@pytest.mark.django_db
def test_evaluations_through_the_api(
    as_: Callable[[str], Client], village: Village, seoul_village: Village
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    path = f"/rounds/{seed.code}/evaluations"
    body = {"village_code": village.code, "scores": PASSING, "evaluated_on": "1971-06-30"}
    county_client = as_("county")
    response = post(county_client, path, body | {"scores": PASSING | {"upkeep": 11}})
    assert response.status_code == 422
    assert "upkeep is scored 0 to 10, not 11." in response.json()["detail"]
    assert post(county_client, path, body | {"village_code": seoul_village.code}).status_code == 404
    assert post(county_client, "/rounds/xx-none/evaluations", body).status_code == 404
    assert post(as_("myeon"), path, body).status_code == 403
    assert not Evaluation.objects.exists()

    response = post(county_client, path, body)
    assert response.status_code == 200, response.json()
    assert (response.json()["total"], response.json()["showed_results"]) == (75, True)
    assert [e["village_code"] for e in as_("myeon").get(f"{API}{path}").json()] == [village.code]

    do_allocate_round(ACTOR, ProgrammeRound.objects.get(code="kr-1971-merit"))
    response = post(county_client, path, body | {"scores": PASSING | {"project_completed": 0}})
    assert response.status_code == 422
    assert "has already allocated on these results" in response.json()["detail"]
    assert Evaluation.objects.get().total == 75


@pytest.mark.django_db
def test_classification_through_the_api(
    as_: Callable[[str], Client], village: Village, other_village: Village, seoul_village: Village
) -> None:
    year = timezone.localdate().year - 1
    do_record_annual_figures(ACTOR, village, year=year, average_household_income_krw=600_000)
    body = {"year": year}
    assert post(as_("county"), "/classifications", body).status_code == 403
    assert post(as_("province"), "/classifications", body | {"area_code": "11"}).status_code == 404
    assert not VillageClassification.objects.exists()

    response = post(as_("province"), "/classifications", body)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "year": year,
        "area_code": "46",
        "classified": 1,
        "already_classified": 0,
        "missing_figures": 1,
        "promoted": 0,
        "counts": {"basic": 1, "self_help": 0, "self_reliant": 0, "welfare": 0},
    }
    again = post(as_("central"), "/classifications", body).json()
    assert (again["classified"], again["already_classified"], again["area_code"]) == (0, 1, None)
    assert VillageClassification.objects.count() == 1


@pytest.mark.django_db
def test_an_evaluation_is_visible_only_in_the_jurisdiction(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    do_record_evaluation(ACTOR, seed, village, scores=PASSING, evaluated_on=date(1971, 6, 30))
    assert as_("samsan").get(f"{API}/rounds/{seed.code}/evaluations").json() == []
