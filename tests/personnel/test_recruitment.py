"""Recruitment commands: eligibility from the register's facts (age, nationality,
disqualifications), applying once, stages and pass marks, the merit list with ties, and the
appointment through the order's approval chain with its probation; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gov3.catalogue.packs.recruitment import Stage
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.personnel import recruitment
from gov3.personnel.models import (
    Application,
    ApplicationStatus,
    Appointment,
    NoticeStatus,
    OrderKind,
    OrderStatus,
    StaffRecord,
    StageScore,
)
from gov3.personnel.services import do_approve_order
from gov3.registry.models import Person
from tests.conftest import ACTOR
from tests.personnel.conftest import Organisation
from tests.personnel.recruitment_fixtures import citizen, close_applications, open_notice

pytestmark = pytest.mark.django_db


def test_a_notice_takes_the_stages_and_pass_marks_of_the_pack(org: Organisation) -> None:
    notice = open_notice(org)
    assert notice.number.startswith(f"{org.district.code}-R")
    assert [s["id"] for s in notice.stages] == ["aptitude", "subjects", "interview"]
    assert [s["pass_mark"] for s in notice.stages] == [40, 40, 60]
    assert notice in recruitment.open_notices()


def test_only_an_hr_officer_opens_a_notice_and_bad_notices_are_refused(
    org: Organisation,
) -> None:
    today = timezone.localdate()
    fields = {
        "title": "t",
        "grade": "G9",
        "job_series": "administration",
        "posts": 1,
        "opens_on": today,
        "closes_on": today,
        "final_exam_on": today + timedelta(days=9),
    }
    with pytest.raises(PermissionRefusedError):
        recruitment.do_open_notice(org.accounts["welfare"][0], **fields)
    hr = org.accounts["district-hr"][0]
    for bad in (
        {"grade": "G10"},
        {"job_series": "astrology"},
        {"posts": 0},
        {"final_exam_on": today},
        {"grade": "SCS"},  # no exam stages in the pack
    ):
        with pytest.raises(ValidationFailedError):
            recruitment.do_open_notice(hr, **(fields | bad))
    assert not recruitment.agency_notices(hr).exists()


def test_eligibility_is_read_from_the_register(org: Organisation) -> None:
    notice = open_notice(org)
    exam_year = notice.final_exam_on.year
    adult = citizen("갑돌이")
    checks = recruitment.eligibility(notice, adult.person)
    assert all(c.met for c in checks)
    assert {c.condition.id for c in checks} == {
        "minimum_age_grade8_and_9",
        "below_retirement_age",
        "korean_nationality",
        "no_disqualification",
    }
    # 17 in the year of the final exam: too young for grade 9 (18).
    young = citizen("어린이", birth=date(exam_year - 17, 1, 1))
    failed = [c for c in recruitment.eligibility(notice, young.person) if not c.met]
    assert [c.condition.id for c in failed] == ["minimum_age_grade8_and_9"]
    assert ("age_in_year", "17") in failed[0].facts
    # 18 in the exam year, though 17 on the day notices open: eligible (exam age by year).
    just = citizen("열여덟", birth=date(exam_year - 18, 12, 31))
    assert all(c.met for c in recruitment.eligibility(notice, just.person))


def test_a_foreign_national_and_a_disqualified_person_are_refused_with_reasons(
    org: Organisation,
) -> None:
    notice = open_notice(org)
    foreign = citizen("외국인")
    Person.objects.filter(pk=foreign.person.pk).update(nationality="USA")
    with pytest.raises(recruitment.NotEligibleError) as refused:
        recruitment.do_apply(foreign, notice.pk)
    assert [c.condition.id for c in refused.value.failed] == ["korean_nationality"]
    assert "제26조의3" in str(refused.value)

    dismissed = citizen("파면자")
    today = timezone.localdate()
    recruitment.do_record_disqualification(
        ACTOR,
        person=dismissed.person,
        ground="dismissal",
        starts_on=today - timedelta(days=365),
        reference="징계위원회 의결 2025-12",
    )
    with pytest.raises(recruitment.NotEligibleError) as refused:
        recruitment.do_apply(dismissed, notice.pk)
    assert [c.condition.id for c in refused.value.failed] == ["no_disqualification"]
    assert not Application.objects.exists()

    # A dismissal 6 years ago has lapsed (5 years, 국가공무원법 제33조 제7호).
    lapsed = citizen("복권자")
    recruitment.do_record_disqualification(
        ACTOR,
        person=lapsed.person,
        ground="dismissal",
        starts_on=today - timedelta(days=6 * 366),
        reference="징계위원회 의결 2019",
    )
    assert recruitment.do_apply(lapsed, notice.pk).status == ApplicationStatus.APPLIED


def test_an_unknown_ground_of_disqualification_is_refused(org: Organisation) -> None:
    person = citizen("누구").person
    with pytest.raises(ValidationFailedError, match="Unknown ground"):
        recruitment.do_record_disqualification(
            ACTOR, person=person, ground="rudeness", starts_on=date(2025, 1, 1), reference="x"
        )


def test_one_application_a_notice(org: Organisation) -> None:
    notice = open_notice(org)
    applicant = citizen("갑돌이")
    first = recruitment.do_apply(applicant, notice.pk)
    assert first.number == f"{notice.number}-00001"
    with pytest.raises(ValidationFailedError, match="already applied"):
        recruitment.do_apply(applicant, notice.pk)
    assert Application.objects.count() == 1
    assert AuditEntry.objects.filter(action="personnel.applied").count() == 1


def test_no_application_after_the_closing_day_nor_by_an_officer(org: Organisation) -> None:
    notice = open_notice(org)
    close_applications(notice)
    with pytest.raises(NotFoundError):
        recruitment.do_apply(citizen("늦은이"), notice.pk)
    with pytest.raises(PermissionRefusedError):
        recruitment.do_apply(org.accounts["welfare"][0], notice.pk)


def _run(org: Organisation, notice_scores: dict[str, list[int]], posts: int = 2):  # type: ignore[no-untyped-def]
    """Apply with one citizen per key, then enter and close every stage with their scores."""
    notice = open_notice(org, posts=posts)
    hr = org.accounts["district-hr"][0]
    apps = {name: recruitment.do_apply(citizen(name), notice.pk) for name in notice_scores}
    close_applications(notice)
    for n, stage in enumerate(["aptitude", "subjects", "interview"]):
        for name, application in apps.items():
            application.refresh_from_db()
            if application.status == ApplicationStatus.APPLIED:
                recruitment.do_enter_score(hr, application.pk, stage, notice_scores[name][n])
        recruitment.do_close_stage(hr, notice.pk)
    notice.refresh_from_db()
    for application in apps.values():
        application.refresh_from_db()
    return notice, apps


def test_stages_drop_those_below_the_pass_mark_and_rank_the_rest(org: Organisation) -> None:
    notice, apps = _run(
        org,
        {
            "가": [80, 90, 70],
            "나": [39, 99, 99],  # below the aptitude pass mark (40)
            "다": [70, 85, 59],  # below the interview pass mark (60)
            "라": [60, 70, 90],
            "마": [50, 60, 80],
        },
    )
    assert notice.status == NoticeStatus.MERIT
    assert (apps["나"].status, apps["나"].dropped_at) == (ApplicationStatus.DROPPED, "aptitude")
    assert (apps["다"].status, apps["다"].dropped_at) == (ApplicationStatus.DROPPED, "interview")
    assert not StageScore.objects.filter(application=apps["나"], stage="subjects").exists()
    ranked = [(a.person.name_local, a.rank, a.status) for a in recruitment.merit_list(notice)]
    assert ranked == [
        ("가", 1, ApplicationStatus.SUCCESSFUL),
        ("라", 2, ApplicationStatus.SUCCESSFUL),
        ("마", 3, ApplicationStatus.NOT_SELECTED),
    ]


def test_merit_list_ties_follow_the_pack_order_and_all_tied_at_the_cut_pass(
    org: Organisation,
) -> None:
    # Totals are the subject tests (weight 1); ties go to the subjects, then interview, then
    # aptitude scores; equal on all: the same rank, and all tied at the last post pass.
    notice, _apps = _run(
        org,
        {
            "가": [50, 80, 70],
            "나": [90, 80, 75],  # same total as 가, better interview: before 가
            "다": [60, 70, 80],
            "라": [60, 70, 80],  # equal to 다 on everything
            "마": [99, 69, 99],
        },
        posts=3,
    )
    ranked = [(a.person.name_local, a.rank, a.status) for a in recruitment.merit_list(notice)]
    assert ranked == [
        ("나", 1, ApplicationStatus.SUCCESSFUL),
        ("가", 2, ApplicationStatus.SUCCESSFUL),
        ("다", 3, ApplicationStatus.SUCCESSFUL),
        ("라", 3, ApplicationStatus.SUCCESSFUL),  # tied at the cut: passes too
        ("마", 5, ApplicationStatus.NOT_SELECTED),
    ]


def test_merit_order_alone() -> None:
    stages = [
        Stage("aptitude", "aptitude", {"en": "a"}, 100, 40, 0),
        Stage("subjects", "subjects", {"en": "s"}, 100, 40, 1),
        Stage("interview", "interview", {"en": "i"}, 100, 60, 0),
    ]
    rows = [
        (1, {"aptitude": 70, "subjects": 80, "interview": 60}),
        (2, {"aptitude": 90, "subjects": 80, "interview": 60}),
        (3, {"aptitude": 90, "subjects": 80, "interview": 60}),
        (4, {"aptitude": 10, "subjects": 81, "interview": 60}),
    ]
    ranked = recruitment.merit_order(stages, ("subjects", "interview", "aptitude"), rows)
    assert [(r.application_id, r.rank, r.total) for r in ranked] == [
        (4, 1, 81),
        (2, 2, 80),
        (3, 2, 80),
        (1, 4, 80),
    ]


def test_bad_scores_change_nothing(org: Organisation) -> None:
    notice = open_notice(org)
    hr = org.accounts["district-hr"][0]
    application = recruitment.do_apply(citizen("가"), notice.pk)
    with pytest.raises(ValidationFailedError, match="Applications are open"):
        recruitment.do_enter_score(hr, application.pk, "aptitude", 50)
    close_applications(notice)
    for stage, score in (("aptitude", 101), ("aptitude", -1), ("interview", 50)):
        with pytest.raises(ValidationFailedError):
            recruitment.do_enter_score(hr, application.pk, stage, score)
    with pytest.raises(ValidationFailedError, match="no score"):
        recruitment.do_close_stage(hr, notice.pk)
    assert not StageScore.objects.exists()
    notice.refresh_from_db()
    assert notice.stages_closed == 0


def test_another_agencys_round_is_not_found(org: Organisation) -> None:
    notice = open_notice(org)
    application = recruitment.do_apply(citizen("가"), notice.pk)
    close_applications(notice)
    other = org.accounts["city-hr"][0]
    with pytest.raises(NotFoundError):
        recruitment.notice_for_hr(other, notice.pk)
    with pytest.raises(NotFoundError):
        recruitment.do_enter_score(other, application.pk, "aptitude", 50)
    with pytest.raises(NotFoundError):
        recruitment.do_close_stage(other, notice.pk)
    assert not StageScore.objects.exists()


def test_the_successful_are_appointed_by_order_with_probation(org: Organisation) -> None:
    notice, apps = _run(org, {"가": [80, 90, 70], "나": [60, 50, 90]}, posts=1)
    hr = org.accounts["district-hr"][0]
    position = org.positions["district-welfare-2"]
    assert position in recruitment.vacant_positions(notice, timezone.localdate())
    # Not successful: refused.
    with pytest.raises(ValidationFailedError):
        recruitment.do_appoint(hr, apps["나"].pk, position, timezone.localdate())
    # A position of another agency: refused, no record opened.
    with pytest.raises(ValidationFailedError):
        recruitment.do_appoint(
            hr, apps["가"].pk, org.positions["city-welfare-2"], timezone.localdate()
        )
    assert not StaffRecord.objects.filter(person=apps["가"].person).exists()

    starts = timezone.localdate() + timedelta(days=10)
    order = recruitment.do_appoint(hr, apps["가"].pk, position, starts)
    assert (order.kind, order.status, order.grade, order.step) == (
        OrderKind.APPOINTMENT,
        OrderStatus.DRAFT,
        "G9",
        1,
    )
    apps["가"].refresh_from_db()
    assert apps["가"].status == ApplicationStatus.APPOINTED
    assert apps["가"].probation_ends_on == recruitment.add_months(starts, 6) - timedelta(days=1)
    record = StaffRecord.objects.get(person=apps["가"].person)
    assert record.entry == "grade9_exam"
    assert recruitment.probation_of(record) == apps["가"]
    # The approval chain applies: the head of HR approves; the appointment follows.
    approved = do_approve_order(org.accounts["district-head"][0], order.pk)
    assert approved.status == OrderStatus.APPROVED
    post = Appointment.objects.get(record=record)
    assert (post.position, post.grade, post.starts_on) == (position, "G9", starts)
    with pytest.raises(ValidationFailedError):
        recruitment.do_appoint(hr, apps["가"].pk, position, starts)


def test_add_months_keeps_the_month_end() -> None:
    assert recruitment.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert recruitment.add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)
