"""Charts of the participation pages: geometry from `gov3.core.charts`, and every number
that goes into the SVG written with plain `format` (never the page's locale, which would
write 12,5 in Vietnamese and break the drawing)."""

from __future__ import annotations

from dataclasses import dataclass

from gov3.core.charts import hbar_chart

Bar = tuple[str, str, int, str]  # key, label, value, the text shown after the bar


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
class SvgTitle:
    """The heading of a group of bars (e.g. one consultation's stances)."""

    text: str
    x: str
    y: str


@dataclass(frozen=True)
class SvgChart:
    width: str
    height: str
    bars: list[SvgBar]
    titles: list[SvgTitle]


def grouped_bar_chart(groups: list[tuple[str, list[Bar]]]) -> SvgChart:
    """Groups of bars, each under its title and scaled to its own largest bar."""
    chart = hbar_chart(groups)
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
    titles = [
        SvgTitle(group.title, str(chart.left), svg_number(group.y - 6))
        for group in chart.groups
        if group.title
    ]
    return SvgChart(str(chart.width), str(chart.height), drawn, titles)


def bar_chart(bars: list[Bar]) -> SvgChart:
    """One group of (key, label, value, shown text) bars, ready for the SVG template."""
    return grouped_bar_chart([("", bars)])


def count_text(value: int | None) -> str:
    """A count as written after its bar: digits grouped by commas in every language (it is
    inside the drawing), a dash where it is suppressed."""
    return "—" if value is None else f"{value:,}"
