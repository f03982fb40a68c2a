"""A long-term post is held at most the pack's years (8 in Korea, 공무원임용령 제45조): an
order keeping someone in it beyond that is refused naming the rule and its legal basis, unless
an exception is recorded with its reason (audited, as the other tenure exceptions); moving
them out is never refused by it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.core.models import AuditEntry
from gov3.personnel.models import EntryTrack, PersonnelOrder, PositionType, StaffRecord
from gov3.personnel.services import (
    OrderDraft,
    TenureRuleBrokenError,
    add_years,
    do_create_position,
    do_create_staff_record,
    do_issue_order,
    do_load_appointment,
)
from tests.conftest import ACTOR, PASSWORD, current_totp, make_person
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def _long_term_holder(org: Organisation, years_ago: int) -> StaffRecord:
    post = do_create_position(
        ACTOR,
        unit=org.positions["district-welfare"].unit,
        code=f"d-long-{years_ago}",
        title_local="장기재직 복지전문관",
        title_en="Long-term welfare specialist",
        grade_high="G6",
        grade_low="G7",
        job_series="administration",
        position_type=PositionType.LONG_TERM,
    )
    record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local="장기원", name_latin="JANG GIWON"),
        employee_number=f"E70{years_ago:02d}",
        country="kr",
        entry=EntryTrack.GRADE7_EXAM,
        entered_on=date(2000, 3, 1),
    )
    today = timezone.localdate()
    do_load_appointment(
        ACTOR,
        record=record,
        position=post,
        grade="G6",
        step=4,
        starts_on=add_years(today, -years_ago) + timedelta(days=2),
    )
    return record


def _leave(reason: str = "") -> OrderDraft:
    return OrderDraft(
        kind="leave",
        effective_on=timezone.localdate() + timedelta(days=5),
        exception_reason=reason,
    )


def test_keeping_someone_in_a_long_term_post_beyond_8_years_is_refused(
    org: Organisation,
) -> None:
    hr = org.accounts["district-hr"][0]
    record = _long_term_holder(org, 8)
    audits = AuditEntry.objects.count()
    with pytest.raises(TenureRuleBrokenError) as refused:
        do_issue_order(hr, record, _leave())
    message = str(refused.value)
    assert "long_term_post_maximum" in message
    assert "8 years" in message
    assert "공무원임용령 제45조" in message
    assert not PersonnelOrder.objects.exists()
    assert AuditEntry.objects.count() == audits

    order = do_issue_order(hr, record, _leave("후임자 선발 중 (인사위원회 의결 제12호)"))
    assert order.exception_rules == ["long_term_post_maximum"]
    assert AuditEntry.objects.filter(
        action="personnel.tenure_exception", target_id=order.number
    ).exists()


def test_within_8_years_or_moving_out_is_not_refused(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    within = _long_term_holder(org, 7)
    assert do_issue_order(hr, within, _leave()).exception_rules == []
    beyond = _long_term_holder(org, 9)
    moved = do_issue_order(
        hr,
        beyond,
        OrderDraft(
            kind="transfer",
            position=org.positions["district-welfare-2"],
            effective_on=timezone.localdate() + timedelta(days=5),
        ),
    )
    assert moved.exception_rules == []


def test_those_past_the_limit_are_listed_until_an_exception_is_approved(
    org: Organisation,
) -> None:
    from gov3.personnel.queries import past_tenure_limits  # noqa: PLC0415
    from gov3.personnel.services import do_approve_order  # noqa: PLC0415

    hr = org.accounts["district-hr"][0]
    beyond = _long_term_holder(org, 9)
    _long_term_holder(org, 7)
    listed = past_tenure_limits(hr)
    assert [(p.appointment.record, p.rule.id) for p in listed] == [
        (beyond, "long_term_post_maximum")
    ]
    assert past_tenure_limits(org.accounts["city-hr"][0]) == []
    user, device = org.accounts["district-hr"]
    client = Client(headers={"accept-language": "en"})
    client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    page = client.get(reverse("personnel:organisation")).content.decode()
    assert "beyond 9 years" not in page
    assert "beyond 8 years (long_term_post_maximum; 공무원임용령 제45조" in page
    order = do_issue_order(
        hr,
        beyond,
        OrderDraft(
            kind="leave",
            effective_on=timezone.localdate(),
            exception_reason="육아휴직 (인사위원회 의결)",
        ),
    )
    do_approve_order(org.accounts["district-head"][0], order.pk)
    assert past_tenure_limits(hr) == []
