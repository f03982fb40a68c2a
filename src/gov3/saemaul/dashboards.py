"""Dashboards with pictures: the figures of an area and the geometry of their SVG charts.

Everything is drawn on the server as SVG (no JavaScript, nothing fetched): a map of villages
by class, the class counts per year as stacked bars, materials allocated/delivered/used and
projects by status. Colour is never the only carrier of meaning: each class also has its own
marker shape and bar pattern, every bar is labelled with its number, and every chart comes
with a table (the template shows it) for screen readers and for reading exact values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import get_language, gettext

from gov3.catalogue.boundaries import Outline, boundaries, outline_of, outlines_under
from gov3.catalogue.installed import country_pack
from gov3.core.charts import CHART_WIDTH as CORE_CHART_WIDTH
from gov3.core.charts import HBarChart, count_text, hbar_chart
from gov3.registry.models import Area
from gov3.saemaul.models import (
    UNITS,
    AllocationLine,
    Delivery,
    Material,
    MaterialUse,
    Project,
    ProjectStatus,
    Village,
    VillageClass,
    VillageClassification,
)

#: Marker shape and bar pattern of each class, so that the charts do not rely on colour.
CLASS_SHAPES = {
    VillageClass.BASIC: "circle",
    VillageClass.SELF_HELP: "square",
    VillageClass.SELF_RELIANT: "triangle",
    VillageClass.WELFARE: "diamond",
}

#: Kilometres in a degree of latitude (and of longitude at the equator), near enough for a map.
KM_PER_DEGREE = 111.32

#: Width of every chart's drawing, in SVG units; text sizes are set in saemaul.css for it.
CHART_WIDTH = CORE_CHART_WIDTH

#: More points than this make the page heavy; the map then shows a regular sample.
MAP_MAX_POINTS = 2000


def _class_label(key: str) -> str:
    return str(VillageClass(key).label)


def marker_path(shape: str, x: float, y: float, r: float) -> str:
    """An SVG path of a marker centred on (x, y), about 2r wide."""
    if shape == "square":
        s = r * 0.9
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "triangle":
        h = r * 1.15
        return f"M{x:.1f},{y - h:.1f}L{x + h:.1f},{y + h * 0.8:.1f}L{x - h:.1f},{y + h * 0.8:.1f}z"
    if shape == "diamond":
        d = r * 1.2
        return f"M{x:.1f},{y - d:.1f}L{x + d:.1f},{y:.1f}L{x:.1f},{y + d:.1f}L{x - d:.1f},{y:.1f}z"
    return (
        f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0"
        f"a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0z"
    )


# --- the map --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """A village on the map."""

    code: str
    name: str
    village_class: str
    class_label: str
    path: str
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class MapShape:
    """An administrative area on the map: its outline as an SVG path, its name and where the
    name goes (a point inside the area)."""

    name: str
    path: str
    label_x: float
    label_y: float
    #: The area the map is of (drawn bolder, not named), or one of the areas inside it.
    frame: bool = False


@dataclass(frozen=True)
class LegendEntry:
    """A class in a legend: its name, marker, count."""

    key: str
    label: str
    marker: str
    count: int


@dataclass(frozen=True)
class VillageMap:
    """Villages placed by latitude and longitude (equirectangular, north up) over the
    outlines of the areas they are in, from the country pack (`catalogue.boundaries`)."""

    width: int
    height: int
    points: list[MapPoint]
    legend: list[LegendEntry]
    total: int
    located: int
    shown: int
    bounds: tuple[float, float, float, float] | None  # south, west, north, east
    across_km: int = 0
    shapes: list[MapShape] = field(default_factory=list)
    #: The village a village page is about: drawn larger and named.
    highlight: MapPoint | None = None
    #: Where the outlines come from (their licence asks for it).
    attribution: str = ""

    @property
    def sampled(self) -> bool:
        return self.shown < self.located

    @property
    def frame_width(self) -> int:
        return self.width - 1

    @property
    def frame_height(self) -> int:
        return self.height - 1

    @property
    def north_x(self) -> int:
        return self.width - 20


@dataclass(frozen=True)
class _Projection:
    """Equirectangular, north up, fitted to a box; degrees of longitude shrink with the cosine
    of the latitude."""

    south: float
    west: float
    north: float
    east: float
    width: int
    margin: int = 16

    @property
    def x_scale(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def span_x(self) -> float:
        return max((self.east - self.west) * self.x_scale, 0.02)

    @property
    def span_y(self) -> float:
        return max(self.north - self.south, 0.02)

    @property
    def height(self) -> int:
        inner_w = self.width - 2 * self.margin
        return int(min(max(inner_w * self.span_y / self.span_x, 240), 720)) + 2 * self.margin

    @property
    def scale(self) -> float:
        inner_w, inner_h = self.width - 2 * self.margin, self.height - 2 * self.margin
        return min(inner_w / self.span_x, inner_h / self.span_y)

    def xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        centre_lat, centre_lon = (self.south + self.north) / 2, (self.west + self.east) / 2
        x = self.width / 2 + (longitude - centre_lon) * self.x_scale * self.scale
        y = self.height / 2 - (latitude - centre_lat) * self.scale
        return x, y

    def path(self, outline: Outline) -> str:
        """The outline as SVG path data, numbers written for machines (never localised)."""
        parts = []
        for polygon in outline.polygons:
            for ring in polygon:
                points: list[str] = []
                for lon, lat in ring:
                    x, y = self.xy(lat, lon)
                    point = f"{x:.1f},{y:.1f}"
                    if not points or points[-1] != point:
                        points.append(point)
                if len(points) >= 3:
                    parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)


def _label_box(names: tuple[str, ...], x: float, y: float) -> tuple[float, float, float, float]:
    """Where a 12-unit map label centred on (x, y) is drawn, as wide as the widest of its
    names (so the map is laid out the same in every language): Hangul is about twice as wide
    as Latin letters."""
    width = max(sum(12.5 if ord(char) > 0x2E80 else 7.8 for char in name) for name in names)
    return (x - width / 2, y - 12, x + width / 2, y + 4)


def _free_spot(
    names: tuple[str, ...], x: float, y: float, placed: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """(x, y), or the nearest spot a line or two above or below (or a little aside) where the
    name overlaps no name already placed; else the spot that overlaps least. The chosen box is
    added to `placed`."""

    def overlap(box: tuple[float, float, float, float]) -> float:
        return sum(
            max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
            * max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
            for other in placed
        )

    candidates = [
        (x + dx, y + dy)
        for dy in (0.0, 14.0, -14.0, 28.0, -28.0, 42.0, -42.0)
        for dx in (0.0, 30.0, -30.0)
    ]
    best = min(
        candidates,
        key=lambda spot: (overlap(_label_box(names, *spot)) > 0, overlap(_label_box(names, *spot))),
    )
    placed.append(_label_box(names, *best))
    return best


def _place_name(outline: Outline, country: str) -> str:
    """An area's name in the page's language: local on pages in the country's own."""
    language = (get_language() or "en").split("-")[0]
    return outline.name_local if language == country_pack(country).locale else outline.name_en


