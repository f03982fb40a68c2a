"""The reporting chain: monthly reports up the levels."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.registry.models import Area
from gov3.saemaul.models.choices import ReportLevel, ReportStatus
from gov3.saemaul.models.villages import Village


class Report(models.Model):
    """A monthly report of one level of the chain, reviewed and approved by the level above.

    A village report names its village; the others name their area (eup/myeon, county,
    province). Once approved, the report and the village data of its month are locked.
    """

    level = models.CharField(_("level"), max_length=10, choices=ReportLevel.choices)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="saemaul_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict)
    narrative = models.TextField(_("narrative"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    prepared_by = models.CharField(_("prepared by"), max_length=150)
    prepared_at = models.DateTimeField(_("prepared at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month"],
                condition=Q(village__isnull=False),
                name="saemaul_village_report_once",
            ),
            models.UniqueConstraint(
                fields=["level", "area", "year", "month"],
                condition=Q(village__isnull=True),
                name="saemaul_area_report_once",
            ),
            models.CheckConstraint(
                condition=(Q(level="village") & Q(village__isnull=False) & Q(area__isnull=True))
                | (~Q(level="village") & Q(village__isnull=True) & Q(area__isnull=False)),
                name="saemaul_report_names_its_unit",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="saemaul_report_month"
            ),
        ]
        ordering = ["-year", "-month", "level"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        unit = self.village_id if self.village_id else self.area_id
        return f"{self.level} {unit} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def locked(self) -> bool:
        return self.status == ReportStatus.APPROVED
