"""Charts as SVG made on the server: the same chart on a web page and in a PDF, no JavaScript.

A chart comes with a text alternative (``summary``, for ``aria-describedby`` and the SVG's
``<desc>``) and its data as table rows, so a screen reader, a printout and a person who wants
the numbers all get them.

    chart = bar_chart([("Jan 2026", 42.0), ("Feb 2026", None)], title="NPS by month",
                      y_min=-100, y_max=100)
    {{ chart.svg }}  {{ chart.summary }}  {% for label, value in chart.rows %}
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40
INK, MUTED, LINE, POSITIVE, NEGATIVE = "#344054", "#596273", "#e4e7ec", "#2457d6", "#b42318"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    summary: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _format(value: float | None, decimals: int) -> str:
    if value is None:
        return "no responses"
    return f"{value:.{decimals}f}"


def _svg(fragment: str, *args: object) -> str:
    """``format_html`` with coordinates rounded to a tenth (it escapes, so it cannot format)."""
    return format_html(fragment, *(f"{a:.1f}" if isinstance(a, float) else a for a in args))


def _steps() -> Iterator[float]:
    """1, 2, 5, 10, 20, 25, 50, 100, 200, 500, then 1, 2, 2.5, 5 x 10^k for ever larger k."""
    yield from (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
    magnitude = 1000
    while True:
        for m in (1, 2, 2.5, 5):
            yield m * magnitude
        magnitude *= 10


def _ticks(y_min: float, y_max: float) -> list[float]:
    span = y_max - y_min
    step = next(s for s in _steps() if span / s <= 5)
    first = (int(y_min // step) + (0 if y_min % step == 0 else 1)) * step
    return [float(first + i * step) for i in range(int((y_max - first) // step) + 1)]


def _grid(y_min: float, y_max: float, y: Callable[[float], float]) -> list[str]:
    """Horizontal grid lines with their values along the left axis."""
    return [
        _svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y(tick),
            y(tick),
            LINE,
            LEFT - 6,
            y(tick) + 4,
            MUTED,
            f"{tick:,.0f}" if tick.is_integer() else f"{tick:g}",
        )
        for tick in _ticks(y_min, y_max)
    ]


def bar_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    y_min: float,
    y_max: float,
    decimals: int = 0,
    counts: Sequence[int] | None = None,
    color: str = POSITIVE,
) -> Chart:
    """Bars from a baseline (zero, or ``y_min`` when the scale starts above zero); a point
    with no value leaves a gap marked "-". Negative bars are drawn in the warning colour."""
    uid = f"chart-{next(_ids)}"
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, y_min), y_max)
        return TOP + plot_h * (y_max - clamped) / (y_max - y_min)

    baseline = y(0.0 if y_min < 0 < y_max else y_min)
    parts: list[str] = _grid(y_min, y_max, y)
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(4.0, min(48.0, slot * 0.6))
    label_every = max(1, -(-n // 12))  # at most 12 labels along the axis
    for i, (label, value) in enumerate(points):
        cx = LEFT + slot * i + slot / 2
        if value is None:
            parts.append(
                _svg(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">–</text>',
                    cx,
                    baseline - 4,
                    MUTED,
                )
            )
        else:
            top, bottom = sorted((y(value), baseline))
            parts.append(
                _svg(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}">'
                    "<title>{}: {}</title></rect>",
                    cx - bar_w / 2,
                    top,
                    bar_w,
                    max(bottom - top, 1.0),
                    NEGATIVE if value < 0 else color,
                    label,
                    _format(value, decimals),
                )
            )
            parts.append(
                _svg(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    cx,
                    (top - 5) if value >= 0 or y_min >= 0 else (bottom + 13),
                    INK,
                    _format(value, decimals),
                )
            )
        if i % label_every == 0:
            parts.append(
                _svg(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    cx,
                    HEIGHT - BOTTOM + 18,
                    MUTED,
                    label,
                )
            )
    parts.append(
        _svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
            LEFT,
            WIDTH - RIGHT,
            baseline,
            baseline,
            MUTED,
        )
    )
    described = [(label, value) for label, value in points if value is not None]
    if described:
        summary = f"{title}: " + "; ".join(
            f"{label} {_format(value, decimals)}" for label, value in described
        )
        gaps = len(points) - len(described)
        if gaps:
            summary += f". {gaps} period{'s' if gaps != 1 else ''} with no responses."
    else:
        summary = f"{title}: no responses in this period."
    rows = [
        (
            label,
            _format(value, decimals)
            + (
                f" ({counts[i]} response{'s' if counts[i] != 1 else ''})"
                if counts and value is not None
                else ""
            ),
        )
        for i, (label, value) in enumerate(points)
    ]
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        uid,
        uid,
        uid,
        title,
        uid,
        summary,
        format_html_join("", "{}", ((mark_safe(p),) for p in parts)),  # noqa: S308 - built by format_html
    )
    return Chart(title=title, svg=svg, summary=summary, rows=rows)


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    y_min: float = 0.0,
    y_max: float | None = None,
    decimals: int = 0,
    unit: str = "",
    empty: str = "no data",
    color: str = POSITIVE,
) -> Chart:
    """A line through the points that have a value (gaps break the line), for trends such as
    active users or health over time. ``y_max`` defaults to a little above the highest value."""
    uid = f"chart-{next(_ids)}"
    values = [v for _, v in points if v is not None]
    top_value = y_max if y_max is not None else max([*values, 1.0]) * 1.15
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, y_min), top_value)
        return TOP + plot_h * (top_value - clamped) / ((top_value - y_min) or 1.0)

    def fmt(value: float | None) -> str:
        return empty if value is None else f"{value:.{decimals}f}{unit}"

    parts: list[str] = _grid(y_min, top_value, y)
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)
    label_every = max(1, -(-n // 8))
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (label, value) in enumerate(points):
        x = LEFT + step * i if n > 1 else LEFT + plot_w / 2
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x:.1f},{y(value):.1f}")
            parts.append(
                _svg(
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{}: {}</title></circle>',
                    x, y(value), color, label, fmt(value),
                )
            )  # fmt: skip
        last_is_clear = i == n - 1 and (n - 1) % label_every >= label_every / 2
        if i % label_every == 0 or last_is_clear:
            parts.append(
                _svg(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    x, HEIGHT - BOTTOM + 18, MUTED, label,
                )
            )  # fmt: skip
    if segment:
        segments.append(segment)
    for points_attr in segments:
        parts.append(
            _svg(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>',
                " ".join(points_attr), color,
            )
        )  # fmt: skip
    if values:
        first = next(v for _, v in points if v is not None)
        last = values[-1]
        summary = (
            f"{title}: from {fmt(first)} to {fmt(last)} over {len(points)} periods; "
            f"lowest {fmt(min(values))}, highest {fmt(max(values))}."
        )
    else:
        summary = f"{title}: {empty}."
    rows = [(label, fmt(value)) for label, value in points]
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH, HEIGHT, uid, uid, uid, title, uid, summary,
        format_html_join("", "{}", ((mark_safe(p),) for p in parts)),  # noqa: S308 - built by format_html
    )  # fmt: skip
    return Chart(title=title, svg=svg, summary=summary, rows=rows)
