"""Trained people and the national reference figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel
from gov3.registry.models import Area
from gov3.saemaul.models.choices import SaemaulLevel, localised
from gov3.saemaul.models.villages import Village


class SaemaulAssignment(models.Model):
    """Where a user works in the programme: a village, an eup/myeon, a county, a province or
    the centre. Pages and the API authorise with it (see ``permissions.py``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saemaul_assignment"
    )
    level = models.CharField(_("level"), max_length=10, choices=SaemaulLevel.choices)
    country = models.CharField(_("country"), max_length=2)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.CharField(_("assigned by"), max_length=150)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="village") & Q(village__isnull=False) & Q(area__isnull=True))
                | (Q(level="central") & Q(village__isnull=True) & Q(area__isnull=True))
                | (
                    Q(level__in=["eup_myeon", "county", "province"])
                    & Q(village__isnull=True)
                    & Q(area__isnull=False)
                ),
                name="saemaul_assignment_scope",
            )
        ]
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")

    def __str__(self) -> str:
        return f"{self.user_id} {self.level}"


class ReferenceFigure(AppendOnlyModel):
    """A documented national or local figure of the historical programme, with its source."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    names = models.JSONField(_("names"), default=dict)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20)
    period = models.CharField(_("period"), max_length=20)
    scope_names = models.JSONField(_("scope"), default=dict)
    source_title = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("reference figure")
        verbose_name_plural = _("reference figures")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)

    @property
    def scope(self) -> str:
        return localised(self.scope_names)
