"""`backup` and `restore` of the configured database (ADR 0034, docs/backups.md).

A backup holds the database only. The key store (issuer keys, the audit checkpoint key) and the
audit directory (signed checkpoints) live outside it on purpose and are backed up apart: every
backup says so. A restore goes only into an empty database, refuses a backup of another engine
or of a newer schema before touching anything, migrates an older one forward, and ends by
checking the logs (`gov3 audit verify`) and the issuer keys.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from gov3.backups import archive, engines
from gov3.backups.archive import BackupFileError, Manifest
from gov3.backups.engines import BackupError, Say
from gov3.core.audit import record_audit
from gov3.core.chains import CHAINS
from gov3.core.checkpoints import (
    CHECKPOINT_FILE,
    Checkpoint,
    CheckpointError,
    audit_dir,
    make_checkpoint,
    read_checkpoints,
    verify_logs,
)

ACTOR = "gov3 restore"


def gov3_version() -> str:
    try:
        return importlib.metadata.version("gov3")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"gov3 backs up PostgreSQL and SQLite databases, not {vendor}.")
    return vendor


def _latest_per_app(rows: list[tuple[Any, ...]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def _chain_sql() -> list[tuple[str, str]]:
    return [
        (chain.name, f"SELECT length FROM {chain.head._meta.db_table} WHERE id = 1")  # noqa: S608
        for chain in CHAINS
    ]


def outside_the_database() -> list[str]:
    """What an operator must back up apart from the database, for this configuration."""
    if settings.GOV3_KEY_STORE == "pkcs11":
        keys = (
            f"the issuer and audit keys in the HSM token {settings.GOV3_PKCS11_TOKEN!r}: "
            "with the HSM's own backup or replication (PKCS#11 cannot export them)"
        )
    else:
        keys = (
            f"the key directory {settings.GOV3_KEY_DIR} (encrypted issuer and audit keys), "
            "and GOV3_KEY_PASSPHRASE apart from it, in the secrets manager"
        )
    return [
        keys,
        f"the audit directory {settings.GOV3_AUDIT_DIR} (signed checkpoints and the audit "
        "key's reference: `gov3 audit verify` needs them)",
        f"uploaded files under {settings.MEDIA_ROOT}",
    ]


@contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A new empty file (0600) in `target`'s directory, removed unless the caller moved it."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _publish(temporary: Path, target: Path) -> None:
    """Rename into place atomically and make the rename durable."""
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def backup(target: Path, *, say: Say, overwrite: bool = False, compress: int = 6) -> Manifest:
    """Write a gov3 backup of the configured database to `target`, atomically."""
    kind = engine()
    target = target.resolve()
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists: choose a new name, or pass --overwrite.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory.")
    with _temporary_beside(target) as temporary:
        if kind == "postgresql":
            manifest = _backup_postgres(temporary, say, compress)
        else:
            manifest = _backup_sqlite(temporary, say)
        archive.seal(temporary, manifest)
        _publish(temporary, target)
    return manifest


def _backup_postgres(temporary: Path, say: Say, compress: int) -> Manifest:
    connection.ensure_connection()
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    dump = engines.pg_tool("pg_dump")
    tool = engines.check_dump_version(dump, server_major)
    # One snapshot for the manifest and the dump: what the manifest says is what the dump has.
    # On a connection of its own, whatever transaction the caller's connection is in.
    own = connection.get_new_connection(connection.get_connection_params())
    try:
        own.autocommit = False
        with own.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = _latest_per_app(list(cursor.fetchall()))
            chains = {}
            for name, sql in _chain_sql():
                cursor.execute(sql)
                row = cursor.fetchone()
                chains[name] = int(row[0]) if row else 0
        say(f"pg_dump of {connection.settings_dict['NAME']} (snapshot {snapshot}) …")
        command = [dump, "-Fc", "-v", f"-Z{compress}", f"--snapshot={snapshot}"]
        command += ["-f", str(temporary)]
        engines.run_with_progress(
            command, engines.libpq_environment(connection.settings_dict), say, "pg_dump"
        )
    finally:
        own.rollback()
        own.close()
    return Manifest(
        gov3_version=gov3_version(),
        engine="postgresql",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        migrations=migrations,
        chains=chains,
        tool=tool,
        server_version=str(server),
    )


def _backup_sqlite(temporary: Path, say: Say) -> Manifest:
    source = str(connection.settings_dict["NAME"])
    say(f"copying {source} with SQLite's online backup API …")
    # The empty file (0600) is an empty database to SQLite: the copy keeps its permissions.
    engines.sqlite_backup(source, temporary)
    migrations = _latest_per_app(
        engines.sqlite_rows(temporary, "SELECT app, name FROM django_migrations")
    )
    chains = {}
    for name, sql in _chain_sql():
        rows = engines.sqlite_rows(temporary, sql)
        chains[name] = int(rows[0][0]) if rows else 0
    import sqlite3  # noqa: PLC0415 - the version only

    return Manifest(
        gov3_version=gov3_version(),
        engine="sqlite",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        migrations=migrations,
        chains=chains,
        tool=f"sqlite {sqlite3.sqlite_version}",
    )


# -- restore --------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    migrated: list[str] = field(default_factory=list)
    set_aside: Path | None = None
    logs: str = ""
    warnings: list[str] = field(default_factory=list)


def check_schema(manifest: Manifest) -> None:
    """Refuse a backup whose schema this code does not know (made by a newer gov3)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(manifest.migrations.items())
        if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            f"this backup was made by gov3 {manifest.gov3_version} with a newer schema than "
            f"this gov3 ({gov3_version()}) knows (migrations {', '.join(unknown[:5])}): restore "
            "it with that version of gov3 or a later one."
        )


