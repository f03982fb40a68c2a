"""Personnel orders: an approved order changes the appointment and, from its effective date,
the agency and role the officer acts in; tenure rules refuse an order unless an exception is
recorded; the approval chain; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.posts import apply_post, post_on
from gov3.core.errors import PermissionRefusedError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.personnel.models import Appointment, OrderKind, OrderStatus, PersonnelOrder
from gov3.personnel.services import (
    OrderDraft,
    TenureRuleBrokenError,
    do_approve_order,
    do_issue_order,
)
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def _acting(org: Organisation, key: str, days: int = 0) -> User:
    user = User.objects.get(pk=org.accounts[key][0].pk)
    return apply_post(user, timezone.localdate() + timedelta(days=days))


def _transfer(org: Organisation, days: int = 1, reason: str = "") -> PersonnelOrder:
    """The district's HR officer transfers its welfare officer to the city, in `days`."""
    return do_issue_order(
        _acting(org, "district-hr"),
        org.records["welfare"],
        OrderDraft(
            kind=OrderKind.TRANSFER,
            position=org.positions["city-welfare"],
            effective_on=timezone.localdate() + timedelta(days=days),
            exception_reason=reason,
        ),
    )


def test_a_transfer_changes_the_agency_the_officer_acts_in_from_its_effective_date(
    org: Organisation,
) -> None:
    order = _transfer(org)
    assert order.number == f"kr-district-{order.effective_on.year}-0001"
    assert order.status == OrderStatus.DRAFT
    assert _acting(org, "welfare", days=1).agency == org.district  # not approved yet

    do_approve_order(_acting(org, "district-head"), order.pk)

    today, tomorrow = _acting(org, "welfare"), _acting(org, "welfare", days=1)
    assert today.agency == org.district
    assert today.is_officer
    assert tomorrow.agency == org.city
    assert tomorrow.role == "welfare_officer"
    history = list(org.records["welfare"].appointments.order_by("starts_on"))
    assert [a.position.code for a in history] == ["d-welfare", "c-welfare"]
    assert history[0].ends_on == timezone.localdate()


def test_what_the_officer_may_do_is_cached_and_an_order_clears_it(org: Organisation) -> None:
    user_id = org.accounts["welfare"][0].pk
    post_on(user_id, timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        assert post_on(user_id, timezone.localdate()) is not None
    assert len(queries) == 0
    do_approve_order(_acting(org, "district-head"), _transfer(org).pk)
    tomorrow = post_on(user_id, timezone.localdate() + timedelta(days=1))
    assert tomorrow is not None
    assert tomorrow.agency_id == org.city.pk


def test_a_retired_officer_cannot_act_as_one_from_the_day_of_retirement(
    org: Organisation,
) -> None:
    order = do_issue_order(
        _acting(org, "district-hr"),
        org.records["welfare"],
        OrderDraft(kind=OrderKind.RETIREMENT, effective_on=timezone.localdate() + timedelta(1)),
    )
    do_approve_order(_acting(org, "district-head"), order.pk)
    assert _acting(org, "welfare").is_officer
    retired = _acting(org, "welfare", days=1)
    assert not retired.is_officer
    assert retired.agency is None


def test_a_transfer_after_11_months_is_refused_naming_the_rule_unless_excepted(
    org: Organisation,
) -> None:
    Appointment.objects.filter(record=org.records["welfare"]).update(
        starts_on=timezone.localdate() - timedelta(days=335)
    )
    with pytest.raises(TenureRuleBrokenError) as refused:
        _transfer(org)
    assert "min_time_in_post" in str(refused.value)
    assert "공무원임용령 제45조" in str(refused.value)
    assert not PersonnelOrder.objects.exists()

    order = _transfer(org, reason="Urgent staffing of the new child-allowance team")
    assert order.exception_rules == ["min_time_in_post"]
    audit = AuditEntry.objects.get(action="personnel.tenure_exception")
    assert audit.data["rule"] == "min_time_in_post"
    assert audit.data["reason"] == "Urgent staffing of the new child-allowance team"
    do_approve_order(_acting(org, "district-head"), order.pk)
    approval = AuditEntry.objects.get(action="personnel.order_approved")
    assert approval.actor == "district-head"
    assert approval.data["exceptions"] == ["min_time_in_post"]


def test_a_head_cannot_approve_their_own_promotion_nor_an_order_they_drafted(
    org: Organisation,
) -> None:
    promotion = do_issue_order(
        _acting(org, "district-hr"),
        org.records["district-head"],
        OrderDraft(
            kind=OrderKind.PROMOTION,
            position=org.positions["district-hr-head"],
            grade="G3",
            step=1,
            effective_on=timezone.localdate() + timedelta(days=7),
        ),
    )
    with pytest.raises(PermissionRefusedError):
        do_approve_order(_acting(org, "district-head"), promotion.pk)
    with pytest.raises(PermissionRefusedError):  # the drafter, and no head
        do_approve_order(_acting(org, "district-hr"), promotion.pk)
    assert PersonnelOrder.objects.get().status == OrderStatus.DRAFT
    assert org.records["district-head"].appointments.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grade": "G10"}, "Unknown grade 'G10'"),
        ({"grade": "G5"}, "outside the position's band"),
        ({"effective_on": -40}, "too far back"),
        ({"kind": OrderKind.APPOINTMENT}, "Choose a position of your agency"),
    ],
)
def test_bad_orders_are_refused_and_change_nothing(
    org: Organisation, change: dict[str, object], message: str
) -> None:
    days = change.pop("effective_on", 1)
    assert isinstance(days, int)
    draft = OrderDraft(
        kind=str(change.get("kind", OrderKind.TRANSFER)),
        position=org.positions["city-welfare"],
        grade=str(change.get("grade", "")),
        effective_on=timezone.localdate() + timedelta(days=days),
    )
    with pytest.raises(ValidationFailedError, match=message):
        do_issue_order(_acting(org, "district-hr"), org.records["welfare"], draft)
    assert not PersonnelOrder.objects.exists()


