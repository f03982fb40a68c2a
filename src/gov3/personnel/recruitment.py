"""Recruitment by open competitive exam (issue 18 item 4): an agency's HR officer opens an exam
notice for a grade and job series; citizens apply online with one action, their eligibility
evaluated by the pack's conditions (the rule language) over the register's facts, nothing
uploaded; the HR officer enters each stage's scores, closes the stage (those below its pass mark
drop out), and after the last stage the merit list ranks who passed with the pack's tie-break
order; those within the posts are appointed by an appointment order (`services.do_issue_order`:
numbering, approval chain and officer rights as for any order) with their probation period.

Rules and figures: `countries/<cc>/personnel/recruitment.yaml` (`catalogue.packs.recruitment`).
Disqualification grounds are recorded per person (`Disqualification`), the eligibility fact
`disqualified` reads them on the final exam day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gov3.accounts.models import OfficerRole, User
from gov3.catalogue.installed import rules_pack
from gov3.catalogue.packs import recruitment as recruitment_pack
from gov3.catalogue.packs.recruitment import Condition, RecruitmentRules, Stage
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.personnel.models import (
    Application,
    ApplicationStatus,
    Disqualification,
    ExamNotice,
    NoticeStatus,
    OrderKind,
    PersonnelOrder,
    Position,
    StaffRecord,
    StageScore,
)
from gov3.personnel.services import (
    OrderDraft,
    add_years,
    do_create_staff_record,
    do_issue_order,
    pack_for,
)
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules import ir
from gov3.rules.errors import RulesError
from gov3.rules.explain import evaluate
from gov3.rules.expressions import Variable, Where, compile_expression
from gov3.rules.facts import Subject
from gov3.rules.ir import Type, Value

#: The recruitment fact beyond the register's: a current disqualification record.
DISQUALIFIED = Variable(
    name="disqualified",
    type=Type.BOOL,
    label={
        "en": "a ground of disqualification on record",
        "ko": "결격사유 기록",
        "vi": "lý do bị loại trừ được ghi nhận",
    },
    column="disqualified",
)


class NotEligibleError(ValidationFailedError):
    """An applicant fails one or more conditions; the message names each with its basis."""

    def __init__(self, failed: list[Check]) -> None:
        self.failed = failed
        super().__init__(
            "You are not eligible for this exam: "
            + "; ".join(f"{c.condition.label['en']} ({c.condition.legal_basis})" for c in failed)
            + "."
        )


def rules_for(country: str, day: date) -> RecruitmentRules:
    """The recruitment rules of `country` in force on `day`."""
    grades = frozenset(g.code for g in pack_for(country).grades)
    try:
        entries = recruitment_pack.load(str(settings.GOV3_COUNTRIES_DIR), country, grades)
    except recruitment_pack.RecruitmentPackError as error:
        raise ValidationFailedError(str(error)) from None
    rules = recruitment_pack.rules_on(entries, day)
    if rules is None:
        raise ValidationFailedError("The country pack has no recruitment rules for that day.")
    return rules


@lru_cache(maxsize=64)
def compiled(country: str, rule: str) -> ir.Node:
    """A condition checked against the pack's variables (and `disqualified`)."""
    variables = {**rules_pack(country).variables, DISQUALIFIED.name: DISQUALIFIED}
    try:
        return compile_expression(
            rule,
            variables=variables,
            params={},
            where=Where(recruitment_pack.FILE),
            expect=Type.BOOL,
        )
    except RulesError as error:
        raise ValidationFailedError(f"The eligibility rule {rule!r} is wrong: {error}") from None


def is_disqualified(person: Person, rules: RecruitmentRules, day: date) -> bool:
    """Whether a ground of disqualification holds for `person` on `day`: recorded before it,
    not ended, and within its ground's years (0: until ended)."""
    for row in Disqualification.objects.filter(person=person, starts_on__lte=day).exclude(
        ends_on__lt=day
    ):
        ground = rules.ground(row.ground)
        years = ground.years if ground else 0
        if years == 0 or day < add_years(row.starts_on, years):
            return True
    return False


@dataclass(frozen=True)
class Check:
    """One condition evaluated for an applicant: met or not, and the facts it read."""

    condition: Condition
    met: bool
    facts: list[tuple[str, str]]