def target_tables() -> int:
    """How many tables (or other relations) the configured database has."""
    if connection.vendor == "sqlite":
        return engines.sqlite_tables(str(connection.settings_dict["NAME"]))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%'"
        )
        count: int = cursor.fetchone()[0]
    return count


def check_target(opened: archive.Opened) -> None:
    """Everything that can be refused before the database is touched."""
    kind = engine()
    manifest = opened.manifest
    if manifest.engine != kind:
        raise BackupError(
            f"this is a {manifest.engine} backup and the configured database (DATABASE_URL) is "
            f"{kind}: restore it into a {manifest.engine} database."
        )
    check_schema(manifest)
    if kind == "postgresql":
        engines.check_restore_version(engines.pg_tool("pg_restore"), manifest.tool)
    tables = target_tables()
    if tables:
        where = connection.settings_dict["NAME"]
        raise BackupError(
            f"the target database {where} is not empty ({tables} tables): gov3 restores only "
            "into an empty database. Drop and re-create it (PostgreSQL: `dropdb`/`createdb`; "
            "SQLite: move the file away) if you mean to replace it."
        )


def restore(
    source: Path, *, say: Say, jobs: int = 2, set_aside_later_checkpoints: bool = False
) -> RestoreReport:
    """Restore a gov3 backup into the configured, empty database; then migrate forward, check
    the logs and the keys."""
    try:
        opened = archive.read_manifest(source)
    except BackupFileError as error:
        raise BackupError(f"{source} cannot be restored: {error}.") from None
    check_target(opened)
    manifest = opened.manifest
    try:
        covered, later = _later_checkpoints(manifest.chains)
    except CheckpointError as error:
        raise BackupError(f"the checkpoint file cannot be read: {error}") from None
    if later and not set_aside_later_checkpoints:
        raise BackupError(
            f"{len(later)} signed checkpoints (the newest of {later[-1].at.isoformat()}) cover "
            "audit or access log entries written after this backup was made: restored, those "
            "entries are gone and `gov3 audit verify` would report them removed. If this "
            "restore is meant (disaster recovery), run it again with "
            "--set-aside-later-checkpoints: the checkpoint file is kept under another name and "
            "the restore is recorded in the audit log and signed. Nothing was changed."
        )
    say(f"checking {source} (made {manifest.created_at} by gov3 {manifest.gov3_version}) …")
    try:
        archive.check(source)
    except BackupFileError as error:
        raise BackupError(f"{source} cannot be restored: {error}.") from None
    if manifest.engine == "postgresql":
        _restore_postgres(opened, jobs, say)
    else:
        _restore_sqlite(opened, say)
    connection.close()
    report = RestoreReport(manifest)
    report.migrated = _migrate_forward(say)
    _after_restore(report, later, covered, say)
    return report


