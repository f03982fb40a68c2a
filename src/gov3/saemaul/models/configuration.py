"""What a country configures: materials, infrastructure items, policies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.registry.models import Sex
from gov3.saemaul.models.choices import VillageClass, localised


class ProgrammePolicy(models.Model):
    """A country's configurable programme rules (loaded from countries/<cc>/saemaul/)."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    assembly_quorum_percent = models.PositiveSmallIntegerField(_("assembly quorum (%)"), default=50)
    photo_max_distance_m = models.PositiveIntegerField(
        _("largest distance of a photo from its site (m)"), default=1000
    )
    photo_max_bytes = models.PositiveIntegerField(
        _("largest photo file (bytes)"), default=10 * 1024 * 1024
    )
    default_reserve_percent = models.PositiveSmallIntegerField(
        _("default depot reserve (%)"), default=0
    )

    class Meta:
        verbose_name = _("programme policy")
        verbose_name_plural = _("programme policies")

    def __str__(self) -> str:
        return f"policy {self.country}"


class LeaderSlot(models.Model):
    """A leader position every village fills, e.g. one man and one woman Saemaul leader."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    required_sex = models.CharField(
        _("required sex"), max_length=1, choices=Sex.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="saemaul_slot_unique_code")
        ]
        ordering = ["country", "position", "code"]
        verbose_name = _("leader slot")
        verbose_name_plural = _("leader slots")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class Rubric(models.Model):
    """A scoring rubric for evaluating villages at the end of a round."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    names = models.JSONField(_("names"), default=dict)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return localised(self.names, self.code)


class RubricCriterion(models.Model):
    """One scored line of a rubric, worth 0 … ``max_points``."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="saemaul_criterion_unique")
        ]
        ordering = ["rubric", "position"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class ClassCriterion(models.Model):
    """The thresholds a village must meet in a year to be of ``village_class`` (configurable)."""

    country = models.CharField(_("country"), max_length=2)
    village_class = models.CharField(_("class"), max_length=12, choices=VillageClass.choices)
    min_household_income_krw = models.BigIntegerField(
        _("lowest average household income (KRW a year)"), default=0
    )
    min_infrastructure_items = models.PositiveSmallIntegerField(
        _("fewest infrastructure items completed"), default=0
    )
    min_village_fund_krw = models.BigIntegerField(_("lowest village fund (KRW)"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "village_class"], name="saemaul_class_criterion_unique"
            )
        ]
        verbose_name = _("class criterion")
        verbose_name_plural = _("class criteria")

    def __str__(self) -> str:
        return f"{self.country} {self.village_class}"
