"""Performance evaluation (issue 18 item 7): periods per agency, ratings by the head of each
unit, the quota distribution checked live and enforced when a unit is locked, the committee's
calibration (audited) and the head of HR's confirmation, and the performance bonus. Rules and
figures are country-pack data (`evaluation` in personnel.yaml, `gov3.catalogue.packs.evaluation`).

Order: the HR officer opens a period -> each unit's head rates and locks (refused while over
the quota or with someone unrated) -> the committee (the agency's HR officers) may move ratings
(with a reason, audited; a locked unit must stay within the quota) -> the head of HR confirms
once every unit is locked; after that nothing changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import OfficerRole, User
from gov3.catalogue.packs.evaluation import Breach, EvaluationRules, Quota
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel import raters
from gov3.personnel.models import (
    Appointment,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    Rating,
    StaffRecord,
    Unit,
    UnitLock,
)
from gov3.personnel.raters import committee_ratees, rated_by, rated_heads
from gov3.personnel.services import appointment_on, pack_for


class QuotaExceededError(ValidationFailedError):
    """A unit's ratings break the quota; the message names each limit and by how much."""

    def __init__(self, unit: Unit | None, breaches: list[Breach]) -> None:
        self.breaches = breaches
        whose = unit.code if unit else "the heads rated by the committee"
        super().__init__(
            f"The ratings of {whose} break the quota: "
            + "; ".join(describe(b) for b in breaches)
            + ". Move ratings before locking."
        )


def describe(breach: Breach) -> str:
    """A breach in words (English; pages translate their own)."""
    ratings = "+".join(breach.ratings)
    if breach.minimum:
        return (
            f"{ratings}: {breach.count} given, at least {breach.limit} needed ({breach.over} short)"
        )
    return f"{ratings}: {breach.count} given, at most {breach.limit} allowed ({breach.over} over)"


def rules_for(period: EvaluationPeriod) -> EvaluationRules:
    rules = pack_for(period.agency.country).evaluation_on(period.reference_day)
    if rules is None:
        raise ValidationFailedError("The country pack has no evaluation rules for that day.")
    return rules


def is_committee_member(user: object, period: EvaluationPeriod) -> bool:
    """The agency's evaluation committee: its HR officers."""
    return (
        isinstance(user, User)
        and user.is_officer
        and user.role == OfficerRole.HR_OFFICER
        and user.agency_id == period.agency_id
    )


def rater_unit(user: object, day: date | None = None) -> Unit | None:
    """The unit `user` heads today (they rate its staff), or None."""
    if not isinstance(user, User) or not user.is_officer:
        return None
    own = StaffRecord.objects.filter(account_id=user.pk).first()
    post = appointment_on(own, day or timezone.localdate()) if own else None
    if post is None or not post.position.is_head or post.on_leave:
        return None
    return post.position.unit


def _grades(period: EvaluationPeriod) -> tuple[str, ...]:
    return rules_for(period).kinds.get(period.kind, ((), 0, ""))[0]


def ratees(period: EvaluationPeriod, unit: Unit) -> list[Appointment]:
    """Who the head of `unit` rates (`gov3.personnel.raters`): staff holding a post of the unit
    (not a head's) on the reference day, then the heads of the units below whose head above is
    the head of `unit`; each with a grade of the period's kind."""
    grades = _grades(period)
    day = period.reference_day
    staff = list(
        Appointment.objects.filter(
            position__unit=unit, position__is_head=False, starts_on__lte=day, grade__in=grades
        )
        .exclude(ends_on__lt=day)
        .select_related("record__person", "position")
        .order_by("position__code", "record__employee_number")
    )
    return staff + rated_heads(unit, day, grades)


def committee_heads(period: EvaluationPeriod) -> list[Appointment]:
    """The heads with no head above on the reference day: the committee rates them."""
    return committee_ratees(period.agency_id, period.reference_day, _grades(period))


def own_record_id(user: User) -> int | None:
    return StaffRecord.objects.filter(account_id=user.pk).values_list("pk", flat=True).first()


