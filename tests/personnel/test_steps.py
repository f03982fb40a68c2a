"""Yearly step increases (issue 18 item 3): after the pack's year at a step each civil servant
moves up one step (a new appointment row, the old one kept), pay in exact integers, audited;
a second run on the same day changes nothing; the top step of the table is the last; the
command and the scheduled job do the same."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gov3.core.models import AuditEntry
from gov3.personnel.models import Appointment
from gov3.personnel.services import appointment_on, pack_for
from gov3.personnel.steps import add_months, do_advance_steps
from gov3.tasks.runner import kind_of
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def test_the_pack_rule_is_dated_with_its_source() -> None:
    rule = pack_for("kr").step_rule_on(date(2026, 1, 1))
    assert rule is not None
    assert rule.every_months == 12
    assert "(verify)" in rule.source_title
    assert pack_for("kr").step_rule_on(date(2024, 12, 31)) is None


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_steps_advance_once_a_year_audited_and_idempotent(org: Organisation) -> None:
    today = timezone.localdate()
    welfare = org.records["welfare"]
    rows = Appointment.objects.count()
    run = do_advance_steps(today)
    assert len(run.increases) == 5  # everyone has held step 3 for 4 years
    mine = next(i for i in run.increases if i.employee_number == welfare.employee_number)
    assert (mine.grade, mine.old_step, mine.new_step) == ("G7", 3, 4)
    assert (mine.old_pay, mine.new_pay) == (2389500, 2483600)
    now = appointment_on(welfare, today)
    assert now is not None
    assert (now.step, now.starts_on) == (4, today)
    before = appointment_on(welfare, today - timedelta(days=1))
    assert before is not None
    assert (before.step, before.ends_on) == (3, today - timedelta(days=1))
    assert Appointment.objects.count() == rows + 5
    audits = AuditEntry.objects.filter(action="personnel.step_increase")
    assert audits.count() == 5

    again = do_advance_steps(today)
    assert again.increases == []
    assert Appointment.objects.count() == rows + 5
    assert audits.count() == 5

    assert do_advance_steps(today + timedelta(days=200)).increases == []
    later = add_months(today, 12)
    assert len(do_advance_steps(later).increases) == 5  # step 5, the top of the table
    top = do_advance_steps(add_months(today, 24))
    assert (top.increases, top.at_top) == ([], 5)


def test_the_command_reports_and_refuses_a_bad_date(org: Organisation) -> None:
    out = StringIO()
    call_command("personnel", "steps", "--on", timezone.localdate().isoformat(), stdout=out)
    text = out.getvalue()
    assert "G7 step 3 -> 4: monthly pay 2389500 -> 2483600" in text
    assert "5 step increases" in text
    out = StringIO()
    call_command("personnel", "steps", "--on", timezone.localdate().isoformat(), stdout=out)
    assert "0 step increases" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("personnel", "steps", "--on", "2026-13-01")


def test_the_job_is_scheduled_and_runs_the_same(org: Organisation) -> None:
    kind = kind_of("personnel.step_increases")
    assert kind.every is not None
    kind.handler()
    welfare = appointment_on(org.records["welfare"], timezone.localdate())
    assert welfare is not None
    assert welfare.step == 4
