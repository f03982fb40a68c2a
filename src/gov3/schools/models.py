"""School services: schools and school districts (from the country pack), the learner
registry and enrolments.

Change these only through the `do_*` commands in `services.py`: each owns its transaction and
writes the audit entry. A learner's name, birth date, address and guardians are not copied
here: they are read from the register's `Person` (once-only).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.cases.models import Case
from gov3.core.models import NeverDeleted
from gov3.offers.models import Offer
from gov3.registry.models import Area, Person


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    MIDDLE = "middle", _("Middle school")
    HIGH = "high", _("High school")


class School(NeverDeleted, models.Model):
    """A school of the country pack: code, level, capacity and where it is."""

    country = models.CharField(max_length=2)
    code = models.CharField(max_length=20)
    name_local = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    level = models.CharField(max_length=8, choices=SchoolLevel.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="schools")
    street = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField(help_text=_("learners the school can hold"))
    entry_places = models.PositiveIntegerField(help_text=_("first-grade places a year"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="one_school_per_code")
        ]
        ordering = ["country", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_local}"


class DistrictEntry(models.Model):
    """School district (통학구역): ``school`` serves ``area`` in ``school_year``, in order of
    ``priority`` (1 first) among the schools of its level serving that area."""

    school_year = models.PositiveSmallIntegerField()
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="school_districts")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="districts")
    priority = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "area", "school"], name="school_serves_area_once_a_year"
            )
        ]
        ordering = ["school_year", "area", "priority"]
        verbose_name_plural = "district entries"

    def __str__(self) -> str:
        return f"{self.school_year} {self.area.code} #{self.priority} {self.school.code}"


class Learner(models.Model):
    """A learner: the permanent learner number, kept through transfers, of a registered
    person (name, birth date, address and guardians come from the register)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    number = models.CharField(max_length=20, help_text=_("the permanent learner number"))
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="learner")
    registered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "number"], name="one_learner_per_number")
        ]

    def __str__(self) -> str:
        return self.number


class EnrolmentEnd(models.TextChoices):
    """Why an enrolment ended (an open enrolment has none)."""

    PROMOTED = "promoted", _("Promoted to the next grade")
    TRANSFERRED = "transferred", _("Transferred")
    GRADUATED = "graduated", _("Graduated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HELD_BACK = "held_back", _("Held back: repeats the grade")


class Enrolment(models.Model):
    """One stretch of a learner at a school in one grade and class of one school year; the
    history is kept: a promotion, transfer, graduation or withdrawal ends the row and (for the
    first two) opens the next."""

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    school_year = models.PositiveSmallIntegerField()
    grade = models.PositiveSmallIntegerField()
    class_name = models.CharField(max_length=20, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=EnrolmentEnd.choices, blank=True)
    end_note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(ended_on__isnull=True),
                name="one_open_enrolment_per_learner",
            )
        ]
        ordering = ["learner", "started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.learner} {self.school.code} {self.school_year} G{self.grade}"


class EntryRound(NeverDeleted, models.Model):
    """A school-entry round: the roster of children reaching school age drawn from the
    register on the reference date, and the school each is assigned (Enforcement Decree
    arts. 15-17)."""

    country = models.CharField(max_length=2)
    school_year = models.PositiveSmallIntegerField(help_text=_("the year of entry"))
    reference_date = models.DateField()
    built_at = models.DateTimeField()
    built_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "school_year"], name="one_round_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.school_year}"

    @property
    def starts_on(self) -> date:
        """The first day of the school year of entry (the pack's ``school_year.starts``)."""
        from gov3.schools.entry import school_start  # noqa: PLC0415 - entry imports the models

        return school_start(self.country, self.school_year)


class PlacementStatus(models.TextChoices):
    """Where a child of the roster stands."""

    OFFERED = "offered", _("Notice sent to the guardian")
    NO_GUARDIAN = "no_guardian", _("No guardian in the register")
    UNASSIGNED = "unassigned", _("No school assigned: the education office decides")
    CONFIRMED = "confirmed", _("Confirmed by the guardian")
    REQUESTED = "requested", _("Request with the education office")


