"""Open positions (issue 18 item 8): at most 20 % of an agency's SCS posts designated (the
rule named when refused), the selection committee's chair and majority external, contracts
of 2 to 5 years, a citizen applies to a public posting and the selected candidate's
appointment order carries the contract's end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.personnel import open_positions as op
from gov3.personnel.models import Appointment, OrderKind, Position, PositionType
from gov3.personnel.open_position_models import CommitteeMember, OpenPosting, PostingStatus
from gov3.personnel.services import do_approve_order, do_create_position
from tests.conftest import ACTOR
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def scs_posts(org: Organisation, prefix: str = "d", agency_key: str = "district") -> list[Position]:
    top = org.positions[f"{agency_key}-hr"].unit.parent
    return [
        do_create_position(
            ACTOR,
            unit=top,
            code=f"{prefix}-scs-{n}",
            title_local=f"국장 {n}",
            title_en=f"Director-General {n}",
            grade_high="SCS",
            grade_low="SCS",
            job_series="administration",
            is_head=False,
        )
        for n in range(5)
    ]


def committee(*, chair_external: bool = True, external: int = 3) -> list[op.MemberDraft]:
    members = [
        op.MemberDraft(f"Member {n}", "Seoul National University", external=n < external)
        for n in range(5)
    ]
    chair = 0 if chair_external else 4
    members[chair] = op.MemberDraft("Chair", "Korea University", members[chair].external, True)
    return members


def draft(years: int = 3) -> op.PostingDraft:
    today = timezone.localdate()
    return op.PostingDraft(
        title="Director-General for Digital Government",
        duties="Lead the digital government bureau.",
        requirements="Ten years of experience.",
        opens_on=today,
        closes_on=today + timedelta(days=20),
        contract_years=years,
    )


def test_at_most_20_percent_of_scs_posts_are_open(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    posts = scs_posts(org)
    assert op.share(org.district) == op.Share(5, 0, 1, 20, op.rules_for("kr").share_legal_basis)
    op.do_designate_open_position(hr, posts[0].pk)
    with pytest.raises(op.OpenPositionRuleError, match=r"At most 20 % .* 5 senior .*제3조"):
        op.do_designate_open_position(hr, posts[1].pk)
    assert Position.objects.filter(position_type=PositionType.OPEN).count() == 1
    # Not an SCS post, another agency's post, someone not in HR: refused.
    with pytest.raises(NotFoundError):
        op.do_designate_open_position(hr, org.positions["district-welfare"].pk)
    with pytest.raises(NotFoundError):
        op.do_designate_open_position(org.accounts["city-hr"][0], posts[1].pk)
    with pytest.raises(PermissionRefusedError):
        op.do_designate_open_position(org.accounts["welfare"][0], posts[1].pk)
    assert AuditEntry.objects.filter(action="personnel.open_position_designated").count() == 1


def test_the_committee_chair_and_majority_are_external(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    post = op.do_designate_open_position(hr, scs_posts(org)[0].pk)
    posting = op.do_publish_posting(hr, post.pk, draft())
    with pytest.raises(op.OpenPositionRuleError, match="chair of the committee must be external"):
        op.do_form_committee(hr, posting.pk, committee(chair_external=False))
    with pytest.raises(op.OpenPositionRuleError, match="2 of 5 are"):
        op.do_form_committee(hr, posting.pk, committee(external=2))
    with pytest.raises(op.OpenPositionRuleError, match="at least 5 members"):
        op.do_form_committee(hr, posting.pk, committee()[:4])
    with pytest.raises(ValidationFailedError, match="exactly one chair"):
        op.do_form_committee(hr, posting.pk, [*committee()[1:], op.MemberDraft("X", "Y", True)])
    assert not CommitteeMember.objects.exists()
    made = op.do_form_committee(hr, posting.pk, committee())
    assert sum(m.external for m in made) == 3
    with pytest.raises(NotFoundError):
        op.do_form_committee(org.accounts["city-hr"][0], posting.pk, committee())


def test_contract_term_and_the_order_carries_its_end(org: Organisation, citizen: Any) -> None:
    hr = org.accounts["district-hr"][0]
    post = op.do_designate_open_position(hr, scs_posts(org)[0].pk)
    for years in (1, 6):
        with pytest.raises(op.OpenPositionRuleError, match="2 to 5 years"):
            op.do_publish_posting(hr, post.pk, draft(years))
    assert not OpenPosting.objects.exists()
    posting = op.do_publish_posting(hr, post.pk, draft(3))
    assert list(op.open_postings()) == [posting]
    application = op.do_apply(citizen, posting.pk, "I led a digital agency for ten years.")
    with pytest.raises(ValidationFailedError, match="already applied"):
        op.do_apply(citizen, posting.pk, "Again")
    with pytest.raises(ValidationFailedError):
        op.do_apply(citizen, posting.pk, "   ")
    start = timezone.localdate() + timedelta(days=30)
    # No committee yet: no selection.
    with pytest.raises(op.OpenPositionRuleError):
        op.do_select_candidate(hr, application.pk, starts_on=start)
    op.do_form_committee(hr, posting.pk, committee())
    with pytest.raises(op.OpenPositionRuleError, match="2 to 5 years, not 8"):
        op.do_select_candidate(hr, application.pk, starts_on=start, years=8)
    with pytest.raises(NotFoundError):
        op.do_select_candidate(org.accounts["city-hr"][0], application.pk, starts_on=start)
    logged = AccessLogEntry.objects.count()
    assert [a.pk for a in op.applications_for_hr(hr, posting.pk)] == [application.pk]
    assert AccessLogEntry.objects.count() == logged + 1
    contract = op.do_select_candidate(hr, application.pk, starts_on=start)
    assert contract.ends_on == date(start.year + 3, start.month, start.day) - timedelta(days=1)
    order = contract.order
    assert order.kind == OrderKind.APPOINTMENT
    assert order.record.person == citizen.person
    assert op.contract_of(order) == contract
    assert OpenPosting.objects.get(pk=posting.pk).status == PostingStatus.FILLED
    assert list(op.open_postings()) == []
    do_approve_order(org.accounts["district-head"][0], order.pk)
    held = Appointment.objects.get(record=order.record)
    assert (held.position, held.grade, held.starts_on) == (post, "SCS", start)


def test_bad_postings_are_refused(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    posts = scs_posts(org)
    with pytest.raises(NotFoundError):  # not designated open
        op.do_publish_posting(hr, posts[0].pk, draft())
    post = op.do_designate_open_position(hr, posts[0].pk)
    today = timezone.localdate()
    for bad in (
        op.PostingDraft("", "d", "", today, today, 3),
        op.PostingDraft("t", "d", "", today, today - timedelta(days=1), 3),
        op.PostingDraft("t", "d", "", today - timedelta(days=9), today - timedelta(days=2), 3),
    ):
        with pytest.raises(ValidationFailedError):
            op.do_publish_posting(hr, post.pk, bad)
    assert not OpenPosting.objects.exists()
