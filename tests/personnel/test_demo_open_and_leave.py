"""The personnel demo with items 8 and 9: one open posting with its committee, and a leave
request of the HR officer waiting for the division head; a second run adds nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gov3.demo.personnel import load_demo
from gov3.personnel import self_service
from gov3.personnel.open_position_models import OpenPosting
from gov3.personnel.self_service_models import StaffRequest
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_posting_and_leave_for_the_division_head(
    agency: Any, officer: tuple[Any, Any]
) -> None:
    for n in range(4):
        make_person(
            name_local=f"공무원{n}", name_latin=f"STAFF {n}", birth_date=date(1980, 1, n + 1)
        )
    passwords = {"division-head": PASSWORD, "hr-officer": PASSWORD}
    logins = dict(load_demo("kr", agency, officer[0], passwords, 1))
    posting = OpenPosting.objects.get()
    assert posting.committee.filter(external=True).count() == 3
    assert posting.committee.get(chair=True).external
    request = StaffRequest.objects.get()
    assert request.record.account.username == "hr-officer"
    head = logins["division head"]
    assert [r.pk for r in self_service.waiting_for_me(head)] == [request.pk]
    load_demo("kr", agency, officer[0], passwords, 1)
    assert (OpenPosting.objects.count(), StaffRequest.objects.count()) == (1, 1)