def village_map(
    villages: QuerySet[Village],
    *,
    width: int = CHART_WIDTH,
    area: Area | None = None,
    country: str = "",
    highlight: str = "",
) -> VillageMap:
    """Place the villages with a location over the outline of `area` (the whole country when
    None) and of the areas one level down, named; a large area is shown as a regular sample.
    `highlight` is the code of a village to draw larger and name (a village page)."""
    rows = list(
        villages.order_by("code").values_list(
            "code", "name_local", "village_class", "latitude", "longitude"
        )
    )
    counts: dict[str, int] = defaultdict(int)
    for _, _, klass, _, _ in rows:
        counts[klass] += 1
    located = [
        (code, name, klass, float(lat), float(lon))
        for code, name, klass, lat, lon in rows
        if lat is not None and lon is not None
    ]
    step = max(1, math.ceil(len(located) / MAP_MAX_POINTS))
    sample = located[::step]
    if highlight and highlight not in {r[0] for r in sample}:
        sample += [r for r in located if r[0] == highlight]
    legend = [
        LegendEntry(k.value, str(k.label), marker_path(CLASS_SHAPES[k], 10, 10, 6), counts[k.value])
        for k in VillageClass
        if counts[k.value] or k != VillageClass.WELFARE
    ]
    country = country or (area.country if area is not None else "")
    frame = outline_of(area) if area is not None else None
    inside = list(outlines_under(area, country)) if country else []
    boxes = [o.bbox for o in ([frame] if frame is not None else inside)]
    lats = [r[3] for r in located] + [b[1] for b in boxes] + [b[3] for b in boxes]
    lons = [r[4] for r in located] + [b[0] for b in boxes] + [b[2] for b in boxes]
    if not lats:
        return VillageMap(width, width // 2, [], legend, len(rows), 0, 0, None)
    projection = _Projection(min(lats), min(lons), max(lats), max(lons), width)
    shapes = []
    if frame is not None:
        x, y = projection.xy(frame.label[1], frame.label[0])
        shapes.append(MapShape(_place_name(frame, country), projection.path(frame), x, y, True))
    placed: list[tuple[float, float, float, float]] = []
    # small areas (cities) keep their name's spot; larger ones have room to move it
    for outline in sorted(inside, key=lambda o: (o.bbox[2] - o.bbox[0]) * (o.bbox[3] - o.bbox[1])):
        names = (outline.name_local, outline.name_en)
        x, y = _free_spot(names, *projection.xy(outline.label[1], outline.label[0]), placed)
        shapes.append(MapShape(_place_name(outline, country), projection.path(outline), x, y))
    radius = 5.0 if len(sample) <= 600 else 3.5
    points, chosen = [], None
    for code, name, klass, lat, lon in sample:
        x, y = projection.xy(lat, lon)
        big = code == highlight
        point = MapPoint(
            code,
            name,
            klass,
            _class_label(klass),
            marker_path(CLASS_SHAPES[VillageClass(klass)], x, y, radius * (1.8 if big else 1)),
            x,
            y,
        )
        if big:
            chosen = point
        else:
            points.append(point)
    inner_w = width - 2 * projection.margin
    return VillageMap(
        width,
        projection.height,
        points,
        legend,
        len(rows),
        len(located),
        len(points) + (chosen is not None),
        (projection.south, projection.west, projection.north, projection.east),
        across_km=round(inner_w / projection.scale * KM_PER_DEGREE),
        shapes=shapes,
        highlight=chosen,
        attribution=boundaries(country).attribution if shapes else "",
    )


# --- class counts per year ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One class's part of a year's bar."""

    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2 + 4

    @property
    def text(self) -> str:
        return count_text(self.value)

    @property
    def labelled(self) -> bool:
        """Tall enough to write the number inside."""
        return self.height >= 14


@dataclass(frozen=True)
class StackedBar:
    """A year's bar."""

    label: str
    total: int
    x: float
    width: float
    top: float
    segments: list[Segment]

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def total_y(self) -> float:
        """Baseline of the total written above the bar."""
        return self.top - 4

    @property
    def total_text(self) -> str:
        return count_text(self.total)


@dataclass(frozen=True)
class Tick:
    """A value on the vertical axis."""

    value: int
    y: float

    @property
    def text(self) -> str:
        return count_text(self.value)


@dataclass(frozen=True)
class StackedChart:
    """Villages by class, one stacked bar a year."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    bars: list[StackedBar]
    ticks: list[Tick]
    classes: list[tuple[str, str]]
    rows: list[tuple[int, list[int], int]] = field(default_factory=list)

    @property
    def tick_label_x(self) -> float:
        return self.plot_left - 6

    @property
    def label_y(self) -> float:
        """Baseline of the year under each bar."""
        return self.baseline + 18


def _nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round axis values from 0 to at least ``top``."""
    if top <= 0:
        return [0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, int(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)))
    return list(range(0, math.ceil(top / step) * step + 1, step))


