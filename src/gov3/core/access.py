"""Record reads of personal data in the access log ("who looked at my data")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from gov3.core.models import AccessChannel, AccessLogEntry, AccessPurpose


def log_access(
    *,
    subject_ids: Iterable[int],
    actor_id: int | None,
    actor_label: str,
    actor_role: str = "",
    agency: str,
    purpose: AccessPurpose | str,
    channel: AccessChannel,
    what: str,
    purpose_note: str = "",
) -> int:
    """Write one access-log entry per person read; returns how many were written."""
    purpose = AccessPurpose(purpose)
    now = timezone.now()
    entries = [
        AccessLogEntry(
            at=now,
            subject_id=subject_id,
            actor_id=actor_id,
            actor_label=actor_label,
            actor_role=actor_role,
            agency=agency,
            purpose=purpose,
            purpose_note=purpose_note[:500],
            channel=channel,
            what=what,
        )
        for subject_id in dict.fromkeys(subject_ids)
    ]
    AccessLogEntry.objects.bulk_create(entries)
    return len(entries)


def entries_about(subject_ids: Iterable[int], limit: int = 200) -> list[AccessLogEntry]:
    """The newest access-log entries about these people, for "who looked at my data"."""
    return list(AccessLogEntry.objects.filter(subject_id__in=list(subject_ids))[:limit])
