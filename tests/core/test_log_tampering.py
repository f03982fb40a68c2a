"""Tampering with the audit and access logs, as someone with write access to the database
would: every column of an entry, the chain heads, truncation and recomputed chains are found;
signed checkpoints outside the database catch what a recomputed chain hides."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gov3.core.access import log_access
from gov3.core.chains import ACCESS, AUDIT, GENESIS_HASH, Chain, verify
from gov3.core.checkpoints import CHECKPOINT_FILE, make_checkpoint, verify_logs
from gov3.core.errors import AppendOnlyError
from gov3.core.models import (
    AccessChannel,
    AccessLogEntry,
    AccessPurpose,
    AuditEntry,
    ChainVerification,
)
from gov3.registry.models import LifeEvent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_audit_dir(settings: Any, tmp_path: Path) -> Path:
    settings.GOV3_AUDIT_DIR = tmp_path / "audit"
    return settings.GOV3_AUDIT_DIR


@pytest.fixture
def logs(family: dict[str, Person]) -> dict[str, Person]:
    """The family's registration in the audit log and three officer reads in the access log."""
    for person in ("mother", "son", "stranger"):
        log_access(
            subject_ids=[family[person].pk],
            actor_id=7,
            actor_label="officer1",
            actor_role="registry_officer",
            agency="종로구청",
            purpose=AccessPurpose.CITIZEN_REQUEST,
            channel=AccessChannel.WEB,
            what="identity",
        )
    assert AuditEntry.objects.count() >= 4
    assert verify_logs(record=False).ok
    return family


def settings_dir() -> Path:
    from django.conf import settings  # noqa: PLC0415 - the per-test value

    return Path(settings.GOV3_AUDIT_DIR)


def tamper(sql: str, params: list[object] | None = None) -> None:
    """Write behind the application's back (PostgreSQL: with the guard triggers off, as the
    owner of the database could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params or [])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def raw(*statements: str) -> None:
    """Run SQL in one transaction, with the guards as in production (no maintenance flag)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gov3.allow_truncate = off")
        for sql in statements:
            cursor.execute(sql)


def second(chain: Chain) -> Any:
    return chain.entries.objects.order_by("id")[1]


AUDIT_CHANGES: dict[str, tuple[str, Callable[[Any], list[object]]]] = {
    "at": ("at = %s", lambda e: [e.at.replace(year=e.at.year - 1)]),
    "actor": ("actor = %s", lambda e: ["someone-else"]),
    "action": ("action = %s", lambda e: ["registry.nothing"]),
    "target_type": ("target_type = %s", lambda e: ["household"]),
    "target_id": ("target_id = %s", lambda e: [e.target_id + "0"]),
    "data": ("data = %s", lambda e: [json.dumps({**e.data, "forged": True})]),
    "prev_hash": ("prev_hash = %s", lambda e: ["f" * 64]),
    "hash": ("hash = %s", lambda e: ["e" * 64]),
}


@pytest.mark.parametrize("column", sorted(AUDIT_CHANGES))
def test_a_change_to_any_column_of_an_audit_entry_is_found(
    logs: dict[str, Person], column: str
) -> None:
    entry = second(AUDIT)
    following = AuditEntry.objects.filter(id__gt=entry.id).order_by("id").first()
    assert following is not None
    assignment, value = AUDIT_CHANGES[column]
    tamper(f"UPDATE core_auditentry SET {assignment} WHERE id = %s", [*value(entry), entry.id])  # noqa: S608
    report = verify(AUDIT)
    assert not report.ok
    # A changed hash shows at the next entry, which no longer follows it.
    assert report.first_broken_id in (entry.id, following.id)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


ACCESS_COLUMNS = [*ACCESS.fields, "prev_hash", "hash"]


@pytest.mark.parametrize("column", ACCESS_COLUMNS)
def test_a_change_to_any_column_of_an_access_entry_is_found(
    logs: dict[str, Person], column: str
) -> None:
    entry = second(ACCESS)
    value: object = {
        "at": entry.at.replace(year=entry.at.year - 1),
        "subject_id": entry.subject_id + 1,
        "actor_id": 8,
    }.get(column, "x" * 64 if column.endswith("hash") else "changed")
    if column in ("purpose", "channel"):
        value = "audit" if column == "purpose" else "api"
    tamper(f"UPDATE core_accesslogentry SET {column} = %s WHERE id = %s", [value, entry.id])  # noqa: S608
    assert not verify(ACCESS).ok
    assert not verify_logs(record=False).ok


@pytest.mark.parametrize("chain", [AUDIT, ACCESS], ids=lambda c: c.name)
def test_chain_head_cases_are_found(logs: dict[str, Person], chain: Chain) -> None:
    table = chain.head._meta.db_table
    entries = list(chain.entries.objects.order_by("id"))
    # the head deleted (entries remain)
    tamper(f"DELETE FROM {table}")  # noqa: S608
    assert "head is missing" in verify(chain).reason
    # the head moved back to an earlier entry
    tamper(
        f"INSERT INTO {table} (id, last_hash, length) VALUES (1, %s, %s)",  # noqa: S608
        [entries[-2].hash, len(entries) - 1],
    )
    assert not verify(chain).ok
    # the head's hash changed, length right
    tamper(
        f"UPDATE {table} SET last_hash = %s, length = %s",  # noqa: S608
        ["a" * 64, len(entries)],
    )
    assert "does not match its newest entry" in verify(chain).reason


