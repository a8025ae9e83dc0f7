"""Bar charts in plain HTML and CSS (no scripts, no SVG text scaled down on a phone).

Every label is shown in full (it wraps rather than being cut); the chart repeats the table that
follows it, so it is hidden from screen readers, which read the table.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, int]], title: str, unit: str = "户") -> Markup:
    """Horizontal bars, one per row; every label and value is escaped."""
    if not rows:
        return Markup('<p class="gs-muted">暂无数据。</p>')
    top = max(n for _, n in rows) or 1
    parts = [f'<figure class="gs-bars" aria-hidden="true"><figcaption>{escape(title)}'
             f'（单位：{escape(unit)}）</figcaption>']
    for label, n in rows:
        width = max(n * 1000 // top / 10, 0.5)
        parts.append(
            f'<div class="gs-bar"><span class="gs-bar__label">{escape(label)}</span>'
            f'<span class="gs-bar__track"><span class="gs-bar__fill" style="width:{width:g}%">'
            f'</span><span class="gs-bar__value">{n}</span></span></div>')
    parts.append("</figure>")
    return Markup("".join(parts))
