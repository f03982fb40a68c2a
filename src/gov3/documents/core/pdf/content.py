"""What a certificate and a passport data page print, checked before anything is drawn.

Labels and values arrive already localised; a field that cannot be printed raises
`DocumentRenderError` naming the field and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Final

MAX_QR_PAYLOAD: Final = 1200  # alphanumeric chars: QR version ≤ 22 at level M, scannable at 60 mm
MAX_TEXT: Final = 2000  # characters in one field
MAX_HOLDER_ROWS: Final = 40
MAX_TABLE_ROWS: Final = 300
MAX_PHOTO_BYTES: Final = 5_000_000

_QR_ALPHANUMERIC: Final = re.compile(r"[0-9A-Z $%*+\-./:]+")
_MRZ_LINE: Final = re.compile(r"[A-Z0-9<]{44}")
_LANGUAGE_TAG: Final = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_MONTHS: Final = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)


class DocumentRenderError(ValueError):
    """The document data cannot be rendered; the message says which field and why."""


def _check_text(name: str, value: object, *, required: bool = True) -> None:
    if not isinstance(value, str):
        raise DocumentRenderError(f"{name} must be text, got {type(value).__name__}")
    if required and not value.strip():
        raise DocumentRenderError(f"{name} is empty")
    if len(value) > MAX_TEXT:
        raise DocumentRenderError(f"{name} is longer than {MAX_TEXT} characters")
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in value):
        raise DocumentRenderError(f"{name} contains control characters")


def _check_language(value: object) -> None:
    if not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value):
        raise DocumentRenderError(
            f"language must be a BCP 47 tag such as 'ko' or 'vi-VN': {value!r}"
        )


@dataclass(frozen=True, slots=True)
class CertificateTable:
    """A table under the holder section, e.g. household members or family relations, with an
    optional heading printed above it (a section of the certificate)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        _check_text("table caption", self.caption, required=False)
        if not self.header:
            raise DocumentRenderError("the table needs a header row")
        if len(self.rows) > MAX_TABLE_ROWS:
            raise DocumentRenderError(f"the table has more than {MAX_TABLE_ROWS} rows")
        for index, cell in enumerate(self.header):
            _check_text(f"table header {index + 1}", cell, required=False)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.header):
                raise DocumentRenderError(
                    f"table row {number} has {len(row)} cells, the header has {len(self.header)}"
                )
            for cell in row:
                _check_text(f"table row {number}", cell, required=False)


@dataclass(frozen=True, slots=True)
class CertificateContent:
    """Everything printed on one certificate; labels and values arrive already localised.

    `footer_note` may contain `{url}` and `{number}`, replaced by `verify_url` and
    `document_number`. `qr_payload` is the signed QR text (`GV1:` + base45), which uses only
    the QR alphanumeric character set.
    """

    title: str
    subtitle: str
    issuer: str
    document_number: str
    issued_on: date
    holder: tuple[tuple[str, str], ...]
    qr_payload: str
    verify_url: str
    language: str
    footer_note: str = "Verify at {url} with the document number {number}, or scan the QR code."
    table: CertificateTable | None = None
    labels: tuple[str, str] = ("문서확인번호 / Document number", "발급일 / Date of issue")
    #: Files carried inside the PDF (name, bytes), covered by its signature (e.g. the files
    #: of an information disclosure).
    attachments: tuple[tuple[str, bytes], ...] = ()
    #: Further tables printed after ``table`` (e.g. a transcript's term results).
    more_tables: tuple[CertificateTable, ...] = ()

    def __post_init__(self) -> None:
        _check_text("title", self.title)
        _check_text("subtitle", self.subtitle, required=False)
        _check_text("issuer", self.issuer)
        _check_text("document_number", self.document_number)
        _check_text("verify_url", self.verify_url)
        _check_text("footer_note", self.footer_note, required=False)
        _check_language(self.language)
        if not isinstance(self.issued_on, date):
            raise DocumentRenderError("issued_on must be a date")
        if len(self.holder) > MAX_HOLDER_ROWS:
            raise DocumentRenderError(f"the holder section has more than {MAX_HOLDER_ROWS} rows")
        for label, value in self.holder:
            _check_text("holder label", label)
            _check_text(f"holder value for {label!r}", value, required=False)
        for label in self.labels:
            _check_text("label", label)
        if not isinstance(self.qr_payload, str) or not _QR_ALPHANUMERIC.fullmatch(self.qr_payload):
            raise DocumentRenderError(
                "qr_payload must be non-empty QR alphanumeric text (0-9 A-Z space $%*+-./:)"
            )
        if len(self.qr_payload) > MAX_QR_PAYLOAD:
            raise DocumentRenderError(f"qr_payload is longer than {MAX_QR_PAYLOAD} characters")
        for name, data in self.attachments:
            _check_text("attachment name", name)
            if not isinstance(data, bytes):
                raise DocumentRenderError(f"attachment {name!r} must be bytes")

    @property
    def footer(self) -> str:
        return self.footer_note.replace("{url}", self.verify_url).replace(
            "{number}", self.document_number
        )

    def texts(self) -> Iterator[str]:
        """Every string the certificate prints (to choose the glyphs to embed)."""
        yield from (self.title, self.subtitle, self.issuer, self.document_number, self.footer)
        yield from self.labels
        for label, value in self.holder:
            yield label
            yield value
        for table in (self.table, *self.more_tables):
            if table is not None:
                yield table.caption
                yield from table.header
                for row in table.rows:
                    yield from row


