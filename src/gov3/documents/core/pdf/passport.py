"""The passport data page (ICAO TD3, ID-3 size) laid out once and drawn twice: as a PDF with an
optional verification page, and as a PNG at 300 dpi.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from gov3.documents.core.pdf.content import _MONTHS, DocumentRenderError, PassportDataPage
from gov3.documents.core.pdf.fonts import (
    _HANGUL,
    _LATIN_EXTENDED,
    _OCR_B,
    _DocumentFonts,
    _FontSource,
    _nfc,
)
from gov3.documents.core.pdf.payload import _embed_payload, _qr_image

MAX_PHOTO_PIXELS: Final = 4000 * 4000
MM_PER_PT: Final = 25.4 / 72
PNG_DPI: Final = 300
ID3_WIDTH_MM: Final = 125.0  # ICAO Doc 9303 Part 4 §2: TD3 (ID-3) size
ID3_HEIGHT_MM: Final = 88.0
# Doc 9303 Part 3 §4.2: OCR-B size 1 prints 10 characters per 25.4 mm, so one MRZ line of
# 44 characters spans 111.76 mm. OCR-B advances 0.723 em, which gives the font size.
MRZ_PITCH_MM: Final = 2.54


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
