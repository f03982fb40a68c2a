"""Rating the heads of units themselves: a head is rated by the head of the unit above (the
nearest one holding the post), a head with nobody above by the agency's evaluation committee;
nobody rates their own evaluation (a clear refusal naming who rates them); the rater's page
says who rates whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from gov3.accounts.models import OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.personnel import evaluation
from gov3.personnel.models import EntryTrack, EvaluationPeriod, Rating
from gov3.personnel.services import do_create_position, do_create_staff_record, do_load_appointment
from tests.conftest import ACTOR, PASSWORD, make_person
from tests.personnel.conftest import Evaluation, Organisation, build_evaluation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ev(org: Organisation) -> Evaluation:
    return build_evaluation(org)


def _agreement(org: Organisation) -> EvaluationPeriod:
    """A yearly performance-agreement period (SCS, grades 3 and 4): the heads' grades."""
    today = timezone.localdate()
    return evaluation.do_open_period(
        org.accounts["district-hr"][0],
        kind="agreement",
        year=today.year,
        half=0,
        reference_day=today,
    )


def _top_head(org: Organisation) -> User:
    """A director general heading the district's top unit (grade 3)."""
    top = org.positions["district-hr"].unit.parent
    assert top is not None
    post = do_create_position(
        ACTOR,
        unit=top,
        code="d-top-head",
        title_local="부구청장",
        title_en="Deputy Mayor",
        grade_high="G3",
        grade_low="G3",
        job_series="administration",
        gov3_role="auditor",
        is_head=True,
    )
    account = do_create_officer_account(
        ACTOR,
        username="deputy",
        password=PASSWORD,
        agency=org.district,
        role=OfficerRole.AUDITOR,
    )
    record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local="강부청", name_latin="KANG BUCHEONG"),
        employee_number="E9000",
        country="kr",
        entry=EntryTrack.EXPERIENCED,
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
    return account[0]


def test_the_heads_of_units_are_rated_by_the_head_above_and_never_by_themselves(
    org: Organisation, ev: Evaluation
) -> None:
    deputy = _top_head(org)
    period = _agreement(org)
    welfare_head, hr_head = ev.head[0], org.accounts["district-head"][0]
    top = org.positions["district-hr"].unit.parent
    assert top is not None
    # The head of the top unit rates the two division heads (grade 4) on their sheet.
    rated = {a.record.employee_number for a in evaluation.ratees(period, top)}
    assert rated == {"E2000", org.records["district-head"].employee_number}
    # A head trying to rate their own evaluation is refused, and told who rates them.
    with (
        translation.override("en"),
        pytest.raises(PermissionRefusedError, match="cannot rate your own evaluation") as refused,
    ):
        evaluation.do_rate(welfare_head, period.pk, _record(welfare_head), "S")
    assert "rated by the head of 종로구청, 강부청" in str(refused.value)
    # Nor does their own sheet hold them; the head above rates them.
    assert _record(welfare_head) not in {
        a.record_id for a in evaluation.ratees(period, org.positions["district-welfare"].unit)
    }
    evaluation.do_rate(deputy, period.pk, _record(welfare_head), "A")
    evaluation.do_rate(deputy, period.pk, _record(hr_head), "B")
    given = Rating.objects.get(period=period, record_id=_record(welfare_head))
    assert given.unit == top  # counts in the rater's unit's distribution
    (dist,) = evaluation.unit_distribution(period, top)
    assert (dist.head_count, dist.rated) == (2, 2)
    evaluation.do_lock_unit(deputy, period.pk)
    # The head of the top unit has nobody above: the committee rates them, not themselves.
    assert [a.record.employee_number for a in evaluation.committee_heads(period)] == ["E9000"]
    with pytest.raises(PermissionRefusedError):
        evaluation.do_rate(deputy, period.pk, _record(deputy), "S")
    with pytest.raises(NotFoundError):  # not a committee member
        evaluation.do_rate_head(welfare_head, period.pk, _record(deputy), "S")
    with (
        translation.override("en"),
        pytest.raises(
            ValidationFailedError, match="Heads the committee rates, not rated yet: E9000"
        ),
    ):
        evaluation.do_confirm_period(hr_head, period.pk)
    evaluation.do_rate_head(org.accounts["district-hr"][0], period.pk, _record(deputy), "A")
    audit = AuditEntry.objects.filter(action="personnel.rated").order_by("pk").last()
    assert audit is not None
    assert audit.data["by"] == "committee"
    # Every unit with someone to rate is locked and the committee's heads are rated.
    assert evaluation.do_confirm_period(hr_head, period.pk).status == "confirmed"


