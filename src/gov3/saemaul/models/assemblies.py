"""Village assemblies and their resolutions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.saemaul.models.villages import Village


class Assembly(models.Model):
    """A villagers' general assembly (마을총회), with attendance by sex and its quorum."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="assemblies")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    eligible_members = models.PositiveIntegerField(_("members entitled to attend"))
    attended_men = models.PositiveIntegerField(_("men attending"))
    attended_women = models.PositiveIntegerField(_("women attending"))
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"))
    quorum_met = models.BooleanField(_("quorum met"))
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["village", "-held_on"]
        verbose_name = _("village assembly")
        verbose_name_plural = _("village assemblies")

    def __str__(self) -> str:
        return f"{self.village_id} {self.held_on}"

    @property
    def attended(self) -> int:
        return self.attended_men + self.attended_women


class Resolution(models.Model):
    """A decision put to an assembly; ``adopted`` only with quorum and a majority of votes."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    adopted = models.BooleanField(_("adopted"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="saemaul_resolution_unique_number"
            )
        ]
        ordering = ["assembly", "number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
