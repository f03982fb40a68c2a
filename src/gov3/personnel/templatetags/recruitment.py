"""`{% probation_of record as probation %}`: the exam appointment that put a staff record on
probation (its last day is shown with the record)."""

from __future__ import annotations

from django import template

from gov3.personnel import recruitment as recruitment_commands
from gov3.personnel.models import Application, StaffRecord

register = template.Library()


@register.simple_tag
def probation_of(record: StaffRecord) -> Application | None:
    return recruitment_commands.probation_of(record)
