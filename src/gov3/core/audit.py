"""Append to and verify the hash-chained audit log (see `gov3.core.chains`)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov3.core.chains import AUDIT, GENESIS_HASH, ChainReport, verify
from gov3.core.models import AuditEntry
from gov3.core.request_ids import current_request_id

__all__ = ["GENESIS_HASH", "ChainReport", "record_audit", "verify_chain"]


def record_audit(
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: object = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log, inside the caller's transaction, with the id of the
    request or task being served (`gov3.core.request_ids`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_audit must run inside the write's transaction.")
    # Round-trip through JSON so that what is hashed is exactly what the database returns.
    payload: dict[str, Any] = json.loads(json.dumps(data or {}, default=str))
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor[:150],
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        data=payload,
        request_id=current_request_id(),
    )
    AUDIT.link([entry])
    entry.save()
    return entry


def verify_chain() -> ChainReport:
    """Recompute every hash of the audit log in order; name the first entry that does not
    match (checkpoints: `gov3.core.checkpoints.verify_logs`)."""
    return verify(AUDIT)
