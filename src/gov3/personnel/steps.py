"""Yearly step increases (issue 18 item 3): on a day, every civil servant who has held their
grade and step for the pack's period (a year in Korea) moves up one step, up to the top of the
grade's pay table. The step held is a new appointment row in the same post from that day (the
history keeps the old one); each increase is audited with the monthly pay before and after, in
exact integers of the currency. Running again on the same day changes nothing: the new step
starts that day, so its period has not run. Grades without steps (the senior civil service)
and civil servants on leave are left as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from gov3.core.audit import record_audit
from gov3.personnel.models import Appointment
from gov3.personnel.services import pack_for

ACTOR = "system:personnel-steps"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day if it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def step_since(appointment: Appointment) -> date:
    """Since when the civil servant has held this grade and step without a break (a transfer
    or a leave keeps them; earlier appointments ending the day before the next count)."""
    since = appointment.starts_on
    earlier = Appointment.objects.filter(
        record_id=appointment.record_id, starts_on__lt=appointment.starts_on
    ).order_by("-starts_on")
    for row in earlier.only("grade", "step", "starts_on", "ends_on"):
        if (row.grade, row.step) != (appointment.grade, appointment.step) or row.ends_on != (
            since - timedelta(days=1)
        ):
            break
        since = row.starts_on
    return since


@dataclass(frozen=True)
class Increase:
    """One civil servant moved up a step, with the monthly pay before and after."""

    employee_number: str
    grade: str
    old_step: int
    new_step: int
    old_pay: int | None
    new_pay: int | None


@dataclass
class StepRun:
    """What a run did: the increases, and how many were at the top step already."""

    on: date
    increases: list[Increase] = field(default_factory=list)
    at_top: int = 0
    no_rule: list[str] = field(default_factory=list)


def do_advance_steps(on: date, actor: str = ACTOR) -> StepRun:
    """Advance every step due on `on` (all or none, audited one by one)."""
    run = StepRun(on)
    held = (
        Appointment.objects.filter(starts_on__lte=on, on_leave=False)
        .exclude(ends_on__lt=on)
        .select_related("record", "position")
        .order_by("record__employee_number")
    )
    with transaction.atomic():
        for appointment in held.select_for_update(of=("self",)):
            country = appointment.record.country
            data = pack_for(country)
            rule = data.step_rule_on(on)
            table = data.pay_table_on(on)
            grade = data.grade(appointment.grade)
            if rule is None or table is None:
                if country not in run.no_rule:
                    run.no_rule.append(country)
                continue
            if grade is None or not grade.steps:
                continue
            top = len(table.monthly.get(appointment.grade, ()))
            if add_months(step_since(appointment), rule.every_months) > on:
                continue
            if appointment.step >= top:
                run.at_top += 1
                continue
            run.increases.append(_advance(appointment, on, actor, rule.source_title))
    return run


def _advance(appointment: Appointment, on: date, actor: str, source: str) -> Increase:
    data = pack_for(appointment.record.country)
    new_step = appointment.step + 1
    ends_on = appointment.ends_on
    appointment.ends_on = on - timedelta(days=1)
    appointment.save(update_fields=["ends_on"])
    Appointment.objects.create(
        record=appointment.record,
        position=appointment.position,
        grade=appointment.grade,
        step=new_step,
        starts_on=on,
        ends_on=ends_on,
        seconded=appointment.seconded,
    )
    increase = Increase(
        employee_number=appointment.record.employee_number,
        grade=appointment.grade,
        old_step=appointment.step,
        new_step=new_step,
        old_pay=data.monthly_pay(appointment.grade, appointment.step, on),
        new_pay=data.monthly_pay(appointment.grade, new_step, on),
    )
    record_audit(
        actor=actor,
        action="personnel.step_increase",
        target_type="staff_record",
        target_id=increase.employee_number,
        data={
            "on": on.isoformat(),
            "grade": increase.grade,
            "from": increase.old_step,
            "to": increase.new_step,
            "monthly_pay_from": increase.old_pay,
            "monthly_pay_to": increase.new_pay,
            "currency": data.currency,
            "rule": source,
        },
    )
    return increase