def _restore_postgres(opened: archive.Opened, jobs: int, say: Say) -> None:
    restorer = engines.pg_tool("pg_restore")
    name = str(connection.settings_dict["NAME"])
    say(f"pg_restore into {name} with {jobs} jobs …")
    command = [restorer, "-v", "--no-owner", "--no-acl", "--exit-on-error", f"--jobs={jobs}"]
    command += [f"--dbname={name}", str(opened.path)]
    env = engines.libpq_environment(connection.settings_dict)
    connection.close()
    try:
        engines.run_with_progress(command, env, say, "pg_restore")
    except BackupError as error:
        raise BackupError(
            f"{error}\nThe database {name} may hold part of the backup: drop and re-create it "
            "before trying again."
        ) from None


def _restore_sqlite(opened: archive.Opened, say: Say) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    say(f"copying the backup into {target} with SQLite's backup API …")
    with _temporary_beside(target) as payload:
        payload.unlink()
        archive.copy_payload(opened, payload)
        engines.sqlite_restore(payload, str(target))


def _migrate_forward(say: Say) -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    names = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if names:
        say(f"the backup is older than this gov3: applying {len(names)} migrations …")
        from django.core.management import call_command  # noqa: PLC0415

        call_command("migrate", interactive=False, verbosity=0)
    return names


def _later_checkpoints(restored: dict[str, int]) -> tuple[list[Checkpoint], list[Checkpoint]]:
    """The checkpoint file's checkpoints that the restored logs reach, and those signed after
    the backup (they cover entries the backup does not have)."""
    covered: list[Checkpoint] = []
    later: list[Checkpoint] = []
    for checkpoint in read_checkpoints():
        beyond = any(
            int(state["length"]) > restored.get(name, 0)
            for name, state in checkpoint.chains.items()
        )
        (later if beyond else covered).append(checkpoint)
    return covered, later


def _set_aside(covered: list[Checkpoint]) -> Path:
    """Keep the whole checkpoint file under another name; start a new one with the checkpoints
    the restored logs reach."""
    current = audit_dir() / CHECKPOINT_FILE
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = current.with_name(f"{CHECKPOINT_FILE}.before-restore-{stamp}")
    shutil.copy2(current, kept)
    fd, name = tempfile.mkstemp(dir=current.parent, prefix=".checkpoints.", suffix=".partial")
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.writelines(checkpoint.line() + "\n" for checkpoint in covered)
    os.replace(name, current)
    return kept


def _after_restore(
    report: RestoreReport, later: list[Checkpoint], covered: list[Checkpoint], say: Say
) -> None:
    if later:
        report.set_aside = _set_aside(covered)
        say(f"{len(later)} checkpoints signed after the backup set aside in {report.set_aside}")
    with transaction.atomic(durable=True):
        record_audit(
            actor=ACTOR,
            action="database_restored",
            target_type="backup",
            data={
                "created_at": report.manifest.created_at,
                "gov3_version": report.manifest.gov3_version,
                "migrated": report.migrated,
                "later_checkpoints_set_aside": len(later),
            },
        )
    if later:
        make_checkpoint()  # the restored logs, and the restore's own entry, signed again
    result = verify_logs()
    if not result.ok:
        raise BackupError("restored, but `gov3 audit verify` fails: " + "; ".join(result.problems))
    report.logs = ", ".join(f"{r.chain} log {r.checked} entries" for r in result.chains)
    report.warnings = key_warnings()


def key_warnings() -> list[str]:
    """The current issuer keys the key store cannot sign with (their documents still verify:
    verification needs the public keys, which are in the database)."""
    from gov3.documents.issuers import key_store  # noqa: PLC0415
    from gov3.documents.models import IssuerKey  # noqa: PLC0415

    warnings = []
    store = key_store()
    for key in IssuerKey.objects.filter(retired_at__isnull=True).order_by("document_type"):
        try:
            store.signer(key.reference).sign(b"gov3 restore: key check")
        except Exception as error:
            warnings.append(
                f"the key store cannot sign with the current {key.document_type} key {key.kid} "
                f"({error}): restore the key store (docs/backups.md) or run `gov3 keys rotate "
                f"--document-type {key.document_type}` before issuing"
            )
    return warnings