def _record(user: User) -> int:
    record_id = evaluation.own_record_id(user)
    assert record_id is not None
    return record_id


def test_with_nobody_above_the_committee_rates_the_heads_and_not_itself(
    org: Organisation, ev: Evaluation
) -> None:
    period = _agreement(org)  # the district's top unit has no head
    welfare_head, hr_head = ev.head[0], org.accounts["district-head"][0]
    names = {a.record.employee_number for a in evaluation.committee_heads(period)}
    assert names == {"E2000", org.records["district-head"].employee_number}
    # The head of HR sits on the committee but does not rate themselves.
    with (
        translation.override("en"),
        pytest.raises(PermissionRefusedError, match="rated by the agency's evaluation committee"),
    ):
        evaluation.do_rate_head(hr_head, period.pk, _record(hr_head), "S")
    evaluation.do_rate_head(hr_head, period.pk, _record(welfare_head), "A")
    assert not Rating.objects.filter(record_id=_record(hr_head)).exists()
    # The committee's page lists them with a form; a POST rates one.
    hr = _signed_in(org.accounts["district-hr"])
    url = reverse("personnel:calibration", args=[period.pk])
    page = hr.get(url).content.decode()
    assert "Heads rated by the committee" in page
    assert "오과장" in page
    answer = hr.post(url, {"action": "rate_head", "record": _record(hr_head), "rating": "B"})
    assert answer.status_code == 302
    assert Rating.objects.get(record_id=_record(hr_head)).rating == "B"
    # The HR officer rating themselves on the page: refused, nothing changed.
    refused = hr.post(
        url, {"action": "rate_head", "record": org.records["district-hr"].pk, "rating": "S"}
    )
    assert refused.status_code == 400
    assert "cannot rate your own evaluation" in refused.content.decode()


def test_the_raters_page_says_who_rates_whom(org: Organisation, ev: Evaluation) -> None:
    client = _signed_in(ev.head)
    url = reverse("personnel:rating_sheet", args=[ev.period.pk])
    text = client.get(url).content.decode()
    assert "Who rates whom" in text
    assert "rated by the agency&#x27;s evaluation committee" in text
    _top_head(org)
    text = client.get(url).content.decode()
    assert "you are rated by the head of 종로구청, 강부청" in text


def test_the_committees_heads_count_agency_wide_within_the_quota(
    org: Organisation, ev: Evaluation
) -> None:
    """Two division heads (grade 4) with nobody above: one group of 2 against the general
    quota (half up: S at most 0, S+A at most 1), shown live and enforced at confirmation."""
    period = _agreement(org)
    hr, hr_head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    welfare_head = ev.head[0]
    evaluation.do_rate_head(hr, period.pk, _record(welfare_head), "A")
    (live,) = evaluation.committee_distribution(period)
    assert live.unit is None
    assert (live.head_count, live.rated, live.allowed["S"], live.allowed["A"]) == (2, 1, 0, 1)
    assert live.breaches == []
    # Both rated A: one over the limit of S+A, shown live on the calibration page.
    evaluation.do_rate_head(hr, period.pk, _record(hr_head), "A")
    (live,) = evaluation.committee_distribution(period)
    assert [(b.ratings, b.count, b.limit, b.over) for b in live.breaches] == [(("S", "A"), 2, 1, 1)]
    client = _signed_in(org.accounts["district-hr"])
    url = reverse("personnel:calibration", args=[period.pk])
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Heads rated by the committee (agency-wide)" in page
    assert "Over the quota:" in page
    # Confirming is refused, saying by how much; nothing changes.
    with translation.override("en"), pytest.raises(evaluation.QuotaExceededError) as refused:
        evaluation.do_confirm_period(hr_head, period.pk)
    assert "the heads rated by the committee" in str(refused.value)
    assert "2 given, at most 1 allowed (1 over)" in str(refused.value)
    answer = _signed_in(org.accounts["district-head"]).post(url, {"action": "confirm"})
    assert answer.status_code == 400
    assert "heads rated by the committee are over the quota" in answer.content.decode()
    period.refresh_from_db()
    assert period.status == "open"
    # At the limit (one A, one B): within the quota, the period is confirmed.
    evaluation.do_rate_head(hr, period.pk, _record(hr_head), "B")
    (live,) = evaluation.committee_distribution(period)
    assert live.breaches == []
    assert evaluation.do_confirm_period(hr_head, period.pk).status == "confirmed"
