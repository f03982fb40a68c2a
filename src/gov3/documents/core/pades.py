"""PAdES baseline B-B signatures on gov3 PDFs and their verification (ETSI EN 319 142-1).

Signing goes through our `Signer` protocol, so the issuer's private key never reaches pyHanko
(it may live in a hardware module). The signature is CMS with the `ETSI.CAdES.detached`
subfilter, SHA-256 and ECDSA P-256.

Trust is anchored on the issuer's published key list, as the EU Digital COVID Certificate
trust list did: a PDF is genuine when its signer certificate carries the public key of one of
the `trusted_certificates` the caller passes (gov3's published issuer certificates). No CA
chain, no revocation fetching: a withdrawn key is simply removed from the list.

Our PDFs are never legitimately updated after signing (no B-LT/B-LTA revisions), so any byte
after the signed revision, even a well-formed incremental update, makes the file invalid.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from asn1crypto import algos, x509  # type: ignore[import-untyped]
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import (
    IncrementalPdfFileWriter,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation.generic_cms import (
    validate_sig_integrity,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator.registry import SimpleCertificateStore

from gov3.documents.core.errors import PdfFailure
from gov3.documents.core.pdf import read_payload
from gov3.documents.core.signing import Signer

MAX_PDF_BYTES: Final = 10_000_000  # larger inputs are refused before parsing
_PADES_SUBFILTER: Final = "/ETSI.CAdES.detached"
_ECDSA_SHA256: Final = "sha256_ecdsa"
_HEX_GAP: Final = re.compile(rb"<[0-9A-Fa-f]*>")
# DER AlgorithmIdentifier of SHA-256 with NULL parameters (RFC 5754 §2), as pyHanko writes it.
_SHA256_IDENTIFIER: Final = bytes.fromhex("300d06096086480165030402010500")
_MAX_DER_SIGNATURE: Final = 72  # ECDSA P-256 DER signature, at most


class PdfSigningError(ValueError):
    """The PDF or the certificate cannot be used for signing; the message says why."""


@dataclass(frozen=True, slots=True)
class PdfCheck:
    """The verdict on one PDF. Signer details are filled in as far as they could be read."""

    valid: bool
    reason: PdfFailure | None = None
    signer_fingerprint: str | None = None  # SHA-256 of the signer certificate (DER), hex
    signer_subject: str | None = None
    signed_at: datetime | None = None
    payload: str | None = None


# --- signing -------------------------------------------------------------------------------


class _ProtocolSigner(signers.Signer):
    """A pyHanko signer whose raw signature comes from our `Signer` (ES256, DER)."""

    def __init__(self, signer: Signer, certificate: Any) -> None:
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs([certificate]),  # type: ignore[no-untyped-call]
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": _ECDSA_SHA256}),
            embed_roots=False,
        )
        self._signer = signer

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if digest_algorithm != "sha256":
            raise SigningError(f"gov3 issuer keys sign with SHA-256, not {digest_algorithm}")
        if dry_run:  # pyHanko sizes the signature field from this placeholder
            return bytes(_MAX_DER_SIGNATURE)
        return self._signer.sign(data)


def _load_certificate(certificate_der: bytes) -> Any:
    if not isinstance(certificate_der, bytes | bytearray) or not certificate_der:
        raise PdfSigningError("the certificate must be DER bytes")
    try:
        certificate = x509.Certificate.load(bytes(certificate_der))
        certificate.public_key.native  # noqa: B018 - parse now, fail here rather than later
    except (ValueError, TypeError, KeyError) as error:
        raise PdfSigningError(f"the certificate is not a DER X.509 certificate: {error}") from error
    return certificate


def _check_pdf_input(pdf: object) -> bytes:
    if not isinstance(pdf, bytes | bytearray):
        raise PdfSigningError("the PDF must be bytes")
    if len(pdf) > MAX_PDF_BYTES:
        raise PdfSigningError(f"the PDF is larger than {MAX_PDF_BYTES} bytes")
    if not _looks_like_pdf(pdf):
        raise PdfSigningError("the input is not a PDF file")
    return bytes(pdf)


T = TypeVar("T")


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """pyHanko signs asynchronously. Run the coroutine whether or not this thread already runs
    an event loop (an async server's, or a test runner's), where `asyncio.run` would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


