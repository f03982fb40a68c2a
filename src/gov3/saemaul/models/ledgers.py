"""Ledgers: material stock, deliveries and use, the village fund."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel
from gov3.registry.models import Area
from gov3.saemaul.models.choices import DepotLevel, FundEntryKind, Material, StockMovement
from gov3.saemaul.models.projects import Project, Tranche
from gov3.saemaul.models.rounds import Allocation, ProgrammeRound
from gov3.saemaul.models.villages import Village


class Depot(models.Model):
    """A materials depot kept by a county or an eup/myeon office."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    level = models.CharField(_("level"), max_length=10, choices=DepotLevel.choices)
    reserve_percent = models.PositiveSmallIntegerField(
        _("reserve (%)"), default=0, help_text=_("used for stock that belongs to no round")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")

    def __str__(self) -> str:
        return self.name


class StockEntry(AppendOnlyModel):
    """One movement of a depot's stock of a material, for a round (or general stock)."""

    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="stock")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    round = models.ForeignKey(
        ProgrammeRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("programme round"),
    )
    movement = models.CharField(_("movement"), max_length=12, choices=StockMovement.choices)
    quantity = models.BigIntegerField(_("quantity"), help_text=_("positive in, negative out"))
    balance_after = models.BigIntegerField(_("balance after"))
    moved_on = models.DateField(_("date"))
    counterpart = models.ForeignKey(
        Depot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other depot"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        indexes = [models.Index(fields=["depot", "material", "round"])]
        ordering = ["depot", "id"]
        verbose_name = _("stock entry")
        verbose_name_plural = _("stock ledger")

    def __str__(self) -> str:
        return f"{self.depot_id} {self.material} {self.quantity:+d}"


class Delivery(AppendOnlyModel):
    """Materials of an allocation handed from a depot to a village."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="deliveries")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="deliveries")
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="deliveries")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    delivered_on = models.DateField(_("delivered on"))
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    stock_entry = models.OneToOneField(StockEntry, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material} → {self.village_id}"


class MaterialUse(AppendOnlyModel):
    """Delivered material put into a project."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="material_use")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="material_use")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    used_on = models.DateField(_("used on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-used_on", "-id"]
        verbose_name = _("material use")
        verbose_name_plural = _("material use")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material} in {self.project_id}"


class VillageFundEntry(AppendOnlyModel):
    """One movement of the village fund (마을기금); the balance never goes below zero."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="fund")
    kind = models.CharField(_("kind"), max_length=12, choices=FundEntryKind.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), help_text=_("positive in, negative out"))
    balance_after_krw = models.BigIntegerField(_("balance after (KRW)"))
    entry_on = models.DateField(_("date"))
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tranche = models.OneToOneField(
        Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entry"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["village", "id"]
        verbose_name = _("village fund entry")
        verbose_name_plural = _("village fund ledger")

    def __str__(self) -> str:
        return f"{self.village_id} {self.amount_krw:+d}"
