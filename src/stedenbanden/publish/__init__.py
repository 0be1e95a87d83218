"""``kb publish``: the knowledge base as an open-data release, a folder for any static web host.

A release holds, for one version of the knowledge base (ontology and data)::

    index.html               the report's figures (published and regenerated) and each count's
                             reasoning (the links behind it, the bounds), charts, maps, city
                             links, tables, downloads: the page a person starts from
    browse.html              every resource that has a page, grouped by kind
    catalog.ttl              the dataset description: DCAT and VoID, checked against all of SEMIC's
                             DCAT-AP 3.0.1 shapes (0 violations, 0 warnings)
    dumps/stedenbanden.ttl   the whole knowledge base as Turtle (sorted, prefixed, diff-friendly)
    dumps/stedenbanden.nt    ... as sorted N-Triples
    dumps/stedenbanden.jsonld   ... as JSON-LD, its context embedded (the file stands alone)
    tables/<query>.csv, .csv-metadata.json, .json   every stored query's result: CSV with CSVW
                             metadata, and JSON
    charts/*.svg             links per partner country, per initiator, per theme
    maps/*.svg, maps/link/*.svg   the municipalities and partner places of the recorded links
    ontology/index.html      the ontology documented by pyLODE (English; ontology/nl.html Dutch)
    doc/<path>.html          one page per resource https://w3id.org/stedenbanden/id/<path>
                             (a city link's page with its timeline and its sources),
    doc/<path>.ttl, .jsonld  ... and its description as Turtle and JSON-LD beside it
    doc/tooi/gmNNNN.html     one page per Dutch municipality (TOOI IRI .../tooi/id/gemeente/gmNNNN)
    server/                  web-server configuration (Apache, nginx): /id/... -> /doc/... by Accept
    static/style.css, static/ontology.css
    SHA256SUMS               checksums of every other file (``sha256sum -c SHA256SUMS``)
    .kb-release.json         the manifest: every file this release wrote, the only files a later
                             ``kb publish`` into the folder replaces

Things (``/id/...``) are described at ``/doc/...``, as the Dutch URI strategy has it; pages link
to each other with relative links, so the folder works from any host path. The release is built
in a temporary folder inside the target and moved into place only when complete; two builds of
the same input give byte-identical folders (no clock, no random identifiers: the release date
comes from ``--date`` or ``SOURCE_DATE_EPOCH``, or is left out).

Heavy libraries (rdflib, jinja2, pyshacl, pyLODE, matplotlib) are imported inside functions so
that ``kb`` starts quickly.

The package's modules are the parts of a release: :mod:`.dumps` (``dumps/``), :mod:`.catalog`
(``catalog.ttl``), :mod:`.tables` (``tables/``), :mod:`.ontology_docs` (``ontology/``),
:mod:`.charts` (``charts/``), :mod:`.maps` (``maps/``, with :mod:`.geography` for the places),
:mod:`.webserver` (``server/``), :mod:`.site`
(the pages), :mod:`.evidence` (what the pages say about each figure's reasoning and each link's
life and sources, from the stored queries), :mod:`.release` (building the whole and moving it into place), :mod:`.command`
(``kb publish``); :mod:`.common` holds the IRIs and file helpers they share.
"""

from .. import __version__
from .catalog import check_description, describe, shapes_path
from .charts import Chart, draw_charts
from .command import publish_command
from .common import (CATALOG, DATASET, DEFAULT_BASE_URL, LICENCE, NETHERLANDS, PROFILE, PUBLISHER, SBDEF, SBID,
                     SERVICE, TOOI_GEMEENTE)
from .dumps import Dump, read_knowledge_base, write_dumps
from .ontology_docs import ontology_docs
from .release import MANIFEST, Release, build, is_release, publish, release_date
from .site import Row, Value, page_path, relative

__all__ = [
    "CATALOG", "DATASET", "MANIFEST", "DEFAULT_BASE_URL", "LICENCE", "NETHERLANDS", "PROFILE", "PUBLISHER", "SBDEF", "SBID",
    "SERVICE", "TOOI_GEMEENTE", "Chart", "Dump", "Release", "Row", "Value", "__version__", "build",
    "check_description", "describe", "draw_charts", "is_release", "ontology_docs", "page_path", "publish",
    "publish_command", "read_knowledge_base", "relative", "release_date", "shapes_path", "write_dumps",
]
