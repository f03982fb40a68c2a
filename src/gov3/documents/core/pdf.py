"""Certificates and the passport data page as PDF (fpdf2), the data page also as PNG (Pillow).

Fonts ship in `gov3/documents/fonts/` (see its README): NanumGothic for Hangul and Latin,
DejaVu Sans for the letters NanumGothic lacks (Vietnamese, most of Latin Extended), and OCR-B
(ICAO Doc 9303 Part 3 §4.2: the machine readable zone is printed in OCR-B size 1).

Speed: fpdf2 parses and subsets the whole font for every document, which for the 4.7 MB
NanumGothic costs ~0.15 s. Instead, each font is parsed once per process (`_FontSource`) and
every document gets a small TrueType font holding only the glyphs it uses; fpdf2 then parses
and embeds that tiny font. The OFL allows the embedded subset; the shipped file is unmodified.

A verifier reads the signed payload back without OCR: it is attached to the PDF as the
embedded file `gov3-payload.txt` (`read_payload`).
"""

from __future__ import annotations

import copy
import io
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import zxingcpp
from fontTools.ttLib import TTFont, newTable  # type: ignore[import-untyped]
from fontTools.ttLib.tables._c_m_a_p import (  # type: ignore[import-untyped]
    cmap_format_4,
    cmap_format_12,
)
from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace, TTFFont
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader

FONT_DIR: Final = Path(__file__).resolve().parent.parent / "fonts"
PAYLOAD_FILENAME: Final = "gov3-payload.txt"

MAX_QR_PAYLOAD: Final = 1200  # alphanumeric chars: QR version ≤ 22 at level M, scannable at 60 mm
MAX_TEXT: Final = 2000  # characters in one field
MAX_HOLDER_ROWS: Final = 40
MAX_TABLE_ROWS: Final = 300
MAX_PHOTO_BYTES: Final = 5_000_000
MAX_PHOTO_PIXELS: Final = 4000 * 4000
MAX_READ_BYTES: Final = 10_000_000  # `read_payload` refuses larger inputs
MAX_PAYLOAD_BYTES: Final = 64_000

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

_QR_QUIET_ZONE: Final = 4  # modules, ISO/IEC 18004 §6.3.8
_QR_PIXELS_PER_MODULE: Final = 4  # whole pixels per module keep the edges sharp when scaled
MM_PER_PT: Final = 25.4 / 72
PNG_DPI: Final = 300
ID3_WIDTH_MM: Final = 125.0  # ICAO Doc 9303 Part 4 §2: TD3 (ID-3) size
ID3_HEIGHT_MM: Final = 88.0
# Doc 9303 Part 3 §4.2: OCR-B size 1 prints 10 characters per 25.4 mm, so one MRZ line of
# 44 characters spans 111.76 mm. OCR-B advances 0.723 em, which gives the font size.
MRZ_PITCH_MM: Final = 2.54


class DocumentRenderError(ValueError):
    """The document data cannot be rendered; the message says which field and why."""


# --- fonts ---------------------------------------------------------------------------------


