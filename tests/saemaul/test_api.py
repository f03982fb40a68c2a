"""The Saemaul API (/api/v1/saemaul/): the same steps and permissions as the pages, JSON in
and out, session sign-in with CSRF, refusals as 4xx with a message, well-formed exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import User
from gov3.registry.models import Area
from gov3.saemaul.models import (
    Assembly,
    EvidencePhoto,
    Project,
    ProjectStatus,
    Report,
    ReportStatus,
    Village,
)
from gov3.saemaul.services import do_check_project, do_record_evaluation, do_submit_project
from tests.saemaul.conftest import (
    ACTOR,
    SITE,
    adopted_resolution,
    days_ago,
    draft_project,
    model_round,
)
from tests.saemaul.test_pages import (  # noqa: F401 - fixtures are used by name
    as_fixture,
    jpeg,
    other_village_fixture,
    people_fixture,
    signed_in,
)

API = "/api/v1/saemaul"


def post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data=json.dumps(data), content_type="application/json")


def _submitted(village: Village) -> Project:
    project = draft_project(village, resolution=adopted_resolution(village))
    return do_submit_project(ACTOR, project, expected_version=project.version)


# --- the API as a whole ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_document_lists_the_saemaul_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "gov3 API"
    paths = document["paths"]
    for path in (
        f"{API}/villages",
        f"{API}/villages/{{code}}/assemblies",
        f"{API}/villages/{{code}}/projects",
        f"{API}/projects/{{public_id}}/submit",
        f"{API}/projects/{{public_id}}/check",
        f"{API}/projects/{{public_id}}/approve",
        f"{API}/projects/{{public_id}}/return",
        f"{API}/projects/{{public_id}}/photos",
        f"{API}/reports/{{report_id}}/approve",
        f"{API}/dashboard",
        f"{API}/exports/villages.geojson",
        f"{API}/exports/results.csv",
    ):
        assert path in paths, path
    assert "post" in paths[f"{API}/projects/{{public_id}}/submit"]
    # No Swagger UI (it would load scripts from a CDN).
    assert client.get("/api/v1/docs").status_code == 404


@pytest.mark.django_db
def test_signed_out_callers_and_officers_without_the_second_factor_are_refused(
    client: Client, people: dict[str, tuple[User, Any]], village: Village
) -> None:
    assert client.get(f"{API}/villages").status_code == 401
    assert signed_in(people["county"][0], None).get(f"{API}/villages").status_code == 401


@pytest.mark.django_db
def test_a_user_without_a_programme_role_gets_403(citizen: User) -> None:
    response = signed_in(citizen, None).get(f"{API}/villages")
    assert response.status_code == 403
    assert response.json()["detail"] == "You have no role in the Saemaul programme."


@pytest.mark.django_db
def test_unsafe_methods_need_the_csrf_token(
    people: dict[str, tuple[User, Any]], village: Village
) -> None:
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(people["leader"][0])
    assembly = {
        "held_on": days_ago(1).isoformat(),
        "eligible_members": 40,
        "attended_men": 12,
        "attended_women": 14,
        "resolutions": [{"title": "마을 안길 포장", "votes_for": 20}],
    }
    response = post(client, f"/villages/{village.code}/assemblies", assembly)
    assert response.status_code == 403
    assert not Assembly.objects.exists()

    client.get(reverse("saemaul:village", args=[village.code]))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"{API}/villages/{village.code}/assemblies",
        data=json.dumps(assembly),
        content_type="application/json",
        headers={"x-csrftoken": token},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["attended_men"], body["attended_women"], body["quorum_met"]) == (12, 14, True)
    assert body["resolutions"][0]["adopted"] is True


# --- villages and jurisdiction --------------------------------------------------------------


@pytest.mark.django_db
def test_villages_are_listed_only_in_the_callers_jurisdiction(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    codes = {v["code"] for v in as_("myeon").get(f"{API}/villages").json()["items"]}
    assert codes == {village.code}
    codes = {v["code"] for v in as_("county").get(f"{API}/villages").json()["items"]}
    assert codes == {village.code, other_village.code}
    detail = as_("leader").get(f"{API}/villages/{village.code}").json()
    assert detail["name_local"] == village.name_local
    assert {i["item"] for i in detail["infrastructure"]} >= {"roads", "water", "village_hall"}
    assert as_("leader").get(f"{API}/villages/{other_village.code}").status_code == 404
    assert as_("myeon").get(f"{API}/villages?area=46820-02").status_code == 404


@pytest.mark.django_db
def test_another_areas_project_is_404_and_nothing_changes(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    samsan = as_("samsan")
    assert samsan.get(f"{API}/projects/{project.public_id}").status_code == 404
    response = post(samsan, f"/projects/{project.public_id}/check", {"version": project.version})
    assert response.status_code == 404
    response = post(
        samsan, f"/projects/{project.public_id}/return", {"version": project.version, "reason": "x"}
    )
    assert response.status_code == 404
    project.refresh_from_db()
    assert (project.status, project.version) == (ProjectStatus.SUBMITTED, 2)
    assert project.public_id not in {p["public_id"] for p in samsan.get(f"{API}/projects").json()}


# --- the project workflow -------------------------------------------------------------------


PROJECT = {
    "title": "마을회관 보수",
    "category": "living_environment",
    "latitude": SITE[0],
    "longitude": SITE[1],
    "requested_grant_krw": 1_000_000,
    "community_labour_days": 40,
    "lines": [
        {"description": "시멘트", "quantity": "100", "unit": "포대", "material": "cement"},
        {
            "description": "지붕 보수 인건비",
            "quantity": "1",
            "unit": "식",
            "unit_price_krw": 1_200_000,
        },
    ],
}


@pytest.mark.django_db
def test_submission_without_a_resolution_is_refused_with_a_clear_message(
    as_: Callable[[str], Client], village: Village
) -> None:
    leader = as_("leader")
    response = post(leader, f"/villages/{village.code}/projects", PROJECT)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["resolution_id"], created["version"]) == ("draft", None, 1)

    response = post(leader, f"/projects/{created['public_id']}/submit", {"version": 1})
    assert response.status_code == 422
    assert (
        "cannot be submitted without a resolution of the village's general assembly"
        in (response.json()["detail"])
    )
    project = Project.objects.get(public_id=created["public_id"])
    assert (project.status, project.version) == (ProjectStatus.DRAFT, 1)


@pytest.mark.django_db
def test_a_resolution_of_another_village_cannot_be_attached(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    foreign = adopted_resolution(other_village)
    response = post(
        as_("leader"), f"/villages/{village.code}/projects", PROJECT | {"resolution_id": foreign.pk}
    )
    assert response.status_code == 422
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_submit_check_approve_and_the_approved_amount_is_locked(
    as_: Callable[[str], Client], village: Village
) -> None:
    resolution = adopted_resolution(village)
    leader, myeon, county = as_("leader"), as_("myeon"), as_("county")
    created = post(
        leader,
        f"/villages/{village.code}/projects",
        PROJECT | {"resolution_id": resolution.pk},
    ).json()
    path = f"/projects/{created['public_id']}"
    assert post(leader, f"{path}/submit", {"version": 1}).json()["status"] == "submitted"
    # The county cannot skip the eup/myeon check.
    assert post(county, f"{path}/approve", {"version": 2}).status_code == 422
    assert post(myeon, f"{path}/approve", {"version": 2}).status_code == 403
    checked = post(myeon, f"{path}/check", {"version": 2, "note": "ok"}).json()
    assert checked["status"] == "checked"
    # A decision on an old version is refused: someone else acted first.
    assert post(county, f"{path}/approve", {"version": 2}).status_code == 409
    approved = post(county, f"{path}/approve", {"version": 3, "approved_grant_krw": 800_000})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["status"], body["approved_grant_krw"], body["locked"]) == (
        "approved",
        800_000,
        True,
    )
    assert [h["action"] for h in body["history"]] == ["created", "submitted", "checked", "approved"]
    # Approving again changes nothing.
    assert (
        post(county, f"{path}/approve", {"version": 4, "approved_grant_krw": 5}).status_code == 422
    )
    assert Project.objects.get(public_id=created["public_id"]).approved_grant_krw == 800_000


@pytest.mark.django_db
def test_return_needs_the_right_level_and_a_reason(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    path = f"/projects/{project.public_id}/return"
    assert post(as_("county"), path, {"version": 2, "reason": "x"}).status_code == 422
    assert post(as_("myeon"), path, {"version": 2, "reason": " "}).status_code == 422
    response = post(as_("myeon"), path, {"version": 2, "reason": "단가 확인"})
    assert response.json()["status"] == "returned"
    assert response.json()["return_reason"] == "단가 확인"


@pytest.mark.django_db
def test_photo_upload_keeps_exif_and_flags_a_far_photo(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = draft_project(village)
    far = io.BytesIO(jpeg(gps=(SITE[0] + 0.045, SITE[1])))
    far.name = "far.jpg"
    response = as_("leader").post(
        f"{API}/projects/{project.public_id}/photos",
        {"stage": "during", "progress_percent": "20", "photo": far},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["flag"] == "far_from_site"
    assert 4_800 < body["distance_m"] < 5_300
    assert body["latitude"] == pytest.approx(SITE[0] + 0.045, abs=1e-4)
    listed = as_("myeon").get(f"{API}/projects/{project.public_id}/photos").json()
    assert [p["flag"] for p in listed] == ["far_from_site"]
    # An officer does not upload for the village; a text file is not a photo.
    junk = io.BytesIO(b"hello")
    junk.name = "x.jpg"
    assert (
        as_("myeon")
        .post(f"{API}/projects/{project.public_id}/photos", {"stage": "before", "photo": junk})
        .status_code
        == 403
    )
    junk.seek(0)
    response = as_("leader").post(
        f"{API}/projects/{project.public_id}/photos", {"stage": "before", "photo": junk}
    )
    assert response.status_code == 422
    assert "not a photo" in response.json()["detail"]
    assert EvidencePhoto.objects.count() == 1


# --- the reporting chain --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_approved_period_is_locked(
    as_: Callable[[str], Client], village: Village, county: dict[str, Area]
) -> None:
    today = timezone.localdate()
    leader, myeon = as_("leader"), as_("myeon")
    created = post(leader, "/reports", {"year": today.year, "month": today.month})
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["level"] == "village"
    submitted = post(leader, f"/reports/{report['id']}/submit", {"version": report["version"]})
    assert submitted.json()["status"] == "submitted"
    version = {"version": submitted.json()["version"]}
    assert post(as_("county"), f"/reports/{report['id']}/approve", version).status_code == 403
    assert post(as_("samsan"), f"/reports/{report['id']}/approve", version).status_code == 404
    assert [r["id"] for r in myeon.get(f"{API}/reports?to_review=true").json()] == [report["id"]]
    approved = post(myeon, f"/reports/{report['id']}/approve", version).json()
    assert (approved["status"], approved["locked"]) == ("approved", True)

    again = post(leader, "/reports", {"year": today.year, "month": today.month, "narrative": "x"})
    assert again.status_code == 409
    assert "is locked; it can no longer be changed" in again.json()["detail"]
    late = post(
        leader,
        f"/villages/{village.code}/assemblies",
        {
            "held_on": today.isoformat(),
            "eligible_members": 10,
            "attended_men": 5,
            "attended_women": 5,
        },
    )
    assert late.status_code == 409
    assert not Assembly.objects.exists()
    assert Report.objects.get().status == ReportStatus.APPROVED


# --- dashboards and exports -----------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_data_counts_projects_and_classes(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    project = _submitted(village)
    do_check_project(ACTOR, project, expected_version=project.version)
    data = as_("county").get(f"{API}/dashboard").json()
    assert data["villages"] == 2
    assert data["projects_by_status"]["checked"] == 1
    assert data["classes_now"] == {"basic": 2}
    assert as_("samsan").get(f"{API}/dashboard").json()["projects_by_status"]["checked"] == 0


@pytest.mark.django_db
def test_exports_are_well_formed_and_stay_in_the_jurisdiction(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    _submitted(village)
    county, samsan = as_("county"), as_("samsan")

    response = county.get(f"{API}/exports/villages.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["code"] for r in rows} == {village.code, other_village.code}
    assert {
        r["code"]
        for r in csv.DictReader(
            io.StringIO(samsan.get(f"{API}/exports/villages.csv").content.decode())
        )
    } == {other_village.code}

    assert {v["code"] for v in county.get(f"{API}/exports/villages.json").json()} == {
        village.code,
        other_village.code,
    }

    geo = county.get(f"{API}/exports/villages.geojson")
    assert geo["Content-Type"] == "application/geo+json"
    collection = json.loads(geo.content)
    assert collection["type"] == "FeatureCollection"
    feature = next(f for f in collection["features"] if f["id"] == village.code)
    assert feature["geometry"] == {"type": "Point", "coordinates": [SITE[1], SITE[0]]}
    assert feature["properties"]["village_class"] == "basic"

    projects = list(
        csv.DictReader(io.StringIO(county.get(f"{API}/exports/projects.csv").content.decode()))
    )
    assert [p["status"] for p in projects] == ["submitted"]
    assert samsan.get(f"{API}/exports/projects.json").json() == []


@pytest.mark.django_db
def test_results_export_and_rankings(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    round_ = model_round()
    scores = {
        "project_completed": 40,
        "participation": 15,
        "contribution": 10,
        "leadership": 5,
        "upkeep": 5,
    }
    do_record_evaluation(ACTOR, round_, village, scores=scores, evaluated_on=days_ago(1))
    do_record_evaluation(
        ACTOR,
        round_,
        other_village,
        scores=scores | {"project_completed": 10},
        evaluated_on=days_ago(1),
    )
    county = as_("county")
    rows = list(
        csv.DictReader(
            io.StringIO(
                county.get(f"{API}/exports/results.csv", {"round": round_.code}).content.decode()
            )
        )
    )
    assert [r["village_code"] for r in rows] == [village.code, other_village.code]
    assert rows[0]["total"] == "75"
    assert rows[0]["project_completed"] == "40"
    samsan_rows = as_("samsan").get(f"{API}/exports/results.json", {"round": round_.code}).json()
    assert [r["village_code"] for r in samsan_rows] == [other_village.code]
    ranking = county.get(f"{API}/rounds/{round_.code}/rankings").json()
    assert [(r["rank"], r["village_code"]) for r in ranking] == [
        (1, village.code),
        (2, other_village.code),
    ]
    assert county.get(f"{API}/exports/results.csv", {"round": "no-such-round"}).status_code == 404
