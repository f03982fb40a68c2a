"""Models of a staff record's details (issue 18 item 2): education, career before the service,
training hours, awards and discipline. Each entry is added by an HR officer and may later be
ended (a term served, a course completed), never changed otherwise nor deleted: the history is
every row. No entry holds a name, birth date or address: those stay the register's. Imported
by `models.py` so that Django registers it with the personnel app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gov3.accounts.models import User
from gov3.personnel.models import StaffRecord


class DetailKind(models.TextChoices):
    """The kinds of details on a staff record."""

    EDUCATION = "education", pgettext_lazy("record detail", "Education")
    CAREER = "career", _("Career before the service")
    TRAINING = "training", pgettext_lazy("record detail", "Training")
    AWARD = "award", pgettext_lazy("record detail", "Award")
    DISCIPLINE = "discipline", _("Disciplinary measure")


class RecordDetail(models.Model):
    """One detail of a record: what (`title`: a degree, a post held, a course, an award, a
    measure), given by whom (`issuer`: a school, an employer, a training institute, the
    awarding or disciplinary body), from `starts_on` to `ends_on` (open while empty), training
    `hours`, and the `reference` of the deciding document. Ending it is recorded (`ended_by`,
    `end_reason`) and audited."""

    record = models.ForeignKey(StaffRecord, on_delete=models.PROTECT, related_name="details")
    kind = models.CharField(max_length=12, choices=DetailKind.choices)
    title = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["record", "kind", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="record_detail_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.title} {self.starts_on}"
