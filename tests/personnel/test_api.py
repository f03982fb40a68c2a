"""The personnel API: the same rules as the pages (another agency's record 404, not logged;
a broken tenure rule is a 422 naming the rule; unknown grade 422; approval by the head)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gov3.core.models import AccessLogEntry
from gov3.personnel.models import Appointment, PersonnelOrder
from tests.api.test_offers_cases_api import API, post, sign_in_officer
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def test_orders_through_the_api(org: Organisation) -> None:
    hr = sign_in_officer(*org.accounts["district-hr"])
    record = org.records["welfare"]
    units = hr.get(f"{API}/personnel/organisation").json()
    assert {u["code"]: u["actual_headcount"] for u in units}["d-welfare"] == 1

    shown = hr.get(f"{API}/personnel/staff/{record.pk}")
    assert shown.status_code == 200
    assert shown.json()["name"] == "정복지"
    assert shown.json()["monthly_pay"] == 2_389_500  # G7 step 3, exact
    assert AccessLogEntry.objects.filter(subject_id=record.person_id, channel="api").exists()

    Appointment.objects.filter(record=record).update(
        starts_on=timezone.localdate() - timedelta(days=335)
    )
    body = {
        "kind": "transfer",
        "position": "c-welfare",
        "effective_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    refused = post(hr, f"/personnel/staff/{record.pk}/orders", body)
    assert refused.status_code == 422
    assert "min_time_in_post" in refused.json()["detail"]
    unknown = post(hr, f"/personnel/staff/{record.pk}/orders", {**body, "grade": "G10"})
    assert unknown.status_code == 422
    assert "Unknown grade 'G10'" in unknown.json()["detail"]
    assert not PersonnelOrder.objects.exists()

    logged = AccessLogEntry.objects.filter(subject_id=record.person_id, channel="api").count()
    issued = post(
        hr, f"/personnel/staff/{record.pk}/orders", {**body, "exception_reason": "new team"}
    )
    assert issued.status_code == 200
    assert (
        AccessLogEntry.objects.filter(subject_id=record.person_id, channel="api").count()
        == logged + 1
    )
    order = issued.json()
    assert order["exception_rules"] == ["min_time_in_post"]
    assert post(hr, f"/personnel/orders/{order['id']}/approve", {}).status_code == 403
    head = sign_in_officer(*org.accounts["district-head"])
    approved = post(head, f"/personnel/orders/{order['id']}/approve", {})
    assert approved.json()["status"] == "approved"


def test_another_agencys_record_is_404_and_not_logged(org: Organisation) -> None:
    city_hr = sign_in_officer(*org.accounts["city-hr"])
    before = AccessLogEntry.objects.count()
    assert city_hr.get(f"{API}/personnel/staff/{org.records['welfare'].pk}").status_code == 404
    assert AccessLogEntry.objects.count() == before
    welfare = sign_in_officer(*org.accounts["welfare"])
    assert welfare.get(f"{API}/personnel/organisation").status_code == 403
    mine = welfare.get(f"{API}/personnel/me").json()
    assert mine["employee_number"] == org.records["welfare"].employee_number