#: Room for the CMS signature container: an ES256 signature, one certificate, the signed
#: attributes (≈ 1.3 KB in practice), with ample margin.
SIGNATURE_BYTES = 8192


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    certificate_der: bytes,
    *,
    reason: str,
    location: str,
    field_name: str = "gov3",
) -> bytes:
    """The PDF with a PAdES B-B signature by `signer`, appended as an incremental update.

    `certificate_der` is the issuer's published certificate for `signer`'s key (see
    `keys.self_signed_certificate`); it is embedded so that verifiers can match it to the key list.
    """
    data = _check_pdf_input(pdf)
    certificate = _load_certificate(certificate_der)
    ours = signer.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if certificate.public_key.dump() != ours:
        raise PdfSigningError("the certificate does not carry the signer's public key")
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        # a fixed reservation spares pyHanko a dry-run signature to size the field (≈ 10 ms)
        out = _run(
            lambda: signers.async_sign_pdf(
                writer,
                metadata,
                signer=_ProtocolSigner(signer, certificate),
                bytes_reserved=SIGNATURE_BYTES,
            )
        )
    # pyHanko's reader raises several types on a damaged PDF; report them as one error.
    except (SigningError, ValueError, KeyError, TypeError, IndexError) as error:
        raise PdfSigningError(f"the PDF could not be signed: {error}") from error
    return bytes(out.getvalue())


# --- verification --------------------------------------------------------------------------


def _looks_like_pdf(data: bytes | bytearray) -> bool:
    # ISO 32000-1 §7.5.2: the header comes first (readers tolerate up to 1 KiB of junk before
    # it); §7.5.5: the file ends with %%EOF. Checking both rejects other files and most
    # truncated PDFs before any parsing.
    return b"%PDF-" in bytes(data[:1024]) and b"%%EOF" in bytes(data[-1024:])


def _spki(certificate_der: bytes) -> bytes:
    try:
        certificate = cx509.load_der_x509_certificate(certificate_der)
    except ValueError as error:
        raise ValueError(f"a trusted certificate is not DER X.509: {error}") from error
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_pdf(pdf: bytes, trusted_certificates: Sequence[bytes]) -> PdfCheck:
    """Whether `pdf` carries an intact, unmodified gov3 signature by a trusted issuer key.

    Never raises on a bad file: the verdict says why it was rejected. Raises ValueError only
    when `trusted_certificates` itself is unusable (a configuration error).
    """
    trusted = {_spki(bytes(der)) for der in trusted_certificates}
    if not isinstance(pdf, bytes | bytearray) or len(pdf) > MAX_PDF_BYTES:
        return PdfCheck(valid=False, reason=PdfFailure.NOT_A_PDF)
    if not _looks_like_pdf(pdf):
        return PdfCheck(valid=False, reason=PdfFailure.NOT_A_PDF)
    data = bytes(pdf)
    try:
        return _verify(data, trusted)
    # pyHanko and asn1crypto raise many exception types on hostile input; each of them means
    # the file is damaged, which is a verdict, not an error.
    except Exception:
        return PdfCheck(valid=False, reason=PdfFailure.MALFORMED)


def _tlv(data: bytes, offset: int, limit: int) -> tuple[int, int] | None:
    """(content start, end) of the DER TLV at `offset`, or None if it is not minimal DER."""
    tag = data[offset] if offset < limit else 0
    # Tag 0 is BER's end-of-contents (never DER); gov3's CMS uses no high tag numbers.
    if offset + 2 > limit or tag == 0 or tag & 0x1F == 0x1F:
        return None
    first = data[offset + 1]
    if first < 0x80:
        start, length = offset + 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or offset + 2 + count > limit:
            return None
        length = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
        if length < 0x80 or count != (length.bit_length() + 7) // 8:
            return None
        start = offset + 2 + count
    end = start + length
    return (start, end) if end <= limit else None


def _exact_der(data: bytes, offset: int, limit: int, depth: int = 0) -> int | None:
    """The end of the DER element at `offset` whose nested elements exactly fill each parent."""
    bounds = _tlv(data, offset, limit)
    if bounds is None or depth > 32:
        return None
    start, end = bounds
    if data[offset] & 0x20:  # constructed: the children must fill it exactly
        position = start
        while position < end:
            child_end = _exact_der(data, position, end, depth + 1)
            if child_end is None:
                return None
            position = child_end
    return end


