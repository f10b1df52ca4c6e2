"""Charts as SVG made on the server: the same chart on a web page and in a PDF, no JavaScript.

A chart comes with a text alternative (``summary``, for ``aria-describedby`` and the SVG's
``<desc>``) and its data as table rows, so a screen reader, a printout and a person who wants
the numbers all get them.

    chart = bar_chart([("Jan 2026", 42.0), ("Feb 2026", None)], title="NPS by month",
                      y_min=-100, y_max=100)
    {{ chart.svg }}  {{ chart.summary }}  {% for label, value in chart.rows %}
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from portal.formatting import number

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40
INK, MUTED, LINE, POSITIVE, NEGATIVE = "#344054", "#596273", "#e4e7ec", "#2457d6", "#b42318"
LABEL_SIZE = 11  # px, the axis labels and values
GAP = 6.0  # px kept between two labels, and between a label and the chart's edge
# Labels are measured with the font the PDFs print (DejaVu Sans, shipped in static/fonts): a
# wide font, so a label that fits here fits in the narrower sans-serif fonts of a browser too.
FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
ELLIPSIS = "\u2026"

_ids = itertools.count(1)


@functools.lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, float], float] | None:
    """Each character's advance width in ems, and the width of one the font lacks; None
    without the font. Read once, the file closed after."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(FONT) as font:
            units = float(font["head"].unitsPerEm)
            metrics = font["hmtx"].metrics
            widths = {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
            return widths, metrics[".notdef"][0] / units
    except (OSError, KeyError):  # pragma: no cover - the font ships with the project
        return None


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """How wide ``text`` is drawn at ``size`` px, in the chart's units."""
    advances = _advances()
    if advances is None:  # pragma: no cover
        return len(text) * size * 0.65
    widths, missing = advances
    return sum(widths.get(ord(c), missing) for c in text) * size


def fit(text: str, room: float, size: float = LABEL_SIZE) -> str:
    """``text`` if it fits in ``room`` px, else cut short with an ellipsis ("Scheduled ex…")."""
    if text_width(text, size) <= room:
        return text
    for end in range(len(text) - 1, 0, -1):
        short = text[:end].rstrip() + ELLIPSIS
        if text_width(short, size) <= room:
            return short
    return text[:1] + ELLIPSIS


def _number(value: float, decimals: int) -> str:
    return number(value, decimals) or ""


def _left_margin(ticks: Sequence[float]) -> float:
    """Room on the left for the widest value along the axis (1,250,000 needs more than 100)."""
    widest = max((text_width(_number(t, 0)) for t in ticks), default=0.0)
    return max(float(LEFT), widest + 2 * GAP)


def _axis_labels(
    labels: Sequence[tuple[int, float, str]], room: float, *, keep_last: bool = False
) -> list[str]:
    """The labels under the chart, each ``(index, x, text)``: cut short to ``room`` px when
    longer, moved inside the chart at its edges (never clipped: "28 Sep", not "28 Se"), and
    left out where one would overlap its neighbour (with ``keep_last``, the last one stays)."""
    placed: list[tuple[float, float, float, str, str]] = []
    for _, x, label in labels:
        shown = fit(label, max(room, 0.0))
        half = text_width(shown) / 2
        centre = min(max(x, half + GAP / 2), WIDTH - half - GAP / 2)
        placed.append((centre - half, centre + half, centre, shown, label))
    kept: list[tuple[float, float, float, str, str]] = []
    order = reversed(placed) if keep_last else iter(placed)
    for item in order:
        if kept and (item[1] + GAP > kept[-1][0] if keep_last else item[0] < kept[-1][1] + GAP):
            continue
        kept.append(item)
    return [
        _svg(
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}{}</text>',
            centre,
            HEIGHT - BOTTOM + 18,
            LABEL_SIZE,
            MUTED,
            shown,
            format_html("<title>{}</title>", label) if shown != label else "",
        )
        for _, _, centre, shown, label in sorted(kept, key=lambda item: item[2])
    ]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    summary: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _format(value: float | None, decimals: int) -> str:
    if value is None:
        return gettext("no responses")
    return _number(value, decimals)


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