def class_counts(villages: QuerySet[Village]) -> dict[int, dict[str, int]]:
    """For each classified year, the villages of each class (zeros included)."""
    rows = (
        VillageClassification.objects.filter(village__in=villages)
        .values("year", "village_class")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VillageClass.values, 0))
    for row in rows:
        counts[row["year"]][row["village_class"]] = row["n"]
    return dict(counts)


def class_chart(counts: dict[int, dict[str, int]], *, width: int = CHART_WIDTH) -> StackedChart:
    """Stacked bars of class counts per year, with round axis values."""
    used = [k for k in VillageClass if any(year.get(k.value, 0) for year in counts.values())]
    classes = used or [VillageClass.BASIC, VillageClass.SELF_HELP, VillageClass.SELF_RELIANT]
    years = sorted(counts)
    height, left, right, top_pad, bottom = 300, 48, width - 8, 12, 40
    baseline = height - bottom
    totals = [sum(counts[y].get(k.value, 0) for k in classes) for y in years]
    ticks_values = _nice_ticks(max(totals, default=0))
    top_value = max(ticks_values[-1], 1)
    scale = (baseline - top_pad) / top_value
    slot = (right - left) / max(len(years), 1)
    bar_w = min(slot * 0.7, 56)
    bars = []
    for index, year in enumerate(years):
        x = left + slot * index + (slot - bar_w) / 2
        y = float(baseline)
        segments = []
        for klass in classes:
            value = counts[year].get(klass.value, 0)
            h = value * scale
            y -= h
            if value:
                segments.append(Segment(klass.value, str(klass.label), value, x, y, bar_w, h))
        bars.append(StackedBar(str(year), totals[index], x, bar_w, y, segments))
    rows = [
        (year, [counts[year].get(k.value, 0) for k in classes], totals[i])
        for i, year in enumerate(years)
    ]
    return StackedChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        baseline=baseline,
        bars=bars,
        ticks=[Tick(v, baseline - v * scale) for v in ticks_values],
        classes=[(k.value, str(k.label)) for k in classes],
        rows=rows,
    )