@dataclass(frozen=True, slots=True)
class PassportLabels:
    """Bilingual field labels as printed on the Korean passport; other packs pass their own."""

    heading: str = "대한민국 REPUBLIC OF KOREA"
    document: str = "여권 PASSPORT"
    type: str = "종류/Type"
    issuing_state: str = "발행국/Issuing country"
    passport_number: str = "여권번호/Passport No."
    surname: str = "성/Surname"
    given_names: str = "이름/Given names"
    korean_name: str = "한글성명"
    nationality: str = "국적/Nationality"
    date_of_birth: str = "생년월일/Date of birth"
    sex: str = "성별/Sex"
    date_of_issue: str = "발급일/Date of issue"
    date_of_expiry: str = "기간만료일/Date of expiry"
    authority: str = "발행관청/Authority"

    def texts(self) -> Iterator[str]:
        for name in self.__slots__:
            yield getattr(self, name)


@dataclass(frozen=True, slots=True)
class VerificationLabels:
    """The words of the passport PDF's verification page (Korean and English by default)."""

    heading: str = "전자 여권 발급 확인 / Verification of this passport"
    number: str = "문서확인번호 / Confirmation number"
    where: str = "확인하는 곳 / Verify at"
    note: str = (
        "QR 코드나 문서확인번호로 이 여권이 발급되었고 유효한지 누구나 확인할 수 있습니다. "
        "이 쪽은 여권 신원정보면이 아닙니다. / Anyone can check with the QR code or the "
        "confirmation number that this passport was issued and is valid. This page is not "
        "part of the passport's data page."
    )

    def texts(self) -> Iterator[str]:
        for name in self.__slots__:
            yield getattr(self, name)


@dataclass(frozen=True, slots=True)
class PassportDataPage:
    """The visual inspection zone and the MRZ of an ICAO TD3 passport data page.

    `mrz` is the two 44-character lines, computed elsewhere (gov3's MRZ module).
    `photo_jpeg` is the holder's portrait as JPEG.
    """

    document_type: str
    issuing_state: str
    passport_number: str
    surname: str
    given_names: str
    korean_name: str
    nationality: str
    date_of_birth: date
    sex: str
    date_of_issue: date
    date_of_expiry: date
    authority: str
    photo_jpeg: bytes
    mrz: tuple[str, str]
    language: str = "ko"
    labels: PassportLabels = field(default_factory=PassportLabels)
    payload: str | None = None
    #: The document's confirmation number and where to check it: with `payload`, the PDF gets
    #: a second page with the QR code and the number (the data page itself stays as ICAO
    #: Doc 9303 lays it out; the PNG is the data page only).
    confirmation_number: str | None = None
    verify_url: str | None = None
    verification_labels: VerificationLabels = field(default_factory=VerificationLabels)

    def __post_init__(self) -> None:
        for name in (
            "document_type",
            "issuing_state",
            "passport_number",
            "surname",
            "nationality",
            "sex",
            "authority",
        ):
            _check_text(name, getattr(self, name))
        _check_text("given_names", self.given_names, required=False)
        if self.payload is not None:
            _check_text("payload", self.payload)
        for name in ("confirmation_number", "verify_url"):
            if getattr(self, name) is not None:
                _check_text(name, getattr(self, name))
        for text in self.verification_labels.texts():
            _check_text("verification label", text)
        _check_text("korean_name", self.korean_name, required=False)
        _check_language(self.language)
        for name in ("date_of_birth", "date_of_issue", "date_of_expiry"):
            if not isinstance(getattr(self, name), date):
                raise DocumentRenderError(f"{name} must be a date")
        for text in self.labels.texts():
            _check_text("passport label", text)
        if (
            not isinstance(self.mrz, tuple)
            or len(self.mrz) != 2
            or not all(isinstance(line, str) and _MRZ_LINE.fullmatch(line) for line in self.mrz)
        ):
            raise DocumentRenderError("mrz must be two lines of 44 characters from A-Z, 0-9 and <")
        if not isinstance(self.photo_jpeg, bytes) or not self.photo_jpeg:
            raise DocumentRenderError("photo_jpeg must be the JPEG bytes of the portrait")
        if len(self.photo_jpeg) > MAX_PHOTO_BYTES:
            raise DocumentRenderError(f"the photo is larger than {MAX_PHOTO_BYTES} bytes")

    def texts(self) -> Iterator[str]:
        yield from self.labels.texts()
        yield from (self.document_type, self.issuing_state, self.passport_number, self.surname)
        yield from (self.given_names, self.korean_name, self.nationality, self.sex, self.authority)
        yield "0123456789 " + " ".join(_MONTHS)
        if self.has_verification_page:
            yield from self.verification_labels.texts()
            yield from (self.confirmation_number or "", self.verify_url or "")

    @property
    def has_verification_page(self) -> bool:
        """A signed QR payload and a confirmation number: the PDF's second page shows both."""
        return self.payload is not None and self.confirmation_number is not None

    @property
    def embedded_payload(self) -> str:
        """What `read_payload` returns: `payload` if given (e.g. the signed QR text), else the
        two MRZ lines and the passport number, one per line."""
        if self.payload is not None:
            return self.payload
        return "\n".join((*self.mrz, self.passport_number))
