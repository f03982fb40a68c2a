"""School work records: one attendance mark a learner and school day, term assessment
results, notices and consent requests of a class, the guardians' answers (with a receipt) and
absence reports with their evidence. Change them only through the `do_*` commands of
`attendance`, `assessment` and `guardian`. Imported by `gov3.schools.models` so that Django
sees them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceStatus(models.TextChoices):
    """A learner's day (NEIS: 출석, 결석, 지각, 조퇴)."""

    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    LATE = "late", _("Late")
    LEFT_EARLY = "left_early", _("Left early")


class AttendanceMark(models.Model):
    """A learner's attendance on one school day, in the class of the enrolment. ``excused``:
    an absence report for the day was accepted."""

    enrolment = models.ForeignKey(
        "schools.Enrolment", on_delete=models.PROTECT, related_name="attendance"
    )
    day = models.DateField()
    status = models.CharField(max_length=12, choices=AttendanceStatus.choices)
    excused = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        "schools.Teacher", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="one_mark_a_day")]
        indexes = [models.Index(fields=["day"], name="attendance_day")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.day} {self.status}"


class AssessmentRecord(models.Model):
    """A learner's result in one subject and term of the enrolment's school year; the subjects,
    terms and result scale are the country pack's (schools/assessment.yaml)."""

    enrolment = models.ForeignKey(
        "schools.Enrolment", on_delete=models.PROTECT, related_name="assessments"
    )
    term = models.PositiveSmallIntegerField()
    subject = models.CharField(max_length=40)
    result = models.CharField(max_length=500)
    recorded_by = models.ForeignKey("schools.Teacher", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "term", "subject"], name="one_result_a_subject_and_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} T{self.term} {self.subject}"


class SchoolNotice(models.Model):
    """A notice of a teacher to the guardians of a class; with ``asks_consent`` a consent
    request (e.g. a field trip) each guardian answers yes or no by ``answer_by``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assignment = models.ForeignKey(
        "schools.TeachingAssignment", on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    asks_consent = models.BooleanField(default=False)
    answer_by = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ConsentAnswer(models.Model):
    """A guardian's yes or no to a consent request for one learner, with the receipt: the text
    agreed to and the request as shown, pinned by SHA-256 (as the offers' consent receipts)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notice = models.ForeignKey(SchoolNotice, on_delete=models.PROTECT, related_name="answers")
    learner = models.ForeignKey("schools.Learner", on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    notice_snapshot = models.JSONField()
    notice_sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=5)
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="school_consents"
    )
    guardian = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="school_consents_given"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "learner"], name="one_answer_a_learner")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.learner_id} {'yes' if self.agreed else 'no'}"


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    FAMILY = "family", _("Family event (e.g. a funeral)")
    OTHER = "other", _("Other reason")


class AbsenceReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the teacher")
    ACCEPTED = "accepted", _("Accepted: the absence is excused")
    REJECTED = "rejected", _("Not accepted")


class AbsenceReport(models.Model):
    """A guardian's report of a learner's absence, with evidence (a photo or PDF, checked when
    sent); the class teacher accepts it (the days become excused) or not, with a reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(
        "schools.Enrolment", on_delete=models.PROTECT, related_name="absence_reports"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=10, choices=AbsenceReason.choices)
    note = models.TextField(blank=True)
    evidence = models.BinaryField()
    evidence_name = models.CharField(max_length=200)
    evidence_type = models.CharField(max_length=40)
    evidence_size = models.PositiveIntegerField()
    evidence_sha256 = models.CharField(max_length=64)
    reported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="absence_reports"
    )
    reported_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AbsenceReportStatus.choices, default=AbsenceReportStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "schools.Teacher", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.first_day}..{self.last_day} {self.status}"
