"""`gov3 verify FILE --bundle B` works with no database and no network: the day the central
system is down, a border officer still tells a genuine document from a changed one, and a
revoked one (as of the bundle)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gov3.accounts.models import User
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate, do_revoke_document
from gov3.documents.statuses import status_uri
from gov3.registry.models import Person
from gov3.tasks.models import Job, JobStatus
from gov3.tasks.runner import enqueue_scheduled

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


# -- revocation status unknown (issue 14, item 7) -----------------------------------------------


def test_a_document_whose_status_list_is_not_in_the_bundle_is_not_valid(
    tmp_path: Path,
    certificate: IssuedDocument,
    officer: tuple[User, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Offline, a revoked document whose status list is missing from the bundle used to print
    VALID and exit 0. "Cannot tell" is its own outcome and exit status, never valid."""
    user, _ = officer
    user.agency.services = ["*"]
    user.agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_revoke_document(user, certificate, expected_version=1, reason="Issued in error.")
    exported = tmp_path / "bundle.json"
    call_command("documents", "export-bundle", str(exported))
    bundle = json.loads(exported.read_text())
    assert bundle["status_lists"]  # the full bundle says revoked
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(bytes(certificate.pdf))
    assert offline(tmp_path, str(pdf), "--bundle", str(exported)).stdout.startswith("REVOKED")

    bundle["status_lists"] = {}  # a bundle without the document's list
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(bundle))
    for form in (str(pdf), "--json"):
        args = [str(pdf), "--bundle", str(partial)] + (["--json"] if form == "--json" else [])
        result = offline(tmp_path, *args)
        assert result.returncode == 3, result.stdout  # neither valid (0) nor not valid (1)
        if form == "--json":
            answer = json.loads(result.stdout)
            assert (answer["outcome"], answer["status_known"]) == ("status_unknown", False)
        else:
            assert result.stdout.startswith("STATUS_UNKNOWN")
            assert "VALID" not in result.stdout.replace("STATUS_UNKNOWN", "")
            assert "do not accept it" in result.stdout


def test_export_bundle_holds_every_status_list_in_use_and_the_next_ones(
    tmp_path: Path, certificate: IssuedDocument, citizen: User, family: dict[str, Person]
) -> None:
    family_relations = do_issue_certificate(
        citizen, family["mother"], DocumentType.FAMILY_RELATIONS
    )
    exported = tmp_path / "bundle.json"
    out = StringIO()
    call_command("documents", "export-bundle", str(exported), stdout=out)
    lists = json.loads(exported.read_text())["status_lists"]
    in_use = {
        status_uri(document.status_list)
        for document in IssuedDocument.objects.select_related("status_list")
    }
    assert in_use <= set(lists)
    # passports not issued yet will go to a list the bundle already holds
    assert any("/documents/status/passport/" in uri for uri in lists)
    assert f"{len(lists)} status list(s)" in out.getvalue()
    for document in (certificate, family_relations):
        pdf = tmp_path / f"{document.number}.pdf"
        pdf.write_bytes(bytes(document.pdf))
        assert offline(tmp_path, str(pdf), "--bundle", str(exported)).returncode == 0


def test_the_scheduled_bundle_is_published_and_an_offline_verifier_accepts_it(
    tmp_path: Path,
    certificate: IssuedDocument,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_PUBLISHED_DIR = tmp_path / "published"
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_scheduled("documents.publish_bundle")  # what the scheduler does every hour
    assert Job.objects.get(name="documents.publish_bundle").status == JobStatus.DONE
    published = tmp_path / "published" / "verification-bundle.json"
    assert status_uri(certificate.status_list) in json.loads(published.read_text())["status_lists"]
    assert [p.name for p in published.parent.iterdir()] == [published.name]  # no partial file
    pdf = tmp_path / f"{certificate.number}.pdf"
    pdf.write_bytes(bytes(certificate.pdf))
    assert offline(tmp_path, str(pdf), "--bundle", str(published)).returncode == 0
