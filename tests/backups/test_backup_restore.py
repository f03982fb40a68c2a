"""`gov3 backup` while gov3 keeps writing, `gov3 restore` into a new empty database (a new
SQLite file, or a PostgreSQL database made and dropped here), and what an operator checks
after: `gov3 audit verify` passes, a certificate issued before the backup still verifies the
way /verify/ checks it, every row written before the backup is there. And refusals: a file that
is not a gov3 backup, a truncated one, another engine's, a newer schema's, a non-empty target:
a clear error and nothing changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from gov3.accounts.models import User
from gov3.backups import archive, services
from gov3.backups.archive import Manifest
from gov3.core.audit import record_audit
from gov3.core.checkpoints import make_checkpoint
from gov3.core.models import AuditEntry
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Person
from tests import databases

GOV3 = str(Path(sys.executable).with_name("gov3"))

#: `gov3 restore BACKUP` into the new database, then the operator's checks, in one process.
RESTORE_AND_CHECK = """
import json
from io import StringIO
from django.core.management import call_command
from gov3.core.models import AuditEntry
from gov3.documents.models import IssuedDocument
from gov3.documents.verification import check, check_number, check_pdf
restored = StringIO()
call_command("restore", BACKUP, stdout=restored)
out = StringIO()
call_command("audit", "verify", stdout=out)
document = IssuedDocument.objects.get(number=NUMBER)
print(json.dumps({
    "restore": restored.getvalue(),
    "audit_verify": out.getvalue(),
    "qr": check(document.qr_payload).outcome,
    "pdf": check_pdf(bytes(document.pdf)).outcome,
    "number": check_number(NUMBER).outcome,
    "audit_ids": list(AuditEntry.objects.values_list("id", flat=True)),
}))
"""


@pytest.fixture
def audit_dir(settings: Any, tmp_path: Path) -> Path:
    """This test's own checkpoint file (the session's is shared by other tests)."""
    settings.GOV3_AUDIT_DIR = tmp_path / "audit"
    return Path(settings.GOV3_AUDIT_DIR)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the run's engine (made and dropped here)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'gov3.sqlite3'}"
        return
    import psycopg  # noqa: PLC0415 - PostgreSQL runs only

    server = databases.postgres_server()
    assert server is not None
    name = f"gov3_restore_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def gov3(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A gov3 command on the restored database, with this test's key store and audit dir."""
    from django.conf import settings  # noqa: PLC0415

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GOV3_VAR_DIR": str(tmp_path / "var"),
        "GOV3_KEY_DIR": str(settings.GOV3_KEY_DIR),
        "GOV3_AUDIT_DIR": str(settings.GOV3_AUDIT_DIR),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [GOV3, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


class Writer(threading.Thread):
    """gov3 serving: commits audited writes, one after another, until told to stop."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.commits: list[tuple[float, int]] = []  # (when committed, audit entry id)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with transaction.atomic(durable=True):
                    entry = record_audit(
                        actor="test:writer", action="tick", target_type="test", data={}
                    )
                self.commits.append((time.monotonic(), entry.id))
                time.sleep(0.002)
        except BaseException as error:
            self.error = error
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_backup_while_writing_then_restore_into_an_empty_database(
    tmp_path: Path,
    audit_dir: Path,
    citizen: User,
    family: dict[str, Person],
    empty_database: str,
) -> None:
    certificate = do_issue_certificate(
        citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION
    )
    make_checkpoint()
    writer = Writer()
    writer.start()
    while len(writer.commits) < 5:
        time.sleep(0.005)
    backup = tmp_path / "gov3.backup"
    started = time.monotonic()
    call_command("backup", str(backup), verbosity=0)
    ended = time.monotonic()
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    before = [entry for at, entry in writer.commits if at < started]
    during = [entry for at, entry in writer.commits if started <= at <= ended]
    assert during, "the writer made no commit while the backup ran"
    assert not list(tmp_path.glob(".gov3.backup.*"))  # no temporary file left
    assert backup.stat().st_mode & 0o777 == 0o600  # the whole register: its owner's only

    code = RESTORE_AND_CHECK.replace("BACKUP", repr(str(backup)))
    checks = gov3(
        empty_database, tmp_path, "shell", "-c", code.replace("NUMBER", repr(certificate.number))
    )
    assert checks.returncode == 0, checks.stderr
    found = json.loads(checks.stdout.strip().splitlines()[-1])
    assert "Restored the backup of" in found["restore"]
    assert found["audit_verify"].startswith("Logs intact")
    assert (found["qr"], found["pdf"], found["number"]) == ("valid", "valid", "valid")
    restored_ids = set(found["audit_ids"])
    assert set(before) <= restored_ids  # every write committed before the backup began
    issued = set(AuditEntry.objects.filter(action="documents.issued").values_list("id", flat=True))
    assert issued <= restored_ids


def _sealed(tmp_path: Path, name: str, payload: bytes, **changes: Any) -> Path:
    """A small gov3 backup file whose manifest says what the test wants."""
    fields: dict[str, Any] = {
        "gov3_version": "0.1.0",
        "engine": connection.vendor,
        "created_at": "2026-12-01T00:00:00+00:00",
        "migrations": {"core": "0001_initial"},
        **changes,
    }
    path = tmp_path / name
    path.write_bytes(payload)
    archive.seal(path, Manifest(**fields))
    return path


def _state() -> tuple[int, int]:
    return AuditEntry.objects.count(), IssuedDocument.objects.count()


@pytest.mark.django_db
def test_bad_backups_and_a_non_empty_target_are_refused_and_nothing_changes(
    tmp_path: Path, audit_dir: Path, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.backup"
    call_command("backup", str(real), verbosity=0)
    with pytest.raises(CommandError, match="exists: choose a new name, or pass --overwrite"):
        call_command("backup", str(real), verbosity=0)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n" * 100)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    cases = {
        not_a_backup: "is not a gov3 backup",
        truncated: "cut short",
        _sealed(tmp_path, "other.backup", b"x" * 100, engine=other): f"this is a {other} backup",
        _sealed(
            tmp_path, "newer.backup", b"x" * 100, migrations={"core": "9999_from_the_future"}
        ): "newer schema",
        real: "is not empty",
    }
    before = _state()
    for path, message in cases.items():
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(path), verbosity=0)
    assert _state() == before

    changed = bytearray(real.read_bytes())
    changed[len(changed) // 3] ^= 0x01
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(bytes(changed))
    # Checked after the target (not empty here, so that check is skipped): the checksum, and
    # checkpoints signed after the backup (restoring would lose entries they vouch for).
    with monkeypatch.context() as patched:
        patched.setattr(services, "check_target", lambda opened: None)
        with pytest.raises(services.BackupError, match="does not match its checksum"):
            services.restore(damaged, say=lambda line: None)
        with transaction.atomic(durable=False):
            record_audit(actor="test", action="after_backup", target_type="test")
        make_checkpoint()
        with pytest.raises(services.BackupError, match=r"1 signed checkpoints .* Nothing was"):
            services.restore(real, say=lambda line: None)
    assert _state() == (before[0] + 1, before[1])

    # A backup that fails half-way leaves no file, not a truncated one.
    def fail(path: Path, manifest: Manifest) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive, "seal", fail)
    with pytest.raises(OSError, match="No space"):
        call_command("backup", str(tmp_path / "failed.backup"), verbosity=0)
    assert not list(tmp_path.glob("*failed.backup*"))


@pytest.mark.django_db
def test_a_restore_without_the_key_store_says_which_keys_cannot_sign(
    settings: Any, tmp_path: Path, citizen: User, family: dict[str, Person]
) -> None:
    from gov3.documents.issuers import key_store  # noqa: PLC0415

    do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)
    assert services.key_warnings() == []
    settings.GOV3_KEY_DIR = tmp_path / "keys-not-restored"
    key_store.cache_clear()
    try:
        warnings = services.key_warnings()
    finally:
        key_store.cache_clear()  # the next test's store reads the setting the fixture restores
    assert len(warnings) == 1
    assert "current resident_registration key" in warnings[0]
    assert "gov3 keys rotate --document-type resident_registration" in warnings[0]
