"""The maps of a release (``maps/*.svg``), drawn with matplotlib from shapely geometries.

- ``maps/netherlands.svg``: the 443 municipalities of 2007 (CBS boundaries), those of the
  recorded city links marked; on the index page.
- ``maps/partners.svg``: the partner places, one panel per country of origin, at the WGS84
  coordinates (``geo:lat`` / ``geo:long``) the knowledge base states; on the index page.
- ``maps/link/<name>.svg``: one small map per city link, its Dutch municipality marked and, when
  the knowledge base gives the partner's coordinates, the partner in a panel beside it; on the
  link's page.

Every map is static SVG, the same bytes on every run, carries the CBS / Kadaster credit line, and
comes with a text alternative (:attr:`Map.alt`) and the list of what it shows (:attr:`Map.rows`).
A place without coordinates is listed but not drawn; a map with nothing to draw still says so.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from . import geography
from .common import SBDEF, SBID, TOOI_IRI, write_file

MARKED = "#d9822b"
BASE = "#e4e8ec"
EDGE = "#ffffff"
POINT = "#1f5f8b"


@dataclass(frozen=True)
class Map:
    """A map in the release: its SVG ``path``, ``title``, ``caption``, text alternative ``alt``,
    and what it shows as a table (``columns`` and ``rows``)."""

    path: str
    title: str
    caption: str
    alt: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class _Link:
    iri: str
    label: str
    municipality: str | None  # CBS municipality code, GM + 4 digits
    municipality_label: str
    partners: tuple[tuple[str, str], ...]  # (IRI, name), sorted: a link may join several (Curaçao, Sint Maarten)
    country: str | None
    country_label: str


def _first(graph, subject, prop):
    """The value of ``prop`` that sorts first (a stable choice when there are several), or None."""
    values = sorted(graph.objects(subject, prop), key=str)
    return values[0] if values else None


def _links(graph, label) -> list[_Link]:
    """The recorded city links of ``graph`` with their municipality (CBS code from the TOOI IRI),
    partners and country, sorted by the link's label."""
    import rdflib

    SB = rdflib.Namespace(SBDEF)
    links = []
    for link in graph.subjects(rdflib.RDF.type, SB.CityLink):
        if not isinstance(link, rdflib.URIRef):
            continue
        municipality = _first(graph, link, SB.dutchMunicipality)
        country = _first(graph, link, SB.partnerCountry)
        partners = tuple(sorted((str(p), label(p)) for p in graph.objects(link, SB.partner)))
        match = TOOI_IRI.fullmatch(str(municipality)) if municipality is not None else None
        links.append(_Link(str(link), label(link), "GM" + match.group(1)[2:] if match else None,
                           label(municipality) if municipality is not None else "", partners,
                           str(country) if country is not None else None, label(country) if country is not None else ""))
    return sorted(links, key=lambda k: (k.label.casefold(), k.iri))


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _settings():
    return {"svg.hashsalt": "stedenbanden-maps", "svg.fonttype": "none", "font.family": "DejaVu Sans",
            "font.size": 9}