def _is_der(container: bytes) -> bool:
    """Whether the CMS blob is strict DER followed only by the zero padding of /Contents.

    A lenient reader accepts a changed length that swallows some padding; gov3 writes exact
    DER, so such a change is refused. (Unsigned field values: `_envelope_is_ours`.)
    """
    end = _exact_der(container, 0, len(container))
    return end is not None and container[0] == 0x30 and not container[end:].strip(b"\x00")


def _contents_is_pure_hex(data: bytes, byte_range: Any) -> bool:
    """The unsigned gap of the ByteRange is exactly `<hex digits>` (no junk a lax parser skips)."""
    _, first_length, second_start, _ = (int(value) for value in byte_range)
    return _HEX_GAP.fullmatch(data[first_length:second_start]) is not None


def _envelope_is_ours(signed_data: Any, certificate: Any) -> bool:
    """The CMS fields outside the signed attributes hold exactly what gov3 writes.

    Those fields are not covered by the signature; checking them means that no byte of the
    signature container can change without the file being rejected.
    """
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        return False
    certificates = signed_data["certificates"]
    return (
        signed_data["version"].native == "v1"
        and signer_infos[0]["version"].native == "v1"
        and signed_data["digest_algorithms"].dump() == b"\x31\x0f" + _SHA256_IDENTIFIER
        and signer_infos[0]["digest_algorithm"].dump() == _SHA256_IDENTIFIER
        and signed_data["encap_content_info"]["content_type"].native == "data"
        and signed_data["encap_content_info"]["content"].native is None
        and len(signer_infos) == 1
        and signer_infos[0]["unsigned_attrs"].native is None
        and len(certificates) == 1
        and certificates[0].chosen.dump() == certificate.dump()
        and signed_data["crls"].native is None
    )


def _verify(data: bytes, trusted: set[bytes]) -> PdfCheck:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signatures = list(reader.embedded_regular_signatures)
    if not signatures:
        return PdfCheck(valid=False, reason=PdfFailure.UNSIGNED, payload=read_payload(data))
    signature = signatures[0]  # gov3 signs once; a later one would be an unsigned change
    certificate = signature.signer_cert
    details: dict[str, Any] = {
        "signer_fingerprint": hashlib.sha256(certificate.dump()).hexdigest(),
        "signer_subject": certificate.subject.human_friendly,
        "signed_at": signature.self_reported_timestamp,
        "payload": read_payload(data),
    }
    failure = _failure(signature, certificate, data, trusted, later_signatures=len(signatures) > 1)
    return PdfCheck(valid=failure is None, reason=failure, **details)


def _failure(
    signature: Any, certificate: Any, data: bytes, trusted: set[bytes], *, later_signatures: bool
) -> PdfFailure | None:
    """The first check the signature fails, in the order integrity, coverage, trust."""
    algorithm = signature.signer_info["signature_algorithm"]["algorithm"].native
    if (
        not _is_der(signature.pkcs7_content)
        or not _contents_is_pure_hex(data, signature.byte_range)
        or not _envelope_is_ours(signature.signed_data, certificate)
        or str(signature.sig_object.get("/SubFilter")) != _PADES_SUBFILTER
        or algorithm != _ECDSA_SHA256
        or signature.md_algorithm != "sha256"
    ):
        return PdfFailure.BAD_SIGNATURE
    intact, valid = validate_sig_integrity(
        signature.signer_info, certificate, "data", signature.compute_digest()
    )
    if not intact:
        return PdfFailure.MODIFIED_AFTER_SIGNING
    if not valid:
        return PdfFailure.BAD_SIGNATURE
    if later_signatures or (
        signature.evaluate_signature_coverage() != SignatureCoverageLevel.ENTIRE_FILE
    ):
        return PdfFailure.MODIFIED_AFTER_SIGNING
    if certificate.public_key.dump() not in trusted:
        return PdfFailure.UNTRUSTED_SIGNER
    return None


__all__ = [
    "MAX_PDF_BYTES",
    "PdfCheck",
    "PdfFailure",
    "PdfSigningError",
    "sign_pdf",
    "verify_pdf",
]