class _FontSource:
    """One TrueType font parsed once per process; hands out per-document glyph subsets."""

    def __init__(self, filename: str) -> None:
        self.path = FONT_DIR / filename
        self._lock = threading.Lock()
        self._font: Any = None
        self._cmap: dict[int, str] = {}

    def _load(self) -> Any:
        # The lock also guards fontTools' lazy glyph expansion, which mutates the master font.
        if self._font is None:
            font = TTFont(self.path, recalcTimestamp=False)
            self._cmap = dict(font.getBestCmap())
            font["glyf"]
            self._font = font
        return self._font

    def covers(self, codepoint: int) -> bool:
        with self._lock:
            self._load()
            return codepoint in self._cmap

    def advance_em(self, char: str) -> float:
        """The advance width of `char` as a fraction of the em."""
        with self._lock:
            master = self._load()
            width = master["hmtx"][self._cmap[ord(char)]][0]
            return float(width) / float(master["head"].unitsPerEm)

    def subset(self, codepoints: Iterable[int]) -> bytes:
        """A valid TrueType font with `.notdef` plus the glyphs of `codepoints` it has.

        Glyphs are copied as compiled bytes (only composite glyphs' component indices are
        rewritten), so nothing is decompiled or recompiled per document.
        """
        with self._lock:
            master = self._load()
            glyphs = master["glyf"].glyphs
            master_order = master.getGlyphOrder()
            mapping = {cp: self._cmap[cp] for cp in codepoints if cp in self._cmap}
            names = {".notdef", *mapping.values()}
            pending = list(names)
            while pending:  # composite glyphs (most Hangul syllables) need their components
                data = _glyph_bytes(glyphs[pending.pop()])
                for _, gid in _components(data):
                    name = master_order[gid]
                    if name not in names:
                        names.add(name)
                        pending.append(name)
            order = [".notdef", *sorted(names - {".notdef"}, key=master.getGlyphID)]
            new_id = {master.getGlyphID(name): index for index, name in enumerate(order)}
            font = TTFont(recalcBBoxes=False, recalcTimestamp=False)
            font.setGlyphOrder(order)
            for tag in ("head", "hhea", "maxp", "OS/2", "name"):
                font[tag] = copy.copy(master[tag])  # compiling updates the glyph counts
            for tag in ("fpgm", "prep", "cvt ", "gasp"):  # hinting programs, read-only
                if tag in master:
                    font[tag] = master[tag]
            post = newTable("post")
            post.formatType = 3.0
            for attr in _POST_FIELDS:
                setattr(post, attr, getattr(master["post"], attr))
            font["post"] = post
            hmtx = newTable("hmtx")
            hmtx.metrics = {name: master["hmtx"][name] for name in order}
            font["hmtx"] = hmtx
            new_glyf = newTable("glyf")
            new_glyf.glyphOrder = order
            new_glyf.glyphs = {
                name: Glyph(_renumbered(_glyph_bytes(glyphs[name]), new_id)) for name in order
            }
            font["glyf"] = new_glyf
            font["loca"] = newTable("loca")
            font["cmap"] = _cmap_table(mapping)
            out = io.BytesIO()
            font.save(out)
            return out.getvalue()


_POST_FIELDS: Final = (
    "italicAngle",
    "underlinePosition",
    "underlineThickness",
    "isFixedPitch",
    "minMemType42",
    "maxMemType42",
    "minMemType1",
    "maxMemType1",
)

# TrueType composite glyph flags (OpenType spec, 'glyf' table, composite glyph description).
_ARG_1_AND_2_ARE_WORDS: Final = 0x0001
_WE_HAVE_A_SCALE: Final = 0x0008
_MORE_COMPONENTS: Final = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE: Final = 0x0040
_WE_HAVE_A_TWO_BY_TWO: Final = 0x0080


def _glyph_bytes(glyph: Any) -> bytes:
    """The compiled bytes of a master glyph (empty for a blank glyph such as the space)."""
    data = getattr(glyph, "data", None)
    if data is None and glyph.numberOfContours == 0:
        return b""
    if data is None:  # only `glyf[name]` expands glyphs, and this module never calls it
        raise RuntimeError("master glyph was decompiled; read glyphs through .glyphs only")
    return bytes(data)


def _components(data: bytes) -> Iterator[tuple[int, int]]:
    """(offset of the glyph index, glyph index) of each component of a composite glyph."""
    if len(data) < 10 or int.from_bytes(data[:2], "big", signed=True) >= 0:
        return
    offset = 10  # numberOfContours (-1) and the bounding box
    while True:
        flags = int.from_bytes(data[offset : offset + 2], "big")
        yield offset + 2, int.from_bytes(data[offset + 2 : offset + 4], "big")
        offset += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            offset += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            offset += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            offset += 8
        if not flags & _MORE_COMPONENTS:
            return


def _renumbered(data: bytes, new_id: dict[int, int]) -> bytes:
    """A glyph's bytes with composite component indices mapped to the subset's glyph ids."""
    parts = list(_components(data))
    if not parts:
        return data
    patched = bytearray(data)
    for offset, gid in parts:
        patched[offset : offset + 2] = new_id[gid].to_bytes(2, "big")
    return bytes(patched)


def _cmap_table(mapping: dict[int, str]) -> Any:
    table = newTable("cmap")
    table.tableVersion = 0
    bmp = cmap_format_4(4)
    bmp.platformID, bmp.platEncID, bmp.language = 3, 1, 0
    bmp.cmap = {cp: name for cp, name in mapping.items() if cp <= 0xFFFF}
    table.tables = [bmp]
    if any(cp > 0xFFFF for cp in mapping):
        full = cmap_format_12(12)
        full.platformID, full.platEncID, full.language = 3, 10, 0
        full.cmap = dict(mapping)
        table.tables.append(full)
    return table


