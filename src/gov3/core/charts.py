"""Horizontal bar charts drawn on the server as SVG geometry (the templates draw them).

Labels sit above each bar so a chart fits a phone; every bar carries its number as text, and
pages show the table behind every chart. All the geometry is computed here, so a template only
writes numbers out (with the `svgnum` filter: never localised) and does no arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format

#: Width of every chart's drawing, in SVG units.
CHART_WIDTH = 480


@dataclass(frozen=True)
class HBar:
    """A labelled horizontal bar."""

    key: str
    label: str
    value: int
    y: float
    width: float
    text: str
    x: float = 8.0

    @property
    def label_y(self) -> float:
        """Baseline of the label written above the bar."""
        return self.y - 4

    @property
    def value_x(self) -> float:
        """Where the number after the bar starts."""
        return self.x + self.width + 6

    @property
    def value_y(self) -> float:
        return self.y + 13


@dataclass(frozen=True)
class HBarGroup:
    """Bars that share a scale (e.g. one material in its unit)."""

    title: str
    y: float
    bars: list[HBar]

    @property
    def title_y(self) -> float:
        return self.y - 6


@dataclass(frozen=True)
class HBarChart:
    """Groups of horizontal bars; labels sit above each bar, so it fits a phone."""

    width: int
    height: int
    left: int
    groups: list[HBarGroup]


BAR_HEIGHT = 18
_LABEL_GAP = 18
_BAR_STEP = BAR_HEIGHT + _LABEL_GAP + 6


def hbar_chart(
    groups: list[tuple[str, list[tuple[str, str, int, str]]]],
    *,
    width: int = CHART_WIDTH,
    scale_to: int | None = None,
) -> HBarChart:
    """Groups of (key, label, value, text) bars; each group is scaled to its own largest, or
    every bar to ``scale_to`` (a share out of 1,000, say, so a full bar means 100 %)."""
    left, right = 8, width - 124  # room for the value after the bar
    y = 8.0
    placed = []
    for title, bars in groups:
        if title:
            y += 22
        group_y = y
        top = scale_to or max((value for _, _, value, _ in bars), default=0) or 1
        hbars = []
        for key, label, value, text in bars:
            y += _LABEL_GAP
            width_ = min(max((right - left) * value / top, 0), right - left)
            hbars.append(HBar(key, label, value, y, width_, text, x=left))
            y += BAR_HEIGHT + 6
        placed.append(HBarGroup(title, group_y, hbars))
        y += 10
    return HBarChart(width, int(y) + 4, left, placed)


def count_text(value: int) -> str:
    """A count as people read it in the active language (``1,234`` / ``1.234``)."""
    return number_format(value, force_grouping=True)
