"""The charts of a release (``charts/*.svg``), drawn with matplotlib from the stored queries."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .common import write_file

# --------------------------------------------------------------------------------------------
# Charts (matplotlib, SVG)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    """A chart in the release: its SVG ``path``, title, caption, and the numbers it shows as a
    table (``columns`` and ``rows``), which the index prints beside it."""

    path: str
    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def _svg_bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], xlabel: str) -> str:
    """A horizontal bar chart as SVG text, the same bytes on every run (fixed hash salt, no
    date, text kept as text)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    settings = {"svg.hashsalt": "stedenbanden", "svg.fonttype": "none", "font.family": "DejaVu Sans",
                "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(settings):
        height = 0.9 + 0.32 * len(labels) * max(1, len(series))
        fig, ax = plt.subplots(figsize=(7.2, height))
        try:
            n = len(series)
            width = 0.8 / n
            positions = list(range(len(labels)))[::-1]
            for i, (name, values, colour) in enumerate(series):
                ys = [y + 0.4 - width * (i + 0.5) for y in positions]
                shown = [(y, v) for y, v in zip(ys, values) if v is not None]
                bars = ax.barh([y for y, _ in shown], [v for _, v in shown], height=width * 0.9,
                               color=colour, label=name)
                ax.bar_label(bars, labels=[f"{v:g}" for _, v in shown], padding=3)
            ax.set_yticks(positions, labels)
            ax.set_xlabel(xlabel)
            ax.margins(x=0.12)
            if n > 1:
                ax.legend(loc="lower right", frameon=False)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return out.getvalue()


def draw_charts(store, folder: Path) -> list[Chart]:
    """Draw the links per partner country (stored query ``countries``), per initiator
    (``initiative``) and per theme (``themes``) as SVG into ``folder/charts``; return them.

    Raises the errors of the stored queries (:class:`KbError`)."""
    from ..catalogue import catalogue

    queries = catalogue()
    charts = []

    countries = [r for r in queries["countries"].run(store).records() if r["code"] != "_T"]
    labels = [str(r["country"]) for r in countries]
    write_file(folder / "charts" / "countries.svg", _svg_bars(
        labels, [("published links", [r["links"] for r in countries], "#1f5f8b")], "city links (June 2007)"))
    charts.append(Chart("charts/countries.svg", "City links per country of origin",
                        "The 39 links of June 2007 by the partner's country, as NCDO published them "
                        "(stored query countries).",
                        ("country", "links", "share (%)"),
                        tuple((r["country"], r["links"], r["share_percent"]) for r in countries)))

    initiative = queries["initiative"].run(store).records()
    labels = [f"{r['initiator']} (derived)" if r.get("basis") == "derived" else str(r["initiator"]) for r in initiative]
    write_file(folder / "charts" / "initiative.svg", _svg_bars(
        labels, [("links", [r["links"] for r in initiative], "#1f5f8b")], "city links (June 2007)"))
    charts.append(Chart("charts/initiative.svg", "City links per initiator",
                        "Who took the initiative for the 39 links; 'not reported' is 39 minus the "
                        "published counts (stored query initiative).",
                        ("initiator", "links", "share (%)", "basis"),
                        tuple((r["initiator"], r["links"], r["share_percent"], r["basis"]) for r in initiative)))

    themes = queries["themes"].run(store).records()
    labels = [str(r["theme"]) for r in themes]
    recorded = [(r["named_links"] or 0) + (r["active_june_2007_links"] or 0) + (r["other_dates_links"] or 0) for r in themes]
    write_file(folder / "charts" / "themes.svg", _svg_bars(
        labels, [("published count (NCDO 2008)", [r["published_links"] for r in themes], "#1f5f8b"),
                 ("recorded links", recorded, "#d9822b")], "city links"))
    charts.append(Chart("charts/themes.svg", "City links per theme",
                        "Published counts exist for two themes only; the other bars count the links that "
                        "sources name one by one, whatever their evidence status (stored query themes).",
                        ("theme", "published links", "recorded links"),
                        tuple((r["theme"], r["published_links"], d) for r, d in zip(themes, recorded))))
    return charts