_HANGUL = _FontSource("NanumGothic.ttf")
_LATIN_EXTENDED = _FontSource("DejaVuSans.ttf")
_OCR_B = _FontSource("OCRB.ttf")
_ASCII: Final = frozenset(range(0x20, 0x7F))
_MRZ_CHARACTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def _nfc(text: str) -> str:
    # Vietnamese typed on some keyboards arrives decomposed; the fonts map precomposed letters.
    return unicodedata.normalize("NFC", text)


class _DocumentFonts:
    """Per-document subset font files for fpdf2, which only loads fonts from a path."""

    def __init__(self, texts: Iterable[str], *, mrz: bool = False) -> None:
        codepoints = set(_ASCII)
        for text in texts:
            codepoints.update(ord(c) for c in _nfc(text) if c.isprintable())
        self.main = {cp for cp in codepoints if _HANGUL.covers(cp)}
        self.fallback = {cp for cp in codepoints - self.main if _LATIN_EXTENDED.covers(cp)}
        self.mrz = mrz
        self._dir = tempfile.TemporaryDirectory(prefix="gov3-fonts-")

    def __enter__(self) -> _DocumentFonts:
        return self

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()

    def install(self, pdf: FPDF) -> None:
        self._add(pdf, "main", _HANGUL.subset(self.main))
        if self.fallback:
            self._add(pdf, "fallback", _LATIN_EXTENDED.subset(self.fallback))
            pdf.set_fallback_fonts(["fallback"])
        if self.mrz:
            self._add(pdf, "ocrb", _OCR_B.subset(map(ord, _MRZ_CHARACTERS)))

    def _add(self, pdf: FPDF, family: str, font: bytes) -> None:
        path = Path(self._dir.name) / f"{family}.ttf"
        path.write_bytes(font)
        pdf.add_font(family, "", path)
        # The subset keeps the master's glyph bounds; fpdf2 need not decompile every glyph
        # to recompute them when it embeds the font (half of its font time otherwise).
        added = pdf.fonts[family]
        if isinstance(added, TTFFont):
            added.ttfont.recalcBBoxes = False


