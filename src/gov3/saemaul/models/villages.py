"""Villages, their leaders and infrastructure."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gov3.registry.models import Area, Person, Sex
from gov3.saemaul.models.choices import Body, BodyRole, InfrastructureItem, VillageClass
from gov3.saemaul.models.configuration import LeaderSlot


class Village(models.Model):
    """A village (마을, ri) taking part in the programme, under an eup/myeon/dong area."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("village code"), max_length=30, unique=True)
    name_local = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="saemaul_villages",
        verbose_name=_("eup/myeon/dong"),
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    village_class = models.CharField(
        _("class"), max_length=12, choices=VillageClass.choices, default=VillageClass.BASIC
    )
    registered_on = models.DateField(_("registered on"))

    class Meta:
        indexes = [models.Index(fields=["village_class"])]
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return f"{self.name_local} ({self.code})"


class VillageInfrastructure(models.Model):
    """One line of a village's infrastructure checklist: done or not, and since which year."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="infrastructure")
    item = models.CharField(_("item"), max_length=20, choices=InfrastructureItem.choices)
    done = models.BooleanField(_("done"), default=False)
    completed_year = models.PositiveSmallIntegerField(
        _("year completed"), null=True, blank=True, help_text=_("empty: before the programme")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "item"], name="saemaul_infra_unique_item")
        ]
        ordering = ["village", "item"]
        verbose_name = _("infrastructure item")
        verbose_name_plural = _("infrastructure checklist")

    def __str__(self) -> str:
        return f"{self.village_id} {self.item} {'✔' if self.done else '✘'}"


class VillageAnnualFigures(models.Model):
    """A village's yearly survey figures used for classification."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="annual_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    average_household_income_krw = models.BigIntegerField(
        _("average household income (KRW a year)")
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="saemaul_figures_unique_year")
        ]
        ordering = ["village", "year"]
        verbose_name = _("annual village figures")
        verbose_name_plural = _("annual village figures")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}"


class VillageLeader(models.Model):
    """A person holding a leader slot of a village; ``until`` empty while serving."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="leaders")
    slot = models.ForeignKey(LeaderSlot, on_delete=models.PROTECT, verbose_name=_("slot"))
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "slot"],
                condition=Q(until__isnull=True),
                name="saemaul_one_leader_per_slot",
            )
        ]
        ordering = ["village", "slot__position", "-since"]
        verbose_name = _("village leader")
        verbose_name_plural = _("village leaders")

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A member of the development committee or the women's association."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="body_members")
    body = models.CharField(_("body"), max_length=24, choices=Body.choices)
    role = models.CharField(
        _("role"), max_length=12, choices=BodyRole.choices, default=BodyRole.MEMBER
    )
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "body"],
                condition=Q(until__isnull=True, role="chair"),
                name="saemaul_one_chair_per_body",
            )
        ]
        ordering = ["village", "body", "role", "name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")

    def __str__(self) -> str:
        return f"{self.name} ({self.body})"
