"""Certificates and the passport data page render with exact Hangul/Vietnamese text, a QR
code that decodes to the signed payload, the MRZ in OCR-B, and a payload readable without OCR."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from gov3.documents.core.pdf import (
    CertificateContent,
    CertificateTable,
    DocumentRenderError,
    PassportDataPage,
    read_payload,
    render_certificate,
    render_passport_page,
)
from tests.conftest import require_tool

PAYLOAD = "GV1:" + "6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3" * 8
MRZ = (
    "PMKORHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<",
    "M123A45670KOR7408122M3611272<<<<<<<<<<<<<<04",
)


@pytest.fixture(scope="module")
def certificate() -> CertificateContent:
    return CertificateContent(
        title="주민등록표 등본",
        subtitle="Resident Registration Certificate (Copy)",
        issuer="행정안전부 Ministry of the Interior and Safety",
        document_number="1234-5678-9012-3456",
        issued_on=date(2026, 11, 27),
        holder=(
            ("성명 / Name", "홍길동 (洪吉童)"),
            ("주소 / Address", "서울특별시 종로구 세종대로 209"),
            ("Tên / Name", "Nguyễn Thị Thu Hương"),
        ),
        table=CertificateTable(
            header=("구분", "성명", "생년월일", "관계"),
            rows=(("1", "홍길동", "1974-08-12", "세대주"), ("2", "김영희", "1976-03-01", "배우자")),
        ),
        qr_payload=PAYLOAD,
        verify_url="https://gov3.example/verify",
        language="ko",
    )


@pytest.fixture(scope="module")
def certificate_pdf(certificate: CertificateContent) -> bytes:
    return render_certificate(certificate)


@pytest.fixture(scope="module")
def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (350, 450), (200, 30, 40)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def passport(photo: bytes) -> PassportDataPage:
    return PassportDataPage(
        document_type="PM",
        issuing_state="KOR",
        passport_number="M123A4567",
        surname="HONG",
        given_names="GILDONG",
        korean_name="홍길동",
        nationality="REPUBLIC OF KOREA",
        date_of_birth=date(1974, 8, 12),
        sex="M",
        date_of_issue=date(2026, 11, 27),
        date_of_expiry=date(2036, 11, 27),
        authority="MINISTRY OF FOREIGN AFFAIRS",
        photo_jpeg=photo,
        mrz=MRZ,
    )


@pytest.fixture(scope="module")
def passport_files(passport: PassportDataPage) -> tuple[bytes, bytes]:
    return render_passport_page(passport)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_certificate_text_extracts_exactly(certificate_pdf: bytes) -> None:
    text = _text(certificate_pdf)
    for expected in (
        "주민등록표 등본",
        "행정안전부 Ministry of the Interior and Safety",
        "1234-5678-9012-3456",
        "서울특별시 종로구 세종대로 209",
        "홍길동 (洪吉童)",
        "Nguyễn Thị Thu Hương",
        "세대주",
        "https://gov3.example/verify",
    ):
        assert expected in text


def test_certificate_metadata_has_title_and_language(certificate_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(certificate_pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "주민등록표 등본 Resident Registration Certificate (Copy)"
    assert reader.trailer["/Root"]["/Lang"] == "ko"


def test_certificate_embeds_only_used_glyphs(certificate_pdf: bytes) -> None:
    # The whole NanumGothic is 4.7 MB; a certificate embeds a few dozen glyphs.
    assert len(certificate_pdf) < 120_000
    assert any("NanumGothic" in name for name in _font_names(certificate_pdf))


def test_embedded_qr_image_decodes_to_the_payload(certificate_pdf: bytes) -> None:
    images = [
        image for page in PdfReader(io.BytesIO(certificate_pdf)).pages for image in page.images
    ]
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image)
    assert [(code.format, code.text) for code in decoded] == [
        (zxingcpp.BarcodeFormat.QRCode, PAYLOAD)
    ]


def test_printed_page_qr_decodes_and_is_at_least_35_mm(
    certificate_pdf: bytes, tmp_path: Path
) -> None:
    pdftoppm = require_tool("pdftoppm", "apt-get install -y poppler-utils")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(certificate_pdf)
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-singlefile", source, tmp_path / "page"], check=True
    )
    page = Image.open(tmp_path / "page.png")
    codes = zxingcpp.read_barcodes(page)
    assert [code.text for code in codes] == [PAYLOAD]
    width_px = codes[0].position.top_right.x - codes[0].position.top_left.x
    assert width_px / 150 * 25.4 >= 35


def test_payload_reads_back_without_ocr(certificate_pdf: bytes) -> None:
    assert read_payload(certificate_pdf) == PAYLOAD


def test_long_table_flows_onto_more_pages(certificate: CertificateContent) -> None:
    rows = tuple((str(n), f"가족 {n}", "2000-01-01", "자녀") for n in range(120))
    pdf = render_certificate(
        replace(
            certificate,
            table=CertificateTable(header=("구분", "성명", "생년월일", "관계"), rows=rows),
        )
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert "가족 119" in _text(pdf)
    assert "1234-5678-9012-3456" in reader.pages[-1].extract_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"qr_payload": "gv1:lowercase"}, "alphanumeric"),
        ({"qr_payload": "GV1:" + "A" * 5000}, "longer than"),
        ({"title": ""}, "title is empty"),
        ({"language": "Korean!"}, "BCP 47"),
        ({"document_number": "12\x00"}, "control characters"),
    ],
)
def test_bad_certificate_data_is_refused(
    certificate: CertificateContent, change: dict[str, str], message: str
) -> None:
    with pytest.raises(DocumentRenderError, match=message):
        replace(certificate, **change)


def test_table_rows_must_match_the_header() -> None:
    with pytest.raises(DocumentRenderError, match="row 1 has 1 cells"):
        CertificateTable(header=("a", "b"), rows=(("x",),))


def test_passport_pdf_has_fields_and_mrz_in_ocr_b(passport_files: tuple[bytes, bytes]) -> None:
    pdf, _ = passport_files
    text = _text(pdf)
    for expected in (*MRZ, "성/Surname", "HONG", "GILDONG", "홍길동", "M123A4567", "12 AUG 1974"):
        assert expected in text
    assert any(name.endswith("+OCRB") for name in _font_names(pdf))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (
        round(float(page.mediabox.width) * 25.4 / 72),
        round(float(page.mediabox.height) * 25.4 / 72),
    ) == (125, 88)


def test_passport_marked_as_specimen_only_in_metadata(passport_files: tuple[bytes, bytes]) -> None:
    pdf, _ = passport_files
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert "gov3 — data page image" in str(reader.metadata.subject)
    assert "specimen" not in _text(pdf).lower()


def test_passport_payload_is_mrz_and_number(
    passport_files: tuple[bytes, bytes], passport: PassportDataPage
) -> None:
    assert read_payload(passport_files[0]) == "\n".join((*MRZ, "M123A4567"))
    assert passport.embedded_payload == read_payload(passport_files[0])


def test_passport_png_is_300_dpi_id3_with_the_photo(passport_files: tuple[bytes, bytes]) -> None:
    image = Image.open(io.BytesIO(passport_files[1]))
    assert image.size == (1476, 1039)
    assert round(image.info["dpi"][0]) == 300
    # The photo box (x 6-38 mm, y 12-53 mm) holds the red test portrait.
    red = image.convert("RGB").getpixel((round(22 / 25.4 * 300), round(32 / 25.4 * 300)))
    assert red[0] > 150
    assert red[1] < 80


def test_passport_png_mrz_spans_about_112_mm(passport_files: tuple[bytes, bytes]) -> None:
    image = Image.open(io.BytesIO(passport_files[1])).convert("L")
    band = image.crop((0, round(76 / 25.4 * 300), image.width, image.height))
    ink = band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert ink is not None
    span_mm = (ink[2] - ink[0]) / 300 * 25.4
    assert 109 < span_mm < 113


def test_photo_must_be_jpeg(passport: PassportDataPage) -> None:
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, format="PNG")
    with pytest.raises(DocumentRenderError, match="must be JPEG"):
        render_passport_page(replace(passport, photo_jpeg=png.getvalue()))
    with pytest.raises(DocumentRenderError, match="not a readable JPEG"):
        render_passport_page(replace(passport, photo_jpeg=b"\xff\xd8garbage"))


def test_mrz_lines_are_checked(passport: PassportDataPage) -> None:
    with pytest.raises(DocumentRenderError, match="44 characters"):
        replace(passport, mrz=(MRZ[0], MRZ[1][:43]))


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"\x89PNG\r\n", bytes(2000), "text"])
def test_read_payload_of_garbage_is_none(data: bytes) -> None:
    assert read_payload(data) is None
