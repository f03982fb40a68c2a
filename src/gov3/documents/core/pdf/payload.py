"""The signed payload a document carries: drawn as its QR code, attached to the PDF as
`gov3-payload.txt`, and read back from a PDF without OCR (`read_payload`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import zxingcpp
from fpdf import FPDF
from PIL import Image, ImageOps
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader

PAYLOAD_FILENAME: Final = "gov3-payload.txt"
MAX_READ_BYTES: Final = 10_000_000  # `read_payload` refuses larger inputs
MAX_PAYLOAD_BYTES: Final = 64_000

_QR_QUIET_ZONE: Final = 4  # modules, ISO/IEC 18004 §6.3.8
_QR_PIXELS_PER_MODULE: Final = 4  # whole pixels per module keep the edges sharp when scaled


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
