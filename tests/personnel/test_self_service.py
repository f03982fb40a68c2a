"""Self-service leave and overtime (issue 18 item 9): balances from the pack, the two-level
approval chain (the head of the unit, then the head of the unit above), nobody decides their
own request, another person's request by id is "not found" and nothing is logged, bad input
changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from gov3.accounts.models import OfficerRole
from gov3.accounts.services import do_create_officer_account
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.notifications.models import Notification
from gov3.personnel import self_service
from gov3.personnel.models import EntryTrack
from gov3.personnel.self_service_models import RequestStatus, StaffRequest
from gov3.personnel.services import do_create_position, do_create_staff_record, do_load_appointment
from tests.conftest import ACTOR, PASSWORD, make_person
from tests.personnel.conftest import Evaluation, Organisation, build_evaluation

pytestmark = pytest.mark.django_db


def add_director(org: Organisation) -> tuple[Any, Any]:
    """The head of the district's top unit (the level above the divisions)."""
    top = org.positions["district-welfare"].unit.parent
    post = do_create_position(
        ACTOR,
        unit=top,
        code="d-top-head",
        title_local="국장",
        title_en="Director",
        grade_high="G3",
        grade_low="G4",
        job_series="administration",
        gov3_role=OfficerRole.WELFARE_OFFICER,
        is_head=True,
    )
    account = do_create_officer_account(
        ACTOR, username="director", password=PASSWORD, agency=org.district, role="welfare_officer"
    )
    record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local="김국장", name_latin="KIM GUKJANG"),
        employee_number="E9000",
        country="kr",
        entry=EntryTrack.GRADE5_EXAM,
        entered_on=date(2000, 3, 1),
        account=account[0],
    )
    do_load_appointment(
        ACTOR,
        record=record,
        position=post,
        grade="G3",
        step=1,
        starts_on=timezone.localdate() - timedelta(days=300),
    )
    return account


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def chain(org: Organisation) -> tuple[Organisation, Evaluation, Any]:
    return org, build_evaluation(org), add_director(org)


def test_leave_goes_up_two_levels_and_the_requester_sees_it(chain: Any) -> None:
    org, ev, director = chain
    welfare = org.accounts["welfare"][0]
    monday = next_monday()
    if monday.year != (monday + timedelta(days=4)).year:
        monday += timedelta(days=7)
    request = self_service.do_request_leave(
        welfare, leave_kind="annual", starts_on=monday, ends_on=monday + timedelta(days=6)
    )
    assert request.days == 5  # Monday to Friday; the weekend is not leave
    assert request.waiting_for.code == "d-welfare-head"
    annual = next(b for b in self_service.balances(org.records["welfare"], monday.year))
    assert (annual.entitlement, annual.waiting, annual.left) == (21, 5, 16)  # 16 years served

    # The director is the second level: nothing waits for them yet.
    assert self_service.waiting_for_me(director[0]) == []
    with pytest.raises(NotFoundError):
        self_service.do_decide(director[0], request.pk, approve=True)

    head = ev.head[0]
    assert [r.pk for r in self_service.waiting_for_me(head)] == [request.pk]
    assert AccessLogEntry.objects.filter(
        actor_label="welfare-head", subject_id=org.people["welfare"].pk
    ).exists()
    request = self_service.do_decide(head, request.pk, approve=True)
    assert request.status == RequestStatus.REQUESTED
    assert request.waiting_for.code == "d-top-head"
    request = self_service.do_decide(director[0], request.pk, approve=True, note="Enjoy")
    assert request.status == RequestStatus.APPROVED
    assert [d.position.code for d in request.decisions.all()] == ["d-welfare-head", "d-top-head"]
    assert Notification.objects.filter(person=org.people["welfare"]).count() == 1
    assert AuditEntry.objects.filter(action="personnel.request_decided").count() == 2
    mine = list(self_service.my_requests(welfare))
    assert [(r.pk, r.status) for r in mine] == [(request.pk, RequestStatus.APPROVED)]
    annual = self_service.balances(org.records["welfare"], monday.year)[0]
    assert (annual.approved, annual.waiting, annual.left) == (5, 0, 16)
    # Approved leave not yet started may still be cancelled; the days come back.
    self_service.do_cancel(welfare, request.pk)
    assert self_service.balances(org.records["welfare"], monday.year)[0].left == 21


def test_nobody_decides_their_own_request(chain: Any) -> None:
    _, ev, director = chain
    head = ev.head[0]
    monday = next_monday()
    own = self_service.do_request_leave(head, leave_kind="sick", starts_on=monday, ends_on=monday)
    # The head's own post is skipped: the director alone approves it.
    assert own.chain == [own.waiting_for_id]
    assert own.waiting_for.code == "d-top-head"
    with pytest.raises(PermissionRefusedError, match="own request"):
        self_service.do_decide(head, own.pk, approve=True)
    assert StaffRequest.objects.get(pk=own.pk).status == RequestStatus.REQUESTED
    refused = self_service.do_decide(director[0], own.pk, approve=False, note="Busy week")
    assert refused.status == RequestStatus.REFUSED


