"""Inline SVG bar charts with Chinese labels (no scripts, no external fonts)."""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, int]], title: str, unit: str = "户") -> Markup:
    """Horizontal bars; every label and value is escaped; width scales with the container."""
    if not rows:
        return Markup('<p class="gs-muted">暂无数据。</p>')
    bar_h, gap, label_w, width = 22, 8, 180, 600
    top = max(v for _, v in rows) or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg class="gs-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = (width - label_w - 70) * value // top
        shown = label if len(label) <= 12 else label[:11] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 6}" text-anchor="end" '
            f'class="gs-chart__label">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" '
            f'class="gs-chart__bar"><title>{escape(label)}：{value} {escape(unit)}</title></rect>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + bar_h - 6}" '
            f'class="gs-chart__value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
