"""Append to and verify the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, deleting or
reordering any entry breaks the chain at that point; `AuditChainHead` anchors the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from gov3.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


def _entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    data: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record_audit(
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: object = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_audit must run inside the write's transaction.")
    # Round-trip through JSON so that what is hashed is exactly what the database returns.
    payload: dict[str, Any] = json.loads(json.dumps(data or {}, default=str))
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH, "length": 0}
    )
    at = timezone.now()
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        data=payload,
        prev_hash=head.last_hash,
    )
    entry.hash = _entry_hash(
        prev_hash=entry.prev_hash,
        at=at,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=entry.target_id,
        data=payload,
    )
    entry.save()
    AuditChainHead.objects.filter(id=1).update(last_hash=entry.hash, length=head.length + 1)
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the audit chain."""

    checked: int
    first_broken_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.reason


def _entries(batch: int = 5000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> ChainReport:
    """Recompute every hash in order; name the first entry that does not match."""
    prev = GENESIS_HASH
    checked = 0
    for entry in _entries():
        if entry.prev_hash != prev:
            return ChainReport(
                checked,
                entry.id,
                f"entry #{entry.id} does not follow the entry before it "
                "(an entry was removed or reordered before it)",
            )
        expected = _entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            data=entry.data,
        )
        if expected != entry.hash:
            return ChainReport(
                checked, entry.id, f"entry #{entry.id} was changed after it was written"
            )
        prev = entry.hash
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.length != checked):
        return ChainReport(
            checked,
            None,
            f"the chain ends after {checked} entries but {head.length} were written "
            "(the newest entries were removed)",
        )
    return ChainReport(checked, None, "")
