"""A certificate as an A4 PDF: title, the holder's rows beside the QR code, an optional table,
and the verification note at the foot of every page.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from gov3.documents.core.pdf.content import CertificateContent, DocumentRenderError
from gov3.documents.core.pdf.fonts import _DocumentFonts, _nfc
from gov3.documents.core.pdf.payload import _embed_payload, _qr_image


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

        tables = [t for t in (cert.table, *cert.more_tables) if t is not None]
        for i, content in enumerate(tables):
            if i:
                pdf.ln(4)
            if content.caption:
                pdf.set_font("main", size=10)
                pdf.multi_cell(
                    0, 6, _nfc(content.caption), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
                pdf.ln(1)
            pdf.set_font("main", size=9)
            heading = FontFace(emphasis="", fill_color=(235, 235, 235))
            with pdf.table(
                text_align="LEFT",
                line_height=5.5,
                first_row_as_headings=True,
                headings_style=heading,
            ) as table:
                table.row([_nfc(cell) for cell in content.header])
                for row in content.rows:
                    table.row([_nfc(cell) for cell in row])

        _embed_payload(pdf, cert.qr_payload)
        for name, data in cert.attachments:
            pdf.embed_file(bytes=data, basename=name, desc=name)
        return bytes(pdf.output())
