"""`gov3 verify FILE --bundle B` works with no database and no network: the day the central
system is down, a border officer still tells a genuine document from a changed one, and a
revoked one (as of the bundle)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gov3.accounts.models import User
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate, do_revoke_document
from gov3.registry.models import Person

pytestmark = pytest.mark.django_db

GOV3 = Path(sys.executable).with_name("gov3")


def offline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a process whose database does not exist (and may not be created)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/none.sqlite3",
        "GOV3_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [str(GOV3), "verify", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def certificate(citizen: User, family: dict[str, Person]) -> IssuedDocument:
    return do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)


def test_offline_valid_changed_and_revoked(
    tmp_path: Path,
    certificate: IssuedDocument,
    officer: tuple[User, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    bundle = tmp_path / "bundle.json"
    call_command("documents", "export-bundle", str(bundle))
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(bytes(certificate.pdf))
    qr = tmp_path / "qr.txt"
    qr.write_text(certificate.qr_payload)

    valid = offline(tmp_path, str(pdf), "--bundle", str(bundle), "--json")
    assert valid.returncode == 0, valid.stderr
    answer = json.loads(valid.stdout)
    assert answer["outcome"] == "valid"
    assert answer["number"] == certificate.number
    assert answer["status_as_of"]
    assert offline(tmp_path, str(qr), "--bundle", str(bundle)).returncode == 0

    changed = bytearray(pdf.read_bytes())
    changed[changed.index(b"stream") + 50] ^= 0x01
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(changed))
    refused = offline(tmp_path, str(forged), "--bundle", str(bundle))
    assert refused.returncode == 1
    assert refused.stdout.startswith("INVALID")

    user, _ = officer
    user.agency.services = ["*"]
    user.agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_revoke_document(user, certificate, expected_version=1, reason="Issued in error.")
    newer = tmp_path / "newer.json"
    call_command("documents", "export-bundle", str(newer))
    revoked = offline(tmp_path, str(pdf), "--bundle", str(newer))
    assert revoked.returncode == 1
    assert revoked.stdout.startswith("REVOKED")


def test_a_bundle_that_is_not_one_is_refused_clearly(tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    for content in ("not json", json.dumps({"format": "something else"})):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        result = offline(tmp_path, str(pdf), "--bundle", str(bad))
        assert result.returncode != 0
        assert "bundle" in result.stderr
