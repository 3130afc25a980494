"""Charts of the periodic reports as PNG images (matplotlib, Agg canvas, no pyplot global state).

The CJK labels use the TrueType font services.cjk_font finds (fonts-wqy-microhei); without one the report
cannot be drawn and FontUnavailable says so in Chinese.
"""
from __future__ import annotations

import io

from .cjk_font import find_cjk_font

BAR_COLOUR, LINE_COLOUR = "#1f5fa8", "#c00000"
DPI = 150


def _font():
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(find_cjk_font().path))


def bar_chart(title: str, labels: list[str], values: list[int], unit: str = "条",
              line: list[int] | None = None, line_label: str = "") -> bytes:
    """A bar chart (optionally with a line over it) as PNG bytes, values written on the bars."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = _font()
    figure = Figure(figsize=(6.4, 3.2), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bars = axes.bar(positions, values, color=BAR_COLOUR, width=0.6, label=f"数量（{unit}）")
    axes.bar_label(bars, labels=[str(v) for v in values], fontproperties=font, fontsize=8)
    if line is not None:
        axes.plot(positions, line, color=LINE_COLOUR, marker="o", linewidth=1.5, label=line_label)
        axes.legend(prop=font, fontsize=8, loc="upper left")
    axes.set_xticks(positions, labels)
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(font)
        tick.set_fontsize(8)
        if len(labels) > 6:
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
    axes.set_title(title, fontproperties=font, fontsize=11)
    axes.set_ylabel(unit, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(0, max([*values, *(line or []), 1]) * 1.18)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
