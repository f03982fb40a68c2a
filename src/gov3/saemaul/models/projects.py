"""Projects, their bills of quantities, decisions and tranches."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel
from gov3.saemaul.models.assemblies import Resolution
from gov3.saemaul.models.choices import (
    InfrastructureItem,
    Material,
    ProjectAction,
    ProjectCategory,
    ProjectStatus,
    TrancheStatus,
)
from gov3.saemaul.models.rounds import ProgrammeRound
from gov3.saemaul.models.villages import Village


class Project(models.Model):
    """A village project chosen by the assembly; ``version`` guards against lost decisions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="projects")
    round = models.ForeignKey(
        ProgrammeRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("programme round"),
    )
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("assembly resolution"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=26, choices=ProjectCategory.choices)
    infrastructure_item = models.CharField(
        _("completes checklist item"),
        max_length=20,
        choices=InfrastructureItem.choices,
        blank=True,
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    estimated_cost_krw = models.BigIntegerField(_("estimated cost (KRW)"), default=0)
    requested_grant_krw = models.BigIntegerField(_("cash grant requested (KRW)"), default=0)
    community_cash_krw = models.BigIntegerField(_("villagers' cash (KRW)"), default=0)
    community_labour_days = models.PositiveIntegerField(_("villagers' labour days"), default=0)
    approved_grant_krw = models.BigIntegerField(
        _("cash grant approved (KRW)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.CharField(_("checked by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]
        ordering = ["-created_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ProjectLine(models.Model):
    """A line of the bill of quantities; ``amount_krw`` is the quantity times the unit price."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=200)
    material = models.CharField(
        _("programme material"), max_length=8, choices=Material.choices, blank=True
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price_krw = models.BigIntegerField(_("unit price (KRW)"), default=0)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "position"], name="saemaul_line_position")
        ]
        ordering = ["project", "position"]
        verbose_name = _("bill of quantities line")
        verbose_name_plural = _("bill of quantities")

    def __str__(self) -> str:
        return f"{self.description} {self.quantity} {self.unit}"


class ProjectDecision(AppendOnlyModel):
    """One step of a project's history: who did what, when, from which status to which."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("action"), max_length=10, choices=ProjectAction.choices)
    from_status = models.CharField(
        _("from"), max_length=10, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=ProjectStatus.choices)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["project", "at", "id"]
        verbose_name = _("project decision")
        verbose_name_plural = _("project decisions")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class Tranche(models.Model):
    """A part of an approved cash grant, released once its progress condition is met."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    min_progress_percent = models.PositiveSmallIntegerField(
        _("progress shown by photos before release (%)"), default=0
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TrancheStatus.choices, default=TrancheStatus.PENDING
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.CharField(_("released by"), max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="saemaul_tranche_unique")
        ]
        ordering = ["project", "number"]
        verbose_name = _("cash tranche")
        verbose_name_plural = _("cash tranches")

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number}"
