"""Programme rounds and their allocations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.registry.models import Area
from gov3.saemaul.models.choices import FundingSource, Material, RoundStatus, localised
from gov3.saemaul.models.configuration import Rubric
from gov3.saemaul.models.villages import Village


class ProgrammeRound(models.Model):
    """A round of support: the package, who gets it, who pays, caps, windows and deadlines.

    Eligibility is two optional filters: ``eligible_classes`` (empty: any class) and
    ``requires_result_of`` (empty: no condition; else only villages whose evaluation in that
    round showed results). Both empty means every village of the country (or of ``area``).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2)
    names = models.JSONField(_("names"), default=dict)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only in area"),
    )
    eligible_classes = models.JSONField(_("eligible classes"), default=list, blank=True)
    requires_result_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only villages with results in"),
    )
    max_villages = models.PositiveIntegerField(_("most villages"), null=True, blank=True)
    package_value_krw = models.BigIntegerField(
        _("value of one package (KRW)"), null=True, blank=True
    )
    delivery_from = models.DateField(_("deliveries from"), null=True, blank=True)
    delivery_until = models.DateField(_("deliveries until"), null=True, blank=True)
    completion_deadline = models.DateField(_("works finished by"), null=True, blank=True)
    depot_reserve_percent = models.PositiveSmallIntegerField(_("depot reserve (%)"), default=0)
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("rubric")
    )
    pass_score = models.PositiveSmallIntegerField(
        _("score that counts as a result"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["year", "code"]
        verbose_name = _("programme round")
        verbose_name_plural = _("programme rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)

    def budget_krw(self) -> int:
        """National plus local funding (the public budget of the round); 0 if not given."""
        return sum(
            f.amount_krw
            for f in self.funding.all()
            if f.source in (FundingSource.NATIONAL, FundingSource.LOCAL)
        )

    def village_cap(self) -> int | None:
        """The most villages the round may support: ``max_villages`` and the budget, if set."""
        caps: list[int] = []
        if self.max_villages is not None:
            caps.append(self.max_villages)
        budget = self.budget_krw()
        if budget and self.package_value_krw:
            caps.append(budget // self.package_value_krw)
        return min(caps) if caps else None


class PackageLine(models.Model):
    """One line of a round's package, e.g. 500 bags of cement or 1,000 kg of steel."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="package")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "material"], name="saemaul_package_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="saemaul_package_positive"),
        ]
        ordering = ["round", "position"]
        verbose_name = _("package line")
        verbose_name_plural = _("package lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material}"


class RoundFunding(models.Model):
    """A co-financing share of a round: money and, for villagers, labour days per village."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("paid by"), max_length=10, choices=FundingSource.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), default=0)
    labour_days_per_village = models.PositiveIntegerField(_("labour days per village"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "source"], name="saemaul_funding_unique")
        ]
        verbose_name = _("co-financing share")
        verbose_name_plural = _("co-financing shares")

    def __str__(self) -> str:
        return f"{self.source} {self.amount_krw}"


class TrancheRule(models.Model):
    """How an approved project's cash grant is paid: a share, released at a progress level."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    share_percent = models.PositiveSmallIntegerField(_("share (%)"))
    min_progress_percent = models.PositiveSmallIntegerField(
        _("progress shown by photos before release (%)"), default=0
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="saemaul_tranche_rule_unique")
        ]
        ordering = ["round", "number"]
        verbose_name = _("tranche rule")
        verbose_name_plural = _("tranche rules")

    def __str__(self) -> str:
        return f"{self.number}: {self.share_percent}%"


class Allocation(models.Model):
    """A round's package allocated to one village (at most once: unique per round and village)."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.PROTECT, related_name="allocations")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="allocations")
    value_krw = models.BigIntegerField(_("value (KRW)"), default=0)
    allocated_at = models.DateTimeField(_("allocated at"))
    allocated_by = models.CharField(_("allocated by"), max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="saemaul_allocation_once")
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.round_id} → {self.village_id}"


class AllocationLine(models.Model):
    """A quantity of one material in an allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "material"], name="saemaul_allocation_line_unique"
            )
        ]
        indexes = [models.Index(fields=["material"])]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material}"