def _shown(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def eligibility(notice: ExamNotice, person: Person) -> list[Check]:
    """Every condition of the notice's grade, evaluated on the final exam day over the
    register's facts of `person` (and their disqualification records)."""
    country = notice.agency.country
    rules = rules_for(country, notice.opens_on)
    day = notice.final_exam_on
    subject = subject_for(person)
    facts = {**subject.facts, "disqualified": is_disqualified(person, rules, day)}
    full = Subject(facts, subject.members, subject.sources)
    checks = []
    for condition in rules.conditions_for(notice.grade):
        node = compiled(country, condition.rule)
        met = bool(evaluate(node, full, {}, day))
        used = []
        for part in ir.walk(node):
            if isinstance(part, ir.Column | ir.Derived):
                used.append((part.name, _shown(evaluate(part, full, {}, day))))
        checks.append(Check(condition, met, list(dict.fromkeys(used))))
    return checks


# -- disqualification records ------------------------------------------------------------------


def do_record_disqualification(
    actor: str,
    *,
    person: Person,
    ground: str,
    starts_on: date,
    reference: str,
    ends_on: date | None = None,
) -> Disqualification:
    """Record a ground of disqualification notified to the personnel authority (audited)."""
    rules = rules_for(person.country, timezone.localdate())
    if rules.ground(ground) is None:
        known = ", ".join(g.id for g in rules.grounds)
        raise ValidationFailedError(f"Unknown ground {ground!r}; the grounds are {known}.")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailedError("A disqualification cannot end before it starts.")
    if not reference.strip():
        raise ValidationFailedError("Name the decision the ground comes from.")
    with transaction.atomic(durable=True):
        row = Disqualification.objects.create(
            person=person,
            ground=ground,
            starts_on=starts_on,
            ends_on=ends_on,
            reference=reference.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record_audit(
            actor=actor,
            action="personnel.disqualification_recorded",
            target_type="person",
            target_id=person.pk,
            data={"ground": ground, "starts_on": starts_on.isoformat()},
        )
    return row


# -- notices ----------------------------------------------------------------------------------


def _require_hr(officer: User) -> None:
    if not officer.is_officer or officer.role != OfficerRole.HR_OFFICER or not officer.agency:
        raise PermissionRefusedError("Only an HR officer of the agency may run recruitment.")


def stages_of(notice: ExamNotice) -> list[Stage]:
    """The notice's stages as they were when it opened."""
    return [
        Stage(s["id"], s["kind"], s["label"], s["max_score"], s["pass_mark"], s.get("weight", 1))
        for s in notice.stages
    ]


def current_stage(notice: ExamNotice) -> Stage | None:
    """The stage whose scores are being entered (None once every stage is closed)."""
    stages = stages_of(notice)
    return stages[notice.stages_closed] if notice.stages_closed < len(stages) else None


def do_open_notice(
    officer: User,
    *,
    title: str,
    grade: str,
    job_series: str,
    posts: int,
    opens_on: date,
    closes_on: date,
    final_exam_on: date,
) -> ExamNotice:
    """An HR officer opens an exam notice of their agency for a grade and job series; its
    stages and pass marks are the pack's for the grade."""
    _require_hr(officer)
    agency = officer.agency
    assert agency is not None
    data = pack_for(agency.country)
    if data.grade(grade) is None:
        known = ", ".join(g.code for g in data.grades)
        raise ValidationFailedError(f"Unknown grade {grade!r}; the grades are {known}.")
    if job_series not in data.job_series:
        raise ValidationFailedError(
            f"Unknown job series {job_series!r}; they are {', '.join(data.job_series)}."
        )
    rules = rules_for(agency.country, opens_on)
    stages = rules.stages.get(grade)
    if not stages:
        raise ValidationFailedError(f"The country pack has no exam stages for {grade}.")
    if not title.strip():
        raise ValidationFailedError("Give the notice a title.")
    if not 1 <= posts <= 1000:
        raise ValidationFailedError("The number of posts is between 1 and 1000.")
    if not opens_on <= closes_on < final_exam_on:
        raise ValidationFailedError(
            "Applications open, then close, then the final exam: give the dates in that order."
        )
    if closes_on < timezone.localdate():
        raise ValidationFailedError("The application period would already be over.")
    for condition in rules.conditions_for(grade):
        compiled(agency.country, condition.rule)
    year = opens_on.year
    prefix = f"{agency.code}-R{year}-"
    with transaction.atomic(durable=True):
        taken = ExamNotice.objects.filter(number__startswith=prefix).count()
        notice = ExamNotice.objects.create(
            agency=agency,
            number=f"{prefix}{taken + 1:03d}",
            title=title.strip(),
            grade=grade,
            job_series=job_series,
            posts=posts,
            opens_on=opens_on,
            closes_on=closes_on,
            final_exam_on=final_exam_on,
            status=NoticeStatus.OPEN,
            stages=[
                {
                    "id": s.id,
                    "kind": s.kind,
                    "label": s.label,
                    "max_score": s.max_score,
                    "pass_mark": s.pass_mark,
                    "weight": s.weight,
                }
                for s in stages
            ],
            opened_by=officer,
            opened_at=timezone.now(),
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.exam_notice_opened",
            target_type="exam_notice",
            target_id=notice.number,
            data={"grade": grade, "job_series": job_series, "posts": posts},
        )
    return notice


def agency_notices(officer: User) -> QuerySet[ExamNotice]:
    """The notices of an HR officer's agency (none for anyone else)."""
    is_hr = officer.is_officer and officer.role == OfficerRole.HR_OFFICER
    return ExamNotice.objects.filter(agency_id=(officer.agency_id or 0) if is_hr else 0)


def notice_for_hr(officer: User, notice_id: int) -> ExamNotice:
    """A notice of the officer's agency; another agency's: not found."""
    notice = agency_notices(officer).select_related("agency").filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("There is no such exam notice in your agency.")
    return notice


def open_notices(today: date | None = None) -> QuerySet[ExamNotice]:
    """Notices taking applications today (public)."""
    day = today or timezone.localdate()
    return ExamNotice.objects.filter(
        status=NoticeStatus.OPEN, opens_on__lte=day, closes_on__gte=day
    ).select_related("agency")


# -- applications -----------------------------------------------------------------------------


def do_apply(citizen: User, notice_id: int) -> Application:
    """A signed-in citizen applies to an open notice, with one action: their eligibility is
    read from the register; refused naming each condition not met; one application a notice."""
    person = citizen.person if citizen.kind == "citizen" else None
    if person is None:
        raise PermissionRefusedError("Sign in as a citizen to apply.")
    notice = open_notices().filter(pk=notice_id).first()
    if notice is None:
        raise NotFoundError("There is no such exam notice open for applications.")
    if person.date_of_death is not None:
        raise ValidationFailedError("The register records this person as deceased.")
    if Application.objects.filter(notice=notice, person=person).exists():
        raise ValidationFailedError("You have already applied to this exam.")
    checks = eligibility(notice, person)
    failed = [c for c in checks if not c.met]
    if failed:
        raise NotEligibleError(failed)
    with transaction.atomic(durable=True):
        taken = Application.objects.filter(notice=notice).count()
        application = Application.objects.create(
            notice=notice,
            person=person,
            account=citizen,
            number=f"{notice.number}-{taken + 1:05d}",
            applied_at=timezone.now(),
            status=ApplicationStatus.APPLIED,
            eligibility=[{"id": c.condition.id, "met": c.met} for c in checks],
        )
        record_audit(
            actor=citizen.get_username(),
            action="personnel.applied",
            target_type="exam_notice",
            target_id=notice.number,
            data={"application": application.number},
        )
    return application


def own_applications(citizen: User) -> QuerySet[Application]:
    """The signed-in citizen's applications."""
    return (
        Application.objects.filter(account_id=citizen.pk)
        .select_related("notice__agency", "order")
        .prefetch_related("scores")
    )


# -- stages -----------------------------------------------------------------------------------


def _in_exams(notice: ExamNotice) -> None:
    if notice.status == NoticeStatus.MERIT:
        raise ValidationFailedError("The merit list is published; the scores no longer change.")
    if timezone.localdate() <= notice.closes_on:
        raise ValidationFailedError(
            f"Applications are open until {notice.closes_on.isoformat()}; scores come after."
        )


def do_enter_score(officer: User, application_id: int, stage_id: str, score: int) -> StageScore:
    """An HR officer of the agency enters (or corrects) an applicant's score in the stage
    under way: 0 to the stage's maximum."""
    _require_hr(officer)
    application = (
        Application.objects.select_related("notice__agency")
        .filter(pk=application_id, notice__agency_id=officer.agency_id or 0)
        .first()
    )
    if application is None:
        raise NotFoundError("There is no such application in your agency.")
    notice = application.notice
    _in_exams(notice)
    stage = current_stage(notice)
    if stage is None or stage.id != stage_id:
        raise ValidationFailedError(
            f"Scores are entered for the stage under way ({stage.id if stage else 'none'})."
        )
    if application.status != ApplicationStatus.APPLIED:
        raise ValidationFailedError(f"{application.number} is no longer in the exams.")
    if isinstance(score, bool) or not 0 <= score <= stage.max_score:
        raise ValidationFailedError(f"A score is from 0 to {stage.max_score}, not {score}.")
    with transaction.atomic(durable=True):
        row, _created = StageScore.objects.update_or_create(
            application=application,
            stage=stage.id,
            defaults={"score": score, "entered_by": officer, "entered_at": timezone.now()},
        )
        if notice.status == NoticeStatus.OPEN:
            ExamNotice.objects.filter(pk=notice.pk).update(status=NoticeStatus.EXAMS)
        record_audit(
            actor=officer.get_username(),
            action="personnel.score_entered",
            target_type="application",
            target_id=application.number,
            data={"stage": stage.id, "score": score},
        )
    return row


@dataclass(frozen=True)
class Ranked:
    """One applicant on the merit list."""

    rank: int
    application_id: int
    total: int
    scores: dict[str, int]


def weighted_total(stages: list[Stage], scores: dict[str, int]) -> int:
    return sum(s.weight * scores.get(s.id, 0) for s in stages)


def merit_order(
    stages: list[Stage], tie_break: tuple[str, ...], rows: list[tuple[int, dict[str, int]]]
) -> list[Ranked]:
    """Rank (application id, scores by stage) pairs: the weighted total, highest first; equal
    totals by each tie-break stage's score in turn; still equal: the same rank (the next rank
    skips, as in sport: 1, 2, 2, 4); the same rank is listed by application id."""
    keys = [s for s in tie_break if any(st.id == s for st in stages)]

    def key(row: tuple[int, dict[str, int]]) -> tuple[int, ...]:
        total = weighted_total(stages, row[1])
        return (-total, *(-row[1].get(s, 0) for s in keys))

    ordered = sorted(rows, key=lambda row: (key(row), row[0]))
    ranked: list[Ranked] = []
    for n, row in enumerate(ordered):
        same = ranked and key(ordered[n - 1]) == key(row)
        rank = ranked[-1].rank if same else n + 1
        ranked.append(Ranked(rank, row[0], weighted_total(stages, row[1]), dict(row[1])))
    return ranked


def do_close_stage(officer: User, notice_id: int) -> ExamNotice:
    """Close the stage under way: every applicant still in has a score; those below its pass
    mark drop out. After the last stage the merit list is made: those who passed ranked, the
    first `posts` places successful (all tied at the last place to fill pass)."""
    _require_hr(officer)
    notice = notice_for_hr(officer, notice_id)
    _in_exams(notice)
    stage = current_stage(notice)
    if stage is None:
        raise ValidationFailedError("Every stage is closed.")
    still_in = list(notice.applications.filter(status=ApplicationStatus.APPLIED))
    scores = {
        s.application_id: s.score
        for s in StageScore.objects.filter(application__notice=notice)
        if s.stage == stage.id
    }
    missing = [a.number for a in still_in if a.pk not in scores]
    if missing:
        raise ValidationFailedError(
            f"{len(missing)} applicants have no score in {stage.id} yet: {', '.join(missing[:5])}."
        )
    below = [a.pk for a in still_in if scores[a.pk] < stage.pass_mark]
    last = notice.stages_closed + 1 == len(notice.stages)
    with transaction.atomic(durable=True):
        Application.objects.filter(pk__in=below).update(
            status=ApplicationStatus.DROPPED, dropped_at=stage.id
        )
        notice.stages_closed += 1
        notice.status = NoticeStatus.EXAMS
        if last:
            _make_merit_list(notice)
            notice.status = NoticeStatus.MERIT
        notice.save(update_fields=["stages_closed", "status"])
        record_audit(
            actor=officer.get_username(),
            action="personnel.stage_closed",
            target_type="exam_notice",
            target_id=notice.number,
            data={"stage": stage.id, "dropped": len(below), "merit_list": last},
        )
    return notice


def _make_merit_list(notice: ExamNotice) -> None:
    rules = rules_for(notice.agency.country, notice.opens_on)
    passed = list(notice.applications.filter(status=ApplicationStatus.APPLIED))
    scores: dict[int, dict[str, int]] = {a.pk: {} for a in passed}
    for given in StageScore.objects.filter(application__in=passed):
        scores[given.application_id][given.stage] = given.score
    ranked = merit_order(stages_of(notice), rules.tie_break, list(scores.items()))
    cut = ranked[notice.posts - 1].rank if len(ranked) >= notice.posts else None
    for placed in ranked:
        successful = cut is None or placed.rank <= cut
        Application.objects.filter(pk=placed.application_id).update(
            rank=placed.rank,
            total=placed.total,
            status=ApplicationStatus.SUCCESSFUL if successful else ApplicationStatus.NOT_SELECTED,
        )


def merit_list(notice: ExamNotice) -> list[Application]:
    """The ranked applicants (after the last stage), best first."""
    return list(
        notice.applications.filter(rank__isnull=False)
        .select_related("person", "order")
        .prefetch_related("scores")
        .order_by("rank", "pk")
    )


# -- appointment ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day if it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError  # pragma: no cover


def probation_end(notice: ExamNotice, starts_on: date) -> date | None:
    """The last day of probation for an appointment from `starts_on` (None: no probation)."""
    months = rules_for(notice.agency.country, notice.opens_on).probation_months.get(notice.grade)
    if not months:
        return None
    return add_months(starts_on, months) - timedelta(days=1)


def vacant_positions(notice: ExamNotice, day: date) -> QuerySet[Position]:
    """The agency's positions of the notice's job series whose band holds its grade and that
    nobody holds on `day`."""
    data = pack_for(notice.agency.country)
    rank = data.rank(notice.grade)
    codes = [g.code for g in data.grades]
    bands = [
        (high, low) for high in codes for low in codes if data.rank(high) <= rank <= data.rank(low)
    ]
    band_q = Q(pk__in=[])
    for high, low in bands:
        band_q |= Q(grade_high=high, grade_low=low)
    held = Q(appointments__starts_on__lte=day) & (
        Q(appointments__ends_on__isnull=True) | Q(appointments__ends_on__gte=day)
    )
    return (
        Position.objects.filter(
            band_q, unit__agency_id=notice.agency_id, job_series=notice.job_series
        )
        .exclude(held)
        .distinct()
        .order_by("code")
    )


def do_appoint(
    officer: User, application_id: int, position: Position, effective_on: date
) -> PersonnelOrder:
    """Appoint a successful applicant: their staff record is opened (or their own used) and an
    appointment order drafted at the notice's grade, step 1, with the usual approval chain;
    the probation's last day is kept on the application and shown with the record."""
    _require_hr(officer)
    application = (
        Application.objects.select_related("notice__agency", "person", "account")
        .filter(pk=application_id, notice__agency_id=officer.agency_id or 0)
        .first()
    )
    if application is None:
        raise NotFoundError("There is no such application in your agency.")
    notice = application.notice
    if application.status != ApplicationStatus.SUCCESSFUL:
        raise ValidationFailedError(
            f"{application.number} is not a successful applicant awaiting appointment."
        )
    data = pack_for(notice.agency.country)
    if position.unit.agency_id != notice.agency_id or position.job_series != notice.job_series:
        raise ValidationFailedError("Choose a position of your agency in the notice's job series.")
    if (
        not data.rank(position.grade_high)
        <= data.rank(notice.grade)
        <= data.rank(position.grade_low)
    ):
        raise ValidationFailedError(f"The position's band does not hold grade {notice.grade}.")
    earliest = timezone.localdate() - timedelta(days=data.backdating_days)
    if effective_on < earliest:
        raise ValidationFailedError(f"The appointment may take effect {earliest} at the earliest.")
    record = StaffRecord.objects.filter(person=application.person).first()
    if record is None:
        account = application.account
        linked = StaffRecord.objects.filter(account=account).exists()
        record = do_create_staff_record(
            officer.get_username(),
            person=application.person,
            employee_number=f"R{application.pk:08d}",
            country=notice.agency.country,
            entry=data.entry_for(notice.grade),
            entered_on=effective_on,
            account=None if linked else account,
        )
    order = do_issue_order(
        officer,
        record,
        OrderDraft(
            kind=OrderKind.APPOINTMENT,
            position=position,
            grade=notice.grade,
            step=1,
            effective_on=effective_on,
        ),
    )
    ends = probation_end(notice, effective_on)
    with transaction.atomic(durable=True):
        Application.objects.filter(pk=application.pk).update(
            status=ApplicationStatus.APPOINTED, order=order, probation_ends_on=ends
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.applicant_appointed",
            target_type="application",
            target_id=application.number,
            data={
                "order": order.number,
                "probation_ends_on": ends.isoformat() if ends else None,
            },
        )
    return order


def probation_of(record: StaffRecord) -> Application | None:
    """The appointment by exam that put `record` on probation, if any (shown on the record)."""
    return (
        Application.objects.filter(person_id=record.person_id, status=ApplicationStatus.APPOINTED)
        .select_related("notice", "order")
        .order_by("-pk")
        .first()
    )


def fact_label(country: str, name: str, language: str) -> str:
    """A fact's label in the reader's language (the pack's variables, or `disqualified`)."""
    variable = rules_pack(country).variables.get(name) or DISQUALIFIED
    return variable.label.get(language) or variable.label.get("en") or name
