"""Signed checkpoints of the audit and access logs, kept outside the database.

A checkpoint states, for each chain, its length and newest hash at a moment, signed (ES256)
with the audit key. The key lives in the same key store as the issuer keys (encrypted files or
an HSM, `GOV3_KEY_STORE`), never in the database; the checkpoints are appended, one JSON line
each, to `GOV3_AUDIT_DIR/checkpoints.jsonl`, and the newest is published at
/audit/checkpoint.json so that others can keep copies.

`verify_logs` checks both chains and then every checkpoint against them: a chain shorter than a
checkpoint was truncated; a chain whose entry at a checkpoint's length has another hash was
rewritten (even if every later hash and the head were recomputed). Without a signing key an
attacker who can write the database cannot make a checkpoint that matches a rewritten chain.
See docs/adr/0010-signed-checkpoints-not-a-merkle-tree.md and docs/audit.md.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gov3.core.chains import CHAINS, ChainReport, verify
from gov3.core.errors import Gov3Error
from gov3.core.models import ChainVerification

if TYPE_CHECKING:
    from gov3.documents.core.keystore import KeyStore

CHECKPOINT_FILE = "checkpoints.jsonl"
KEY_REFERENCE_FILE = "checkpoint-key"
KEY_LABEL = "gov3-audit-checkpoint"


class CheckpointError(Gov3Error):
    """A checkpoint cannot be made or read; the message says what to do."""


def audit_dir() -> Path:
    return Path(settings.GOV3_AUDIT_DIR)


def _key_store() -> KeyStore:
    factory: Callable[[], KeyStore] = import_string(settings.GOV3_AUDIT_KEY_STORE_FACTORY)
    return factory()


def _private_dir() -> Path:
    directory = audit_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _key_reference(*, create: bool) -> str | None:
    """The audit key's reference (kept in a file beside the checkpoints), made on first use."""
    path = audit_dir() / KEY_REFERENCE_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if not create:
        return None
    reference = _key_store().create(KEY_LABEL)
    fd = os.open(_private_dir() / KEY_REFERENCE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(reference + "\n")
    return reference


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of each chain's length and newest hash at a moment."""

    at: datetime
    chains: dict[str, dict[str, Any]]
    kid: str
    signature: str

    def body(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "chains": self.chains, "kid": self.kid}

    def line(self) -> str:
        return json.dumps({**self.body(), "signature": self.signature}, sort_keys=True)

    @classmethod
    def parse(cls, text: str, where: str) -> Checkpoint:
        try:
            data = json.loads(text)
            chains = {
                str(name): {"length": int(c["length"]), "head": str(c["head"])}
                for name, c in data["chains"].items()
            }
            return cls(
                at=datetime.fromisoformat(data["at"]),
                chains=chains,
                kid=str(data["kid"]),
                signature=str(data["signature"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CheckpointError(f"{where} is not a gov3 checkpoint ({error}).") from None


def make_checkpoint() -> Checkpoint:
    """Sign each chain's head as it stands and append the checkpoint to the checkpoint file."""
    reference = _key_reference(create=True)
    assert reference is not None
    signer = _key_store().signer(reference)
    with transaction.atomic():
        # Lock both heads so that the checkpoint states one consistent moment.
        heads = {chain.name: chain.lock_head() for chain in CHAINS}
        chains = {
            name: {"length": head.length, "head": head.last_hash} for name, head in heads.items()
        }
    unsigned = Checkpoint(at=timezone.now(), chains=chains, kid=signer.kid, signature="")
    signature = signer.sign(_canonical(unsigned.body()))
    checkpoint = Checkpoint(
        at=unsigned.at,
        chains=chains,
        kid=signer.kid,
        signature=base64.b64encode(signature).decode(),
    )
    path = _private_dir() / CHECKPOINT_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return checkpoint


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """The checkpoints in the file (oldest first); none if no checkpoint was ever made."""
    path = path or audit_dir() / CHECKPOINT_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="ascii").splitlines()
    return [
        Checkpoint.parse(line, f"{path} line {number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


def latest_checkpoint() -> Checkpoint | None:
    checkpoints = read_checkpoints()
    return checkpoints[-1] if checkpoints else None


def _check_signature(checkpoint: Checkpoint, public_key: ec.EllipticCurvePublicKey) -> None:
    try:
        public_key.verify(
            base64.b64decode(checkpoint.signature, validate=True),
            _canonical(checkpoint.body()),
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError):
        raise CheckpointError(
            f"the checkpoint of {checkpoint.at.isoformat()} is not signed by the audit key "
            "(the checkpoint file was altered)"
        ) from None


@dataclass(frozen=True)
class LogsReport:
    """What `gov3 audit verify` found: each chain's report and the checkpoint it reached."""

    chains: list[ChainReport]
    checkpoint: Checkpoint | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _load_checkpoints(problems: list[str]) -> list[Checkpoint]:
    """The checkpoint file's checkpoints; its absence after checkpoints were made (the audit
    key reference exists) is a problem."""
    try:
        checkpoints = read_checkpoints()
    except CheckpointError as error:
        problems.append(str(error))
        return []
    if not checkpoints and _key_reference(create=False) is not None:
        problems.append(
            "checkpoints were made but the checkpoint file is missing or empty "
            f"({audit_dir() / CHECKPOINT_FILE})"
        )
    return checkpoints


def _signature_problems(checkpoints: Sequence[Checkpoint]) -> list[str]:
    if not checkpoints:
        return []
    reference = _key_reference(create=False)
    if reference is None:
        return ["there are checkpoints but no audit key to check them with"]
    public_key = _key_store().public_key(reference)
    problems = []
    for checkpoint in checkpoints:
        try:
            _check_signature(checkpoint, public_key)
        except CheckpointError as error:
            problems.append(str(error))
    return problems


def _checkpoint_problems(checkpoint: Checkpoint, by_name: dict[str, ChainReport]) -> Iterator[str]:
    """Where the chains disagree with one checkpoint: shorter (truncated) or another hash at
    the checkpoint's length (rewritten, even if every later hash was recomputed)."""
    when = checkpoint.at.isoformat()
    for name, state in checkpoint.chains.items():
        found = by_name.get(name)
        length, head = int(state["length"]), str(state["head"])
        if found is None:
            yield f"the checkpoint of {when} names an unknown chain {name!r}"
        elif found.ok and found.checked < length:
            yield (
                f"the {name} log has {found.checked} entries but the checkpoint of {when} "
                f"signed {length} (entries were removed)"
            )
        elif length in found.hashes_at and found.hashes_at[length] != head:
            yield (
                f"the {name} log differs from the checkpoint of {when} at entry {length} "
                "(the log was rewritten)"
            )


def verify_logs(
    checkpoints: Sequence[Checkpoint] | None = None, *, record: bool = True
) -> LogsReport:
    """Check both chains, then every checkpoint (signature, lengths and hashes).

    `checkpoints`: those to check against (default: the checkpoint file). The result is
    recorded (`ChainVerification`) for "who looked at my data"."""
    problems: list[str] = []
    if checkpoints is None:
        checkpoints = _load_checkpoints(problems)
    problems += _signature_problems(checkpoints)
    lengths: dict[str, set[int]] = {chain.name: set() for chain in CHAINS}
    for checkpoint in checkpoints:
        for name, state in checkpoint.chains.items():
            lengths.setdefault(name, set()).add(int(state["length"]))
    reports = [verify(chain, lengths[chain.name]) for chain in CHAINS]
    problems += [report.reason for report in reports if not report.ok]
    by_name = {report.chain: report for report in reports}
    for checkpoint in checkpoints:
        problems += _checkpoint_problems(checkpoint, by_name)
    latest = checkpoints[-1] if checkpoints else None
    result = LogsReport(reports, latest, list(dict.fromkeys(problems)))
    if record:
        with transaction.atomic():
            ChainVerification.objects.create(
                at=timezone.now(),
                ok=result.ok,
                audit_length=by_name["audit"].checked,
                access_length=by_name["access"].checked,
                checkpoint_at=latest.at if latest else None,
                reason="; ".join(result.problems)[:2000],
            )
    return result


def last_verification() -> ChainVerification | None:
    """The newest run of `gov3 audit verify`, for "who looked at my data"."""
    return ChainVerification.objects.first()
