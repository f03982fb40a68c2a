"""Reorganisation pages and API: the HR officer drafts a split on the page and the head approves
it; the unit's history shows the lineage with dates and act numbers; the API reads the tree as
of a day and a unit's lineage; another agency's unit or act by id is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gov3.personnel.models import Unit
from gov3.personnel.reorganisation import do_approve_reorganisation, do_draft_reorganisation
from gov3.personnel.reorganisation_models import Reorganisation
from tests.api.test_offers_cases_api import API, sign_in_officer
from tests.personnel.conftest import Organisation
from tests.personnel.test_pages import _signed_in
from tests.personnel.test_reorganisation import split_draft

pytestmark = pytest.mark.django_db

SPLIT = {
    "kind": "split",
    "predecessors": "d-welfare",
    "successors": "d-benefits; 급여팀; Benefits Team; 2\nd-care; 돌봄팀; Care Team; 3",
    "positions": "d-welfare = d-benefits\nd-welfare-2 = d-care",
}


def test_the_pages_draft_approve_and_show_the_history(org: Organisation) -> None:
    hr = _signed_in(org.accounts["district-hr"])
    url = reverse("personnel:reorganisations")
    assert "Draft a reorganisation" in hr.get(url).content.decode()
    today = timezone.localdate()
    refused = hr.post(url, {**SPLIT, "positions": "", "effective_on": today.isoformat()})
    assert refused.status_code == 400
    assert "Position d-welfare is held on or after" in refused.content.decode()
    broken = hr.post(url, {**SPLIT, "positions": "d-welfare d-care", "effective_on": "x"})
    assert broken.status_code == 400
    assert "write a position code, &#x27;=&#x27;" in broken.content.decode()
    assert not Reorganisation.objects.exists()

    drafted = hr.post(url, {**SPLIT, "effective_on": today.isoformat()}, follow=True)
    page = drafted.content.decode()
    act = Reorganisation.objects.get()
    assert f"Reorganisation {act.number} is waiting for approval." in page
    assert f"Approve reorganisation {act.number}" not in page  # not the drafter's to approve
    assert hr.post(reverse("personnel:approve_reorganisation", args=[act.pk])).status_code == 302
    assert Reorganisation.objects.get().status == "draft"

    head = _signed_in(org.accounts["district-head"])
    assert f"Approve reorganisation {act.number}" in head.get(url).content.decode()
    approved = head.post(
        reverse("personnel:approve_reorganisation", args=[act.pk]), follow=True
    ).content.decode()
    assert f"Reorganisation {act.number} is approved" in approved
    assert "d-benefits" in approved

    old = Unit.objects.get(code="d-welfare")
    before = hr.get(url, {"on": (today - timedelta(days=1)).isoformat()}).content.decode()
    assert "복지정책과" in before
    assert "돌봄팀" not in before
    history = hr.get(reverse("personnel:unit", args=[old.pk])).content.decode()
    assert act.number in history
    assert "d-benefits" in history
    assert "d-care" in history
    care = Unit.objects.get(code="d-care")
    assert act.number in hr.get(reverse("personnel:unit", args=[care.pk])).content.decode()

    # The appointment made before the split still shows the old unit on the record page.
    record = hr.get(reverse("personnel:staff_record", args=[org.records["welfare"].pk]))
    assert "복지정책과 (d-welfare)" in record.content.decode()
    assert (
        "/officer/personnel/reorganisations/"
        in hr.get(reverse("personnel:organisation")).content.decode()
    )


def test_another_agency_gets_not_found(org: Organisation) -> None:
    act = do_draft_reorganisation(org.accounts["district-hr"][0], split_draft(timezone.localdate()))
    unit = Unit.objects.get(code="d-welfare")
    city = _signed_in(org.accounts["city-head"])
    assert city.get(reverse("personnel:unit", args=[unit.pk])).status_code == 404
    approve = reverse("personnel:approve_reorganisation", args=[act.pk])
    assert city.post(approve).status_code == 404
    assert Reorganisation.objects.get().status == "draft"
    assert act.number not in city.get(reverse("personnel:reorganisations")).content.decode()
    welfare = _signed_in(org.accounts["welfare"])
    assert welfare.get(reverse("personnel:reorganisations")).status_code == 404
    api = sign_in_officer(*org.accounts["city-hr"])
    assert api.get(f"{API}/personnel/units/{unit.pk}/lineage").status_code == 404


def test_the_api_reads_the_tree_as_of_a_day_and_the_lineage(org: Organisation) -> None:
    today = timezone.localdate()
    act = do_draft_reorganisation(org.accounts["district-hr"][0], split_draft(today))
    do_approve_reorganisation(org.accounts["district-head"][0], act.pk)
    hr = sign_in_officer(*org.accounts["district-hr"])
    before = hr.get(f"{API}/personnel/units/tree", {"on": str(today - timedelta(days=1))})
    assert before.status_code == 200
    units = {u["code"]: u for u in before.json()["units"]}
    assert set(units) == {"d", "d-hr", "d-welfare"}
    assert units["d-welfare"]["actual_headcount"] == 1
    now = hr.get(f"{API}/personnel/units/tree").json()
    codes = {u["code"]: u for u in now["units"]}
    assert set(codes) == {"d", "d-hr", "d-benefits", "d-care"}
    assert codes["d-care"]["parent"] == "d"
    assert codes["d-care"]["authorised_headcount"] == 3
    old = Unit.objects.get(code="d-welfare")
    lineage = hr.get(f"{API}/personnel/units/{old.pk}/lineage").json()
    assert lineage["unit"]["closed_on"] == today.isoformat()
    assert lineage["earlier"] == []
    assert [(a["number"], a["kind"]) for a in lineage["later"]] == [(act.number, "split")]
    assert [u["code"] for u in lineage["later"][0]["successors"]] == ["d-benefits", "d-care"]
    schema = hr.get(f"{API}/openapi.json").json()
    assert "/api/v1/personnel/units/{unit_id}/lineage" in schema["paths"]
    assert "/api/v1/personnel/units/tree" in schema["paths"]
    welfare = sign_in_officer(*org.accounts["welfare"])
    assert welfare.get(f"{API}/personnel/units/tree").status_code == 403
