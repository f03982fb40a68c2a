"""Year end for a school, in bulk: every learner enrolled in the closing school year moves on —
promoted to the next grade, or graduating from the last grade — except those the school holds
back, who repeat their grade in the new year.

The rules are those of `services.do_promote` and `services.do_graduate` (the same last grades,
the same checks on dates); the bulk applies them a batch at a time so that a school of 2,000
learners takes a handful of queries per batch rather than several per learner:

* `plan_year_end` lists the learners still enrolled in the closing year and what will happen
  to each, so the officer can mark those held back before confirming;
* `do_year_end` applies the plan in batches, each its own transaction with one audit entry
  naming every learner and what happened to them. It only touches enrolments that are still
  open in the closing year, so running it again (or after an interruption) changes nothing
  already done: it is idempotent and resumable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.schools.models import Enrolment, EnrolmentEnd, School
from gov3.schools.services import last_grade

#: Learners a batch (one transaction, one audit entry).
BATCH = 500

PROMOTE, GRADUATE, HOLD = "promote", "graduate", "hold"


@dataclass(frozen=True)
class PlannedMove:
    """One learner of the closing year and what year end does to them."""

    enrolment: Enrolment
    action: str

    @property
    def next_grade(self) -> int | None:
        if self.action == PROMOTE:
            return self.enrolment.grade + 1
        if self.action == HOLD:
            return self.enrolment.grade
        return None


@dataclass(frozen=True)
class YearEndPlan:
    """The learners still enrolled in ``from_year`` at ``school``, by grade and class."""

    school: School
    from_year: int
    moves: list[PlannedMove]

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    def counts(self) -> dict[str, int]:
        counted = Counter(m.action for m in self.moves)
        return {action: counted.get(action, 0) for action in (PROMOTE, GRADUATE, HOLD)}


@dataclass
class YearEndSummary:
    """What a run did (all zero when there was nothing left to do)."""

    school: str
    from_year: int
    promoted: int = 0
    graduated: int = 0
    held_back: int = 0
    #: learners already in the new year at this school (done by an earlier run or by hand)
    already_done: int = 0
    batches: int = 0
    numbers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.promoted + self.graduated + self.held_back


def _open_in_year(school: School, from_year: int) -> Iterable[Enrolment]:
    return (
        Enrolment.objects.filter(school=school, school_year=from_year, ended_on__isnull=True)
        .select_related("learner", "learner__person", "school")
        .order_by("grade", "class_name", "learner__person__name_local", "pk")
    )


def plan_year_end(school: School, from_year: int, held_back: Iterable[str] = ()) -> YearEndPlan:
    """What year end would do now (``held_back``: learner numbers to keep in their grade)."""
    hold = set(held_back)
    last = last_grade(school)
    moves = [
        PlannedMove(
            e,
            HOLD if e.learner.number in hold else GRADUATE if e.grade >= last else PROMOTE,
        )
        for e in _open_in_year(school, from_year)
    ]
    return YearEndPlan(school, from_year, moves)


def _check(plan: YearEndPlan, held_back: set[str], on: date) -> None:
    """Bad input is refused before anything changes."""
    numbers = {m.enrolment.learner.number for m in plan.moves}
    unknown = sorted(held_back - numbers)
    if unknown:
        raise ValidationFailedError(
            gettext(
                "Not enrolled at this school in %(year)s, so they cannot be held back: %(numbers)s."
            )
            % {"year": plan.from_year, "numbers": ", ".join(unknown[:10])}
        )
    late = [m for m in plan.moves if on < m.enrolment.started_on]
    if late:
        raise ValidationFailedError(
            gettext(
                "The year-end date is before %(count)s enrolment(s) started (the latest on "
                "%(start)s)."
            )
            % {
                "count": len(late),
                "start": max(m.enrolment.started_on for m in late).isoformat(),
            }
        )


def _apply_batch(
    actor: str, plan: YearEndPlan, pks: list[int], on: date, hold: set[str]
) -> dict[str, list[str]]:
    """One batch in one transaction: only enrolments still open in the closing year move."""
    last = last_grade(plan.school)
    done: dict[str, list[str]] = {PROMOTE: [], GRADUATE: [], HOLD: []}
    with transaction.atomic(durable=True):
        current = list(
            Enrolment.objects.select_for_update()
            .filter(pk__in=pks, ended_on__isnull=True, school_year=plan.from_year)
            .select_related("learner")
            .order_by("pk")
        )
        new_rows = []
        for enrolment in current:
            number = enrolment.learner.number
            if number in hold:
                action, reason, grade = HOLD, EnrolmentEnd.HELD_BACK, enrolment.grade
            elif enrolment.grade >= last:
                action, reason, grade = GRADUATE, EnrolmentEnd.GRADUATED, None
            else:
                action, reason, grade = PROMOTE, EnrolmentEnd.PROMOTED, enrolment.grade + 1
            enrolment.ended_on = on
            enrolment.end_reason = reason
            enrolment.end_note = "year end"
            done[action].append(number)
            if grade is not None:
                new_rows.append(
                    Enrolment(
                        learner=enrolment.learner,
                        school=plan.school,
                        school_year=plan.to_year,
                        grade=grade,
                        class_name="",
                        started_on=on,
                    )
                )
        # End first, then open: one open enrolment per learner at every moment. One UPDATE a
        # reason (a bulk_update's CASE over hundreds of rows is far slower).
        by_reason: dict[str, list[int]] = {}
        for enrolment in current:
            by_reason.setdefault(enrolment.end_reason, []).append(enrolment.pk)
        for end_reason, ended in by_reason.items():
            Enrolment.objects.filter(pk__in=ended).update(
                ended_on=on, end_reason=end_reason, end_note="year end"
            )
        Enrolment.objects.bulk_create(new_rows)
        if current:
            record_audit(
                actor=actor,
                action="schools.year_end",
                target_type="school",
                target_id=plan.school.code,
                data={
                    "from_year": plan.from_year,
                    "to_year": plan.to_year,
                    "on": on.isoformat(),
                    "promoted": done[PROMOTE],
                    "graduated": done[GRADUATE],
                    "held_back": done[HOLD],
                },
            )
    return done


def do_year_end(
    actor: str,
    school: School,
    *,
    from_year: int,
    on: date,
    held_back: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> YearEndSummary:
    """Promote, graduate or hold back every learner still enrolled at ``school`` in
    ``from_year``; the new enrolments start ``on`` in ``from_year + 1``. ``progress(done,
    total)`` is called after each batch. Idempotent: a second run finds nothing to do."""
    hold = {n.strip().upper() for n in held_back if n.strip()}
    plan = plan_year_end(school, from_year, hold)
    _check(plan, hold, on)
    summary = YearEndSummary(school=school.code, from_year=from_year)
    summary.already_done = Enrolment.objects.filter(
        school=school, school_year=from_year + 1, ended_on__isnull=True
    ).count()
    summary.numbers = {PROMOTE: [], GRADUATE: [], HOLD: []}
    pks = [m.enrolment.pk for m in plan.moves]
    total = len(pks)
    for start in range(0, total, max(batch, 1)):
        done = _apply_batch(actor, plan, pks[start : start + batch], on, hold)
        for action, numbers in done.items():
            summary.numbers[action].extend(numbers)
        summary.batches += 1
        if progress is not None:
            progress(min(start + batch, total), total)
    summary.promoted = len(summary.numbers[PROMOTE])
    summary.graduated = len(summary.numbers[GRADUATE])
    summary.held_back = len(summary.numbers[HOLD])
    return summary
