"""Saemaul pages for materials used, the village fund, cash tranches, evaluations and classes:
each step by the level that takes it, a refusal shown with nothing changed, another area's
ids not found, and other levels forbidden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.registry.models import Area
from gov3.saemaul.models import (
    Allocation,
    ClassCriterion,
    Evaluation,
    MaterialUse,
    ProgrammeRound,
    Project,
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
    do_create_depot,
    do_deliver_materials,
    do_receive_stock,
    do_record_annual_figures,
    do_record_evaluation,
)
from gov3.synthetic.saemaul import synthetic_photo
from tests.saemaul.conftest import (
    ACTOR,
    SITE,
    approved_project,
    days_ago,
    make_village,
    model_round,
)
from tests.saemaul.test_pages import (  # noqa: F401 - fixtures are used by name
    as_fixture,
    other_village_fixture,
    page,
    people_fixture,
)

#: Full marks on the Korean rubric but for 25 points: 75 of 100, above the pass score of 60.
PASSING = {
    "project_completed": 40,
    "participation": 15,
    "contribution": 10,
    "leadership": 5,
    "upkeep": 5,
}


def supplied_project(county: dict[str, Area], village: Village) -> Project:
    """An approved project of the example round in a village that received 100 bags."""
    round_ = model_round()
    do_allocate_round(ACTOR, round_)
    depot = do_create_depot(
        ACTOR, code="kr-46820-03", name="화산면 창고", area=county["46820-03"], level="eup_myeon"
    )
    do_receive_stock(ACTOR, depot, material="cement", quantity=1000, on=days_ago(10), round_=round_)
    allocation = Allocation.objects.get(round=round_, village=village)
    do_deliver_materials(ACTOR, allocation, depot, material="cement", quantity=100, on=days_ago(9))
    return approved_project(village, round_=round_, requested_grant_krw=2_000_000)


@pytest.fixture(name="seoul_village")
def seoul_village_fixture(people: Any) -> Village:
    """A village of another province and county (Seoul, Jongno-gu)."""
    return make_village(
        Area.objects.get(code="1111053000"), "11110-01-0001", name_local="사직 마을"
    )


# --- materials used -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_leader_records_materials_used_but_no_more_than_received(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village
) -> None:
    project = supplied_project(county, village)
    leader = as_("leader")
    project_page = page(leader, reverse("saemaul:project", args=[project.public_id]))
    url = reverse("saemaul:material_use_new", args=[village.code])
    assert f"{url}?project={project.public_id}" in project_page
    form = page(leader, url, project=str(project.public_id))
    assert "Record materials used" in form
    assert f'<option value="{project.public_id}" selected>' in form
    data = {
        "project": str(project.public_id),
        "material": "cement",
        "used_on": days_ago(5).isoformat(),
        "note": "안길 1구간",
    }
    response = leader.post(url, data | {"quantity": "80"})
    assert response["Location"] == reverse("saemaul:village", args=[village.code])
    use = MaterialUse.objects.get()
    assert (use.project, use.quantity, use.actor) == (project, 80, "leader")

    response = leader.post(url, data | {"quantity": "21"})
    assert response.status_code == 400
    assert "cannot use 21 bags of Cement more" in response.content.decode()
    assert MaterialUse.objects.count() == 1
    assert "안길 1구간" in page(leader, url)


@pytest.mark.django_db
def test_materials_used_elsewhere_or_by_another_level_are_refused(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village, other_village: Village
) -> None:
    project = supplied_project(county, village)
    data = {
        "project": str(project.public_id),
        "material": "cement",
        "quantity": "10",
        "used_on": days_ago(5).isoformat(),
    }
    other = reverse("saemaul:material_use_new", args=[other_village.code])
    assert as_("leader").post(other, data).status_code == 404
    own = reverse("saemaul:material_use_new", args=[village.code])
    assert as_("county").get(own).status_code == 403
    assert as_("county").post(own, data).status_code == 403
    assert as_("samsan").post(own, data).status_code == 404
    assert not MaterialUse.objects.exists()


# --- the village fund -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_leader_keeps_the_village_fund_which_never_goes_below_zero(
    as_: Callable[[str], Client], village: Village
) -> None:
    leader = as_("leader")
    assert reverse("saemaul:fund", args=[village.code]) in page(
        leader, reverse("saemaul:village", args=[village.code])
    )
    url = reverse("saemaul:fund", args=[village.code])
    response = leader.post(
        url,
        {"kind": "contribution", "amount_krw": "300000", "entry_on": days_ago(3).isoformat()},
    )
    assert response["Location"] == url
    html = page(leader, url)
    assert 'id="fund-balance">300,000 KRW' in html
    assert "Villagers&#x27; contribution" in html

    expense = {"kind": "expense", "entry_on": days_ago(2).isoformat()}
    response = leader.post(url, expense | {"amount_krw": "300001", "note": "모래"})
    assert response.status_code == 400
    assert "The village fund holds 300,000 KRW; 300,001 KRW cannot be paid out." in (
        response.content.decode()
    )
    response = leader.post(url, expense | {"amount_krw": "1000", "note": ""})
    assert response.status_code == 400
    assert "Say what the expense was for." in response.content.decode()
    assert VillageFundEntry.objects.count() == 1
    assert fund_balance(village) == 300_000


@pytest.mark.django_db
def test_officers_read_the_fund_but_do_not_write_into_it(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    url = reverse("saemaul:fund", args=[village.code])
    entry = {"kind": "income", "amount_krw": "5000", "entry_on": days_ago(1).isoformat()}
    html = page(as_("county"), url)
    assert "No entry in the village fund yet." in html
    assert "Add the entry" not in html
    assert as_("county").post(url, entry).status_code == 403
    assert as_("samsan").get(url).status_code == 404
    other = reverse("saemaul:fund", args=[other_village.code])
    assert as_("leader").post(other, entry).status_code == 404
    assert not VillageFundEntry.objects.exists()


# --- cash tranches --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_county_releases_tranches_only_when_the_photos_show_the_progress(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village
) -> None:
    project = supplied_project(county, village)
    county_client = as_("county")
    project_url = reverse("saemaul:project", args=[project.public_id])
    assert "Release tranche 1" in page(county_client, project_url)
    assert "Release tranche" not in page(as_("leader"), project_url)

    def release(number: int) -> str:
        response = county_client.post(
            reverse("saemaul:tranche_release", args=[project.public_id, number]),
            {"released_on": days_ago(1).isoformat()},
            follow=True,
        )
        assert response.status_code == 200
        return str(response.content.decode())

    assert "Tranche 1 was paid into the village fund." in release(1)
    assert fund_balance(village) == 1_000_000

    html = release(2)
    assert 'role="alert"' in html
    assert (
        "Tranche 2 is paid once progress photos show 50% of the works done; the photos so far "
        "show 0%." in html
    )
    second = Tranche.objects.get(project=project, number=2)
    assert second.status == TrancheStatus.PENDING
    assert fund_balance(village) == 1_000_000

    do_add_evidence(
        ACTOR,
        project,
        stage="during",
        filename="works.jpg",
        progress_percent=60,
        data=synthetic_photo(latitude=SITE[0], longitude=SITE[1]),
    )
    assert "Tranche 2 was paid into the village fund." in release(2)
    second.refresh_from_db()
    assert (second.status, second.released_by) == (TrancheStatus.RELEASED, "county")
    assert fund_balance(village) == 2_000_000
    assert "Programme grant (tranche) 2" in page(
        as_("leader"), reverse("saemaul:fund", args=[village.code])
    )


@pytest.mark.django_db
def test_only_the_county_of_the_village_releases_a_tranche(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village
) -> None:
    project = supplied_project(county, village)
    url = reverse("saemaul:tranche_release", args=[project.public_id, 1])
    data = {"released_on": days_ago(1).isoformat()}
    assert as_("samsan").post(url, data).status_code == 404
    assert as_("myeon").post(url, data).status_code == 403
    assert as_("leader").post(url, data).status_code == 403
    missing = reverse("saemaul:tranche_release", args=[project.public_id, 9])
    assert as_("county").post(missing, data).status_code == 404
    assert not Tranche.objects.filter(status=TrancheStatus.RELEASED).exists()
    assert not VillageFundEntry.objects.exists()


# --- evaluation -----------------------------------------------------------------------------


def _scores(**changes: int) -> dict[str, str]:
    return {f"score_{k}": str(v) for k, v in (PASSING | changes).items()}


@pytest.mark.django_db
def test_the_county_evaluates_a_village_with_the_rounds_rubric(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    do_allocate_round(ACTOR, seed)
    client = as_("county")
    assert reverse("saemaul:evaluations", args=[seed.code]) in page(
        client, reverse("saemaul:results")
    )
    listing = page(client, reverse("saemaul:evaluations", args=[seed.code]))
    assert village.name_local in listing
    assert other_village.name_local in listing
    url = reverse("saemaul:evaluation_edit", args=[seed.code, village.code])
    assert url in page(client, reverse("saemaul:village", args=[village.code]))
    form = page(client, url)
    assert "Common project completed (0 to 40 points)" in form
    assert "Did the village show results?" not in form  # the pass score decides

    data = _scores() | {"evaluated_on": "1971-06-30", "note": ""}
    response = client.post(url, data | {"score_project_completed": "41"})
    assert response.status_code == 400
    assert "less than or equal to 40" in response.content.decode()
    assert not Evaluation.objects.exists()

    response = client.post(url, data, follow=True)
    assert "75 points, showed results." in response.content.decode()
    evaluation = Evaluation.objects.get(village=village)
    assert (evaluation.total, evaluation.showed_results, evaluation.evaluated_by) == (
        75,
        True,
        "county",
    )
    assert evaluation.evaluated_on == date(1971, 6, 30)


@pytest.mark.django_db
def test_an_evaluation_the_next_round_allocated_on_cannot_change(
    as_: Callable[[str], Client], village: Village
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    do_allocate_round(ACTOR, seed)
    do_record_evaluation(ACTOR, seed, village, scores=PASSING, evaluated_on=date(1971, 6, 30))
    do_allocate_round(ACTOR, ProgrammeRound.objects.get(code="kr-1971-merit"))
    response = as_("county").post(
        reverse("saemaul:evaluation_edit", args=[seed.code, village.code]),
        _scores(project_completed=0) | {"evaluated_on": "1971-07-01"},
    )
    assert response.status_code == 400
    assert "has already allocated on these results" in response.content.decode()
    evaluation = Evaluation.objects.get(village=village)
    assert (evaluation.total, evaluation.evaluated_on) == (75, date(1971, 6, 30))


@pytest.mark.django_db
def test_evaluations_outside_the_county_or_by_another_level_are_refused(
    as_: Callable[[str], Client], village: Village, seoul_village: Village
) -> None:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    data = _scores() | {"evaluated_on": "1971-06-30"}
    other = reverse("saemaul:evaluation_edit", args=[seed.code, seoul_village.code])
    assert as_("county").post(other, data).status_code == 404
    assert as_("county").get(reverse("saemaul:evaluations", args=["xx-none"])).status_code == 404
    own = reverse("saemaul:evaluation_edit", args=[seed.code, village.code])
    for who in ("myeon", "province", "leader"):
        assert as_(who).post(own, data).status_code == 403, who
    assert as_("myeon").get(reverse("saemaul:evaluations", args=[seed.code])).status_code == 403
    assert not Evaluation.objects.exists()


# --- classification -------------------------------------------------------------------------


@pytest.mark.django_db
def test_central_classifies_a_year_once(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    year = timezone.localdate().year - 1
    do_record_annual_figures(ACTOR, village, year=year, average_household_income_krw=600_000)
    client = as_("central")
    assert reverse("saemaul:classify") in page(client, reverse("saemaul:results"))
    url = reverse("saemaul:classify")
    assert "Classify the villages" in page(client, url)
    html = page_post(client, url, {"year": str(year), "area": ""})
    assert f"1 villages were classified for {year}." in html
    assert 'id="outcome-classified">1<' in html
    assert 'id="outcome-missing">1<' in html  # the other village has no survey figures
    row = VillageClassification.objects.get()
    assert (row.village, row.year, row.village_class) == (village, year, "basic")

    html = page_post(client, url, {"year": str(year), "area": "46820"})
    assert 'id="outcome-classified">0<' in html
    assert 'id="outcome-already">1<' in html
    assert VillageClassification.objects.count() == 1


def page_post(client: Client, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()
    return str(response.content.decode())


@pytest.mark.django_db
def test_classification_without_criteria_is_refused_and_only_managers_classify(
    as_: Callable[[str], Client], village: Village, seoul_village: Village
) -> None:
    year = timezone.localdate().year - 1
    do_record_annual_figures(ACTOR, village, year=year, average_household_income_krw=600_000)
    url = reverse("saemaul:classify")
    data = {"year": str(year), "area": ""}
    assert as_("province").post(url, data | {"area": "11"}).status_code == 404
    for who in ("county", "myeon", "leader"):
        assert as_(who).post(url, data).status_code == 403, who
    ClassCriterion.objects.all().delete()
    response = as_("province").post(url, data)
    assert response.status_code == 400
    assert "No class criteria are configured for kr" in response.content.decode()
    assert not VillageClassification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ko", ["원장", "기록 추가하기", "마을기금 기록이 아직 없습니다."]),
        ("vi", ["Sổ cái", "Thêm bút toán này", "Quỹ làng chưa có bút toán nào."]),
    ],
)
def test_the_fund_page_speaks_the_users_language(
    as_: Callable[[str], Client], village: Village, language: str, texts: list[str]
) -> None:
    response = as_("leader").get(
        reverse("saemaul:fund", args=[village.code]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response["Content-Language"] == language
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    assert "Add the entry" not in html