def rated_by_text(user: User, day: date | None = None) -> str:
    """Who rates `user`, in words (the rater's page and the refusal to rate oneself)."""
    own = StaffRecord.objects.filter(account_id=user.pk).first()
    post = appointment_on(own, day or timezone.localdate()) if own else None
    if post is None:
        return ""
    if not post.position.is_head:
        return gettext("You are rated by the head of %(unit)s.") % {
            "unit": post.position.unit.name_local
        }
    above = rated_by(post, day or timezone.localdate())
    if above is None:
        return gettext(
            "As the head of %(unit)s you are rated by the agency's evaluation committee (its "
            "HR officers): no head above you holds a post."
        ) % {"unit": post.position.unit.name_local}
    return gettext("As the head of %(unit)s you are rated by the head of %(above)s, %(name)s.") % {
        "unit": post.position.unit.name_local,
        "above": above.position.unit.name_local,
        "name": above.record.person.name_local,
    }


def _refuse_own(user: User, record_id: int) -> None:
    if record_id == own_record_id(user):
        raise PermissionRefusedError(
            gettext("You cannot rate your own evaluation.") + " " + rated_by_text(user)
        )


def _sheet_ratings(
    period: EvaluationPeriod, unit: Unit, staff: list[Appointment]
) -> list[tuple[str, str]]:
    """The (grade, rating) pairs given on the unit's sheet (its rater's, not the committee's)."""
    return list(
        Rating.objects.filter(
            period=period, unit=unit, record_id__in=[a.record_id for a in staff]
        ).values_list("grade", "rating")
    )


@dataclass(frozen=True)
class Distribution:
    """One unit's ratings in one quota group (SCS or the rest) against the quota; `unit`
    None: the agency-level group of the heads the evaluation committee rates."""

    unit: Unit | None
    quota: Quota
    head_count: int
    counts: dict[str, int]
    allowed: dict[str, int]
    breaches: list[Breach]

    @property
    def rated(self) -> int:
        return sum(self.counts.values())


def distribution(
    rules: EvaluationRules, unit: Unit | None, grades: list[str], ratings: list[tuple[str, str]]
) -> list[Distribution]:
    """The quota groups of a unit: `grades` of everyone rated or to be rated, `ratings` the
    (grade, rating) pairs given so far."""
    heads = Counter(rules.quota_for(g).name for g in grades)
    given: dict[str, Counter[str]] = {}
    for grade, rating in ratings:
        given.setdefault(rules.quota_for(grade).name, Counter())[rating] += 1
    result = []
    for name, head_count in sorted(heads.items()):
        quota = rules.quotas[name]
        counts = {r: given.get(name, Counter())[r] for r in quota.ratings}
        result.append(
            Distribution(
                unit,
                quota,
                head_count,
                counts,
                rules.allowed(quota, head_count),
                rules.breaches(quota, counts),
            )
        )
    return result


def unit_distribution(period: EvaluationPeriod, unit: Unit) -> list[Distribution]:
    """A unit's distribution so far, against everyone it rates (the live view)."""
    staff = ratees(period, unit)
    given = _sheet_ratings(period, unit, staff)
    return distribution(rules_for(period), unit, [a.grade for a in staff], given)


def committee_distribution(period: EvaluationPeriod) -> list[Distribution]:
    """The heads with no head above, rated by the agency's evaluation committee, as one
    agency-level group per track against the same quota as a unit's (docs/personnel.md):
    shown live on the calibration page, enforced when the period is confirmed."""
    heads = committee_heads(period)
    given = list(
        Rating.objects.filter(period=period, record_id__in=[a.record_id for a in heads])
        .order_by("pk")
        .values_list("grade", "rating")
    )
    return distribution(rules_for(period), None, [a.grade for a in heads], given)


