"""Public personnel administration: the organisation, civil servants' records, appointments and
the personnel orders that change them (issue 18). Grades, pay and tenure rules are country-pack
data (`pack.py`); officers' rights in gov3 follow from appointments (ADR 0036)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.registry.models import Person


class PositionType(models.TextChoices):
    """How a position is filled and held."""

    GENERAL = "general", _("General")
    SPECIALIST = "specialist", _("Specialist")
    OPEN = "open", _("Open position")
    INTERNAL = "internal", _("Internally competed")
    LONG_TERM = "long_term", _("Long-term")


class WorkKind(models.TextChoices):
    """The kind of work, for the minimum time in post (2 years for licensing and petitions)."""

    GENERAL = "general", _("General")
    LICENSING = "licensing", _("Licensing")
    CIVIL_PETITION = "civil_petition", _("Civil petitions")


class EntryTrack(models.TextChoices):
    """How a civil servant entered the service (moves between agencies depend on it)."""

    GRADE5_EXAM = "grade5_exam", _("Grade 5 open exam")
    GRADE7_EXAM = "grade7_exam", _("Grade 7 open exam")
    GRADE9_EXAM = "grade9_exam", _("Grade 9 open exam")
    OPEN_EXAM = "open_exam", _("Open competitive exam")
    EXPERIENCED = "experienced", _("Experienced hire")


class Unit(models.Model):
    """A unit of an agency (bureau, division, team): a tree under the agency's top unit, with
    its authorised headcount. A unit closed by a reorganisation keeps its past (`closed_on`)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(max_length=40, unique=True)
    name_local = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    authorised_headcount = models.PositiveIntegerField(default=0)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_local}"


class Position(models.Model):
    """A post in a unit: its grade band (pack grade codes), job series, type, the kind of work,
    and the officer role in gov3 it gives its holder (none: no officer rights)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions")
    code = models.CharField(max_length=40, unique=True)
    title_local = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    grade_high = models.CharField(max_length=10)
    grade_low = models.CharField(max_length=10)
    job_series = models.CharField(max_length=40)
    position_type = models.CharField(max_length=12, choices=PositionType.choices)
    work_kind = models.CharField(max_length=16, choices=WorkKind.choices, default=WorkKind.GENERAL)
    gov3_role = models.CharField(max_length=20, choices=OfficerRole.choices, blank=True)
    #: The head of the unit: approves the personnel orders of the agency if the unit does HR.
    is_head = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_local}"


class StaffRecord(models.Model):
    """A civil servant's personnel record. Name, birth date and address are the register's
    (`person`), never copied; the account is how they sign in, if they have one."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="staff_record")
    account = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="staff_record"
    )
    employee_number = models.CharField(max_length=20, unique=True)
    country = models.CharField(max_length=2)
    entry = models.CharField(max_length=12, choices=EntryTrack.choices)
    entered_on = models.DateField()

    class Meta:
        ordering = ["employee_number"]

    def __str__(self) -> str:
        return self.employee_number


class OrderKind(models.TextChoices):
    """What a personnel order does."""

    APPOINTMENT = "appointment", _("Appointment")
    PROMOTION = "promotion", _("Promotion")
    TRANSFER = "transfer", _("Transfer")
    RETIREMENT = "retirement", _("Retirement")
    LEAVE = "leave", _("Leave of absence")
    RETURN = "return", _("Return from leave or secondment")
    SECONDMENT = "secondment", _("Secondment")


class OrderStatus(models.TextChoices):
    """Where an order is in its approval chain."""

    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")


class OrderBatch(models.Model):
    """A batch order: many orders drafted together by an HR officer and approved together by
    the head of the HR unit, all or none (`personnel/batch.py`)."""

    number = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=OrderStatus.choices)
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return self.number