def test_every_entry_and_the_head_deleted_is_found_by_the_checkpoint(
    logs: dict[str, Person],
) -> None:
    make_checkpoint()
    tamper("DELETE FROM core_auditentry")
    tamper("DELETE FROM core_auditchainhead")
    assert verify(AUDIT).ok  # an empty chain is consistent by itself …
    report = verify_logs()
    assert not report.ok  # … but not with the signed checkpoint
    assert "entries were removed" in report.problems[0]
    with pytest.raises(CommandError, match="entries were removed"):
        call_command("audit", "verify")


def test_newest_entries_and_head_removed_is_found_by_the_checkpoint(
    logs: dict[str, Person],
) -> None:
    make_checkpoint()
    newest = AuditEntry.objects.order_by("-id")[:2]
    keep = AuditEntry.objects.order_by("-id")[2]
    tamper("DELETE FROM core_auditentry WHERE id >= %s", [min(e.id for e in newest)])
    tamper("UPDATE core_auditchainhead SET last_hash = %s, length = length - 2", [keep.hash])
    assert verify(AUDIT).ok
    assert any("entries were removed" in p for p in verify_logs().problems)


def recompute(chain: Chain) -> None:
    """What an attacker who knows the (public) hash recipe does after a change: rehash every
    entry and the head so that the chain is consistent again."""
    prev = GENESIS_HASH
    table = chain.entries._meta.db_table
    for entry in chain.entries.objects.order_by("id"):
        digest = chain.entry_hash(prev, chain.values_of(entry))
        tamper(
            f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            [prev, digest, entry.id],
        )
        prev = digest
    tamper(f"UPDATE {chain.head._meta.db_table} SET last_hash = %s", [prev])  # noqa: S608


@pytest.mark.parametrize("chain", [AUDIT, ACCESS], ids=lambda c: c.name)
def test_a_recomputed_chain_is_found_by_the_checkpoint(
    logs: dict[str, Person], chain: Chain
) -> None:
    make_checkpoint()
    entry = chain.entries.objects.order_by("id").first()
    assert entry is not None
    column = "actor" if chain is AUDIT else "actor_label"
    table = chain.entries._meta.db_table
    tamper(f"UPDATE {table} SET {column} = 'nobody' WHERE id = %s", [entry.id])  # noqa: S608
    recompute(chain)
    assert verify(chain).ok  # the chain alone is fooled
    report = verify_logs()
    assert not report.ok
    assert any("was rewritten" in p for p in report.problems)


def test_a_forged_or_missing_checkpoint_file_is_refused(
    logs: dict[str, Person], settings: Any
) -> None:
    make_checkpoint()
    path = Path(settings.GOV3_AUDIT_DIR) / CHECKPOINT_FILE
    line = json.loads(path.read_text())
    line["chains"]["audit"]["length"] -= 1
    path.write_text(json.dumps(line) + "\n")
    assert any("not signed by the audit key" in p for p in verify_logs().problems)
    path.unlink()
    assert any("checkpoint file is missing" in p for p in verify_logs().problems)


def test_verify_records_its_result_for_the_citizen(logs: dict[str, Person]) -> None:
    make_checkpoint()
    call_command("audit", "verify")
    last = ChainVerification.objects.first()
    assert last is not None
    assert last.ok
    assert last.access_length == 3
    assert last.checkpoint_at is not None


@pytest.mark.parametrize("model", [AuditEntry, AccessLogEntry, LifeEvent])
def test_bulk_update_and_delete_are_refused(logs: dict[str, Person], model: Any) -> None:
    count = model.objects.count()
    with pytest.raises(AppendOnlyError):
        model.objects.update(at=None) if model is not LifeEvent else model.objects.update(
            recorded_by="x"
        )
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk__gt=0).delete()
    assert model.objects.count() == count


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize(
    "table", ["core_auditentry", "core_accesslogentry", "registry_lifeevent", "core_auditchainhead"]
)
def test_postgresql_refuses_truncate(logs: dict[str, Person], table: str) -> None:
    with pytest.raises(DatabaseError, match="TRUNCATE"):
        raw(f"TRUNCATE {table} CASCADE")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("table", ["core_auditchainhead", "core_accesschainhead"])
def test_postgresql_head_only_moves_forward(logs: dict[str, Person], table: str) -> None:
    for sql in (
        f"UPDATE {table} SET length = length - 1",  # noqa: S608
        f"UPDATE {table} SET last_hash = 'x'",  # noqa: S608
    ):
        with pytest.raises(DatabaseError, match="only move forward"):
            raw(sql)
    with pytest.raises(DatabaseError, match="never removed"):
        raw(f"DELETE FROM {table}")  # noqa: S608


def test_the_newest_checkpoint_is_published(logs: dict[str, Person], client: Any) -> None:
    assert client.get("/audit/checkpoint.json").status_code == 404
    made = make_checkpoint()
    published = client.get("/audit/checkpoint.json").json()
    assert published["chains"] == made.chains
    assert published["signature"] == made.signature
    # A copy kept elsewhere verifies the logs like the file does.
    copy = Path(str(settings_dir())) / "copy.jsonl"
    copy.write_text(json.dumps(published) + "\n")
    call_command("audit", "verify", "--checkpoints", str(copy))
