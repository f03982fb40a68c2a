"""Models of reorganisations (issue 18 item 1): a numbered, dated act of an agency that splits,
merges, renames or moves units. Units are never changed in place: the act closes its
predecessors on the effective date (`Unit.closed_on`) and opens its successors, and records the
lineage (`UnitLink`) and where each position went (`PositionMove`), so the organisation as it
was on any past day can be read back. Imported by `models.py` so that Django registers them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import Agency, User
from gov3.personnel.models import OrderStatus, Position, Unit


class ReorganisationKind(models.TextChoices):
    """What a reorganisation does to units."""

    SPLIT = "split", _("Split (one unit into several)")
    MERGE = "merge", _("Merge (several units into one)")
    RENAME = "rename", _("Rename")
    MOVE = "move", _("Move under another unit")


class Reorganisation(models.Model):
    """A reorganisation act, numbered like a personnel order, effective on a date, drafted by an
    HR officer of the agency and approved by the head of its HR unit (never its drafter). While
    a draft, `plan` holds what it will do: the successors to open (`code`, `name_local`,
    `name_en`, `parent`, `authorised_headcount`) and the position mapping (position code →
    successor code). The units are opened and closed when it is approved."""

    number = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=ReorganisationKind.choices)
    effective_on = models.DateField()
    predecessors = models.ManyToManyField(Unit, related_name="+")
    plan = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=OrderStatus.choices)
    #: None: an act imported from another system's export (`personnel/transfer.py`).
    drafted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_on", "-number"]

    def __str__(self) -> str:
        return self.number


class UnitLink(models.Model):
    """Lineage: `successor` took over (part of) `predecessor`'s work by `reorganisation`."""

    reorganisation = models.ForeignKey(
        Reorganisation, on_delete=models.PROTECT, related_name="links"
    )
    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessor_links")

    class Meta:
        ordering = ["reorganisation", "predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(
                fields=["reorganisation", "predecessor", "successor"], name="one_unit_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -> {self.successor_id}"


class PositionMove(models.Model):
    """A position moved from a closed unit to a successor from `moved_on` (the effective
    date): before that day it was in `from_unit`. `Position.unit` follows on that day."""

    reorganisation = models.ForeignKey(
        Reorganisation, on_delete=models.PROTECT, related_name="moves"
    )
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="moves")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField()

    class Meta:
        ordering = ["position", "moved_on"]
        constraints = [
            models.UniqueConstraint(fields=["position", "moved_on"], name="one_move_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.moved_on}"
