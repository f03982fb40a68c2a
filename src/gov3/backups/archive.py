"""The gov3 backup file: the engine's own backup, then a manifest, then a fixed-size trailer.

    [payload: a pg_dump custom-format archive, or a SQLite database file]
    [manifest: JSON, UTF-8]
    [trailer: b"GOV3-BACKUP-1 <payload bytes, 20 digits> <manifest bytes, 10 digits>
               <SHA-256 of payload and manifest, 64 hex digits>\\n"]

The payload comes first and unchanged, so that `pg_restore` (which ignores what follows the
archive) reads the file itself, in parallel, without a copy; the trailer comes last, so that a
file cut short at any point has no trailer and is refused, and a file changed anywhere fails the
hash. Nothing here needs Django.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GOV3-BACKUP-1 "
TRAILER_SIZE = len(MAGIC) + 20 + 1 + 10 + 1 + 64 + 1
FORMAT = 1
CHUNK = 1024 * 1024


class BackupFileError(Exception):
    """The file is not a whole gov3 backup; the message says what is wrong with it."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: enough for `restore` to refuse the wrong engine or a newer schema."""

    gov3_version: str
    engine: str  # "postgresql" or "sqlite"
    created_at: str  # ISO 8601, UTC
    migrations: dict[str, str]  # app label -> latest applied migration
    chains: dict[str, int] = field(default_factory=dict)  # audit/access log lengths
    tool: str = ""  # e.g. "pg_dump (PostgreSQL) 15.20"; "sqlite 3.40.1"
    server_version: str = ""
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=True).encode("ascii")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw: dict[str, Any] = json.loads(data)
            return cls(
                gov3_version=str(raw["gov3_version"]),
                engine=str(raw["engine"]),
                created_at=str(raw["created_at"]),
                migrations={str(k): str(v) for k, v in raw["migrations"].items()},
                chains={str(k): int(v) for k, v in raw.get("chains", {}).items()},
                tool=str(raw.get("tool", "")),
                server_version=str(raw.get("server_version", "")),
                format=int(raw.get("format", FORMAT)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupFileError(f"its manifest cannot be read ({error})") from None


def _hash_file(handle: BinaryIO, length: int, progress: Callable[[int], None] | None) -> Any:
    digest = hashlib.sha256()
    left = length
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            raise BackupFileError("it ends before its recorded length")
        digest.update(chunk)
        left -= len(chunk)
        if progress is not None:
            progress(length - left)
    return digest


def seal(path: Path, manifest: Manifest) -> None:
    """Append the manifest and the trailer to `path`, which holds the payload only; fsync."""
    payload = path.stat().st_size
    body = manifest.to_json()
    with path.open("r+b") as handle:
        digest = _hash_file(handle, payload, None)
        digest.update(body)
        handle.seek(payload)
        handle.write(body)
        handle.write(
            MAGIC + f"{payload:020d} {len(body):010d} {digest.hexdigest()}\n".encode("ascii")
        )
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class Opened:
    """A checked backup file: its manifest and the length of its payload (from byte 0)."""

    path: Path
    manifest: Manifest
    payload_size: int


def _kind_of(head: bytes) -> str:
    if head.startswith(b"PGDMP"):
        return "a PostgreSQL dump"
    if head.startswith(b"SQLite format 3\x00"):
        return "a SQLite database"
    return "not a gov3 backup"


def read_manifest(path: Path) -> Opened:
    """The manifest of `path`, after checking the trailer only (cheap): for refusing early."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
            if size < TRAILER_SIZE:
                raise BackupFileError(f"it is too short to be a gov3 backup ({size} bytes)")
            handle.seek(size - TRAILER_SIZE)
            trailer = handle.read(TRAILER_SIZE)
            if not trailer.startswith(MAGIC) or not trailer.endswith(b"\n"):
                kind = _kind_of(head)
                if kind == "not a gov3 backup":
                    raise BackupFileError("it is not a gov3 backup (no gov3 backup trailer)")
                raise BackupFileError(
                    f"it starts as {kind} but has no gov3 backup trailer: it was cut short "
                    "(truncated copy, full disk) or was not made by `gov3 backup`"
                )
            fields = trailer[len(MAGIC) :].split()
            payload, body_size = int(fields[0]), int(fields[1])
            if payload + body_size + TRAILER_SIZE != size:
                raise BackupFileError(
                    "its length does not match its trailer (truncated or changed)"
                )
            handle.seek(payload)
            manifest = Manifest.from_json(handle.read(body_size))
    except OSError as error:
        raise BackupFileError(f"it cannot be read ({error.strerror})") from None
    except (ValueError, IndexError):
        raise BackupFileError("its trailer is damaged") from None
    return Opened(path, manifest, payload)


def check(path: Path, progress: Callable[[int], None] | None = None) -> Opened:
    """The manifest of `path` after checking the whole file against the trailer's SHA-256."""
    opened = read_manifest(path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        digest = _hash_file(handle, size - TRAILER_SIZE, progress)
        expected = handle.read(TRAILER_SIZE)[-65:-1].decode("ascii", "replace")
    if digest.hexdigest() != expected:
        raise BackupFileError("its content does not match its checksum (the file was changed)")
    return opened


def copy_payload(opened: Opened, target: Path) -> None:
    """Write the payload alone to a new file `target` (0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, opened.path.open("rb") as source:
        left = opened.payload_size
        while left > 0:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                raise BackupFileError("it ends before its recorded length")
            out.write(chunk)
            left -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
