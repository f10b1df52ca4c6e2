"""The one chart module: SVG with a text alternative and a table of the same figures."""

from __future__ import annotations

import itertools
import re

import pytest

from portal.charts import bar_chart, line_chart


def test_a_line_chart_describes_itself_and_breaks_at_gaps() -> None:
    chart = line_chart(
        [("1 Nov", 10.0), ("2 Nov", None), ("3 Nov", 14.0), ("4 Nov", 12.0)], title="Active users"
    )
    assert chart.svg.count("<polyline") == 2  # the gap splits the line
    assert "from 10 to 12 over 4 periods; lowest 10, highest 14" in chart.summary
    assert chart.rows[1] == ("2 Nov", "no data")
    assert 'role="img"' in chart.svg and "<desc" in chart.svg


def test_an_empty_chart_says_so() -> None:
    chart = line_chart([("1 Nov", None)], title="Health", empty="no score yet")
    assert chart.summary == "Health: no score yet."
    assert "<polyline" not in chart.svg


def test_labels_are_escaped() -> None:
    chart = line_chart([("<b>x</b>", 1.0), ("y", 2.0)], title="T & <i>")
    assert "<b>x</b>" not in chart.svg and "&lt;b&gt;" in chart.svg


@pytest.mark.parametrize("top", [2_600.0, 48_000.0, 1_250_000.0])
def test_large_figures_get_a_few_round_grid_lines(top: float) -> None:
    chart = line_chart([("Mon", top * 0.8), ("Tue", top)], title="Active users", y_max=top)
    ticks = [
        float(t.replace(",", ""))
        for t in re.findall(r'text-anchor="end"[^>]*>([\d.,]+)<', str(chart.svg))
    ]
    assert 2 <= len(ticks) <= 6 and ticks[0] == 0 and ticks[-1] <= top


def axis_labels(svg: str) -> list[tuple[float, str]]:
    """The labels under the chart: (x of their centre, text)."""
    return [
        (float(x), text)
        for x, text in re.findall(
            r'<text x="([\d.]+)" y="238" text-anchor="middle"[^>]*>([^<]*)', svg
        )
    ]


def assert_inside_and_apart(svg: str) -> None:
    from portal.charts import GAP, WIDTH, text_width

    spans = sorted(
        (x - text_width(text) / 2, x + text_width(text) / 2) for x, text in axis_labels(svg)
    )
    assert spans, "no label under the chart"
    assert spans[0][0] >= 0 and spans[-1][1] <= WIDTH, spans  # none cut at an edge
    for (_, right), (left, _) in itertools.pairwise(spans):
        assert left >= right + GAP - 0.1, spans  # none overlaps the next


def test_the_last_date_under_a_line_chart_is_printed_whole() -> None:
    weeks = ["7 Sep", "14 Sep", "21 Sep", "28 Sep"]
    chart = line_chart([(w, 20.0 + i) for i, w in enumerate(weeks)], title="Weekly active users")
    assert [text for _, text in axis_labels(chart.svg)] == weeks  # "28 Sep", not "28 Se"
    assert_inside_and_apart(chart.svg)


@pytest.mark.parametrize("count", [5, 13, 14, 27, 53, 92])
def test_dates_thin_out_so_they_never_overlap_and_the_last_stays(count: int) -> None:
    days = [f"{d % 28 + 1} Sep" for d in range(count)]
    chart = line_chart([(d, float(i)) for i, d in enumerate(days)], title="Health")
    labels = [text for _, text in axis_labels(chart.svg)]
    assert labels[0] == days[0] and labels[-1] == days[-1]
    assert_inside_and_apart(chart.svg)


def test_long_category_names_are_cut_short_with_the_whole_name_kept() -> None:
    features = [f"scheduled_exports_to_warehouse_{n}" for n in range(8)]
    chart = bar_chart([(f, 40.0) for f in features], title="Adoption", y_min=0, y_max=100)
    labels = [text for _, text in axis_labels(chart.svg)]
    assert len(labels) == 8 and all(text.endswith("\u2026") for text in labels)
    assert "<title>scheduled_exports_to_warehouse_0</title>" in chart.svg  # a hover shows it
    assert chart.rows[0][0] == "scheduled_exports_to_warehouse_0"  # and the table
    assert_inside_and_apart(chart.svg)
    short = bar_chart([("api", 25.0), ("alerts", 46.0)], title="Adoption", y_min=0, y_max=100)
    assert [text for _, text in axis_labels(short.svg)] == ["api", "alerts"]


def test_large_values_along_the_axis_get_the_room_they_need() -> None:
    from portal.charts import GAP, text_width

    chart = line_chart([("Mon", 1_000_000.0), ("Tue", 1_250_000.0)], title="Events")
    ends = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end"[^>]*>([\d,]+)<', chart.svg)
    assert ends and all(float(x) - text_width(t) >= GAP - 0.1 for x, t in ends)
    assert "1,250,000" in chart.summary  # figures read as on the pages


def test_counts_and_gaps_are_said_in_words_with_plurals() -> None:
    chart = bar_chart(
        [("Jan", 40.0), ("Feb", None), ("Mar", 12.0)],
        title="NPS",
        y_min=-100,
        y_max=100,
        counts=[1, 0, 3],
    )
    assert chart.rows[0] == ("Jan", "40 (1 response)") and chart.rows[2] == (
        "Mar",
        "12 (3 responses)",
    )
    assert "1 period with no responses" in chart.summary
    one = line_chart([("Mon", 1.0)], title="Users")
    assert "over 1 period;" in one.summary
