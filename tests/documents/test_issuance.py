"""Certificates issued at once from the register, verified in every form, online and offline;
revocation; key rotation; tampering."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError
from gov3.documents.core import cwt, verify
from gov3.documents.core.jose import b64url
from gov3.documents.core.keys import decrypt_private_key
from gov3.documents.core.verify import Verifier, load_bundle
from gov3.documents.issuers import current_key, do_rotate_key, signer_for
from gov3.documents.models import DocumentStatus, DocumentType, IssuedDocument, IssuerKey
from gov3.documents.services import do_issue_certificate, do_revoke_document
from gov3.documents.verification import bundle, check, check_number, online_verifier
from gov3.notifications.models import Notification
from gov3.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(citizen: User, family: dict[str, Person]) -> IssuedDocument:
    return do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)


def test_a_certificate_verifies_in_each_of_its_forms(certificate: IssuedDocument) -> None:
    for form, data in (
        ("pdf", bytes(certificate.pdf)),
        ("qr", certificate.qr_payload),
        ("credential", certificate.credential),
    ):
        verdict = check(data)
        assert verdict.outcome == verify.VALID, (form, verdict)
        assert verdict.form == form
        assert verdict.number == certificate.number
        assert verdict.document_type == DocumentType.RESIDENT_REGISTRATION
    by_number = check_number(certificate.number)
    assert by_number is not None
    assert by_number.outcome == verify.VALID
    assert by_number.claims["nm"] == "김영희"


def test_the_certificate_shows_the_household_from_the_register(
    certificate: IssuedDocument, family: dict[str, Person]
) -> None:
    claims = certificate.claims
    assert claims["name"] == "김영희"
    assert claims["national_id"].endswith("******")
    assert family["mother"].national_id[7:] not in claims["national_id"]
    names = {member["name"] for member in claims["household"]}
    assert {"김영희", "이민준", "이수진"} <= names
    assert claims["household"][0]["relationship"] == "head"  # the head first, as on a 등본
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{4}", certificate.number)


def test_family_relations_lists_the_children(citizen: User, family: dict[str, Person]) -> None:
    document = do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)
    relations = {(r["relation"], r["name"]) for r in document.claims["family"]}
    assert relations == {("child", "이수진"), ("child", "이민준")}


def test_a_parent_gets_a_certificate_for_a_child_but_not_for_a_stranger(
    citizen: User, family: dict[str, Person]
) -> None:
    document = do_issue_certificate(citizen, family["son"], DocumentType.FAMILY_RELATIONS)
    assert document.holder == family["son"]
    with pytest.raises(NotFoundError):
        do_issue_certificate(citizen, family["stranger"], DocumentType.FAMILY_RELATIONS)
    assert IssuedDocument.objects.filter(holder=family["stranger"]).count() == 0


def test_one_changed_byte_makes_the_pdf_invalid(certificate: IssuedDocument) -> None:
    pdf = bytes(certificate.pdf)
    # a byte in the page content (before the signature's incremental update) …
    content_at = pdf.index(b"stream") + 40
    # … and a byte of the signature value itself
    contents = pdf.index(b"/Contents <") + len(b"/Contents <") + 200
    for position in (content_at, contents):
        changed = bytearray(pdf)
        changed[position] = ord("0") if changed[position] != ord("0") else ord("1")
        verdict = check(bytes(changed))
        assert verdict.outcome == verify.INVALID, position
        assert verdict.reason


def test_a_changed_credential_or_qr_is_invalid(certificate: IssuedDocument) -> None:
    jwt = certificate.credential
    middle = len(jwt.split("~")[0]) // 2
    forged = jwt[:middle] + ("A" if jwt[middle] != "A" else "B") + jwt[middle + 1 :]
    assert check(forged).outcome == verify.INVALID
    qr = certificate.qr_payload
    forged_qr = qr[:20] + ("A" if qr[20] != "A" else "B") + qr[21:]
    assert check(forged_qr).outcome == verify.INVALID


def test_revocation_is_seen_online_and_offline_and_the_holder_is_told(
    certificate: IssuedDocument,
    officer: tuple[User, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = load_bundle(json.dumps(bundle()).encode(), now=int(time.time()))
    assert before.check(bytes(certificate.pdf)).outcome == verify.VALID
    user, _ = officer
    user.agency.services = ["*"]
    user.agency.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_revoke_document(
            user, certificate, expected_version=certificate.version, reason="Issued in error."
        )
    assert certificate.status == DocumentStatus.REVOKED
    for data in (bytes(certificate.pdf), certificate.qr_payload, certificate.credential):
        assert check(data).outcome == verify.REVOKED, check(data)
    number = check_number(certificate.number)
    assert number is not None
    assert number.outcome == verify.REVOKED
    offline = load_bundle(json.dumps(bundle()).encode(), now=int(time.time()))
    for data in (bytes(certificate.pdf), certificate.qr_payload, certificate.credential):
        verdict = offline.check(data)
        assert verdict.outcome == verify.REVOKED
        assert verdict.status_as_of is not None
    # an old bundle still says valid: offline verifiers must refresh it (the page says when)
    assert before.check(certificate.qr_payload).outcome == verify.VALID
    notice = Notification.objects.get(person=certificate.holder, kind="document_revoked")
    assert "Issued in error." in json.dumps(notice.body, ensure_ascii=False)


def test_an_officer_of_another_agency_cannot_revoke(
    certificate: IssuedDocument, officer: tuple[User, Any]
) -> None:
    user, _ = officer  # its agency handles no service
    with pytest.raises(NotFoundError):
        do_revoke_document(user, certificate, expected_version=1, reason="no")
    certificate.refresh_from_db()
    assert certificate.status == DocumentStatus.VALID
    assert check(certificate.qr_payload).outcome == verify.VALID


def test_documents_signed_before_a_rotation_still_verify(
    citizen: User, family: dict[str, Person], certificate: IssuedDocument
) -> None:
    old_kid = certificate.key.kid
    new = do_rotate_key(DocumentType.RESIDENT_REGISTRATION, actor="test")
    assert new.kid != old_kid
    assert current_key(DocumentType.RESIDENT_REGISTRATION).kid == new.kid
    assert IssuerKey.objects.get(kid=old_kid).retired_at is not None
    later = do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)
    assert later.key.kid == new.kid
    for document in (certificate, later):
        for data in (bytes(document.pdf), document.qr_payload, document.credential):
            assert check(data).outcome == verify.VALID
    published = {
        key["kid"] for key in json.loads(Client().get("/documents/jwks.json").content)["keys"]
    }
    assert {old_kid, new.kid} <= published


def test_a_key_of_one_document_type_cannot_sign_another(
    citizen: User, family: dict[str, Person]
) -> None:
    """A genuine family relations key signing a QR that claims to be a resident registration
    certificate is refused: each key signs one document type."""
    fr = do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)
    spliced = cwt.encode_qr(
        signer_for(fr.key),
        {"t": "RR", "n": fr.number, "nm": "김영희", "sl": [fr.status_list.number, 0]},
        issuer=online_verifier().issuer,
        issued_at=int(time.time()),
        expires_at=None,
    )
    verdict = check(spliced)
    assert verdict.outcome == verify.INVALID
    assert verdict.reason == "wrong_type"


def test_the_private_keys_are_not_in_the_database(
    certificate: IssuedDocument, settings: Any
) -> None:
    """The private scalar is in the key store's encrypted file, and nowhere in the row."""
    key = certificate.key
    assert "d" not in key.public_jwk
    pem = (Path(settings.GOV3_KEY_DIR) / f"{key.reference}.key.pem").read_bytes()
    private = decrypt_private_key(
        pem, settings.GOV3_KEY_PASSPHRASE.encode(), source=key.reference
    ).private_numbers()
    scalar = private.private_value.to_bytes(32, "big")
    row = IssuerKey.objects.filter(pk=key.pk).values().get()
    stored = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for value in row.values()
    )
    for encoding in (scalar, b64url(scalar).encode(), scalar.hex().encode()):
        assert encoding not in stored
    assert encoding not in pem  # the file holds it only encrypted


