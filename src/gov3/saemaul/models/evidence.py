"""Progress photos (evidence) of projects."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.saemaul.models.choices import PhotoFlag, PhotoStage, ReviewStatus
from gov3.saemaul.models.projects import Project


def evidence_path(instance: EvidencePhoto, filename: str) -> str:
    """Where a photo's file is stored: by project, under a fresh name."""
    suffix = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"saemaul/evidence/{instance.project.public_id}/{uuid.uuid4().hex}{suffix}"


# Migrations name a field's upload_to function by its module: keep the name it had before the
# models became a package (gov3.saemaul.models re-exports it), so that no migration changes.
evidence_path.__module__ = "gov3.saemaul.models"


class EvidencePhoto(models.Model):
    """A before/during/after photo of a project, with its EXIF, location check and review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField(_("stage"), max_length=6, choices=PhotoStage.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=20)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(max_length=64)
    exif = models.JSONField(_("EXIF data"), default=dict)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the site (m)"), null=True, blank=True)
    threshold_m = models.PositiveIntegerField(_("distance allowed (m)"))
    flag = models.CharField(
        _("flag"), max_length=14, choices=PhotoFlag.choices, blank=True, default=PhotoFlag.NONE
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress shown (%)"), default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.CharField(_("uploaded by"), max_length=150)
    review = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED
    )
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "uploaded_at"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage} {self.original_name}"

    @property
    def flagged(self) -> bool:
        return self.flag != PhotoFlag.NONE

    @property
    def counts_as_evidence(self) -> bool:
        """Unflagged and not rejected, or flagged and accepted by an officer."""
        if self.review == ReviewStatus.REJECTED:
            return False
        return not self.flagged or self.review == ReviewStatus.ACCEPTED