def test_another_persons_request_by_id_is_not_found_and_not_logged(chain: Any) -> None:
    org, _, _ = chain
    monday = next_monday()
    request = self_service.do_request_overtime(org.accounts["welfare"][0], day=monday, hours=3)
    logged = AccessLogEntry.objects.count()
    for someone in (org.accounts["city-head"][0], org.accounts["district-hr"][0]):
        with pytest.raises(NotFoundError):
            self_service.do_decide(someone, request.pk, approve=True)
        with pytest.raises(NotFoundError):
            self_service.do_cancel(someone, request.pk)
        assert self_service.waiting_for_me(someone) == []
    # The head of HR heads another division: not in the welfare officer's chain.
    with pytest.raises(NotFoundError):
        self_service.do_decide(org.accounts["district-head"][0], request.pk, approve=True)
    assert AccessLogEntry.objects.count() == logged
    assert StaffRequest.objects.get(pk=request.pk).status == RequestStatus.REQUESTED


def test_leave_beyond_the_balance_and_bad_input_are_refused(chain: Any) -> None:
    org, _, _ = chain
    welfare = org.accounts["welfare"][0]
    today = timezone.localdate()
    bad: list[dict[str, Any]] = [
        {"leave_kind": "holiday", "starts_on": today, "ends_on": today},
        {"leave_kind": "annual", "starts_on": today, "ends_on": today - timedelta(days=1)},
        {
            "leave_kind": "annual",
            "starts_on": date(today.year, 12, 31),
            "ends_on": date(today.year + 1, 1, 2),
        },
        {"leave_kind": "annual", "starts_on": today - timedelta(days=60), "ends_on": today},
        {"leave_kind": "annual", "starts_on": today, "ends_on": today, "reason": "x" * 501},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationFailedError):
            self_service.do_request_leave(welfare, **kwargs)
    saturday = next_monday() - timedelta(days=2)
    with pytest.raises(ValidationFailedError, match="weekend"):
        self_service.do_request_leave(
            welfare, leave_kind="annual", starts_on=saturday, ends_on=saturday + timedelta(days=1)
        )
    # 22 working days of annual leave: one more than the 21 of 16 years' service.
    first = date(today.year + 1, 3, 2)
    last = first + timedelta(days=30)
    assert self_service.working_days(first, last) == 23
    with pytest.raises(ValidationFailedError, match="have 21 left"):
        self_service.do_request_leave(welfare, leave_kind="annual", starts_on=first, ends_on=last)
    assert not StaffRequest.objects.exists()
    with pytest.raises(ValidationFailedError, match="1 to 4 hours"):
        self_service.do_request_overtime(welfare, day=today, hours=5)
    with pytest.raises(ValidationFailedError, match="1 to 4 hours"):
        self_service.do_request_overtime(welfare, day=today, hours=0)
    assert not StaffRequest.objects.exists()


def test_overtime_within_the_monthly_limit(chain: Any) -> None:
    org, _, _ = chain
    welfare = org.accounts["welfare"][0]
    first = date(timezone.localdate().year + 1, 2, 1)
    for n in range(14):
        self_service.do_request_overtime(welfare, day=first + timedelta(days=n), hours=4)
    self_service.do_request_overtime(welfare, day=first + timedelta(days=14), hours=1)  # 57
    with pytest.raises(ValidationFailedError, match="limit of 57"):
        self_service.do_request_overtime(welfare, day=first + timedelta(days=15), hours=1)
    assert StaffRequest.objects.count() == 15


def test_someone_without_a_record_or_post_cannot_request(chain: Any, citizen: Any) -> None:
    with pytest.raises(NotFoundError):
        self_service.do_request_overtime(citizen, day=timezone.localdate(), hours=1)
    # The director heads the top unit: no head above them, so no one to approve.
    _, _, director = chain
    with pytest.raises(ValidationFailedError, match="No head above you"):
        self_service.do_request_overtime(director[0], day=timezone.localdate(), hours=1)


def test_the_pack_rules_are_checked() -> None:
    from gov3.catalogue.packs import personnel_service  # noqa: PLC0415

    good = personnel_service.load(str(settings.GOV3_COUNTRIES_DIR), "kr")
    assert good.open_positions_on(date(2026, 1, 1)).max_open(5) == 1  # type: ignore[union-attr]
    annual = good.leave_on(date(2026, 1, 1)).kind("annual")  # type: ignore[union-attr]
    assert annual is not None
    assert [annual.entitlement(y) for y in (0, 1, 5, 6, 30)] == [11, 12, 20, 21, 21]
    bad = (
        "open_positions:\n  - {valid_from: 2025-01-01, source: {title: x}, "
        "max_share_percent: 120, contract_years: {min: 2, max: 5}}\n"
    )
    with pytest.raises(personnel_service.ServicePackError, match="out of range"):
        personnel_service.parse(bad, "x.yaml")
    with pytest.raises(personnel_service.ServicePackError, match="source"):
        personnel_service.parse("leave:\n  - {valid_from: 2025-01-01, kinds: {}}\n", "x.yaml")
