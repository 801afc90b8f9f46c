"""Server-rendered SVG bar charts (no JavaScript). Pure functions returning markup.

Each chart carries ``<title>`` and ``<desc>`` and is paired with a table of the same numbers in
the page, so screen-reader users get every figure. Hidden counts are drawn as a dashed outline
with their label ("<10" or "x"), never as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR = "#1b4f8a"  # 8.6:1 on white (WCAG 1.4.11 asks 3:1 for graphics)
TEXT_COLOUR = "#1a1a1a"
ROW_HEIGHT = 28
MIN_LABEL_WIDTH = 120
# A generous width per character of 15 px system-ui text (measured in headless Chromium by tests/web: "W" is the
# widest Dutch letter at about 14 px; the average is about 8), so no label is cut off at the left edge.
CHAR_WIDTH = 9.5
BAR_AREA = 330
VALUE_WIDTH = 80
HIDDEN_BAR_WIDTH = 24


@dataclass(frozen=True)
class Bar:
    """One bar: a label, the shown count (None when hidden) and the text to print."""

    label: str
    count: int | None
    shown: str


def bar_chart_svg(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Render a horizontal bar chart.

    Args:
        chart_id: Unique id prefix for the title and description elements.
        title: Short Dutch title, read out by screen readers.
        description: One-sentence summary of what the chart shows.
        bars: The bars, top to bottom.

    Returns:
        Safe SVG markup.
    """
    label_width = max(
        MIN_LABEL_WIDTH, round(CHAR_WIDTH * max((len(bar.label) for bar in bars), default=0)) + 16
    )
    width = label_width + BAR_AREA + VALUE_WIDTH
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    largest = max((bar.count or 0 for bar in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="20" fill="{TEXT_COLOUR}" font-size="15">Geen gegevens</text>')
    for index, bar in enumerate(bars):
        y = 4 + index * ROW_HEIGHT
        text_y = y + ROW_HEIGHT // 2 + 5
        parts.append(
            f'<text x="{label_width - 8}" y="{text_y}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}" font-size="15">{escape(bar.label)}</text>'
        )
        if bar.count is None:
            bar_width = HIDDEN_BAR_WIDTH
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" '
                f'height="{ROW_HEIGHT - 8}" fill="#ffffff" stroke="{BAR_COLOUR}" '
                f'stroke-width="2" stroke-dasharray="4 3"/>'
            )
        else:
            bar_width = round(BAR_AREA * bar.count / largest)
            if bar_width:
                parts.append(
                    f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" '
                    f'height="{ROW_HEIGHT - 8}" fill="{BAR_COLOUR}"/>'
                )
        parts.append(
            f'<text x="{label_width + bar_width + 6}" y="{text_y}" fill="{TEXT_COLOUR}" '
            f'font-size="15">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
