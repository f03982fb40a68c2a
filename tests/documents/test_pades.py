"""PAdES B-B signatures made through the Signer protocol verify; any change, an appended
revision, an unlisted key or a file that is not a PDF gives a clear verdict, never an error."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from gov3.documents.core.keys import self_signed_certificate
from gov3.documents.core.pades import (
    MAX_PDF_BYTES,
    PdfFailure,
    PdfSigningError,
    sign_pdf,
    verify_pdf,
)
from gov3.documents.core.signing import PrivateKeySigner
from tests.conftest import require_tool

PAYLOAD = "GV1:NCFOXN%TS3DH"


def _unsigned_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)  # so a test can find and change one byte of page content
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Certificate 1234-5678")
    pdf.embed_file(bytes=PAYLOAD.encode(), basename="gov3-payload.txt")
    return bytes(pdf.output())


def _builder_certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The certificate made the usual way, with cryptography's builder and the private key."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gov3 test issuer")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def issuer() -> tuple[PrivateKeySigner, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    return PrivateKeySigner(key), _builder_certificate(key)


@pytest.fixture(scope="module")
def signed(issuer: tuple[PrivateKeySigner, bytes]) -> bytes:
    signer, certificate = issuer
    return sign_pdf(_unsigned_pdf(), signer, certificate, reason="발급 Issued", location="Seoul")


def test_signed_pdf_verifies(signed: bytes, issuer: tuple[PrivateKeySigner, bytes]) -> None:
    check = verify_pdf(signed, [issuer[1]])
    assert check.valid
    assert check.reason is None
    assert check.payload == PAYLOAD
    assert check.signer_subject == "Common Name: gov3 test issuer"
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert check.signer_fingerprint is not None
    assert len(check.signer_fingerprint) == 64


def test_signature_is_pades_baseline(signed: bytes) -> None:
    assert b"/SubFilter /ETSI.CAdES.detached" in signed


def test_certificate_made_through_the_signer_protocol_works() -> None:
    signer = PrivateKeySigner.generate()
    certificate = self_signed_certificate(
        signer,
        common_name="gov3",
        organisation="행정안전부",
        country="KR",
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2036, 1, 1, tzinfo=UTC),
    )
    parsed = x509.load_der_x509_certificate(certificate)
    parsed.public_key().verify(  # type: ignore[union-attr, call-arg]
        parsed.signature, parsed.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
    )
    signed = sign_pdf(_unsigned_pdf(), signer, certificate, reason="r", location="l")
    assert verify_pdf(signed, [certificate]).valid


def test_trust_by_public_key_not_certificate_bytes(
    signed: bytes, issuer: tuple[PrivateKeySigner, bytes]
) -> None:
    signer, _ = issuer
    reissued = self_signed_certificate(
        signer,
        common_name="same key, new certificate",
        organisation="gov3",
        country="KR",
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2036, 1, 1, tzinfo=UTC),
    )
    assert verify_pdf(signed, [reissued]).valid


def test_one_byte_changed_in_content_is_detected(
    signed: bytes, issuer: tuple[PrivateKeySigner, bytes]
) -> None:
    position = signed.index(b"Certificate 1234-5678")
    tampered = signed[:position] + b"D" + signed[position + 1 :]
    check = verify_pdf(tampered, [issuer[1]])
    assert not check.valid
    assert check.reason is PdfFailure.MODIFIED_AFTER_SIGNING


def test_one_byte_changed_in_signature_value_is_detected(
    signed: bytes, issuer: tuple[PrivateKeySigner, bytes]
) -> None:
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert contents is not None
    cms = bytes.fromhex(contents.group(1).decode())
    # The ECDSA value is the last OCTET STRING of the SignerInfo: a DER SEQUENCE of two INTEGERs.
    signature_at = cms.rindex(b"\x04", 0, len(cms.rstrip(b"\x00")) - 60)
    start = contents.start(1) + 2 * (signature_at + 10)
    flipped = b"0" if signed[start : start + 1] != b"0" else b"1"
    tampered = signed[:start] + flipped + signed[start + 1 :]
    check = verify_pdf(tampered, [issuer[1]])
    assert not check.valid
    assert check.reason in {PdfFailure.BAD_SIGNATURE, PdfFailure.MALFORMED}


def test_every_single_byte_flip_in_the_signed_file_is_rejected(
    signed: bytes, issuer: tuple[PrivateKeySigner, bytes]
) -> None:
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert contents is not None
    # Every byte of the whole file was checked once (none accepted, ~6 min); sample it here,
    # denser inside the signature container whose unsigned fields are the weak spot.
    positions = {
        *range(contents.start(1), contents.start(1) + 12),
        *range(0, len(signed), len(signed) // 60),
        *range(contents.start(1), contents.start(1) + 400, 7),
    }
    for position in sorted(positions):
        tampered = bytearray(signed)
        tampered[position] ^= 0x01
        check = verify_pdf(bytes(tampered), [issuer[1]])
        assert not check.valid, position


def test_appended_incremental_update_is_detected(
    signed: bytes, issuer: tuple[PrivateKeySigner, bytes]
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("forged")})
    )
    out = io.BytesIO()
    writer.write(out)
    check = verify_pdf(out.getvalue(), [issuer[1]])
    assert not check.valid
    assert check.reason is PdfFailure.MODIFIED_AFTER_SIGNING


def test_signer_not_in_trusted_list(signed: bytes) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    check = verify_pdf(signed, [_builder_certificate(stranger)])
    assert not check.valid
    assert check.reason is PdfFailure.UNTRUSTED_SIGNER
    assert check.signer_subject == "Common Name: gov3 test issuer"


def test_unsigned_pdf(issuer: tuple[PrivateKeySigner, bytes]) -> None:
    check = verify_pdf(_unsigned_pdf(), [issuer[1]])
    assert check.reason is PdfFailure.UNSIGNED
    assert check.payload == PAYLOAD


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", PdfFailure.NOT_A_PDF),
        (os.urandom(4096), PdfFailure.NOT_A_PDF),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), PdfFailure.NOT_A_PDF),
        (bytes(MAX_PDF_BYTES + 1), PdfFailure.NOT_A_PDF),
        (b"%PDF-1.7\n garbage \n%%EOF\n", PdfFailure.MALFORMED),
    ],
)
def test_not_a_pdf(data: bytes, reason: PdfFailure, issuer: tuple[PrivateKeySigner, bytes]) -> None:
    check = verify_pdf(data, [issuer[1]])
    assert not check.valid
    assert check.reason is reason


def test_truncated_signed_pdf(signed: bytes, issuer: tuple[PrivateKeySigner, bytes]) -> None:
    for length in (len(signed) // 2, len(signed) - 20):
        check = verify_pdf(signed[:length], [issuer[1]])
        assert not check.valid
        assert check.reason in {PdfFailure.NOT_A_PDF, PdfFailure.MALFORMED}


def test_fifty_megabytes_of_zeros_is_refused_at_once(
    issuer: tuple[PrivateKeySigner, bytes],
) -> None:
    check = verify_pdf(bytes(50_000_000), [issuer[1]])
    assert check.reason is PdfFailure.NOT_A_PDF


def test_signing_refuses_a_foreign_certificate(issuer: tuple[PrivateKeySigner, bytes]) -> None:
    other = _builder_certificate(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(PdfSigningError, match="public key"):
        sign_pdf(_unsigned_pdf(), issuer[0], other, reason="r", location="l")


def test_signing_refuses_what_is_not_a_pdf(issuer: tuple[PrivateKeySigner, bytes]) -> None:
    with pytest.raises(PdfSigningError, match="not a PDF"):
        sign_pdf(b"hello", issuer[0], issuer[1], reason="r", location="l")


def test_poppler_pdfsig_validates_the_signature(signed: bytes, tmp_path: Path) -> None:
    pdfsig = require_tool("pdfsig", "apt-get install -y poppler-utils")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = subprocess.run([pdfsig, path], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in result.stdout
    assert "ETSI.CAdES.detached" in result.stdout


def test_signing_works_inside_a_running_event_loop(issuer: tuple[PrivateKeySigner, bytes]) -> None:
    """An async server (or a test runner) may already run an event loop in this thread."""
    signer, certificate = issuer

    async def inside() -> bytes:
        return sign_pdf(_unsigned_pdf(), signer, certificate, reason="r", location="l")

    # a thread of its own, so that the test runner's own loop (Playwright's) does not matter
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(lambda: asyncio.run(inside())).result()
    assert verify_pdf(signed, [certificate]).valid