def agency_distributions(period: EvaluationPeriod) -> list[Distribution]:
    """Every unit of the period's agency, in two grouped queries (the calibration view and
    the benchmark): head counts by unit and grade, ratings by unit, grade and rating; the
    units' heads count in the unit of the head who rates them (`raters.heads`)."""
    rules = rules_for(period)
    grades = rules.kinds.get(period.kind, ((), 0, ""))[0]
    day = period.reference_day
    staff = (
        Appointment.objects.filter(
            position__unit__agency_id=period.agency_id,
            position__is_head=False,
            starts_on__lte=day,
            grade__in=grades,
        )
        .exclude(ends_on__lt=day)
        .values_list("position__unit", "grade")
        .annotate(n=Count("id"))
        .values_list("position__unit", "grade", "n")
    )
    unit_grades: dict[int, list[str]] = {}
    for unit_id, grade, n in staff:
        unit_grades.setdefault(unit_id, []).extend([grade] * n)
    by_committee = []
    for head in raters.heads(period.agency_id, day):  # heads count where their rater's unit is
        if head.appointment.grade not in grades:
            continue
        if head.rater_unit_id is None:
            by_committee.append(head.appointment.record_id)
        else:
            unit_grades.setdefault(head.rater_unit_id, []).append(head.appointment.grade)
    given = (
        Rating.objects.filter(period=period)
        .exclude(record_id__in=by_committee)
        .values_list("unit", "grade", "rating")
        .annotate(n=Count("id"))
        .values_list("unit", "grade", "rating", "n")
    )
    unit_ratings: dict[int, list[tuple[str, str]]] = {}
    for unit_id, grade, rating, n in given:
        unit_ratings.setdefault(unit_id, []).extend([(grade, rating)] * n)
    units = Unit.objects.in_bulk(list(unit_grades))
    result = []
    for unit_id in sorted(unit_grades, key=lambda pk: units[pk].code):
        result.extend(
            distribution(rules, units[unit_id], unit_grades[unit_id], unit_ratings.get(unit_id, []))
        )
    return result


def _period(period_id: int, agency_id: int | None) -> EvaluationPeriod:
    period = (
        EvaluationPeriod.objects.select_related("agency")
        .filter(pk=period_id, agency_id=agency_id or 0)
        .first()
    )
    if period is None:
        raise NotFoundError("There is no such evaluation period in your agency.")
    return period


def _require_open(period: EvaluationPeriod) -> None:
    if period.status != PeriodStatus.OPEN:
        raise ValidationFailedError("The period is confirmed; its ratings no longer change.")


def do_open_period(
    officer: User, *, kind: str, year: int, half: int, reference_day: date
) -> EvaluationPeriod:
    """An HR officer opens an evaluation period for their agency (yearly: half 0; twice a
    year: half 1 or 2, as the pack says)."""
    if not officer.is_officer or officer.role != OfficerRole.HR_OFFICER or not officer.agency:
        raise PermissionRefusedError("Only an HR officer of the agency may open a period.")
    rules = pack_for(officer.agency.country).evaluation_on(reference_day)
    if rules is None or kind not in rules.kinds or kind not in EvaluationKind.values:
        raise ValidationFailedError(f"Unknown evaluation kind {kind!r}.")
    per_year = rules.kinds[kind][1]
    if (per_year == 1 and half != 0) or (per_year == 2 and half not in (1, 2)):
        raise ValidationFailedError(
            "A yearly period has no half." if per_year == 1 else "Give the half: 1 or 2."
        )
    if reference_day.year != year:
        raise ValidationFailedError("The reference day must fall in the period's year.")
    if EvaluationPeriod.objects.filter(
        agency=officer.agency, kind=kind, year=year, half=half
    ).exists():
        raise ValidationFailedError("That evaluation period is already open.")
    with transaction.atomic(durable=True):
        period = EvaluationPeriod.objects.create(
            agency=officer.agency,
            kind=kind,
            year=year,
            half=half,
            reference_day=reference_day,
            status=PeriodStatus.OPEN,
            opened_by=officer,
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.evaluation_opened",
            target_type="evaluation_period",
            target_id=period.pk,
            data={"agency": officer.agency.code, "kind": kind, "year": year, "half": half},
        )
    return period


