"""The reporting chain: village → eup/myeon → county → province → central. Each level approves
the report below; an approved period is locked and a later edit is refused with a message."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gov3.core.errors import StaleVersionError, ValidationFailedError
from gov3.registry.models import Area
from gov3.saemaul.errors import LockedError
from gov3.saemaul.models import Report, Village, VillageFundEntry
from gov3.saemaul.queries import child_reports
from gov3.saemaul.services import (
    ResolutionInput,
    do_approve_report,
    do_edit_report,
    do_prepare_report,
    do_record_assembly,
    do_record_fund_entry,
    do_return_report,
    do_submit_report,
)
from tests.saemaul.conftest import ACTOR, make_village


def _last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def _approved_village_report(village: Village, month: date) -> Report:
    report = do_prepare_report("leader", year=month.year, month=month.month, village=village)
    report = do_submit_report("leader", report, expected_version=report.version)
    return do_approve_report("myeon-officer", report, expected_version=report.version)


@pytest.mark.django_db
def test_a_village_report_counts_the_months_records(village: Village) -> None:
    month = _last_month()
    do_record_assembly(
        ACTOR,
        village,
        held_on=month + timedelta(days=4),
        eligible_members=40,
        attended_men=12,
        attended_women=11,
        resolutions=[ResolutionInput("안길 포장", votes_for=20)],
    )
    do_record_fund_entry(ACTOR, village, kind="contribution", amount_krw=50_000, on=month)
    do_record_fund_entry(ACTOR, village, kind="expense", amount_krw=20_000, on=month, note="모래")
    report = do_prepare_report("leader", year=month.year, month=month.month, village=village)
    assert report.figures == {
        "assemblies": 1,
        "attended_men": 12,
        "attended_women": 11,
        "resolutions_adopted": 1,
        "projects_submitted": 0,
        "projects_approved": 0,
        "projects_completed": 0,
        "photos": 0,
        "photos_flagged": 0,
        "fund_in_krw": 50_000,
        "fund_out_krw": 20_000,
        "fund_balance_krw": 30_000,
    }
    assert (report.level, report.status, report.period) == ("village", "draft", f"{month:%Y-%m}")


@pytest.mark.django_db
def test_an_approved_period_is_locked_and_a_later_edit_is_refused(village: Village) -> None:
    month = _last_month()
    report = _approved_village_report(village, month)
    assert report.locked
    assert report.reviewed_by == "myeon-officer"

    with pytest.raises(LockedError, match=r"was approved by myeon-officer on .* and is locked"):
        do_edit_report("leader", report, expected_version=report.version, narrative="고침")
    with pytest.raises(LockedError, match="is locked"):
        do_prepare_report("leader", year=month.year, month=month.month, village=village)
    with pytest.raises(LockedError, match="is locked"):
        do_return_report("county", report, expected_version=report.version, reason="다시")
    report.refresh_from_db()
    assert (report.status, report.narrative) == ("approved", "")

    # The month's own records are locked as well.
    with pytest.raises(LockedError, match="that month is locked"):
        do_record_fund_entry(ACTOR, village, kind="contribution", amount_krw=1, on=month)
    with pytest.raises(LockedError, match="that month is locked"):
        do_record_assembly(
            ACTOR, village, held_on=month, eligible_members=10, attended_men=3, attended_women=3
        )
    assert not VillageFundEntry.objects.exists()
    # This month is still open.
    do_record_fund_entry(ACTOR, village, kind="contribution", amount_krw=1, on=timezone.localdate())


@pytest.mark.django_db
def test_a_returned_report_is_corrected_and_approved(village: Village) -> None:
    month = _last_month()
    report = do_prepare_report("leader", year=month.year, month=month.month, village=village)
    report = do_submit_report("leader", report, expected_version=report.version)
    with pytest.raises(ValidationFailedError, match="being reviewed"):
        do_prepare_report("leader", year=month.year, month=month.month, village=village)
    report = do_return_report(
        "myeon-officer", report, expected_version=report.version, reason="총회 참석자를 적으세요"
    )
    assert (report.status, report.return_reason) == ("returned", "총회 참석자를 적으세요")
    stale = report.version
    report = do_edit_report(
        "leader", report, expected_version=report.version, narrative="참석 23명"
    )
    with pytest.raises(StaleVersionError):
        do_edit_report("leader", report, expected_version=stale, narrative="옛 판")
    report = do_submit_report("leader", report, expected_version=report.version)
    report = do_approve_report("myeon-officer", report, expected_version=report.version)
    assert (report.status, report.narrative) == ("approved", "참석 23명")


@pytest.mark.django_db
def test_each_level_adds_up_the_approved_reports_below_it(
    county: dict[str, Area], programme: None
) -> None:
    month = _last_month()
    hwasan, samsan = county["46820-03"], county["46820-02"]
    villages = [make_village(hwasan, f"46820-03-000{i}") for i in (1, 2)]
    villages.append(make_village(samsan, "46820-02-0001"))
    for v in villages:
        do_record_fund_entry(ACTOR, v, kind="contribution", amount_krw=10_000, on=month)
    _approved_village_report(villages[0], month)
    do_prepare_report("leader", year=month.year, month=month.month, village=villages[1])  # a draft

    myeon = do_prepare_report("myeon-officer", year=month.year, month=month.month, area=hwasan)
    assert myeon.level == "eup_myeon"
    assert myeon.figures["fund_in_krw"] == 10_000  # only the approved village report
    assert (myeon.figures["reports_expected"], myeon.figures["reports_approved"]) == (2, 1)
    assert child_reports(myeon).count() == 2
    myeon = do_submit_report("myeon-officer", myeon, expected_version=myeon.version)
    do_approve_report("county-officer", myeon, expected_version=myeon.version)

    county_report = do_prepare_report(
        "county-officer", year=month.year, month=month.month, area=county["46820"]
    )
    assert county_report.level == "county"
    assert county_report.figures["fund_in_krw"] == 10_000
    assert (
        county_report.figures["reports_expected"],
        county_report.figures["reports_approved"],
    ) == (2, 1)
    county_report = do_submit_report(
        "county-officer", county_report, expected_version=county_report.version
    )
    do_approve_report("province-officer", county_report, expected_version=county_report.version)

    province = do_prepare_report(
        "province-officer", year=month.year, month=month.month, area=county["46"]
    )
    assert province.level == "province"
    assert province.figures["fund_in_krw"] == 10_000
    province = do_submit_report("province-officer", province, expected_version=province.version)
    province = do_approve_report("central-manager", province, expected_version=province.version)
    assert province.locked


@pytest.mark.django_db
def test_reports_are_for_months_that_have_begun(village: Village) -> None:
    future = timezone.localdate().replace(day=1) + timedelta(days=40)
    with pytest.raises(ValidationFailedError, match="not begun"):
        do_prepare_report("leader", year=future.year, month=future.month, village=village)
    with pytest.raises(ValidationFailedError, match="numbered 1 to 12"):
        do_prepare_report("leader", year=2020, month=13, village=village)
    assert not Report.objects.exists()
