"""The Senior Civil Service's five-grade scale (매우우수 / 우수 / 보통 / 미흡 / 매우미흡; the top
grade for at most 20 %, more than 10 % in the two lowest: ../shared/DOMAIN.md §5) read from
the pack's `scs` track: the quota at its boundaries, live on the rater's sheet and enforced
when the unit is locked; grades 5 and below keep S/A/B/C."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.catalogue.packs.evaluation import EvaluationRules
from gov3.core.errors import ValidationFailedError
from gov3.personnel import evaluation
from gov3.personnel.models import EntryTrack, EvaluationPeriod, Rating, StaffRecord, Unit
from gov3.personnel.pack import load
from gov3.personnel.services import (
    do_create_position,
    do_create_staff_record,
    do_create_unit,
    do_load_appointment,
)
from tests.conftest import ACTOR, PASSWORD, make_person
from tests.personnel.conftest import Organisation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db

SCALE = ("outstanding", "excellent", "average", "poor", "very_poor")


def _rules() -> EvaluationRules:
    rules = load(str(settings.GOV3_COUNTRIES_DIR), "kr").evaluation_on(date(2026, 6, 30))
    assert rules is not None
    return rules


@pytest.mark.parametrize(
    ("size", "counts", "broken"),
    [
        # 10 SCS: at most 2 outstanding (20 %), at least 2 poor or very poor (more than 10 %).
        (10, (2, 4, 2, 1, 1), []),
        (10, (3, 3, 2, 1, 1), [(("outstanding",), 3, 2, False)]),
        (10, (2, 5, 2, 1, 0), [(("poor", "very_poor"), 1, 2, True)]),
        # 9: 1.8 rounds to 2 outstanding; more than 0.9 means at least 1 in the lowest two.
        (9, (2, 5, 1, 0, 1), []),
        (9, (2, 6, 1, 0, 0), [(("poor", "very_poor"), 0, 1, True)]),
        # 5: 1 outstanding; 0.5 -> at least 1 in the lowest two.
        (5, (1, 2, 1, 1, 0), []),
        (5, (2, 1, 1, 1, 0), [(("outstanding",), 2, 1, False)]),
        # 20: 4 outstanding; exactly 10 % (2) is not more than 10 %: 3 needed.
        (20, (4, 8, 6, 2, 0), [(("poor", "very_poor"), 2, 3, True)]),
        (20, (4, 8, 5, 2, 1), []),
    ],
)
def test_the_scs_quota_at_its_boundaries(
    size: int, counts: tuple[int, ...], broken: list[tuple[tuple[str, ...], int, int, bool]]
) -> None:
    rules = _rules()
    scs = rules.quotas["scs"]
    given = dict(zip(SCALE, counts, strict=True))
    assert sum(counts) == size
    found = rules.breaches(scs, given)
    assert [(b.ratings, b.count, b.limit, b.minimum) for b in found] == broken


def test_grades_5_and_below_keep_s_a_b_c_and_their_bonus() -> None:
    rules = _rules()
    general = rules.quota_for("G7")
    assert general.ratings == ("S", "A", "B", "C")
    assert rules.allowed(general, 10) == {"S": 2, "A": 4, "B": 3, "C": 1}
    assert [general.bonus_permille[r] for r in "SABC"] == [1725, 1250, 850, 0]
    assert rules.ratings_for("SCS") == SCALE


def _scs_bureau(org: Organisation, size: int) -> tuple[User, list[StaffRecord], Unit]:
    """A bureau of the district under a grade-3 director general, with `size` SCS posts (as a
    ministry's office of planning would have)."""
    top = org.positions["district-hr"].unit.parent
    bureau = do_create_unit(
        ACTOR,
        agency=org.district,
        parent=top,
        code="d-planning",
        name_local="기획조정실",
        name_en="Office of Planning",
        authorised_headcount=size + 1,
        opened_on=date(2015, 1, 1),
    )
    start = timezone.localdate() - timedelta(days=300)
    head_post = do_create_position(
        ACTOR,
        unit=bureau,
        code="d-planning-head",
        title_local="기획조정실장",
        title_en="Director General for Planning",
        grade_high="SCS",
        grade_low="SCS",
        job_series="administration",
        gov3_role="auditor",
        is_head=True,
    )
    head, _device = do_create_officer_account(
        ACTOR,
        username="planning-head",
        password=PASSWORD,
        agency=org.district,
        role=OfficerRole.AUDITOR,
    )
    head_record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local="서실장", name_latin="SEO SILJANG"),
        employee_number="E7000",
        country="kr",
        entry=EntryTrack.EXPERIENCED,
        entered_on=date(1998, 3, 1),
        account=head,
    )
    do_load_appointment(
        ACTOR, record=head_record, position=head_post, grade="SCS", step=1, starts_on=start
    )
    staff = []
    for n in range(size):
        post = do_create_position(
            ACTOR,
            unit=bureau,
            code=f"d-planning-{n}",
            title_local="정책관",
            title_en="Policy director",
            grade_high="SCS",
            grade_low="SCS",
            job_series="administration",
        )
        record = do_create_staff_record(
            ACTOR,
            person=make_person(name_local=f"고위{n}", name_latin=f"SCS {n}"),
            employee_number=f"E71{n:02d}",
            country="kr",
            entry=EntryTrack.EXPERIENCED,
            entered_on=date(2000, 3, 1),
        )
        do_load_appointment(
            ACTOR, record=record, position=post, grade="SCS", step=1, starts_on=start
        )
        staff.append(record)
    return head, staff, bureau


