"""Build the simplified administrative boundaries a country pack ships (countries/kr/boundaries).

Source: Statistics Korea's census boundaries of 2018 (센서스용 행정구역경계, SGIS), as TopoJSON in
the public repository southkorea/southkorea-maps (kostat/2018/json), licensed by Statistics
Korea under the Korea Open Government License type 1 (공공누리 제1유형: use, change and
redistribute, citing the source). Run once by a maintainer; the result is committed, so nothing
is downloaded or computed from it at run time:

    .venv/bin/python scripts/build-boundaries.py --source <southkorea-maps>/kostat/2018/json

TopoJSON keeps every border once, as an arc shared by the two areas it separates. The arcs are
simplified (shapely, Douglas-Peucker) before the areas are put together again, so neighbours
still meet exactly after simplification. Islands smaller than a level's threshold are left out.
Each area gets the gov3 code of the pack's area of the same name under the same parent, and a
label point inside it (shapely's representative point).
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
ATTRIBUTION = (
    "Statistics Korea (통계청), census administrative boundaries 2018 (SGIS), Korea Open "
    "Government License type 1 (공공누리 제1유형); TopoJSON from github.com/southkorea/"
    "southkorea-maps (kostat/2018/json); simplified for gov3 by scripts/build-boundaries.py"
)
#: 2018 names of provinces renamed since (the pack uses today's names and codes).
RENAMED = {
    "강원도": "강원특별자치도",
    "전라북도": "전북특별자치도",
    "제주특별자치도": "제주특별자치도",
}
#: Municipalities not in areas.csv whose every district the pack ships: the Saemaul demo's
#: county (gov3/demo/saemaul/county.py loads it and its eup/myeon), by (province code, name) → the
#: Ministry of the Interior and Safety code. Elsewhere only the pack's own districts ship.
EXTRA_MUNICIPALITIES = {("46", "해남군"): "46820"}


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy: its source file, how much to simplify, what to leave out."""

    name: str
    source: str
    tolerance: float  # degrees (0.001° is about 100 m)
    min_area: float  # square degrees; smaller islands are left out
    digits: int


LEVELS = {
    "provinces": Level("provinces", "skorea-provinces-2018-topo.json", 0.01, 0.004, 3),
    "municipalities": Level(
        "municipalities", "skorea-municipalities-2018-topo.json", 0.005, 0.0008, 3
    ),
    "districts": Level("districts", "skorea-submunicipalities-2018-topo.json", 0.0012, 0.00004, 4),
}


def _arcs(topology: dict[str, Any], tolerance: float) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees, each simplified with its two ends kept."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised positions
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        if len(points) > 2:
            simple = LineString(points).simplify(tolerance, preserve_topology=False)
            points = [(float(px), float(py)) for px, py in simple.coords]
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    return ring


def _shape(geometry: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> MultiPolygon:
    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else list(geometry["arcs"])
    shapes = []
    for rings in polygons:
        outer, *holes = (_ring(r, arcs) for r in rings)
        if len(outer) >= 4:
            polygon = Polygon(outer, [h for h in holes if len(h) >= 4])
            if not polygon.is_valid:
                polygon = polygon.buffer(0)
            shapes.append(polygon)
    merged = unary_union(shapes) if shapes else MultiPolygon()
    return merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged])


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def _pack_areas(country_dir: Path) -> list[dict[str, str]]:
    with (country_dir / "areas.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def build(source: Path, country_dir: Path) -> dict[str, int]:
    areas = _pack_areas(country_dir)
    provinces = {a["name_local"]: a for a in areas if a["level"] == "province"}
    municipalities = {
        (a["parent_code"], a["name_local"]): a["code"]
        for a in areas
        if a["level"] == "municipality"
    }
    municipalities.update(EXTRA_MUNICIPALITIES)
    # the pack's own selection of districts, and every district of the extra municipalities
    pack_districts = {
        (a["parent_code"], a["name_local"]) for a in areas if a["level"] == "district"
    }
    every_district_of = set(EXTRA_MUNICIPALITIES.values())
    out_dir = country_dir / "boundaries"
    out_dir.mkdir(exist_ok=True)
    province_of: dict[str, str] = {}  # KOSTAT province code -> pack code
    municipality_of: dict[str, str] = {}  # KOSTAT municipality code -> pack code ("" if none)
    written = {}
    for key, level in LEVELS.items():
        topology = json.loads((source / level.source).read_text(encoding="utf-8"))
        arcs = _arcs(topology, level.tolerance)
        features = []
        for geometry in next(iter(topology["objects"].values()))["geometries"]:
            props = geometry["properties"]
            name, code = props["name"], props["code"]
            feature: dict[str, Any] = {"name_local": name, "name_en": props["name_eng"]}
            if key == "provinces":
                pack = provinces[RENAMED.get(name, name)]
                province_of[code] = pack["code"]
                feature |= {
                    "code": pack["code"],
                    "name_local": pack["name_local"],
                    "name_en": pack["name_en"],
                }
            elif key == "municipalities":
                parent = province_of[code[:2]]
                own = municipalities.get((parent, name), "")
                municipality_of[code] = own
                feature |= {"code": own, "parent": parent}
            else:
                parent = municipality_of.get(code[:5], "")
                if parent not in every_district_of and (parent, name) not in pack_districts:
                    continue
                feature |= {"parent": parent}
            shape = _shape(geometry, arcs)
            kept = [p for p in shape.geoms if p.area >= level.min_area]
            if not kept:  # an area of islands only: keep its largest one
                kept = sorted(shape.geoms, key=lambda p: p.area)[-1:]
            shape = MultiPolygon(kept)
            largest = max(shape.geoms, key=lambda p: p.area)
            label = largest.representative_point()
            feature["label"] = [round(label.x, level.digits), round(label.y, level.digits)]
            geojson = mapping(shape)
            features.append(
                {
                    "type": "Feature",
                    "properties": feature,
                    "geometry": {
                        "type": "MultiPolygon",
                        "coordinates": _rounded(geojson["coordinates"], level.digits),
                    },
                }
            )
        collection = {
            "type": "FeatureCollection",
            "attribution": ATTRIBUTION,
            "level": key,
            "features": features,
        }
        path = out_dir / f"{key}.geojson"
        path.write_text(
            json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
        written[key] = len(features)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, required=True, help="southkorea-maps' kostat/2018/json directory"
    )
    parser.add_argument("--country", default="kr", help="the pack to write into (default kr)")
    options = parser.parse_args()
    written = build(options.source, ROOT / "countries" / options.country)
    for level, count in written.items():
        print(f"{level}: {count} areas")  # noqa: T201 - a maintainer's script reports


if __name__ == "__main__":
    main()
