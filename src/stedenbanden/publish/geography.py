"""The places of a release: the Dutch municipalities of 2007 (CBS boundaries, shipped in
``reference/cbs-municipalities-2007/``) and the coordinates the knowledge base states
(W3C WGS84 ``geo:lat`` / ``geo:long``).

The boundaries are read with the ``topojson`` library and handled as ``shapely`` geometries;
coordinates are longitude/latitude in degrees (WGS84), as in the source file.
"""

from __future__ import annotations

import functools
from importlib.resources import files as package_files
from pathlib import Path

BOUNDARIES_SOURCE = "https://github.com/cartomap/nl"
"""Where the shipped boundaries were taken from (CBS / Kadaster data, served by PDOK as the layer
cbs_gemeente_2007_gegeneraliseerd, simplified by cartomap/nl; see the README beside the file)."""

CREDIT = ("Boundaries: CBS / Kadaster, via PDOK (cbs_gemeente_2007_gegeneraliseerd), simplified by cartomap/nl")
"""The credit line that every map drawn from the boundaries carries."""

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"


def boundaries_path() -> Path:
    """The shipped TopoJSON file of the 443 municipalities of 1 January 2007."""
    return Path(str(package_files("stedenbanden").joinpath("reference", "cbs-municipalities-2007",
                                                            "gemeente_2007.topojson")))


@functools.lru_cache(maxsize=1)
def municipalities() -> dict[str, object]:
    """The 2007 municipalities: CBS municipality code (``GM`` + 4 digits) -> shapely geometry
    (Polygon or MultiPolygon, longitude/latitude in degrees)."""
    import json

    import topojson
    from shapely.geometry import shape

    data = json.loads(boundaries_path().read_text(encoding="utf-8"))
    features = json.loads(topojson.Topology(data, topology=True, object_name="gemeente_2007").to_geojson())
    return {f["properties"]["statcode"]: shape(f["geometry"]) for f in features["features"]}


@functools.lru_cache(maxsize=1)
def netherlands():
    """The Netherlands of 2007 as one shapely geometry: the union of its municipalities."""
    from shapely import union_all

    return union_all([municipalities()[code] for code in sorted(municipalities())])


def _wkt(geometry) -> str:
    from shapely import to_wkt

    return to_wkt(geometry, rounding_precision=3, trim=True)


def netherlands_extent() -> tuple[str, str]:
    """The bounding box and the centroid of the Netherlands (2007 boundaries) as WKT
    (``POLYGON ((...))``, ``POINT (lon lat)``), rounded to 0.001 degree, the precision of the
    source file."""
    from shapely.geometry import box

    shape = netherlands()
    return _wkt(box(*shape.bounds)), _wkt(shape.centroid)


def points(graph) -> dict[str, tuple[float, float]]:
    """The places in the rdflib ``graph`` that state WGS84 coordinates: IRI -> (longitude,
    latitude) in degrees. A place with a missing or non-numeric ``geo:lat`` / ``geo:long`` is
    left out (the maps draw the places that have coordinates)."""
    import rdflib

    lat, long = rdflib.URIRef(GEO + "lat"), rdflib.URIRef(GEO + "long")
    found = {}
    for place, y in graph.subject_objects(lat):
        x = graph.value(place, long)
        try:
            found[str(place)] = (float(x), float(y))
        except (TypeError, ValueError):
            continue
    return dict(sorted(found.items()))
