"""The HR officer's pages and the civil servant's own record, through the Django client:
another agency's record by id is "not found" and nothing is logged; an order issued on the
record page is approved by the head on the organisation page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.core.models import AccessLogEntry
from gov3.personnel.models import OrderStatus, PersonnelOrder
from tests.conftest import PASSWORD, current_totp
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def _signed_in(account: tuple[Any, Any]) -> Client:
    user, device = account
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def test_an_hr_officer_issues_an_order_and_the_head_approves_it(org: Organisation) -> None:
    hr = _signed_in(org.accounts["district-hr"])
    page = hr.get(reverse("personnel:organisation")).content.decode()
    assert "Personnel Division" not in page  # names in the agency's language
    assert "인사과" in page
    assert "정복지" in page  # the welfare officer, in the staff list
    assert AccessLogEntry.objects.filter(
        actor_label="district-hr",
        subject_id=org.people["welfare"].pk,
        what__startswith="staff list",
        purpose="personnel_administration",
    ).exists()
    record = org.records["welfare"]
    url = reverse("personnel:staff_record", args=[record.pk])
    shown = hr.get(url)
    assert shown.status_code == 200
    assert "정복지" in shown.content.decode()
    assert AccessLogEntry.objects.filter(
        actor_label="district-hr", subject_id=record.person_id, agency="종로구청"
    ).exists()

    tomorrow = timezone.localdate() + timedelta(days=1)
    refused = hr.post(
        url,
        {
            "kind": "transfer",
            "position": org.positions["district-hr-head"].pk,  # a grade 3-4 post
            "effective_on": tomorrow.isoformat(),
        },
    )
    assert refused.status_code == 400
    assert not PersonnelOrder.objects.exists()

    issued = hr.post(
        url,
        {
            "kind": "transfer",
            "position": org.positions["district-welfare-2"].pk,
            "effective_on": tomorrow.isoformat(),
            "exception_reason": "",
        },
        follow=True,
    )
    assert "is waiting for approval" in issued.content.decode()
    order = PersonnelOrder.objects.get()

    head = _signed_in(org.accounts["district-head"])
    listed = head.get(reverse("personnel:organisation")).content.decode()
    assert f"Approve order {order.number}" in listed
    assert (
        f"Approve order {order.number}"
        not in hr.get(reverse("personnel:organisation")).content.decode()
    )
    head.post(reverse("personnel:approve", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_another_agencys_record_by_id_is_not_found_and_not_logged(org: Organisation) -> None:
    city_hr = _signed_in(org.accounts["city-hr"])
    before = AccessLogEntry.objects.count()
    for record in (org.records["welfare"], org.records["district-head"]):
        url = reverse("personnel:staff_record", args=[record.pk])
        assert city_hr.get(url).status_code == 404
    assert AccessLogEntry.objects.count() == before
    welfare = _signed_in(org.accounts["welfare"])  # not an HR officer
    assert welfare.get(reverse("personnel:organisation")).status_code == 404


def test_a_civil_servant_sees_their_own_record_and_pay(org: Organisation) -> None:
    welfare = _signed_in(org.accounts["welfare"])
    page = welfare.get(reverse("personnel:my_record")).content.decode()
    assert "My personnel record" in page
    assert "정복지" in page
    assert "G7 / 3" in page
    assert "KRW" in page