def _rater_scope(rater: User, period_id: int) -> tuple[EvaluationPeriod, Unit]:
    unit = rater_unit(rater)
    if unit is None:
        raise NotFoundError("You head no unit.")
    return _period(period_id, unit.agency_id), unit


def _check_rating(rules: EvaluationRules, grade: str, rating: str) -> None:
    """`rating` is one of the scale of `grade`'s track (S/A/B/C, the SCS's five grades...)."""
    scale = rules.ratings_for(grade)
    if rating not in scale:
        raise ValidationFailedError(
            f"Unknown rating {rating!r} for {grade}; the ratings are {', '.join(scale)}."
        )


def do_rate(rater: User, period_id: int, record_id: int, rating: str) -> Rating:
    """The head of a unit rates one of its staff (again, while the unit is not locked)."""
    period, unit = _rater_scope(rater, period_id)
    _require_open(period)
    rules = rules_for(period)
    _refuse_own(rater, record_id)
    post = next((a for a in ratees(period, unit) if a.record_id == record_id), None)
    if post is None:
        raise NotFoundError("That civil servant is not rated in your unit in this period.")
    _check_rating(rules, post.grade, rating)
    if UnitLock.objects.filter(period=period, unit=unit).exists():
        raise ValidationFailedError("Your unit's ratings are locked.")
    with transaction.atomic(durable=True):
        given, created = Rating.objects.update_or_create(
            period=period,
            record_id=record_id,
            defaults={
                "unit": unit,
                "grade": post.grade,
                "rating": rating,
                "rater": rater,
                "rated_at": timezone.now(),
            },
        )
        record_audit(
            actor=rater.get_username(),
            action="personnel.rated",
            target_type="rating",
            target_id=given.pk,
            data={"period": period.pk, "unit": unit.code, "rating": rating, "new": created},
        )
    return given


def do_lock_unit(rater: User, period_id: int) -> UnitLock:
    """Lock the unit's ratings: everyone rated and the distribution within the quota."""
    period, unit = _rater_scope(rater, period_id)
    _require_open(period)
    if UnitLock.objects.filter(period=period, unit=unit).exists():
        raise ValidationFailedError("Your unit's ratings are already locked.")
    staff = ratees(period, unit)
    rated = set(Rating.objects.filter(period=period, unit=unit).values_list("record", flat=True))
    missing = [a for a in staff if a.record_id not in rated]
    if missing:
        raise ValidationFailedError(
            f"{len(missing)} of your staff are not rated yet; rate everyone before locking."
        )
    breaches = [b for d in unit_distribution(period, unit) for b in d.breaches]
    if breaches:
        raise QuotaExceededError(unit, breaches)
    with transaction.atomic(durable=True):
        lock = UnitLock.objects.create(
            period=period, unit=unit, locked_by=rater, locked_at=timezone.now()
        )
        record_audit(
            actor=rater.get_username(),
            action="personnel.ratings_locked",
            target_type="evaluation_period",
            target_id=period.pk,
            data={"unit": unit.code, "ratings": len(staff)},
        )
    return lock


def do_calibrate(member: User, rating_id: int, rating: str, reason: str) -> Rating:
    """The committee moves a rating, with its reason (audited: before, after, reason). A
    locked unit must stay within the quota."""
    found = (
        Rating.objects.select_related("period__agency", "unit")
        .filter(pk=rating_id, period__agency_id=member.agency_id or 0)
        .first()
    )
    if found is None or not is_committee_member(member, found.period):
        raise NotFoundError("There is no such rating in your agency.")
    _require_open(found.period)
    rules = rules_for(found.period)
    _check_rating(rules, found.grade, rating)
    if not reason.strip():
        raise ValidationFailedError("Give the reason for moving the rating.")
    before = found.rating
    if before == rating:
        raise ValidationFailedError(f"The rating is already {rating}.")
    _refuse_own(member, found.record_id)
    sheet = ratees(found.period, found.unit)
    on_sheet = any(a.record_id == found.record_id for a in sheet)
    if on_sheet and UnitLock.objects.filter(period=found.period, unit=found.unit).exists():
        given = list(
            Rating.objects.filter(
                period=found.period, unit=found.unit, record_id__in=[a.record_id for a in sheet]
            )
            .exclude(pk=found.pk)
            .values_list("grade", "rating")
        )
        staff = [a.grade for a in sheet]
        after = distribution(rules, found.unit, staff, [*given, (found.grade, rating)])
        breaches = [b for d in after for b in d.breaches]
        if breaches:
            raise QuotaExceededError(found.unit, breaches)
    with transaction.atomic(durable=True):
        found.rating = rating
        found.calibrated_by = member
        found.save(update_fields=["rating", "calibrated_by"])
        record_audit(
            actor=member.get_username(),
            action="personnel.rating_calibrated",
            target_type="rating",
            target_id=found.pk,
            data={"before": before, "after": rating, "reason": reason.strip()},
        )
    return found


