"""Commands for the villagers' general assembly: meetings, attendance, quorum, resolutions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.saemaul.models import Assembly, Resolution, Village
from gov3.saemaul.services._common import (
    audit,
    policy_for,
    refuse,
    refuse_future,
    refuse_locked_period,
)


@dataclass(frozen=True)
class ResolutionInput:
    """A decision put to the vote."""

    title: str
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0
    text: str = ""


def quorum_needed(eligible_members: int, quorum_percent: int) -> int:
    """How many must attend for the assembly to decide (rounded up)."""
    return math.ceil(eligible_members * quorum_percent / 100)


def _check_attendance(eligible: int, men: int, women: int) -> None:
    if min(eligible, men, women) < 0:
        refuse(gettext("Attendance figures cannot be negative."))
    if eligible == 0:
        refuse(gettext("Say how many villagers were entitled to attend."))
    if men + women > eligible:
        refuse(
            gettext(
                "%(attended)s attended but only %(eligible)s were entitled to: check the figures."
            )
            % {"attended": men + women, "eligible": eligible}
        )


def _check_votes(resolution: ResolutionInput, attended: int) -> None:
    if not resolution.title.strip():
        refuse(gettext("Every resolution needs a title."))
    votes = (resolution.votes_for, resolution.votes_against, resolution.abstentions)
    if min(votes) < 0:
        refuse(gettext("Votes cannot be negative."))
    if sum(votes) > attended:
        refuse(
            gettext(
                "The resolution '%(title)s' has %(votes)s votes but only %(attended)s attended."
            )
            % {"title": resolution.title, "votes": sum(votes), "attended": attended}
        )


def do_record_assembly(
    actor: str,
    village: Village,
    *,
    held_on: date,
    eligible_members: int,
    attended_men: int,
    attended_women: int,
    resolutions: Sequence[ResolutionInput] = (),
    place: str = "",
    chaired_by: str = "",
    minutes: str = "",
) -> Assembly:
    """Record an assembly and its resolutions.

    The quorum is the policy's share of the members entitled to attend. A resolution is adopted
    when the quorum was met and more voted for than against; without a quorum nothing is adopted.
    """
    _check_attendance(eligible_members, attended_men, attended_women)
    attended = attended_men + attended_women
    for resolution in resolutions:
        _check_votes(resolution, attended)
    refuse_future(held_on, gettext("assembly"))
    quorum_percent = policy_for(village.area.country).assembly_quorum_percent
    quorum_met = attended >= quorum_needed(eligible_members, quorum_percent)
    with transaction.atomic(durable=True):
        refuse_locked_period(village, held_on, gettext("assembly"))
        assembly = Assembly.objects.create(
            village=village,
            held_on=held_on,
            place=place.strip(),
            eligible_members=eligible_members,
            attended_men=attended_men,
            attended_women=attended_women,
            quorum_percent=quorum_percent,
            quorum_met=quorum_met,
            chaired_by=chaired_by.strip(),
            minutes=minutes,
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        Resolution.objects.bulk_create(
            Resolution(
                assembly=assembly,
                number=number,
                title=r.title.strip(),
                text=r.text,
                votes_for=r.votes_for,
                votes_against=r.votes_against,
                abstentions=r.abstentions,
                adopted=quorum_met and r.votes_for > r.votes_against,
            )
            for number, r in enumerate(resolutions, start=1)
        )
        audit(
            actor,
            "record_assembly",
            assembly,
            village=village.code,
            held_on=held_on.isoformat(),
            attended=attended,
            quorum_met=quorum_met,
            resolutions=len(resolutions),
        )
    return assembly