# --- horizontal bars (materials, statuses) --------------------------------------------------


@dataclass(frozen=True)
class MaterialRow:
    """Allocated, delivered and used quantities of one material, in its unit."""

    material: str
    label: str
    unit: str
    allocated: int
    delivered: int
    used: int

    @property
    def in_village(self) -> int:
        return self.delivered - self.used


def _sum_by_material(
    rows: QuerySet[AllocationLine] | QuerySet[Delivery] | QuerySet[MaterialUse],
) -> dict[str, int]:
    return {
        row["material"]: int(row["total"] or 0)
        for row in rows.values("material").annotate(total=Sum("quantity")).order_by("material")
    }


def material_rows(villages: QuerySet[Village]) -> list[MaterialRow]:
    """Materials allocated to, delivered to and used by the villages, by material."""
    allocated = _sum_by_material(AllocationLine.objects.filter(allocation__village__in=villages))
    delivered = _sum_by_material(Delivery.objects.filter(village__in=villages))
    used = _sum_by_material(MaterialUse.objects.filter(village__in=villages))
    return [
        MaterialRow(
            m.value,
            str(m.label),
            str(UNITS[m]),
            allocated.get(m.value, 0),
            delivered.get(m.value, 0),
            used.get(m.value, 0),
        )
        for m in Material
        if m.value in allocated or m.value in delivered or m.value in used
    ]


def materials_chart(rows: list[MaterialRow], *, width: int = CHART_WIDTH) -> HBarChart:
    """Per material: allocated, delivered and used, on the material's own scale."""
    what = [
        ("allocated", gettext("Allocated")),
        ("delivered", gettext("Delivered")),
        ("used", gettext("Used")),
    ]
    groups = []
    for row in rows:
        bars = []
        for key, label in what:
            value = int(getattr(row, key))
            bars.append((key, label, value, f"{count_text(value)} {row.unit}"))
        groups.append((f"{row.label} ({row.unit})", bars))
    return hbar_chart(groups, width=width)


def status_counts(villages: QuerySet[Village]) -> list[tuple[str, str, int]]:
    """Projects of the villages in each status, every status listed (zeros included)."""
    counts = {
        row["status"]: row["n"]
        for row in Project.objects.filter(village__in=villages)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in ProjectStatus]


def status_chart(counts: list[tuple[str, str, int]], *, width: int = CHART_WIDTH) -> HBarChart:
    """Projects by status, one bar each, on one scale."""
    return hbar_chart([("", [(k, label, n, count_text(n)) for k, label, n in counts])], width=width)


# --- the whole dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows for one area."""

    villages: int
    current_classes: list[LegendEntry]
    map: VillageMap
    classes: StackedChart
    materials: list[MaterialRow]
    materials_chart: HBarChart
    statuses: list[tuple[str, str, int]]
    status_chart: HBarChart

    @property
    def projects(self) -> int:
        return sum(n for _, _, n in self.statuses)


def dashboard(
    villages: QuerySet[Village], *, area: Area | None = None, country: str = ""
) -> Dashboard:
    """Compute the figures and charts of the villages of one area (None: the whole
    country)."""
    the_map = village_map(villages, area=area, country=country)
    materials = material_rows(villages)
    statuses = status_counts(villages)
    return Dashboard(
        villages=the_map.total,
        current_classes=the_map.legend,
        map=the_map,
        classes=class_chart(class_counts(villages)),
        materials=materials,
        materials_chart=materials_chart(materials),
        statuses=statuses,
        status_chart=status_chart(statuses),
    )
