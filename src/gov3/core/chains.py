"""Hash chains: the audit log and the access log, each entry chained to the one before.

Each entry's hash covers its own fields and the previous entry's hash, so changing, deleting or
reordering any entry breaks the chain at that point. A head row per chain anchors its end (its
length and newest hash), so that deleting the newest entries is detected too; a head missing
while entries exist, or entries missing while the head says there were some, is broken.

What a hash chain alone cannot catch is a rewrite by someone who can also write the head: change
an old entry, recompute every later hash and the head. Signed checkpoints kept outside the
database (`gov3.core.checkpoints`) catch that, and truncation, up to the latest checkpoint.
See docs/adr/0010-signed-checkpoints-not-a-merkle-tree.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from gov3.core.models import (
    AccessChainHead,
    AccessLogEntry,
    AuditChainHead,
    AuditEntry,
    ChainHead,
)

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Chain:
    """One hash-chained table: its entries, its head and the fields each hash covers."""

    name: str
    label: str
    entries: type[AuditEntry] | type[AccessLogEntry]
    head: type[AuditChainHead] | type[AccessChainHead]
    fields: tuple[str, ...]
    #: Fields added later: hashed only when not empty, so that the entries written before
    #: they existed keep their hashes (the audit entry's request id, ADR 0035).
    optional: tuple[str, ...] = ()

    def values_of(self, row: Any) -> dict[str, Any]:
        """The values of `row` that its hash covers."""
        return {name: getattr(row, name) for name in (*self.fields, *self.optional)}

    def entry_hash(self, prev_hash: str, values: Mapping[str, Any]) -> str:
        """SHA-256 over the previous hash and the entry's fields, as canonical JSON."""
        body: dict[str, Any] = {"prev": prev_hash}
        for name in self.fields:
            value = values[name]
            body[name] = (
                value.isoformat(timespec="microseconds") if isinstance(value, datetime) else value
            )
        for name in self.optional:
            if values.get(name):
                body[name] = values[name]
        text = json.dumps(
            body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def lock_head(self) -> ChainHead:
        """The head row, locked until the caller's transaction ends (made on first use)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"appending to the {self.name} chain needs a transaction")
        head: ChainHead = self.head.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH, "length": 0}
        )[0]
        return head

    def link(self, rows: Iterable[Any]) -> list[Any]:
        """Chain `rows` (unsaved entries, in order) after the head and move the head; inside
        the caller's transaction. The caller saves the rows."""
        head = self.lock_head()
        prev = head.last_hash
        linked = []
        for row in rows:
            row.prev_hash = prev
            row.hash = self.entry_hash(prev, self.values_of(row))
            prev = row.hash
            linked.append(row)
        if linked:
            self.head.objects.filter(id=1).update(last_hash=prev, length=head.length + len(linked))
        return linked


AUDIT = Chain(
    name="audit",
    label="audit log",
    entries=AuditEntry,
    head=AuditChainHead,
    fields=("at", "actor", "action", "target_type", "target_id", "data"),
    optional=("request_id",),
)
ACCESS = Chain(
    name="access",
    label="access log",
    entries=AccessLogEntry,
    head=AccessChainHead,
    fields=(
        "at",
        "subject_id",
        "actor_id",
        "actor_label",
        "actor_role",
        "agency",
        "purpose",
        "purpose_note",
        "channel",
        "what",
    ),
)
CHAINS = (AUDIT, ACCESS)


@dataclass(frozen=True)
class ChainReport:
    """The result of checking one chain: how many entries were good, and what broke."""

    chain: str
    checked: int
    first_broken_id: int | None
    reason: str
    head_hash: str = GENESIS_HASH
    #: The hash of the entry at each length asked for (to compare with checkpoints).
    hashes_at: Mapping[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.reason


def _entries(chain: Chain, batch: int = 5000) -> Iterator[Any]:
    last_id = 0
    fields = ("id", "prev_hash", "hash", *chain.fields, *chain.optional)
    while True:
        rows = list(
            chain.entries.objects.filter(id__gt=last_id).order_by("id").only(*fields)[:batch]
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].pk


def verify(chain: Chain, lengths: Iterable[int] = ()) -> ChainReport:
    """Recompute every hash in order and compare the end with the head; name the first entry
    that does not match. `lengths`: also report the hash after that many entries."""
    wanted = set(lengths)
    hashes_at: dict[int, str] = {n: GENESIS_HASH for n in wanted if n == 0}
    prev = GENESIS_HASH
    checked = 0

    def broken(entry_id: int | None, reason: str) -> ChainReport:
        return ChainReport(chain.name, checked, entry_id, reason, prev, hashes_at)

    for entry in _entries(chain):
        if entry.prev_hash != prev:
            return broken(
                entry.id,
                f"{chain.label} entry #{entry.id} does not follow the entry before it "
                "(an entry was removed, reordered or its hash changed)",
            )
        expected = chain.entry_hash(prev, chain.values_of(entry))
        if expected != entry.hash:
            return broken(
                entry.id, f"{chain.label} entry #{entry.id} was changed after it was written"
            )
        prev = entry.hash
        checked += 1
        if checked in wanted:
            hashes_at[checked] = prev
    problem = _head_problem(chain, checked, prev)
    return ChainReport(chain.name, checked, None, problem, prev, hashes_at)


def _head_problem(chain: Chain, checked: int, newest: str) -> str:
    """What is wrong with the head of a chain whose entries are consistent ("" if nothing)."""
    head = chain.head.objects.filter(id=1).first()
    if head is None:
        if checked:
            return (
                f"the {chain.label} has {checked} entries but its chain head is missing "
                "(it was deleted)"
            )
        return ""
    if head.length != checked:
        return (
            f"the {chain.label} ends after {checked} entries but its head says "
            f"{head.length} were written (entries were removed, or the head was moved)"
        )
    if head.last_hash != newest:
        return (
            f"the {chain.label}'s head does not match its newest entry (the head or the "
            "newest entry was changed)"
        )
    return ""
