"""Charts of the participation pages: geometry from `gov3.core.charts`, and every number
that goes into the SVG written with plain `format` (never the page's locale, which would
write 12,5 in Vietnamese and break the drawing)."""

from __future__ import annotations

from dataclasses import dataclass

from gov3.core.charts import hbar_chart


def svg_number(value: float) -> str:
    return format(value, ".1f")


@dataclass(frozen=True)
class SvgBar:
    label: str
    text: str
    x: str
    y: str
    label_y: str
    text_x: str
    text_y: str
    width: str


@dataclass(frozen=True)
class SvgChart:
    width: str
    height: str
    bars: list[SvgBar]


def bar_chart(bars: list[tuple[str, str, int, str]]) -> SvgChart:
    """One group of (key, label, value, shown text) bars, ready for the SVG template."""
    chart = hbar_chart([("", bars)])
    drawn = [
        SvgBar(
            label=b.label,
            text=b.text,
            x=str(chart.left),
            y=svg_number(b.y),
            label_y=svg_number(b.y - 4),
            text_x=svg_number(chart.left + 6 + b.width),
            text_y=svg_number(b.y + 13),
            width=svg_number(b.width),
        )
        for group in chart.groups
        for b in group.bars
    ]
    return SvgChart(str(chart.width), str(chart.height), drawn)
