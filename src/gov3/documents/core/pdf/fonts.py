"""Fonts for gov3's documents: each font parsed once per process, and per document a small
TrueType subset holding only the glyphs the document prints (for fpdf2, which loads fonts from a
path).

NanumGothic covers Hangul and Latin, DejaVu Sans the letters NanumGothic lacks (Vietnamese, most
of Latin Extended), and OCR-B prints the machine readable zone (ICAO Doc 9303 Part 3 §4.2).
"""

from __future__ import annotations

import copy
import io
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from fontTools.ttLib import TTFont, newTable  # type: ignore[import-untyped]
from fontTools.ttLib.tables._c_m_a_p import (  # type: ignore[import-untyped]
    cmap_format_4,
    cmap_format_12,
)
from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import TTFFont

FONT_DIR: Final = Path(__file__).resolve().parent.parent.parent / "fonts"


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
