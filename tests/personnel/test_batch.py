"""Batch orders: many transfers drafted at once, each checked like a single order, all or
none with a report of every refused line; numbered and audited one by one; approved at once by
the head of the HR unit (never the drafter); the page, the API, another agency's batch 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from gov3.core.errors import NotFoundError, PermissionRefusedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.personnel.batch import (
    BatchLine,
    BatchRefusedError,
    batch_for,
    do_approve_batch,
    do_issue_batch,
    parse_csv,
)
from gov3.personnel.models import Appointment, OrderBatch, OrderStatus, PersonnelOrder
from gov3.personnel.services import appointment_on
from tests.api.test_offers_cases_api import post, sign_in_officer
from tests.personnel.conftest import Organisation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db


def _line(org: Organisation, who: str, position: str, days: int = 1) -> BatchLine:
    return BatchLine(
        employee_number=org.records[who].employee_number,
        position=position,
        effective_on=timezone.localdate() + timedelta(days=days),
    )


def test_one_refused_line_refuses_the_batch_and_every_refusal_is_reported(
    org: Organisation,
) -> None:
    hr = org.accounts["district-hr"][0]
    audits = AuditEntry.objects.count()
    lines = [
        _line(org, "welfare", "d-welfare-2"),  # fine on its own
        BatchLine("E9999", "d-welfare-2", timezone.localdate()),  # unknown employee
        _line(org, "district-hr", "nowhere"),  # unknown position
        _line(org, "welfare", "d-welfare-2"),  # the same civil servant twice
        _line(org, "district-hr", "d-hr-head"),  # G6 is outside the post's band G3-G4
        _line(org, "city-hr", "d-welfare-2"),  # serves in another agency
        _line(org, "district-head", "d-welfare-2", days=-400),  # beyond the backdating window
    ]
    with translation.override("en"), pytest.raises(BatchRefusedError) as refused:
        do_issue_batch(hr, lines)
    report = {r.line: r.reason for r in refused.value.refusals}
    assert sorted(report) == [2, 3, 4, 5, 6, 7]
    assert "Unknown employee number" in report[2]
    assert "Unknown position" in report[3]
    assert "earlier line" in report[4]
    assert "outside the position's band" in report[5]
    assert "another agency" in report[6]
    assert "too far back" in report[7]
    assert not OrderBatch.objects.exists()
    assert not PersonnelOrder.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_batch_is_numbered_audited_and_approved_by_the_head(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    head = org.accounts["district-head"][0]
    batch = do_issue_batch(hr, [_line(org, "welfare", "d-welfare-2")])
    (order,) = batch.orders.all()
    assert order.number.startswith(f"{org.district.code}-")
    assert AuditEntry.objects.filter(
        action="personnel.order_issued", target_id=order.number, data__batch=batch.number
    ).exists()
    with pytest.raises(PermissionRefusedError):
        do_approve_batch(hr, batch.pk)  # the drafter is not the head
    city_head = org.accounts["city-head"][0]
    with pytest.raises(NotFoundError):
        batch_for(city_head, batch.pk)
    do_approve_batch(head, batch.pk)
    batch.refresh_from_db()
    order.refresh_from_db()
    assert batch.status == OrderStatus.APPROVED
    assert order.status == OrderStatus.APPROVED
    tomorrow = timezone.localdate() + timedelta(days=1)
    moved = appointment_on(org.records["welfare"], tomorrow)
    assert moved is not None
    assert moved.position.code == "d-welfare-2"
    assert (
        Appointment.objects.filter(record=org.records["welfare"], ends_on__isnull=True).count() == 1
    )
    assert AuditEntry.objects.filter(
        action="personnel.order_approved", target_id=order.number
    ).exists()
    assert AuditEntry.objects.filter(action="personnel.batch_approved").exists()


def test_a_bad_csv_line_is_named() -> None:
    with pytest.raises(BatchRefusedError) as refused:
        parse_csv("employee_number,position,effective_on\nE1,p,2027-01-01\nE2,p,01/02/2027\n")
    assert [r.line for r in refused.value.refusals] == [2]


def test_the_batch_pages_and_api(org: Organisation) -> None:
    hr = _signed_in(org.accounts["district-hr"])
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    number = org.records["welfare"].employee_number
    refused = hr.post(
        reverse("personnel:batches"),
        {"lines": f"employee_number,position,effective_on\n{number},nowhere,{day}\n"},
    )
    assert refused.status_code == 400
    assert "Unknown position" in refused.content.decode()
    made = hr.post(
        reverse("personnel:batches"),
        {"lines": f"employee_number,position,effective_on\n{number},d-welfare-2,{day}\n"},
        follow=True,
    )
    page = made.content.decode()
    assert "is waiting for approval" in page
    assert "정복지" in page
    assert AccessLogEntry.objects.filter(
        actor_label="district-hr", subject_id=org.people["welfare"].pk, what__startswith="batch"
    ).exists()
    batch = OrderBatch.objects.get()
    city = _signed_in(org.accounts["city-hr"])
    before = AccessLogEntry.objects.count()
    assert city.get(reverse("personnel:batch", args=[batch.pk])).status_code == 404
    assert AccessLogEntry.objects.count() == before
    head = sign_in_officer(*org.accounts["district-head"])
    approved = post(head, f"/personnel/batches/{batch.pk}/approve", {})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    body = {"lines": [{"employee_number": "E9999", "position": "d-hr", "effective_on": day}]}
    answer = post(hr, "/personnel/batches", body, csrf=False)  # a client without CSRF checks
    assert answer.status_code == 422
    assert answer.json()["refusals"][0]["line"] == 1
