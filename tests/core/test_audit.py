"""The audit log: every registry write is recorded, and tampering is found and named."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gov3.core.audit import verify_chain
from gov3.core.errors import AppendOnlyError
from gov3.core.models import AuditEntry
from gov3.registry.models import Person
from gov3.registry.services import do_register_death
from tests.conftest import ACTOR


def _tamper(sql: str, params: list[object]) -> None:
    """Change the log behind the application's back, as an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_every_registry_write_is_in_an_intact_chain(family: dict[str, Person]) -> None:
    do_register_death(ACTOR, family["stranger"], died_on=date(2024, 1, 2))
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("registry.birth") == 2
    assert actions[-1] == "registry.death"
    report = verify_chain()
    assert report.ok
    assert report.checked == len(actions)
    call_command("audit", "verify")  # does not raise


@pytest.mark.django_db
def test_changed_entry_is_named(
    family: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEntry.objects.filter(action="registry.birth").order_by("id").first()
    assert target is not None
    _tamper("UPDATE core_auditentry SET actor = %s WHERE id = %s", ["someone-else", target.id])
    report = verify_chain()
    assert report.first_broken_id == target.id
    with pytest.raises(CommandError, match=rf"entry #{target.id} was changed"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_removed_entries_are_detected(family: dict[str, Person]) -> None:
    entries = list(AuditEntry.objects.order_by("id"))
    middle, newest = entries[2], entries[-1]
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [newest.id])
    assert "entries were removed" in verify_chain().reason
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [middle.id])
    assert verify_chain().first_broken_id == entries[3].id


@pytest.mark.django_db
def test_application_cannot_change_or_delete_entries(family: dict[str, Person]) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.actor = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert verify_chain().ok


@pytest.mark.django_db
def test_database_refuses_updates_on_postgresql(family: dict[str, Person]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL; SQLite relies on the hash chain")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditentry SET actor = 'rewritten'")