def test_the_scs_scale_is_live_on_the_sheet_and_enforced_at_locking(org: Organisation) -> None:
    head, staff, bureau = _scs_bureau(org, 10)
    today = timezone.localdate()
    period = evaluation.do_open_period(
        org.accounts["district-hr"][0],
        kind="agreement",
        year=today.year,
        half=0,
        reference_day=today,
    )
    assert isinstance(period, EvaluationPeriod)
    # S/A/B/C is not the SCS's scale.
    with pytest.raises(ValidationFailedError, match="Unknown rating 'S' for SCS"):
        evaluation.do_rate(head, period.pk, staff[0].pk, "S")
    for record, rating in zip(
        staff,
        ["outstanding"] * 3 + ["excellent"] * 5 + ["average"] * 2,
        strict=True,
    ):
        evaluation.do_rate(head, period.pk, record.pk, rating)
    client = _signed_in((head, TOTPDevice.objects.get(user=head)))
    page = client.get(reverse("personnel:rating_sheet", args=[period.pk])).content.decode()
    assert "Senior Civil Service" in page
    assert "Outstanding: 3 given, at most 2 allowed: 1 over" in page  # live, while rating
    assert "Poor+Very poor: 0 given, at least 2 needed: 2 short" in page
    assert '<option value="very_poor">Very poor</option>' in page
    with pytest.raises(evaluation.QuotaExceededError) as refused:
        evaluation.do_lock_unit(head, period.pk)
    assert [(b.ratings, b.over) for b in refused.value.breaches] == [
        (("outstanding",), 1),
        (("poor", "very_poor"), 2),
    ]
    # At the boundaries: 2 outstanding (20 %) and 2 in the lowest two (more than 10 %).
    evaluation.do_rate(head, period.pk, staff[0].pk, "excellent")
    evaluation.do_rate(head, period.pk, staff[8].pk, "poor")
    evaluation.do_rate(head, period.pk, staff[9].pk, "very_poor")
    evaluation.do_lock_unit(head, period.pk)
    assert Rating.objects.filter(period=period, unit=bureau, rating="very_poor").count() == 1
    korean = client.get(
        reverse("personnel:rating_sheet", args=[period.pk]), headers={"accept-language": "ko"}
    )
    assert "매우미흡" in korean.content.decode()