class RequestKind(models.TextChoices):
    """What a guardian may ask instead of confirming (Act art. 13; Decree art. 28)."""

    DEFERRAL = "deferral", _("Defer entry by a year")
    EARLY = "early", _("Early entry")
    SPECIAL = "special", _("Special-education support")
    OTHER_SCHOOL = "other_school", _("Another school")


class Placement(models.Model):
    """One child of a round's roster: the school assigned and why, the guardian who answers
    (from the register) and the offer that carries the notice."""

    # The round writes a national cohort's placements at once: no database foreign keys to the
    # rows it read in the same transaction, which are never deleted (ADR 0041, `NeverDeleted`),
    # and no index that no query uses (the round's are `one_placement_per_child`).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        EntryRound,
        on_delete=models.PROTECT,
        related_name="placements",
        db_constraint=False,
        db_index=False,
    )
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="school_placements", db_constraint=False
    )
    guardian = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
        db_constraint=False,
    )
    reason = models.CharField(max_length=12)
    #: the school codes passed over because they were full
    passed_over = models.JSONField(default=list, blank=True)
    offer = models.OneToOneField(
        Offer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school_placement",
        db_constraint=False,
    )
    status = models.CharField(max_length=12, choices=PlacementStatus.choices)
    request_kind = models.CharField(max_length=12, choices=RequestKind.choices, blank=True)
    request_reason = models.TextField(blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school_placements",
        db_index=False,
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "child"], name="one_placement_per_child")
        ]
        # Few placements lead to a case: only those are indexed.
        indexes = [
            models.Index(fields=["case"], name="placement_case", condition=Q(case__isnull=False))
        ]
        ordering = ["round", "child__birth_date", "child_id"]

    def __str__(self) -> str:
        return f"{self.round} {self.child_id} {self.status}"


class CurrentTeachers(models.Manager["Teacher"]):
    """Teachers whose assignment has not ended: the default, so that every reader (the
    teacher's pages, sign-in claims, the OneRoster export) sees only current teachers."""

    def get_queryset(self) -> models.QuerySet[Teacher]:
        return super().get_queryset().filter(ended_at__isnull=True)


class Teacher(models.Model):
    """A school staff member who teaches: a gov3 account (a registered person) at one school,
    with the classes they teach (`TeachingAssignment`). Kept small: the classroom connector
    needs no more (ADR 0040). An account is a current teacher at one school at most; an ended
    assignment (`ended_at`) is kept, and `Teacher.objects` no longer sees it (`all_teachers`
    does)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="teachers")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="teachers")
    registered_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    all_teachers = models.Manager()
    objects = CurrentTeachers()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_teacher_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.school.code})"


class TeachingAssignment(models.Model):
    """A class a teacher teaches in one school year (the class of `Enrolment.class_name`)."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="assignments")
    school_year = models.PositiveSmallIntegerField()
    grade = models.PositiveSmallIntegerField()
    class_name = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "school_year", "grade", "class_name"],
                name="one_assignment_per_class",
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher} {self.school_year} {self.grade}-{self.class_name}"


class ClassroomClient(models.Model):
    """A registered classroom system (an LMS) of one school: the OAuth client it uses with
    gov3's provider and the scopes it was granted. A client may read that school's roster
    only; a scope it was not granted is refused (ADR 0040)."""

    application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.CASCADE,
        related_name="classroom",
        verbose_name=_("OAuth client"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="classroom_clients",
        verbose_name=_("school"),
    )
    scopes = models.CharField(
        _("scopes"), max_length=300, help_text=_("the scopes granted, space-separated")
    )
    #: When an administrator disabled it: it gets no token and reads no roster any more.
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("classroom client")
        verbose_name_plural = _("classroom clients")

    def __str__(self) -> str:
        return f"{self.application} ({self.school.code})"

    @property
    def granted(self) -> frozenset[str]:
        """The scopes it may ask for: none once disabled."""
        if self.disabled_at is not None:
            return frozenset()
        return frozenset(self.scopes.split())


# The school-work records (attendance, assessment, notices, absence reports) live in their own
# module; imported here so that Django registers them with this app.
from gov3.schools.work.models import (  # noqa: E402, F401
    AbsenceReport,
    AbsenceReportStatus,
    AssessmentRecord,
    AttendanceMark,
    AttendanceStatus,
    ConsentAnswer,
    SchoolNotice,
)
