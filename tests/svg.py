"""Reading the SVG charts of a page the way a browser does: every number in a geometry
attribute must parse as one number, whatever the page's language (issue 14, item 1)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
#: Attributes that hold one number (SVG 1.1 lengths without units, as gov3 writes them).
NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "dx", "dy", "width", "height"}
NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)")
# A path: commands and numbers; numbers separated by a comma or whitespace, decimals with a dot.
PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|-?(?:\d+(?:\.\d+)?|\.\d+)")
PATH_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


@dataclass(frozen=True)
class Shape:
    """One element of a chart: its tag and its geometry attributes (text is left out)."""

    tag: str
    geometry: tuple[tuple[str, str], ...]


def charts(html: str) -> list[ET.Element]:
    """Every `<svg>` of the page, parsed as XML (a malformed chart fails here)."""
    # Our own server's output in a test, not untrusted input.
    return [ET.fromstring(block) for block in SVG.findall(html)]  # noqa: S314


def _path_problem(d: str) -> str | None:
    if re.search(r"[^\s,]", PATH_TOKEN.sub("", d)):
        return f"stray characters in path {d[:60]!r}"
    command = ""
    numbers = 0
    for token in [*PATH_TOKEN.findall(d), "Z"]:
        if not token.isalpha():
            numbers += 1
            continue
        arity = PATH_ARITY[command.lower()] if command else 0
        if command and ((arity == 0 and numbers) or (arity and (numbers == 0 or numbers % arity))):
            return f"{command} with {numbers} numbers in {d[:60]!r}"
        command, numbers = token, 0
    return None


def problems(html: str) -> list[str]:
    """What a browser could not draw: a numeric attribute that is not one number, a viewBox
    that is not four, a path whose commands do not get the numbers they take."""
    found = []
    for svg in charts(html):
        for element in svg.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            for name, value in element.attrib.items():
                if name in NUMERIC and not NUMBER.fullmatch(value):
                    found.append(f"<{tag} {name}={value!r}>")
                elif name == "viewBox" and not (
                    len(value.split()) == 4 and all(NUMBER.fullmatch(v) for v in value.split())
                ):
                    found.append(f"<{tag} viewBox={value!r}>")
                elif name == "d" and (problem := _path_problem(value)):
                    found.append(f"<{tag}> {problem}")
    return found


def geometry(html: str) -> list[Shape]:
    """The drawing of every chart without its words: the same in every language."""
    shapes = []
    for svg in charts(html):
        for element in svg.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            attributes = tuple(
                (name, value)
                for name, value in sorted(element.attrib.items())
                if name in NUMERIC or name in {"viewBox", "d", "points", "transform"}
            )
            shapes.append(Shape(tag, attributes))
    return shapes
