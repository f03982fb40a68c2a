"""Record reads of personal data in the access log ("who looked at my data"), and refused
attempts to read in the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gov3.core.audit import record_audit
from gov3.core.chains import ACCESS
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
    """Write one access-log entry per person read, chained like the audit log; returns how
    many were written."""
    purpose = AccessPurpose(purpose)
    now = timezone.now()
    entries = [
        AccessLogEntry(
            at=now,
            subject_id=subject_id,
            actor_id=actor_id,
            actor_label=actor_label[:150],
            actor_role=actor_role[:40],
            agency=agency[:200],
            purpose=purpose,
            purpose_note=purpose_note[:500],
            channel=channel,
            what=what[:300],
        )
        for subject_id in dict.fromkeys(subject_ids)
    ]
    if not entries:
        return 0
    with transaction.atomic():
        AccessLogEntry.objects.bulk_create(ACCESS.link(entries))
    return len(entries)


def record_refused_read(
    *,
    actor: str,
    subject_id: int,
    purpose: AccessPurpose | str,
    what: str,
    reason: str,
) -> None:
    """A read outside the access policy: written to the audit log as a refused attempt (never
    to the access log, since nothing was shown)."""
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="access.refused",
            target_type="person",
            target_id=subject_id,
            data={"purpose": str(purpose), "what": what, "reason": reason},
        )


def entries_about(subject_ids: Iterable[int], limit: int = 200) -> list[AccessLogEntry]:
    """The newest access-log entries about these people, for "who looked at my data"."""
    return list(AccessLogEntry.objects.filter(subject_id__in=list(subject_ids))[:limit])