def _patches(geometries, **style):
    """The shapely polygons ``geometries`` as one matplotlib PatchCollection (holes kept)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for geometry in geometries:
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            rings = [polygon.exterior, *polygon.interiors]
            vertices, codes = [], []
            for ring in rings:
                coords = list(ring.coords)
                vertices.extend(coords)
                codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY])
            patches.append(PathPatch(MplPath(vertices, codes)))
    return PatchCollection(patches, **style)


def _netherlands_axes(ax, marked: set[str]) -> None:
    shapes = geography.municipalities()
    codes = sorted(shapes)
    ax.add_collection(_patches([shapes[c] for c in codes if c not in marked], facecolor=BASE, edgecolor=EDGE,
                               linewidth=0.3))
    ax.add_collection(_patches([shapes[c] for c in codes if c in marked], facecolor=MARKED, edgecolor="#8a4b12",
                               linewidth=0.4))
    minx, miny, maxx, maxy = geography.netherlands().bounds
    ax.set_xlim(minx - 0.05, maxx + 0.05)
    ax.set_ylim(miny - 0.05, maxy + 0.05)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
    ax.set_axis_off()


def _outline_axes(ax, code: str | None) -> None:
    """A small map: the outline of the Netherlands (simplified to 0.01 degree) with the
    municipality ``code`` filled."""
    shapes = geography.municipalities()
    ax.add_collection(_patches([geography.netherlands().simplify(0.01)], facecolor=BASE, edgecolor="#9aa4ae",
                               linewidth=0.4))
    if code in shapes:
        ax.add_collection(_patches([shapes[code]], facecolor=MARKED, edgecolor="#8a4b12", linewidth=0.4))
    minx, miny, maxx, maxy = geography.netherlands().bounds
    ax.set_xlim(minx - 0.05, maxx + 0.05)
    ax.set_ylim(miny - 0.05, maxy + 0.05)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
    ax.set_axis_off()


def _credit(fig, text: str) -> None:
    fig.text(0.01, 0.005, text, fontsize=6.5, color="#5a6472", ha="left", va="bottom")


def _points_axes(ax, points: list[tuple[str, float, float]], title: str) -> None:
    """Partner places as labelled points on longitude/latitude axes (degrees, WGS84)."""
    ax.set_title(title, fontsize=9)
    if not points:
        ax.text(0.5, 0.5, "no coordinates\nin the data", ha="center", va="center", transform=ax.transAxes,
                color="#5a6472", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    xs = [x for _, x, _ in points]
    ys = [y for _, _, y in points]
    pad = max(1.0, 0.25 * max(max(xs) - min(xs), max(ys) - min(ys)))
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_aspect(1 / max(0.2, math.cos(math.radians(sum(ys) / len(ys)))))  # the box adapts; with "datalim" matplotlib drops the limits and logs a warning per map
    ax.scatter(xs, ys, s=14, color=POINT, zorder=3)
    for name, x, y in points:
        ax.annotate(name, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.grid(True, color="#d8dde3", linewidth=0.5)
    ax.tick_params(labelsize=6.5)
    ax.set_xlabel("longitude (°)", fontsize=7)
    ax.set_ylabel("latitude (°)", fontsize=7)


def _partner_points(links, coordinates) -> dict[str, list[tuple[str, float, float]]]:
    """Country label -> the partner places with coordinates, each once, sorted by name."""
    by_country: dict[str, dict[str, tuple[str, float, float]]] = {}
    for link in links:
        found = by_country.setdefault(link.country_label or "unknown country", {})
        for partner, name in link.partners:
            if partner in coordinates:
                x, y = coordinates[partner]
                found[partner] = (name, x, y)
    return {country: sorted(found.values()) for country, found in sorted(by_country.items())}


def draw_maps(graph, label, folder: Path, draw=None) -> tuple[list[Map], dict[str, Map]]:
    """Draw the maps of the recorded city links in the rdflib ``graph`` into ``folder/maps``;
    ``label(term)`` names a resource. Returns the index maps and, per city link IRI, its own
    small map.

    ``draw(work)``, when given, receives the drawing of the maps (a function of no arguments that
    writes their SVG files) instead of it being run here: the release runs it in a process of its
    own beside the pages (matplotlib took about 5 s for the 35 maps of the shipped data). What is
    returned does not depend on the drawing."""
    links = _links(graph, label)
    coordinates = geography.points(graph)
    shapes = geography.municipalities()
    marked = {k.municipality for k in links if k.municipality in shapes}
    credit = geography.CREDIT
    maps: list[Map] = []
    per_link: dict[str, Map] = {}
    drawings = []

    # The Netherlands in 2007, the municipalities of the recorded links marked.
    def netherlands_map(plt):
        fig, ax = plt.subplots(figsize=(6.4, 7.2))
        try:
            _netherlands_axes(ax, marked)
            for code in sorted(marked):
                point = shapes[code].representative_point()
                names = sorted({k.municipality_label for k in links if k.municipality == code})
                ax.annotate(", ".join(names), (point.x, point.y), xytext=(4, 2), textcoords="offset points",
                            fontsize=7, color="#1c2430")
            _credit(fig, credit)
            fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.04)
            write_file(folder / "maps" / "netherlands.svg", _svg(fig))
        finally:
            plt.close(fig)

    drawings.append(netherlands_map)
    municipalities = sorted({(k.municipality_label, k.municipality) for k in links if k.municipality})
    names = [name for name, _ in municipalities]
    maps.append(Map(
        "maps/netherlands.svg", "The Dutch municipalities of the recorded city links",
        f"The 443 municipalities of 1 January 2007; the {len(marked)} with a recorded city link are marked "
        f"and named. {credit}.",
        f"Map of the Netherlands in 2007 with its 443 municipalities; marked: {', '.join(names) or 'none'}.",
        ("municipality", "CBS code", "city links"),
        tuple((name, code, sum(1 for k in links if k.municipality == code)) for name, code in municipalities)))

    # The partner places, one panel per country of origin.
    groups = _partner_points(links, coordinates)

    def partners_map(plt):
        n = max(1, len(groups))
        columns = min(3, n)
        rows = math.ceil(n / columns)
        fig, axes = plt.subplots(rows, columns, figsize=(3.0 * columns, 2.9 * rows), squeeze=False)
        try:
            for ax, (country, points) in zip(axes.flat, groups.items()):
                _points_axes(ax, points, country)
            for ax in list(axes.flat)[len(groups):]:
                ax.set_axis_off()
            fig.text(0.01, 0.005, "Coordinates: WGS84 geo:lat/geo:long as the knowledge base states them.",
                     fontsize=6.5, color="#5a6472", ha="left", va="bottom")
            fig.tight_layout(rect=(0, 0.03, 1, 1))
            write_file(folder / "maps" / "partners.svg", _svg(fig))
        finally:
            plt.close(fig)

    drawings.append(partners_map)
    drawn = sum(len(points) for points in groups.values())
    partners = sorted({(k.country_label, name, iri) for k in links for iri, name in k.partners})
    maps.append(Map(
        "maps/partners.svg", "The partner places, by country of origin",
        f"One panel per country of origin; {drawn} of the {len(partners)} partner places have coordinates in "
        "the knowledge base and are drawn (longitude and latitude in degrees).",
        "Partner places of the recorded city links by country: " + "; ".join(
            f"{country}: {', '.join(p[0] for p in points) or 'no coordinates'}" for country, points in groups.items()),
        ("country", "partner", "longitude", "latitude"),
        tuple((country, name, *(coordinates.get(iri) or (None, None))) for country, name, iri in partners)))

    # One small map per link.
    for link in links:
        if not link.iri.startswith(SBID + "link/"):
            continue
        name = link.iri[len(SBID + "link/"):]
        if "/" in name:
            continue
        located = [(name, *coordinates[iri]) for iri, name in link.partners if iri in coordinates]
        path = f"maps/link/{name}.svg"

        def link_map(plt, link=link, located=located, path=path):
            fig, axes = plt.subplots(1, 2 if located else 1, figsize=(5.6 if located else 2.8, 3.2), squeeze=False)
            try:
                _outline_axes(axes[0][0], link.municipality)
                axes[0][0].set_title(link.municipality_label or "municipality unknown", fontsize=8)
                if located:
                    _points_axes(axes[0][1], located, link.country_label)
                _credit(fig, "CBS / Kadaster (PDOK)")
                fig.tight_layout(rect=(0, 0.05, 1, 1))
                write_file(folder / path, _svg(fig))
            finally:
                plt.close(fig)

        drawings.append(link_map)
        at = {name: (x, y) for name, x, y in located}
        where = "; ".join(f"{name} at longitude {at[name][0]:g}°, latitude {at[name][1]:g}°" if name in at
                          else f"{name} (no coordinates in the data)" for _, name in link.partners) or "none"
        per_link[link.iri] = Map(
            path, f"Where {link.label} is",
            f"{link.municipality_label} marked on the municipalities of 2007. {credit}.",
            f"Map of the Netherlands in 2007 with {link.municipality_label or 'no municipality'} marked; "
            f"partner{'s' if len(link.partners) > 1 else ''}: {where}.", (), ())

    def draw_all():
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        with matplotlib.rc_context(_settings()):
            for drawing in drawings:
                drawing(plt)

    if draw is None:
        draw_all()
    else:
        draw(draw_all)
    return maps, per_link