def _grid(ticks: Sequence[float], y: Callable[[float], float], left: float) -> list[str]:
    """Horizontal grid lines with their values along the left axis."""
    return [
        _svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{}">{}</text>',
            left,
            WIDTH - RIGHT,
            y(tick),
            y(tick),
            LINE,
            left - GAP,
            y(tick) + 4,
            LABEL_SIZE,
            MUTED,
            _number(tick, 0),
        )
        for tick in ticks
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
    ticks = _ticks(y_min, y_max)
    left = _left_margin(ticks)
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, y_min), y_max)
        return TOP + plot_h * (y_max - clamped) / (y_max - y_min)

    baseline = y(0.0 if y_min < 0 < y_max else y_min)
    parts: list[str] = _grid(ticks, y, left)
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(4.0, min(48.0, slot * 0.6))
    # Every bar names a category: at most 12 labels, each cut short to its share of the axis.
    label_every = max(1, math.ceil(n / 12))
    labels: list[tuple[int, float, str]] = []
    for i, (label, value) in enumerate(points):
        cx = left + slot * i + slot / 2
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
            shown = _format(value, decimals)
            if text_width(shown) <= slot - 2:  # else the tooltip and the table give it
                parts.append(
                    _svg(
                        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
                        cx,
                        (top - 5) if value >= 0 or y_min >= 0 else (bottom + 13),
                        LABEL_SIZE,
                        INK,
                        shown,
                    )
                )
        if i % label_every == 0:
            labels.append((i, cx, label))
    parts.extend(_axis_labels(labels, slot * label_every - GAP))
    parts.append(
        _svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
            left,
            WIDTH - RIGHT,
            baseline,
            baseline,
            MUTED,
        )
    )
    described = [(label, value) for label, value in points if value is not None]
    if described:
        summary = gettext("%(title)s: %(figures)s") % {
            "title": title,
            "figures": "; ".join(
                f"{label} {_format(value, decimals)}" for label, value in described
            ),
        }
        gaps = len(points) - len(described)
        if gaps:
            summary += ". " + ngettext(
                "%(count)s period with no responses.", "%(count)s periods with no responses.", gaps
            ) % {"count": number(gaps)}
    else:
        summary = gettext("%(title)s: no responses in this period.") % {"title": title}
    rows = [
        (
            label,
            _format(value, decimals)
            + (
                " ("
                + ngettext("%(count)s response", "%(count)s responses", counts[i])
                % {"count": number(counts[i])}
                + ")"
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
    empty: str | None = None,
    color: str = POSITIVE,
) -> Chart:
    """A line through the points that have a value (gaps break the line), for trends such as
    active users or health over time. ``y_max`` defaults to a little above the highest value."""
    uid = f"chart-{next(_ids)}"
    empty = gettext("no data") if empty is None else empty
    values = [v for _, v in points if v is not None]
    top_value = y_max if y_max is not None else max([*values, 1.0]) * 1.15
    ticks = _ticks(y_min, top_value)
    left = _left_margin(ticks)
    # The last point sits far enough from the right edge for its label to fit under it.
    last_label = text_width(points[-1][0]) if points else 0.0
    right = max(float(RIGHT), last_label / 2 + GAP / 2)
    plot_w, plot_h = WIDTH - left - right, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, y_min), top_value)
        return TOP + plot_h * (top_value - clamped) / ((top_value - y_min) or 1.0)

    def fmt(value: float | None) -> str:
        return empty if value is None else f"{_number(value, decimals)}{unit}"

    parts: list[str] = _grid(ticks, y, left)
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)
    # Dates along the axis: at most 8, and further apart when the widest would not fit.
    widest = max((text_width(label) for label, _ in points), default=0.0)
    label_every = max(1, math.ceil(n / 8))
    while label_every < n - 1 and step * label_every - GAP < widest:
        label_every += 1
    labels: list[tuple[int, float, str]] = []
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (label, value) in enumerate(points):
        x = left + step * i if n > 1 else left + plot_w / 2
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
        if i % label_every == 0 or i == n - 1:
            labels.append((i, x, label))
    # The last date always shows (where the trend ends); one too close before it gives way.
    room = step * label_every - GAP if n > 1 else plot_w
    parts.extend(_axis_labels(labels, room, keep_last=True))
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
        periods = ngettext("%(count)s period", "%(count)s periods", len(points)) % {
            "count": number(len(points))
        }
        summary = gettext(
            "%(title)s: from %(first)s to %(last)s over %(periods)s; "
            "lowest %(lowest)s, highest %(highest)s."
        ) % {
            "title": title,
            "first": fmt(first),
            "last": fmt(last),
            "periods": periods,
            "lowest": fmt(min(values)),
            "highest": fmt(max(values)),
        }
    else:
        summary = gettext("%(title)s: %(empty)s.") % {"title": title, "empty": empty}
    rows = [(label, fmt(value)) for label, value in points]
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH, HEIGHT, uid, uid, uid, title, uid, summary,
        format_html_join("", "{}", ((mark_safe(p),) for p in parts)),  # noqa: S308 - built by format_html
    )  # fmt: skip
    return Chart(title=title, svg=svg, summary=summary, rows=rows)
