"""Server-side SVG charts: no script, no CDN, readable by screen readers.

Each chart has a <title> and <desc>, axis labels, and a <title> per bar (shown on hover);
pages put the same numbers in a table beside it.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 44


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    bars: list[tuple[str, float]], *, title: str, x_label: str, y_label: str, label_every: int = 1
) -> SafeString:
    """Vertical bars, one per (label, value), with every `label_every`-th label shown."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    chart_id = f"chart-{slugify(title)}"
    highest = max((value for _, value in bars), default=0)
    top = _nice_ceiling(highest)
    slot = plot_width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(y_label)} by {escape(x_label)}; '
        f"{len(bars)} bars, highest {escape(_number(highest))}.</desc>",
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="chart-tick" text-anchor="end">'
            f"{escape(_number(top * fraction))}</text>"
        )
    for index, (label, value) in enumerate(bars):
        height = plot_height * value / top
        x = LEFT + index * slot
        parts.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{TOP + plot_height - height:.1f}" '
            f'width="{max(slot * 0.8, 1):.1f}" height="{height:.1f}" class="chart-bar">'
            f"<title>{escape(label)}: {escape(_number(value))}</title></rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" class="chart-tick" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts += [
        f'<text x="{LEFT + plot_width / 2:.1f}" y="{HEIGHT - 6}" class="chart-axis" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="12" y="{TOP + plot_height / 2:.1f}" class="chart-axis" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + plot_height / 2:.1f})">{escape(y_label)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