def test_the_public_endpoints_need_no_sign_in(certificate: IssuedDocument) -> None:
    client = Client()
    metadata = client.get("/.well-known/jwt-vc-issuer").json()
    assert metadata["jwks"]["keys"]
    status = client.get(
        reverse(
            "documents:status_list",
            args=[certificate.status_list.document_type, certificate.status_list.number],
        )
    )
    assert status.status_code == 200
    assert status["Content-Type"] == "application/statuslist+jwt"
    downloaded = client.get(reverse("documents:bundle")).json()
    assert downloaded["format"] == verify.BUNDLE_FORMAT


def test_an_expired_certificate_says_expired(certificate: IssuedDocument) -> None:
    assert certificate.expires_at is not None
    later = int(certificate.expires_at.timestamp()) + 86400
    verifier = Verifier(
        issuer=online_verifier().issuer,
        keys=online_verifier().keys,
        status=lambda uri, index: 0,
        now=later,
    )
    for data in (bytes(certificate.pdf), certificate.qr_payload, certificate.credential):
        assert verifier.check(data).outcome == verify.EXPIRED


def test_keys_are_listed_and_rotated_on_the_command_line(certificate: IssuedDocument) -> None:
    out = io.StringIO()
    call_command("keys", "rotate", "--document-type", "resident_registration", stdout=out)
    assert "new key" in out.getvalue()
    listing = io.StringIO()
    call_command("keys", "list", stdout=listing)
    lines = [line for line in listing.getvalue().splitlines() if "resident_registration" in line]
    assert len(lines) == 2
    assert sum("current" in line for line in lines) == 1
    assert check(certificate.qr_payload).outcome == verify.VALID
    with pytest.raises(CommandError):
        call_command("keys", "rotate", "--document-type", "driving_licence")
