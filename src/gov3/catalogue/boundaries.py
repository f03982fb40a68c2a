"""The outlines of a country's administrative areas, shipped simplified in its pack.

`countries/<cc>/boundaries/{provinces,municipalities,districts}.geojson` (built once by
`scripts/build-boundaries.py` from an open-licensed source, cited in each file's `attribution`
and in the pack's `boundaries/README.md`) let pages draw maps with outlines and place names
without a tile server — nothing is fetched at run time — and let the demo put villages inside
their eup/myeon. A pack without the directory simply has no outlines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.conf import settings

from gov3.catalogue.packs import pack_path
from gov3.registry.models import Area

LEVELS = ("province", "municipality", "district")
_FILES = {"province": "provinces", "municipality": "municipalities", "district": "districts"}

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) pairs, closed


@dataclass(frozen=True)
class Outline:
    """One area's outline: polygons of rings (the first ring of each the outside, the others
    holes), a point inside it for its name, and how it is matched to the register's areas
    (`code`, or `parent` and `name_local`)."""

    level: str
    code: str
    parent: str
    name_local: str
    name_en: str
    polygons: tuple[tuple[Ring, ...], ...]
    label: tuple[float, float]  # longitude, latitude
    bbox: tuple[float, float, float, float] = field(default=(0.0, 0.0, 0.0, 0.0))  # W, S, E, N

    def contains(self, latitude: float, longitude: float) -> bool:
        """Whether the point lies inside (even-odd rule over each polygon's rings)."""
        west, south, east, north = self.bbox
        if not (west <= longitude <= east and south <= latitude <= north):
            return False
        for rings in self.polygons:
            inside = False
            for ring in rings:
                inside ^= _in_ring(ring, longitude, latitude)
            if inside:
                return True
        return False


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _outline(level: str, feature: dict[str, Any]) -> Outline:
    props = feature["properties"]
    polygons = tuple(
        tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in polygon)
        for polygon in feature["geometry"]["coordinates"]
    )
    points = [point for polygon in polygons for point in polygon[0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    label = props.get("label") or [sum(lons) / len(lons), sum(lats) / len(lats)]
    return Outline(
        level=level,
        code=str(props.get("code", "")),
        parent=str(props.get("parent", "")),
        name_local=str(props["name_local"]),
        name_en=str(props.get("name_en", "")),
        polygons=polygons,
        label=(float(label[0]), float(label[1])),
        bbox=(min(lons), min(lats), max(lons), max(lats)),
    )


@dataclass(frozen=True)
class Boundaries:
    """Every outline a pack ships, by level, and where they come from."""

    outlines: dict[str, tuple[Outline, ...]]
    attribution: str = ""

    def find(self, level: str, code: str, parent: str = "", name: str = "") -> Outline | None:
        """The outline of an area: by its code, else by its parent's code and its name."""
        for outline in self.outlines.get(level, ()):
            if code and outline.code == code:
                return outline
        for outline in self.outlines.get(level, ()):
            if name and outline.parent == parent and outline.name_local == name:
                return outline
        return None

    def under(self, level: str, parent: str) -> tuple[Outline, ...]:
        """The outlines of `level` inside the area coded `parent` ("" for the whole country)."""
        return tuple(o for o in self.outlines.get(level, ()) if not parent or o.parent == parent)


def load_boundaries(directory: Path) -> Boundaries:
    """The outlines in `directory` (a pack's `boundaries/`); none if it does not exist."""
    outlines: dict[str, tuple[Outline, ...]] = {}
    attribution = ""
    for level, stem in _FILES.items():
        path = directory / f"{stem}.geojson"
        if not path.is_file():
            continue
        collection = json.loads(path.read_text(encoding="utf-8"))
        attribution = attribution or str(collection.get("attribution", ""))
        outlines[level] = tuple(_outline(level, f) for f in collection.get("features", []))
    return Boundaries(outlines, attribution)


@lru_cache(maxsize=8)
def boundaries(country: str) -> Boundaries:
    """The outlines of a country's pack, read once per process."""
    return load_boundaries(pack_path(country, Path(settings.GOV3_COUNTRIES_DIR)) / "boundaries")


def outline_of(area: Area) -> Outline | None:
    """The outline of a register area, if its pack ships one."""
    parent = area.parent.code if area.parent is not None else ""
    return boundaries(area.country).find(area.level, area.code, parent, area.name_local)


def outlines_under(area: Area | None, country: str) -> tuple[Outline, ...]:
    """The outlines one level below `area` (the provinces for the whole country)."""
    if area is None:
        return boundaries(country).under("province", "")
    index = LEVELS.index(area.level) if area.level in LEVELS else len(LEVELS)
    if index + 1 >= len(LEVELS):
        return ()
    return boundaries(area.country).under(LEVELS[index + 1], area.code)