# --- data ----------------------------------------------------------------------------------


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
    """A table under the holder section, e.g. household members or family relations."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
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
        if self.table is not None:
            yield from self.table.header
            for row in self.table.rows:
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


def _open_photo(jpeg: bytes) -> Image.Image:
    try:
        photo = Image.open(io.BytesIO(jpeg))
        if photo.format != "JPEG":
            raise DocumentRenderError(f"the photo must be JPEG, got {photo.format}")
        if photo.width * photo.height > MAX_PHOTO_PIXELS:
            raise DocumentRenderError("the photo has more than 16 megapixels")
        photo.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise DocumentRenderError(f"the photo is not a readable JPEG image: {error}") from error
    return photo


def _visual_date(value: date) -> str:
    # Doc 9303 Part 4 §4.2: dates in the visual zone as DD MMM YYYY, month in letters.
    return f"{value.day:02d} {_MONTHS[value.month - 1]} {value.year:04d}"


# --- certificate ---------------------------------------------------------------------------


class _CertificatePDF(FPDF):
    """A4 with the verification note and document number at the foot of every page."""

    def __init__(self, content: CertificateContent) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content

    def footer(self) -> None:
        self.set_y(-22)
        self.set_font("main", size=8)
        self.set_text_color(60)
        self.multi_cell(
            0, 4, _nfc(self.content.footer), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.cell(
            0,
            4,
            f"{self.content.document_number}   {self.page_no()}/{{nb}}",
            align=Align.R,
        )


def _qr_image(payload: str) -> tuple[Image.Image, float]:
    """The QR code as a 1-bit image and its printed width in mm (modules ≥ 0.4 mm, ≥ 40 mm)."""
    # Error correction M, as for the EU DCC; base45 text encodes in alphanumeric mode. The
    # encoder is zxing-cpp's (C++, with the standard's mask selection): about 1 ms, where a
    # pure-Python encoder spent 15 ms of a certificate's 60 ms choosing the mask.
    qr = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    matrix = qr.to_image(scale=1, add_quiet_zones=False)
    modules = Image.fromarray(np.asarray(matrix, dtype=np.uint8), mode="L")
    quiet = _QR_QUIET_ZONE
    framed = ImageOps.expand(modules, border=quiet, fill=255)
    scale = _QR_PIXELS_PER_MODULE
    image = framed.resize((framed.width * scale, framed.height * scale), Image.Resampling.NEAREST)
    return image.convert("1", dither=Image.Dither.NONE), min(60.0, max(40.0, framed.width * 0.4))


def _embed_payload(pdf: FPDF, payload: str) -> None:
    pdf.embed_file(
        bytes=payload.encode("utf-8"),
        basename=PAYLOAD_FILENAME,
        mime_type="text/plain",
        desc="gov3 signed payload, for verification without OCR",
    )


def _draw_holder(pdf: FPDF, cert: CertificateContent, column: float) -> None:
    """Document number, date and the holder rows as label/value pairs left of the QR code."""
    label_width = min(60.0, column * 0.48)
    pdf.set_font("main", size=10)
    rows = [
        (cert.labels[0], cert.document_number),
        (cert.labels[1], cert.issued_on.isoformat()),
        *cert.holder,
    ]
    for index, (label, value) in enumerate(rows):
        if index == 2:
            pdf.ln(3)
        row_top = pdf.get_y()
        pdf.set_text_color(80)
        pdf.multi_cell(label_width, 6, _nfc(label), align=Align.L)
        label_bottom = pdf.get_y()
        pdf.set_xy(pdf.l_margin + label_width, row_top)
        pdf.set_text_color(0)
        pdf.multi_cell(column - label_width, 6, _nfc(value), align=Align.L)
        pdf.set_xy(pdf.l_margin, max(label_bottom, pdf.get_y()))


def render_certificate(cert: CertificateContent) -> bytes:
    """An A4 certificate with its QR code; unsigned (sign it with `pades.sign_pdf`)."""
    if not isinstance(cert, CertificateContent):
        raise DocumentRenderError("render_certificate takes a CertificateContent")
    qr_image, qr_width = _qr_image(cert.qr_payload)
    with _DocumentFonts(cert.texts()) as fonts:
        pdf = _CertificatePDF(cert)
        pdf.set_title(_nfc(f"{cert.title} {cert.subtitle}".strip()))
        pdf.set_lang(cert.language)
        pdf.set_author(_nfc(cert.issuer))
        pdf.set_subject(cert.document_number)
        pdf.set_creator("gov3")
        pdf.set_margins(18, 18, 18)
        pdf.set_auto_page_break(auto=True, margin=28)
        fonts.install(pdf)
        pdf.add_page()
        width = pdf.epw

        pdf.set_font("main", size=10)
        pdf.cell(width, 6, _nfc(cert.issuer), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        pdf.set_font("main", size=22)
        pdf.multi_cell(
            width, 10, _nfc(cert.title), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if cert.subtitle:
            pdf.set_font("main", size=12)
            pdf.multi_cell(
                width, 7, _nfc(cert.subtitle), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.ln(2)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(4)

        top = pdf.get_y()
        qr_x = pdf.l_margin + width - qr_width
        pdf.image(qr_image, x=qr_x, y=top, w=qr_width, h=qr_width, alt_text="QR code")
        _draw_holder(pdf, cert, width - qr_width - 6)
        pdf.set_y(max(pdf.get_y(), top + qr_width) + 6)

        if cert.table is not None:
            pdf.set_font("main", size=9)
            heading = FontFace(emphasis="", fill_color=(235, 235, 235))
            with pdf.table(
                text_align="LEFT",
                line_height=5.5,
                first_row_as_headings=True,
                headings_style=heading,
            ) as table:
                table.row([_nfc(cell) for cell in cert.table.header])
                for row in cert.table.rows:
                    table.row([_nfc(cell) for cell in row])

        _embed_payload(pdf, cert.qr_payload)
        for name, data in cert.attachments:
            pdf.embed_file(bytes=data, basename=name, desc=name)
        return bytes(pdf.output())


# --- passport data page --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Text:
    x: float  # mm from the left edge
    y: float  # mm from the top edge to the baseline
    size: float  # pt
    text: str
    font: Literal["main", "ocrb"] = "main"
    grey: int = 0


@dataclass(frozen=True, slots=True)
class _Photo:
    x: float
    y: float
    w: float
    h: float


def _passport_layout(page: PassportDataPage) -> list[_Text | _Photo]:
    """The data page as positioned items, drawn by both the PDF and the PNG backends."""
    labels = page.labels
    items: list[_Text | _Photo] = [
        _Text(6, 7.5, 9, labels.heading),
        _Text(80, 7.5, 9, labels.document),
        _Photo(6, 12, 32, 41),
    ]
    columns = (44.0, 72.0, 98.0)
    grid: list[tuple[int, str, str]] = [
        (0, labels.type, page.document_type),
        (1, labels.issuing_state, page.issuing_state),
        (2, labels.passport_number, page.passport_number),
        (0, labels.surname, page.surname),
        (0, labels.given_names, page.given_names),
        (0, labels.korean_name, page.korean_name),
        (0, labels.nationality, page.nationality),
        (0, labels.date_of_birth, _visual_date(page.date_of_birth)),
        (2, labels.sex, page.sex),
        (0, labels.date_of_issue, _visual_date(page.date_of_issue)),
        (1, labels.authority, page.authority),
        (0, labels.date_of_expiry, _visual_date(page.date_of_expiry)),
    ]
    y = 13.0
    for index, (column, label, value) in enumerate(grid):
        if column == 0 and index > 0:
            y += 7.2
        items.append(_Text(columns[column], y, 5.5, label, grey=90))
        items.append(_Text(columns[column], y + 3.3, 8.5, value))
    size = MRZ_PITCH_MM / (_ocrb_advance_em() * MM_PER_PT)
    items.append(_Text(6, ID3_HEIGHT_MM - 9.5, size, page.mrz[0], font="ocrb"))
    items.append(_Text(6, ID3_HEIGHT_MM - 4.0, size, page.mrz[1], font="ocrb"))
    return items


def _ocrb_advance_em() -> float:
    return _OCR_B.advance_em("A")  # monospaced: every MRZ character advances the same


def _passport_pdf(page: PassportDataPage, items: list[_Text | _Photo]) -> bytes:
    with _DocumentFonts(page.texts(), mrz=True) as fonts:
        pdf = FPDF(orientation="landscape", unit="mm", format=(ID3_HEIGHT_MM, ID3_WIDTH_MM))
        pdf.set_title(_nfc(f"{page.labels.document} {page.passport_number}"))
        pdf.set_subject("gov3 — data page image (specimen rendering, not a travel document)")
        pdf.set_lang(page.language)
        pdf.set_creator("gov3")
        pdf.set_margins(0, 0, 0)
        pdf.set_auto_page_break(auto=False)
        fonts.install(pdf)
        pdf.add_page()
        for item in items:
            if isinstance(item, _Photo):
                pdf.image(
                    io.BytesIO(page.photo_jpeg),
                    x=item.x,
                    y=item.y,
                    w=item.w,
                    h=item.h,
                    keep_aspect_ratio=True,
                    alt_text="Holder's portrait",
                )
            else:
                pdf.set_font(item.font, size=item.size)
                pdf.set_text_color(item.grey)
                pdf.text(item.x, item.y, _nfc(item.text))
        if page.has_verification_page:
            _verification_page(pdf, page)
        _embed_payload(pdf, page.embedded_payload)
        return bytes(pdf.output())


def _verification_page(pdf: FPDF, page: PassportDataPage) -> None:
    """A second ID-3 page: the signed QR code, the confirmation number and where to check."""
    assert page.payload is not None
    labels = page.verification_labels
    qr_image, qr_width = _qr_image(page.payload)
    qr_width = min(qr_width, ID3_HEIGHT_MM - 16)
    pdf.add_page()
    pdf.set_text_color(0)
    pdf.set_font("main", size=10)
    pdf.text(6, 9, _nfc(labels.heading))
    pdf.image(qr_image, x=6, y=13, w=qr_width, h=qr_width, alt_text="QR code")
    column = 6 + qr_width + 5
    width = ID3_WIDTH_MM - column - 5
    y = 14.0

    def write(text: str, size: float, line: float, grey: int, gap: float = 0.0) -> None:
        nonlocal y
        pdf.set_xy(column, y + gap)
        pdf.set_font("main", size=size)
        pdf.set_text_color(grey)
        pdf.multi_cell(width, line, _nfc(text), new_x=XPos.LEFT, new_y=YPos.NEXT)
        y = pdf.get_y()

    write(labels.number, 6.5, 3.2, 90)
    write(page.confirmation_number or "", 11, 5.5, 0)
    if page.verify_url:
        write(labels.where, 6.5, 3.2, 90, gap=1.5)
        write(page.verify_url, 8, 4, 0)
    write(labels.note, 6, 3, 60, gap=2)


_PIL_FONTS: dict[tuple[str, float], ImageFont.FreeTypeFont] = {}
_PIL_LOCK = threading.Lock()


def _pil_font(source: _FontSource, size_px: float) -> ImageFont.FreeTypeFont:
    key = (str(source.path), round(size_px, 2))
    with _PIL_LOCK:
        font = _PIL_FONTS.get(key)
        if font is None:
            font = ImageFont.truetype(str(source.path), size=size_px)
            _PIL_FONTS[key] = font
        return font


def _runs(text: str) -> Iterator[tuple[_FontSource, str]]:
    """Split text into runs per font, as fpdf2's fallback does (Pillow has no fallback)."""
    current: _FontSource | None = None
    start = 0
    for index, char in enumerate(text):
        source = (
            _HANGUL
            if _HANGUL.covers(ord(char)) or not _LATIN_EXTENDED.covers(ord(char))
            else _LATIN_EXTENDED
        )
        if source is not current:
            if current is not None:
                yield current, text[start:index]
            current, start = source, index
    if current is not None:
        yield current, text[start:]