def may_confirm(user: object, period: EvaluationPeriod) -> bool:
    """The head of an HR unit of the period's agency confirms for the committee."""
    if not is_committee_member(user, period):
        return False
    assert isinstance(user, User)
    unit = rater_unit(user)
    return unit is not None and unit.agency_id == period.agency_id


def do_confirm_period(head: User, period_id: int) -> EvaluationPeriod:
    """Confirm the period: every unit with staff to rate is locked and within the quota."""
    period = _period(period_id, head.agency_id)
    if not may_confirm(head, period):
        raise PermissionRefusedError("Only the head of the agency's HR unit confirms a period.")
    _require_open(period)
    rows = [(d, d.unit) for d in agency_distributions(period) if d.unit is not None]
    locked = set(UnitLock.objects.filter(period=period).values_list("unit", flat=True))
    open_units = sorted({u.code for _, u in rows if u.pk not in locked})
    if open_units:
        raise ValidationFailedError(f"Units not locked yet: {', '.join(open_units)}.")
    over = sorted({u.code for d, u in rows if d.breaches})
    if over:
        raise ValidationFailedError(f"Units over the quota: {', '.join(over)}.")
    rated = set(Rating.objects.filter(period=period).values_list("record", flat=True))
    unrated = [
        a.record.employee_number for a in committee_heads(period) if a.record_id not in rated
    ]
    if unrated:
        raise ValidationFailedError(
            f"Heads the committee rates, not rated yet: {', '.join(sorted(unrated))}."
        )
    committee_over = [b for d in committee_distribution(period) for b in d.breaches]
    if committee_over:
        raise QuotaExceededError(None, committee_over)
    with transaction.atomic(durable=True):
        period.status = PeriodStatus.CONFIRMED
        period.confirmed_by = head
        period.confirmed_at = timezone.now()
        period.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record_audit(
            actor=head.get_username(),
            action="personnel.evaluation_confirmed",
            target_type="evaluation_period",
            target_id=period.pk,
            data={"units": len({u.pk for _, u in rows})},
        )
    return period


def do_rate_head(member: User, period_id: int, record_id: int, rating: str) -> Rating:
    """The committee rates a head with no head above (`raters`): never themselves."""
    period = _period(period_id, member.agency_id)
    if not is_committee_member(member, period):
        raise NotFoundError("There is no such evaluation period in your agency.")
    _require_open(period)
    rules = rules_for(period)
    _refuse_own(member, record_id)
    post = next((a for a in committee_heads(period) if a.record_id == record_id), None)
    if post is None:
        raise NotFoundError("That civil servant is not rated by the committee in this period.")
    _check_rating(rules, post.grade, rating)
    with transaction.atomic(durable=True):
        given, created = Rating.objects.update_or_create(
            period=period,
            record_id=record_id,
            defaults={
                "unit": post.position.unit,
                "grade": post.grade,
                "rating": rating,
                "rater": member,
                "rated_at": timezone.now(),
            },
        )
        record_audit(
            actor=member.get_username(),
            action="personnel.rated",
            target_type="rating",
            target_id=given.pk,
            data={
                "period": period.pk,
                "unit": post.position.unit.code,
                "rating": rating,
                "new": created,
                "by": "committee",
            },
        )
    return given
