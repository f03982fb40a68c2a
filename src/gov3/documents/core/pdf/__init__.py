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

The parts, by what they do: `content` (what a document prints, checked), `fonts` (per-document
font subsets), `payload` (the QR code, the attached payload and reading it back),
`certificate` (the A4 certificate) and `passport` (the ID-3 data page as PDF and PNG).
"""

from gov3.documents.core.pdf.certificate import render_certificate
from gov3.documents.core.pdf.content import (
    MAX_HOLDER_ROWS,
    MAX_PHOTO_BYTES,
    MAX_QR_PAYLOAD,
    MAX_TABLE_ROWS,
    MAX_TEXT,
    CertificateContent,
    CertificateTable,
    DocumentRenderError,
    PassportDataPage,
    PassportLabels,
    VerificationLabels,
)
from gov3.documents.core.pdf.fonts import FONT_DIR
from gov3.documents.core.pdf.passport import (
    ID3_HEIGHT_MM,
    ID3_WIDTH_MM,
    MAX_PHOTO_PIXELS,
    MM_PER_PT,
    MRZ_PITCH_MM,
    PNG_DPI,
    render_passport_page,
)
from gov3.documents.core.pdf.payload import (
    MAX_PAYLOAD_BYTES,
    MAX_READ_BYTES,
    PAYLOAD_FILENAME,
    read_payload,
)

__all__ = [
    "FONT_DIR",
    "ID3_HEIGHT_MM",
    "ID3_WIDTH_MM",
    "MAX_HOLDER_ROWS",
    "MAX_PAYLOAD_BYTES",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "MAX_QR_PAYLOAD",
    "MAX_READ_BYTES",
    "MAX_TABLE_ROWS",
    "MAX_TEXT",
    "MM_PER_PT",
    "MRZ_PITCH_MM",
    "PAYLOAD_FILENAME",
    "PNG_DPI",
    "CertificateContent",
    "CertificateTable",
    "DocumentRenderError",
    "PassportDataPage",
    "PassportLabels",
    "VerificationLabels",
    "read_payload",
    "render_certificate",
    "render_passport_page",
]
