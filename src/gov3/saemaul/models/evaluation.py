"""Evaluations of villages and their classes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel
from gov3.saemaul.models.choices import CLASS_RANK, ClassMethod, VillageClass
from gov3.saemaul.models.rounds import ProgrammeRound
from gov3.saemaul.models.villages import Village


class Evaluation(models.Model):
    """A village's evaluation at the end of a round: rubric scores and whether it showed results."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.PROTECT, related_name="evaluations")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="evaluations")
    scores = models.JSONField(_("scores"), default=dict)
    total = models.PositiveIntegerField(_("total score"))
    showed_results = models.BooleanField(_("showed results"))
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_by = models.CharField(_("evaluated by"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="saemaul_evaluation_once")
        ]
        indexes = [models.Index(fields=["round", "showed_results"])]
        ordering = ["round", "-total"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.round_id} {self.village_id} {self.total}"


class VillageClassification(AppendOnlyModel):
    """A village's class in a year, with the figures it was decided on (history)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="classifications")
    year = models.PositiveSmallIntegerField(_("year"))
    village_class = models.CharField(_("class"), max_length=12, choices=VillageClass.choices)
    previous_class = models.CharField(
        _("previous class"), max_length=12, choices=VillageClass.choices, blank=True
    )
    method = models.CharField(_("method"), max_length=8, choices=ClassMethod.choices)
    household_income_krw = models.BigIntegerField(
        _("average household income (KRW a year)"), null=True, blank=True
    )
    infrastructure_items = models.PositiveSmallIntegerField(
        _("infrastructure items completed"), null=True, blank=True
    )
    village_fund_krw = models.BigIntegerField(_("village fund (KRW)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="saemaul_class_once_a_year")
        ]
        indexes = [models.Index(fields=["year", "village_class"])]
        ordering = ["village", "year"]
        verbose_name = _("village classification")
        verbose_name_plural = _("village classifications")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year} {self.village_class}"

    @property
    def promoted(self) -> bool:
        return (
            bool(self.previous_class)
            and CLASS_RANK[VillageClass(self.village_class)]
            > CLASS_RANK[VillageClass(self.previous_class)]
        )