class PersonnelOrder(models.Model):
    """A numbered personnel order about one civil servant, effective on a date, drafted by an
    HR officer of the agency and approved by the head of its HR unit (never by its subject).
    A tenure rule may be set aside only with a recorded exception and its reason."""

    number = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(StaffRecord, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=12, choices=OrderKind.choices)
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(max_length=10, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_on = models.DateField()
    status = models.CharField(max_length=10, choices=OrderStatus.choices)
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    #: Tenure rules set aside, with the reason given (empty: none).
    exception_rules = models.JSONField(default=list, blank=True)
    exception_reason = models.TextField(blank=True)
    #: The batch order it was drafted in, if any.
    batch = models.ForeignKey(
        OrderBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )

    class Meta:
        ordering = ["-effective_on", "-number"]

    def __str__(self) -> str:
        return self.number


class Appointment(models.Model):
    """A civil servant in a position at a grade and step, from `starts_on` to `ends_on`
    (inclusive; open when empty). Appointments of one record never overlap; the history is
    every row, never rewritten except to close the open one."""

    record = models.ForeignKey(StaffRecord, on_delete=models.PROTECT, related_name="appointments")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="appointments")
    grade = models.CharField(max_length=10)
    step = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    #: On leave of absence: the post is kept, no officer rights in gov3 meanwhile.
    on_leave = models.BooleanField(default=False)
    #: Seconded to another agency's position; a return brings them back to their own post.
    seconded = models.BooleanField(default=False)
    order = models.ForeignKey(
        PersonnelOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["record", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="appointment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["record", "starts_on"], name="one_appointment_starts_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} in {self.position} from {self.starts_on}"


class EvaluationKind(models.TextChoices):
    """Performance agreements (grade 4 and above, SCS: yearly) or work evaluations (grade 5
    and below: twice a year); the grades of each are country-pack data."""

    AGREEMENT = "agreement", _("Performance agreement")
    WORK = "work", _("Work evaluation")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open for rating")
    CONFIRMED = "confirmed", _("Confirmed by the committee")


class EvaluationPeriod(models.Model):
    """An agency's evaluation period: who holds a post on `reference_day` with a grade of the
    kind is rated by the head of their unit; the agency's committee (its HR officers) calibrates
    and the head of HR confirms."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices)
    year = models.PositiveSmallIntegerField()
    #: 1 or 2 for the halves of a work evaluation; 0 for a yearly period.
    half = models.PositiveSmallIntegerField(default=0)
    reference_day = models.DateField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-half", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "half"], name="one_evaluation_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}/{self.half}"


class Rating(models.Model):
    """One civil servant's rating in a period, given by the head of their unit (`rater`), and
    moved by the committee at calibration (`calibrated_by`, audited with the reason)."""

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="ratings")
    record = models.ForeignKey(StaffRecord, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    #: The civil servant's grade on the reference day (quota group and bonus base).
    grade = models.CharField(max_length=10)
    #: A code of the grade's track's scale in the pack (S/A/B/C, `outstanding`...).
    rating = models.CharField(max_length=16)
    rater = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()
    calibrated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit", "record"]
        constraints = [
            models.UniqueConstraint(fields=["period", "record"], name="one_rating_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.rating}"


class UnitLock(models.Model):
    """A unit's ratings locked by its rater: within the quota when locked; no more changes
    except the committee's calibration."""

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="locks")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    locked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="one_lock_a_unit")]

    def __str__(self) -> str:
        return f"{self.unit} locked"


# Open positions and self-service requests (issue 18 items 8 and 9) live in modules of their
# own; importing them here registers them with the app.
from gov3.personnel.open_position_models import (  # noqa: E402, F401
    CommitteeMember,
    OpenApplication,
    OpenContract,
    OpenPosting,
)
from gov3.personnel.record_models import RecordDetail  # noqa: E402, F401
from gov3.personnel.reorganisation_models import (  # noqa: E402, F401
    PositionMove,
    Reorganisation,
    UnitLink,
)
from gov3.personnel.self_service_models import RequestDecision, StaffRequest  # noqa: E402, F401

# -- Recruitment (issue 18 item 4): exam notices, applications, stage scores, disqualifications


class NoticeStatus(models.TextChoices):
    """Where a recruitment round is."""

    OPEN = "open", _("Open for applications")
    EXAMS = "exams", _("Exams under way")
    MERIT = "merit", _("Merit list published")


class ExamNotice(models.Model):
    """A recruitment round of an agency for `posts` posts of a grade and job series. The stages
    and their pass marks are the pack's on the day it opened (kept in `stages`, so a later pack
    change does not alter a round under way); `stages_closed` counts the stages whose results
    are final. Eligibility is evaluated with the final exam day as "today" (exam age)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    grade = models.CharField(max_length=10)
    job_series = models.CharField(max_length=40)
    posts = models.PositiveSmallIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    final_exam_on = models.DateField()
    status = models.CharField(max_length=8, choices=NoticeStatus.choices)
    stages = models.JSONField(default=list)
    stages_closed = models.PositiveSmallIntegerField(default=0)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-number"]

    def __str__(self) -> str:
        return self.number


class ApplicationStatus(models.TextChoices):
    """An applicant's standing in the round."""

    APPLIED = "applied", _("In the exams")
    DROPPED = "dropped", _("Below a pass mark")
    PASSED = "passed", _("Passed every stage")
    SUCCESSFUL = "successful", _("On the merit list for appointment")
    NOT_SELECTED = "not_selected", _("Passed, not within the posts")
    APPOINTED = "appointed", _("Appointment order issued")


class Application(models.Model):
    """A citizen's application to a notice: one per person and notice. The eligibility facts
    are the register's, read when applying and kept as they were (`eligibility`)."""

    notice = models.ForeignKey(ExamNotice, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=50, unique=True)
    applied_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    #: The stage id below whose pass mark the applicant dropped out.
    dropped_at = models.CharField(max_length=20, blank=True)
    #: The conditions evaluated when applying: [{"id", "met"}].
    eligibility = models.JSONField(default=list)
    rank = models.PositiveIntegerField(null=True, blank=True)
    total = models.IntegerField(null=True, blank=True)
    order = models.ForeignKey(
        PersonnelOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    probation_ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["notice", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="one_application_a_notice")
        ]

    def __str__(self) -> str:
        return self.number


class StageScore(models.Model):
    """An applicant's score in one stage, entered by an HR officer of the agency."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    stage = models.CharField(max_length=20)
    score = models.PositiveSmallIntegerField()
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="one_score_a_stage")
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.stage} {self.score}"


class Disqualification(models.Model):
    """A ground of disqualification from public office recorded for a person (a court's or a
    disciplinary decision notified to the personnel authority), from `starts_on`; it lasts the
    pack's years for its ground, or until `ends_on` (a discharge, the end of guardianship)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=40)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "starts_on"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.ground} {self.starts_on}"