def test_overlapping_appointments_are_refused(org: Organisation) -> None:
    do_approve_order(_acting(org, "district-head"), _transfer(org, days=10).pk)
    with pytest.raises(ValidationFailedError, match="may not overlap"):
        _transfer(org, days=5)


def test_only_the_agency_where_they_serve_transfers_them(org: Organisation) -> None:
    with pytest.raises(ValidationFailedError, match="serves in another agency"):
        do_issue_order(
            _acting(org, "city-hr"),
            org.records["welfare"],
            OrderDraft(
                kind=OrderKind.TRANSFER,
                position=org.positions["city-welfare"],
                effective_on=timezone.localdate() + timedelta(days=1),
            ),
        )


def test_only_hr_officers_issue_orders(org: Organisation) -> None:
    with pytest.raises(PermissionRefusedError):
        do_issue_order(
            _acting(org, "welfare"),
            org.records["welfare"],
            OrderDraft(kind=OrderKind.RETIREMENT, effective_on=timezone.localdate()),
        )


def test_on_leave_the_officer_cannot_act_and_a_return_gives_the_post_back(
    org: Organisation,
) -> None:
    hr, head = _acting(org, "district-hr"), _acting(org, "district-head")
    record = org.records["welfare"]
    today = timezone.localdate()
    leave = do_issue_order(
        hr, record, OrderDraft(kind=OrderKind.LEAVE, effective_on=today + timedelta(days=1))
    )
    do_approve_order(head, leave.pk)
    assert not _acting(org, "welfare", days=1).is_officer
    with pytest.raises(ValidationFailedError, match="already on leave"):
        do_issue_order(
            hr, record, OrderDraft(kind=OrderKind.LEAVE, effective_on=today + timedelta(days=9))
        )
    back = do_issue_order(
        hr, record, OrderDraft(kind=OrderKind.RETURN, effective_on=today + timedelta(days=30))
    )
    do_approve_order(head, back.pk)
    assert not _acting(org, "welfare", days=29).is_officer
    returned = _acting(org, "welfare", days=30)
    assert returned.is_officer
    assert returned.agency == org.district
    assert [a.on_leave for a in record.appointments.order_by("starts_on")] == [False, True, False]


def test_an_experienced_hire_moves_to_another_agency_only_after_5_years(
    org: Organisation,
) -> None:
    record = org.records["welfare"]
    record.entry = "experienced"
    record.entered_on = timezone.localdate() - timedelta(days=4 * 365)
    record.save(update_fields=["entry", "entered_on"])
    with pytest.raises(TenureRuleBrokenError) as refused:
        _transfer(org)
    assert [rule.id for rule in refused.value.rules] == [
        "no_transfer_between_ministries_experienced_hires"
    ]
    within = do_issue_order(  # a move inside the agency is no move to another ministry
        _acting(org, "district-hr"),
        record,
        OrderDraft(
            kind=OrderKind.TRANSFER,
            position=org.positions["district-welfare-2"],
            effective_on=timezone.localdate() + timedelta(days=1),
        ),
    )
    assert within.exception_rules == []


def test_a_retired_officer_loses_their_saemaul_jurisdiction(org: Organisation) -> None:
    from gov3.saemaul.models import SaemaulLevel  # noqa: PLC0415
    from gov3.saemaul.services.villages import RoleScope, do_assign_role  # noqa: PLC0415
    from gov3.saemaul.web_access import jurisdiction_of  # noqa: PLC0415

    do_assign_role(
        "test", _acting(org, "welfare"), level=SaemaulLevel.CENTRAL, scope=RoleScope(country="kr")
    )
    order = do_issue_order(
        _acting(org, "district-hr"),
        org.records["welfare"],
        OrderDraft(kind=OrderKind.RETIREMENT, effective_on=timezone.localdate() + timedelta(1)),
    )
    do_approve_order(_acting(org, "district-head"), order.pk)
    for days, acts in ((0, True), (1, False)):
        officer = _acting(org, "welfare", days=days)
        officer.is_verified = lambda: True  # type: ignore[attr-defined]  # signed in with TOTP
        assert (jurisdiction_of(officer) is not None) is acts


def test_a_secondment_gives_the_host_agency_until_the_home_agency_recalls(
    org: Organisation,
) -> None:
    hr, head = _acting(org, "district-hr"), _acting(org, "district-head")
    record = org.records["welfare"]
    today = timezone.localdate()
    out = do_issue_order(  # no tenure rule: a secondment is no transfer
        hr,
        record,
        OrderDraft(
            kind=OrderKind.SECONDMENT,
            position=org.positions["city-welfare"],
            effective_on=today + timedelta(days=1),
        ),
    )
    do_approve_order(head, out.pk)
    assert _acting(org, "welfare", days=1).agency == org.city
    back = do_issue_order(
        hr, record, OrderDraft(kind=OrderKind.RETURN, effective_on=today + timedelta(days=60))
    )
    do_approve_order(head, back.pk)
    assert _acting(org, "welfare", days=59).agency == org.city
    assert _acting(org, "welfare", days=60).agency == org.district
    posts = [a.position.code for a in record.appointments.order_by("starts_on")]
    assert posts == ["d-welfare", "c-welfare", "d-welfare"]