def _passport_png(page: PassportDataPage, items: list[_Text | _Photo]) -> bytes:
    px_per_mm = PNG_DPI / 25.4
    size = (round(ID3_WIDTH_MM * px_per_mm), round(ID3_HEIGHT_MM * px_per_mm))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for item in items:
        if isinstance(item, _Photo):
            box = (round(item.w * px_per_mm), round(item.h * px_per_mm))
            photo = ImageOps.contain(_open_photo(page.photo_jpeg).convert("RGB"), box)
            image.paste(
                photo,
                (
                    round(item.x * px_per_mm + (box[0] - photo.width) / 2),
                    round(item.y * px_per_mm + (box[1] - photo.height) / 2),
                ),
            )
            continue
        size_px = item.size * MM_PER_PT * px_per_mm
        x = item.x * px_per_mm
        colour = (item.grey, item.grey, item.grey)
        runs = [(_OCR_B, item.text)] if item.font == "ocrb" else list(_runs(_nfc(item.text)))
        for source, text in runs:
            font = _pil_font(source, size_px)
            draw.text((x, item.y * px_per_mm), text, font=font, fill=colour, anchor="ls")
            x += font.getlength(text)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI), optimize=False)
    return out.getvalue()


def render_passport_page(page: PassportDataPage) -> tuple[bytes, bytes]:
    """The data page as (PDF, PNG at 300 dpi), both ID-3 size (125 by 88 mm)."""
    if not isinstance(page, PassportDataPage):
        raise DocumentRenderError("render_passport_page takes a PassportDataPage")
    _open_photo(page.photo_jpeg)
    items = _passport_layout(page)
    return _passport_pdf(page, items), _passport_png(page, items)


