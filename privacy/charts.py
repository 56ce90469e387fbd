"""Small server-rendered SVG charts for the staff screens: numbers in, escaped SVG markup out.

No JavaScript library and no third-party origin: the SVG is inline in the admin page, so it passes the site's CSP
(colours are presentation attributes, not inline styles) and prints. Every chart has a <title> and an aria-label
stating its numbers, and scales to its container (viewBox, width 100%; privacy/admin/charts.css caps it at 640 px),
so it never overflows a 390 px screen.
Lower apps' staff screens (subscriptions, reviews) and the admin home (config.dashboard_charts) all use it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe (Okabe-Ito) with enough contrast on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
TEXT = "#333333"
GRID = "#cccccc"
DANGER = "#C00000"


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    colour: str = ""


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(width: int, height: int, label: str, body: SafeString, css_class: str) -> SafeString:
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css_class,
        width,
        height,
        label,
        label,
        body,
    )


def _legend(segments: Sequence[Segment], y: int, width: int) -> SafeString:
    """Legend entries wrapped onto rows of at most three, so the text stays readable when the chart shrinks."""
    parts = []
    per_row = 3
    column = width // per_row
    for index, segment in enumerate(segments):
        x = (index % per_row) * column
        row_y = y + (index // per_row) * 22
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}"/><text x="{}" y="{}" font-size="14" fill="{}" '
                'data-legend="{}">{}: {}</text>',
                x,
                row_y,
                segment.colour,
                x + 20,
                row_y + 12,
                TEXT,
                segment.label,
                segment.label,
                _fmt(segment.value),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 (each part went through format_html)


def _coloured(segments: Sequence[Segment]) -> list[Segment]:
    return [Segment(s.label, s.value, s.colour or PALETTE[i % len(PALETTE)]) for i, s in enumerate(segments)]


def stacked_bar(segments: Sequence[Segment], *, label: str, width: int = 480, css_class: str = "") -> SafeString:
    """One horizontal bar split by part (a progress bar, an audience breakdown), with a legend of the numbers."""
    segments = _coloured(segments)
    total = sum(s.value for s in segments)
    bar_height = 28
    x = 0.0
    rects = []
    for segment in segments:
        share = (segment.value / total * width) if total else 0
        rects.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="{}" fill="{}" data-part="{}"><title>{}: {}</title></rect>',
                f"{x:.2f}",
                f"{share:.2f}",
                bar_height,
                segment.colour,
                segment.label,
                segment.label,
                _fmt(segment.value),
            )
        )
        x += share
    outline = format_html(
        '<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="{}"/>', width - 1, bar_height - 1, GRID
    )
    rows = (len(segments) + 2) // 3
    height = bar_height + 12 + rows * 22
    full = f"{label}: " + ", ".join(f"{s.label} {_fmt(s.value)}" for s in segments)
    body = mark_safe("".join(rects) + outline + _legend(segments, bar_height + 12, width))  # noqa: S308
    return _svg(width, height, full, body, f"stacked-bar {css_class}".strip())


def bar_chart(
    rows: Sequence[tuple],
    *,
    label: str,
    width: int = 480,
    threshold: float | None = None,
    threshold_label: str = "",
    value_format: str = "{}",
    danger_below: bool = False,
    css_class: str = "",
) -> SafeString:
    """Horizontal bars, one per row of (name, value) or (name, value, text shown instead of the value), each under
    its label (so long labels never get cut on a phone), with an optional vertical threshold line; a bar past it (or
    short of it, with danger_below: days left before a due date) is drawn red."""
    top = max([row[1] for row in rows] + [threshold or 0]) or 1
    area = width - 2
    row_height = 40
    parts = []
    for index, row in enumerate(rows):
        name, value = row[0], row[1]
        text = row[2] if len(row) > 2 else value_format.format(value)
        y = index * row_height
        over = threshold is not None and (value <= threshold if danger_below else value >= threshold)
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="14" fill="{}">{}: {}</text>'
                '<rect x="0" y="{}" width="{}" height="16" fill="{}"/>',
                y + 14,
                TEXT,
                name,
                text,
                y + 19,
                f"{max(value / top * area, 1):.2f}",
                DANGER if over else PALETTE[0],
            )
        )
    height = max(1, len(rows)) * row_height + (20 if threshold is not None else 0)
    if threshold is not None:
        x = threshold / top * area
        parts.append(
            format_html(
                '<line x1="{}" y1="18" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>'
                '<text x="{}" y="{}" font-size="13" fill="{}" text-anchor="{}">{}</text>',
                f"{x:.2f}",
                f"{x:.2f}",
                height - 16,
                DANGER,
                f"{x:.2f}",
                height - 2,
                DANGER,
                "end" if x > width / 2 else "start",
                threshold_label,
            )
        )
    full = f"{label}: " + ", ".join(
        f"{row[0]} {row[2] if len(row) > 2 else value_format.format(row[1])}" for row in rows
    )
    return _svg(width, height, full, mark_safe("".join(parts)), f"bar-chart {css_class}".strip())  # noqa: S308


def line_chart(
    series: dict[str, Sequence[tuple[datetime.date, float]]], *, label: str, width: int = 480, height: int = 200
) -> SafeString:
    """Lines over time (one per series, a shared date axis), with the last value of each in the legend."""
    points = [(day, value) for values in series.values() for day, value in values]
    if not points:
        empty = format_html('<text x="0" y="20" fill="{}">No data yet</text>', TEXT)
        return _svg(width, 30, f"{label}: no data yet", empty, "line-chart")
    days = sorted({day for day, _ in points})
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    top = max(value for _, value in points) or 1
    plot_h = height - 30
    left = 40

    def xy(day, value):
        return left + (day - first).days / span * (width - left - 10), plot_h - value / top * (plot_h - 10)

    segments = _coloured([Segment(name, values[-1][1] if values else 0) for name, values in series.items()])
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/><text x="0" y="14" font-size="12" fill="{}">{}</text>'
            '<text x="0" y="{}" font-size="12" fill="{}">0</text>'
            '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>'
            '<text x="{}" y="{}" font-size="12" fill="{}" text-anchor="end">{}</text>',
            left,
            plot_h,
            width,
            plot_h,
            GRID,
            TEXT,
            _fmt(top),
            plot_h,
            TEXT,
            left,
            plot_h + 16,
            TEXT,
            f"{first:%d %b}",
            width - 4,
            plot_h + 16,
            TEXT,
            f"{last:%d %b}",
        )
    ]
    for segment, values in zip(segments, series.values(), strict=True):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(day, value) for day, value in values))
        parts.append(
            format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', coords, segment.colour)
        )
    rows = (len(segments) + 2) // 3
    legend = _legend(segments, height + 4, width)
    body = mark_safe("".join(parts) + legend)  # noqa: S308
    full = f"{label} ({first:%d %b} to {last:%d %b}): " + ", ".join(f"{s.label} {_fmt(s.value)}" for s in segments)
    return _svg(width, height + 8 + rows * 22, full, body, "line-chart")


def table_rows(rows: Sequence[Sequence[object]]) -> SafeString:
    """The same numbers as table rows, for a <details> under a chart (screen readers, copying)."""
    return format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in row)),) for row in rows)
    )
