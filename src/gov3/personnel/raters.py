"""Who rates whom in a performance evaluation (issue 18 item 7).

- The staff of a unit (posts that are not its head) are rated by the head of the unit.
- The head of a unit is rated by the head of the unit above: the nearest unit above whose
  head post is held that day by someone not on leave (a vacant level is skipped), as the
  evaluator is the superior who supervises the work (공무원 성과평가 등에 관한 규정 제8조·제13조:
  평가자는 상급 감독자 (verify)). Their rating counts in that unit's distribution.
- A head with no head above (the head of the agency's top unit, or every level above vacant)
  is rated by the agency's evaluation committee, its HR officers, who calibrate every rating;
  a committee member never rates themselves.
- Nobody rates themselves: a head asking to rate their own evaluation is refused, naming who
  rates them.

A head is whoever holds the unit's head position (`Position.is_head`) on the day, not on
leave, as for the order approval chain and self-service approvals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gov3.personnel.models import Appointment, Unit


@dataclass(frozen=True)
class HeadRating:
    """A head's appointment on the day and the unit whose head rates them (None: the
    agency's evaluation committee)."""

    appointment: Appointment
    rater_unit_id: int | None


def _on(day: date, agency_id: int) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            position__unit__agency_id=agency_id, position__is_head=True, starts_on__lte=day
        )
        .exclude(ends_on__lt=day)
        .select_related("record__person", "position__unit")
        .order_by("position__code", "record__employee_number")
    )


def heads(agency_id: int, day: date) -> list[HeadRating]:
    """Every head of the agency's units on `day` with who rates them (two queries)."""
    parents = dict(Unit.objects.filter(agency_id=agency_id).values_list("pk", "parent_id"))
    appointments = _on(day, agency_id)
    acting: dict[int, Appointment] = {}
    for a in appointments:
        if not a.on_leave:
            acting.setdefault(a.position.unit_id, a)
    found = []
    for a in appointments:
        above = parents.get(a.position.unit_id)
        while above is not None:
            holder = acting.get(above)
            if holder is not None and holder.record_id != a.record_id:
                break
            above = parents.get(above)
        found.append(HeadRating(a, above))
    return found


def rated_heads(unit: Unit, day: date, grades: tuple[str, ...]) -> list[Appointment]:
    """The heads of units below `unit` its head rates on `day`, with a grade in `grades`."""
    return [
        h.appointment
        for h in heads(unit.agency_id, day)
        if h.rater_unit_id == unit.pk and h.appointment.grade in grades
    ]


def committee_ratees(agency_id: int, day: date, grades: tuple[str, ...]) -> list[Appointment]:
    """The heads with no head above, rated by the agency's evaluation committee."""
    return [
        h.appointment
        for h in heads(agency_id, day)
        if h.rater_unit_id is None and h.appointment.grade in grades
    ]


def rated_by(head: Appointment, day: date) -> Appointment | None:
    """Who rates the head holding `head` on `day`: the appointment of the head above them, or
    None: the agency's evaluation committee."""
    everyone = heads(head.position.unit.agency_id, day)
    mine = next((h for h in everyone if h.appointment.pk == head.pk), None)
    if mine is None or mine.rater_unit_id is None:
        return None
    return next(
        (
            h.appointment
            for h in everyone
            if h.appointment.position.unit_id == mine.rater_unit_id and not h.appointment.on_leave
        ),
        None,
    )