# --- reading back --------------------------------------------------------------------------


def read_payload(pdf_bytes: bytes) -> str | None:
    """The attached `gov3-payload.txt` of a gov3 PDF; None when absent or unreadable.

    The PDF is parsed, not trusted: call `pades.verify_pdf` to know whether it is genuine.
    """
    if not isinstance(pdf_bytes, bytes | bytearray) or len(pdf_bytes) > MAX_READ_BYTES:
        return None
    if not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF-"):
        return None
    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf_bytes)), strict=False)
        return _payload_from_reader(reader)
    # pyHanko raises many exception types on hostile input; any of them means "no payload".
    except Exception:
        return None


def _payload_from_reader(reader: Any) -> str | None:
    root = reader.root
    names = root.get("/Names")
    if names is None:
        return None
    tree = names.get_object().get("/EmbeddedFiles")
    if tree is None:
        return None
    for spec in _name_tree_values(tree.get_object(), PAYLOAD_FILENAME, depth=0):
        stream = spec["/EF"]["/F"].get_object()
        if not isinstance(stream, generic.StreamObject):
            return None
        data = stream.data
        if len(data) > MAX_PAYLOAD_BYTES:
            return None
        return str(data.decode("utf-8"))
    return None


def _name_tree_values(node: Any, key: str, depth: int) -> Iterator[Any]:
    if depth > 8:  # a loop or a hostile tree; real ones are shallow
        raise misc.PdfReadError("name tree too deep")
    pairs = node.get("/Names")
    if pairs is not None:
        pairs = pairs.get_object()
        for index in range(0, len(pairs) - 1, 2):
            if str(pairs[index]) == key:
                yield pairs[index + 1].get_object()
    kids = node.get("/Kids")
    if kids is not None:
        for kid in kids.get_object():
            yield from _name_tree_values(kid.get_object(), key, depth + 1)


__all__ = [
    "MAX_QR_PAYLOAD",
    "PAYLOAD_FILENAME",
    "CertificateContent",
    "CertificateTable",
    "DocumentRenderError",
    "PassportDataPage",
    "PassportLabels",
    "read_payload",
    "render_certificate",
    "render_passport_page",
]
