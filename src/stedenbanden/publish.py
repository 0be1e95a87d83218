"""``kb publish``: the knowledge base as an open-data release, a folder for any static web host.

A release holds, for one version of the knowledge base (ontology and data)::

    index.html               the report's figures (published and regenerated), charts, city links,
                             downloads: the page a person starts from
    browse.html              every resource that has a page, grouped by kind
    catalog.ttl              the dataset description: DCAT (checked against DCAT-AP 3.0.1) and VoID
    dumps/stedenbanden.ttl   the whole knowledge base as Turtle (sorted, prefixed, diff-friendly)
    dumps/stedenbanden.nt    ... as sorted N-Triples
    dumps/stedenbanden.jsonld, dumps/context.jsonld   ... as JSON-LD, with its context file
    charts/*.svg             links per partner country, per initiator, per theme
    ontology/index.html      the ontology documented by pyLODE (English; ontology/nl.html Dutch)
    doc/<path>.html          one page per resource https://w3id.org/stedenbanden/id/<path>
    doc/tooi/gmNNNN.html     one page per Dutch municipality (TOOI IRI .../tooi/id/gemeente/gmNNNN)
    static/style.css
    SHA256SUMS               checksums of every other file (``sha256sum -c SHA256SUMS``)

Things (``/id/...``) are described at ``/doc/...``, as the Dutch URI strategy has it; pages link
to each other with relative links, so the folder works from any host path. The release is built
in a temporary folder beside the target and moved into place only when complete; two builds of
the same input give byte-identical folders (no clock, no random identifiers: the release date
comes from ``--date`` or ``SOURCE_DATE_EPOCH``, or is left out).

Heavy libraries (rdflib, jinja2, pyshacl, pyLODE, matplotlib) are imported inside functions so
that ``kb`` starts quickly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import posixpath
import re
import time
from dataclasses import dataclass, field, replace
from importlib.resources import files as package_files
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import click

from . import __version__
from .errors import KbError, KbUsageError

SBID = "https://w3id.org/stedenbanden/id/"
SBDEF = "https://w3id.org/stedenbanden/def#"
TOOI_GEMEENTE = "https://identifier.overheid.nl/tooi/id/gemeente/"
DEFAULT_BASE_URL = "https://w3id.org/stedenbanden/"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
PROFILE = "DCAT-AP 3.0.1"

CATALOG = SBID + "catalog"
DATASET = SBID + "dataset/knowledge-base"
PUBLISHER = SBID + "organization/stedenbanden-project"
SERVICE = SBID + "service/sparql"
NETHERLANDS = "http://www.wikidata.org/entity/Q55"  # the Netherlands (the country), for dct:spatial

Progress = Callable[[str], None]

_STEPS = 7
_SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*")
_TOOI_IRI = re.compile(re.escape(TOOI_GEMEENTE) + r"(gm[0-9]{4})")


@dataclass(frozen=True)
class Dump:
    """One dump of the knowledge base: its ``path`` in the release, media type, EU file type,
    size in bytes and SHA-256 checksum (lower-case hex)."""

    key: str
    path: str
    title_en: str
    title_nl: str
    media_type: str
    file_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """What :func:`publish` wrote: the release ``folder``, its ``version`` and release ``date``
    (None when not stated), every file (paths relative to the folder, sorted), the number of
    triples in the knowledge base and of resource pages."""

    folder: Path
    version: str
    date: dt.date | None
    files: tuple[str, ...]
    triples: int
    pages: int


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------

def release_date(given: dt.date | dt.datetime | None = None, environ: Mapping[str, str] | None = None) -> dt.date | None:
    """The release date to state as ``dcterms:issued`` and ``dcterms:modified``.

    ``given`` (``kb publish --date``) wins; otherwise the environment variable
    ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC; the reproducible-builds convention) is used;
    otherwise None, and the release states no date rather than one taken from the clock.
    Raises :class:`KbUsageError` when ``SOURCE_DATE_EPOCH`` is not a whole number.
    """
    if isinstance(given, dt.datetime):
        return given.date()
    if given is not None:
        return given
    raw = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise KbUsageError(f"SOURCE_DATE_EPOCH={raw!r}: expected seconds since 1970 (a whole number)") from None


def _check_url(value: str, option: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise KbUsageError(f"{option} {value!r}: expected an http:// or https:// URL, e.g. https://example.org/sparql")
    return value


def _check_version(version: str) -> str:
    version = version.strip()
    if not version or "\n" in version or len(version) > 100:
        raise KbUsageError("--version: give a short version name on one line, e.g. 0.1.0")
    return version


# --------------------------------------------------------------------------------------------
# The release as a whole
# --------------------------------------------------------------------------------------------

def publish(store, files: Sequence[Path], outdir: Path | str, *, version: str = __version__,
            date: dt.date | None = None, endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL,
            progress: Progress | None = None) -> Release:
    """Build the release of the knowledge base in ``store`` (an Oxigraph store of ontology and
    data, loaded from the Turtle ``files``) and put it at ``outdir``.

    The release is built in a temporary folder beside ``outdir`` and moved into place only when
    complete: on any error the temporary folder is removed and a release already at ``outdir``
    stays as it was. ``outdir`` may not exist yet, be empty, or hold a previous release (it has
    ``catalog.ttl`` and ``SHA256SUMS``); any other folder is refused rather than overwritten.

    ``version`` names the release (``dcat:version``); ``date`` is its ``dcterms:issued`` and
    ``dcterms:modified`` (None: not stated); ``endpoint_url`` adds a SPARQL endpoint (a
    ``dcat:DataService`` and ``void:sparqlEndpoint``); ``base_url`` is where the folder will be
    served, used for the absolute download URLs of the description. ``progress`` receives one
    line per step. Raises :class:`KbUsageError` for an unusable ``outdir`` or option, and
    :class:`KbError` when a step fails (a folder that cannot be written, a description that does
    not pass the DCAT-AP shapes).
    """
    import shutil
    import tempfile

    outdir = Path(outdir)
    version = _check_version(version)
    if endpoint_url is not None:
        _check_url(endpoint_url, "--endpoint-url")
    base_url = _check_url(base_url, "--base-url")
    if not base_url.endswith("/"):
        base_url += "/"
    _check_target(outdir)
    parent = outdir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-", dir=parent))
        os.chmod(building, 0o755)
    except OSError as exc:
        raise KbError(f"{parent}: cannot create the release folder here ({exc.strerror})") from None
    try:
        release = build(store, files, building, version=version, date=date, endpoint_url=endpoint_url,
                        base_url=base_url, progress=progress)
        _say(progress, 7, f"Moving the release into place at {outdir}")
        _swap(building, outdir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return replace(release, folder=outdir)


def is_release(folder: Path) -> bool:
    """True when ``folder`` holds a release written by :func:`publish` (``catalog.ttl`` and
    ``SHA256SUMS``), which a new release may replace."""
    return (folder / "catalog.ttl").is_file() and (folder / "SHA256SUMS").is_file()


def _check_target(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise KbUsageError(f"{outdir}: is a file; give a folder for the release")
    if outdir.is_dir() and any(outdir.iterdir()) and not is_release(outdir):
        raise KbUsageError(f"{outdir}: folder is not empty and holds no previous release; give a new or "
                           "empty folder (kb publish replaces only a release it wrote)")


def _swap(building: Path, outdir: Path) -> None:
    """Put the finished release ``building`` at ``outdir``, replacing a previous release."""
    import shutil
    import tempfile

    try:
        if not outdir.exists():
            os.rename(building, outdir)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.previous-", dir=building.parent))
        os.rmdir(old)
        os.rename(outdir, old)
        try:
            os.rename(building, outdir)
        except OSError:
            os.rename(old, outdir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise KbError(f"{outdir}: cannot move the release into place ({exc.strerror}); "
                      "the previous release, if any, is unchanged") from None


def _say(progress: Progress | None, step: int, message: str) -> None:
    if progress is not None:
        progress(f"[{step}/{_STEPS}] {message}")


def build(store, files: Sequence[Path], folder: Path, *, version: str = __version__, date: dt.date | None = None,
          endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL,
          progress: Progress | None = None) -> Release:
    """Write the release into ``folder`` (an existing, empty folder) and return what was written.

    See :func:`publish`, which builds into a temporary folder with this function and moves the
    result into place. Raises :class:`KbError` when a file cannot be written or the dataset
    description does not pass the DCAT-AP shapes.
    """
    folder = Path(folder)
    _say(progress, 1, "Reading the knowledge base")
    graph, prefixes = read_knowledge_base(files)

    _say(progress, 2, f"Writing the dumps of {len(graph)} triples (Turtle, N-Triples, JSON-LD)")
    dumps = write_dumps(graph, prefixes, folder, version)

    _say(progress, 3, f"Describing the dataset (DCAT, VoID) and checking it against the {PROFILE} shapes")
    description = describe(graph, dumps, version=version, date=date, endpoint_url=endpoint_url, base_url=base_url)
    problems = check_description(description)
    if problems:
        raise KbError(f"the dataset description does not pass the {PROFILE} shapes: " + "; ".join(problems))
    _write(folder / "catalog.ttl", _turtle(description, _description_prefixes(prefixes), _header(
        f"Description of the stedenbanden knowledge base, release {version}: DCAT ({PROFILE}) and VoID.")))

    _say(progress, 4, "Documenting the ontology (pyLODE)")
    anchors = ontology_docs(graph, prefixes, folder)

    _say(progress, 5, "Drawing the charts (links per partner country, initiator, theme)")
    charts = draw_charts(store, folder)

    site = _Site(graph + description, _description_prefixes(prefixes), anchors, base_url)
    _say(progress, 6, f"Writing {len(site.pages)} resource pages and the index")
    context = {
        "version": version,
        "date": date.isoformat() if date else None,
        "triples": len(graph),
        "endpoint_url": endpoint_url,
        "profile": PROFILE,
        "licence": LICENCE,
        "base_url": base_url,
    }
    site.write(folder, store, charts, dumps, context)
    _write_static(folder)
    written = _write_checksums(folder)
    return Release(folder, version, date, written, len(graph), len(site.pages))


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise KbError(f"{path}: cannot write the file ({exc.strerror})") from None


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _write_checksums(folder: Path) -> tuple[str, ...]:
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    lines = [f"{_sha256((folder / p).read_bytes())}  {p}\n" for p in paths]
    _write(folder / "SHA256SUMS", "".join(lines))
    return tuple(sorted([*paths, "SHA256SUMS"]))


def _write_static(folder: Path) -> None:
    css = package_files("stedenbanden").joinpath("templates", "style.css").read_bytes()
    _write(folder / "static" / "style.css", css)
    _write(folder / "favicon.ico", _favicon())


def _favicon(size: int = 16, rgb: tuple[int, int, int] = (0x1F, 0x5F, 0x8B)) -> bytes:
    """A square icon of one colour (the site's accent) in the ICO format: browsers ask for
    /favicon.ico on pages without an icon (the pyLODE pages), and a missing one is logged as an
    error. Written byte by byte, so it is the same on every run."""
    import struct

    pixels = bytes([rgb[2], rgb[1], rgb[0], 0xFF]) * (size * size)  # BGRA, bottom-up rows
    mask = bytes(((size + 31) // 32) * 4 * size)  # AND mask: all opaque
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + pixels + mask
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 22) + image


def _header(text: str) -> str:
    return (f"# {text}\n# Licence: CC BY 4.0 ({LICENCE}). Generated by `kb publish`; "
            "do not edit, regenerate it.\n")


# --------------------------------------------------------------------------------------------
# The knowledge base as an rdflib graph, and its dumps
# --------------------------------------------------------------------------------------------

def read_knowledge_base(files: Iterable[Path]):
    """The knowledge base in the Turtle ``files`` (ontology and data): an rdflib Graph of their
    triples, each once, and the namespace prefixes the files declare (prefix -> namespace IRI; a
    prefix or namespace keeps its first declaration, files read in the order given).

    The files are read rather than the Oxigraph store because the store keeps numbers in
    canonical form (``"50.0"^^xsd:decimal`` comes back as ``"50"``), and the dumps must hold the
    knowledge base's own terms. Blank nodes get stable labels (rdflib's canonical labelling), so
    that dumps of the same knowledge base are byte-identical from run to run. Raises
    :class:`KbError` for a file that cannot be read or parsed.
    """
    import pyoxigraph as ox
    import rdflib

    lines: set[str] = set()
    prefixes: dict[str, str] = {}
    for path in map(Path, files):
        try:
            data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
            parser = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
            for triple in parser:
                lines.add(f"{triple.subject} {triple.predicate} {triple.object} .\n")
        except OSError as exc:
            raise KbError(f"{path}: cannot read the file ({exc.strerror})") from None
        except SyntaxError as exc:
            raise KbError(f"{path}: Turtle syntax error: {exc}") from None
        for prefix, namespace in sorted(parser.prefixes.items()):
            if prefix not in prefixes and namespace not in prefixes.values():
                prefixes[prefix] = namespace
    graph = rdflib.Graph(bind_namespaces="none")
    graph.parse(data="".join(sorted(lines)), format="nt")
    return _canonical(graph), prefixes


def _bound(graph, prefixes: Mapping[str, str]):
    """A copy of ``graph`` with exactly ``prefixes`` bound, plus generated prefixes for other
    namespaces of properties and classes, made in sorted order so that they are stable."""
    import rdflib

    copy = rdflib.Graph(bind_namespaces="none")
    for triple in graph:
        copy.add(triple)
    for prefix, namespace in sorted(prefixes.items()):
        copy.bind(prefix, namespace, override=True, replace=True)
    needed = sorted({str(p) for p in graph.predicates()} | {str(o) for o in graph.objects(None, rdflib.RDF.type)
                                                            if isinstance(o, rdflib.URIRef)})
    for iri in needed:
        try:
            copy.namespace_manager.compute_qname(iri, generate=True)
        except (ValueError, KeyError):
            pass
    return copy


def _turtle(graph, prefixes: Mapping[str, str], header: str = "") -> str:
    """``graph`` as rdflib's "long" Turtle (subjects sorted, one property per line, blank nodes
    inline), keeping every literal's lexical form (see :func:`_exact_longturtle`)."""
    out = io.BytesIO()
    _exact_longturtle()(_bound(graph, prefixes)).serialize(out, encoding="utf-8")
    return header + "\n" + out.getvalue().decode("utf-8")


def _exact_longturtle():
    """rdflib's long-Turtle serializer, except that a typed literal is written in Turtle's short
    form (``39``, ``28.2``, ``true``) only when that keeps its lexical form: rdflib would write
    ``"5000"^^xsd:decimal`` as ``5000.0``, another RDF term, and the dump would no longer be the
    knowledge base. Uses rdflib's ``Literal._literal_n3``, the method the serializer itself calls."""
    from rdflib import Literal
    from rdflib.plugins.serializers.longturtle import _GEN_QNAME_FOR_DT, LongTurtleSerializer

    class ExactLongTurtle(LongTurtleSerializer):
        def label(self, node, position):
            if isinstance(node, Literal) and node.datatype is not None and node.language is None:
                def pname(datatype):
                    return self.get_pname(datatype, _GEN_QNAME_FOR_DT)

                short = node._literal_n3(use_plain=True, qname_callback=pname)
                if not short.startswith('"') and short != str(node):
                    return node._literal_n3(use_plain=False, qname_callback=pname)
            return super().label(node, position)

    return ExactLongTurtle


def _ntriples(graph) -> str:
    lines = [line for line in graph.serialize(format="nt").splitlines() if line.strip()]
    return "".join(line + "\n" for line in sorted(set(lines)))


def _jsonld_nodes(graph, context: Mapping[str, str]) -> list:
    """The nodes of ``graph`` as compacted JSON-LD node objects, in a stable order."""
    data = json.loads(graph.serialize(format="json-ld", context=dict(context), auto_compact=True))
    if isinstance(data, list):
        nodes = data
    elif "@graph" in data:
        nodes = data["@graph"]
    else:
        data.pop("@context", None)
        nodes = [data] if data else []

    def key(item):
        return json.dumps(item, sort_keys=True, ensure_ascii=False)

    for node in nodes:
        for name, value in node.items():
            if isinstance(value, list):
                node[name] = sorted(value, key=key)
    return sorted(nodes, key=lambda n: (str(n.get("@id", "")), key(n)))


def _json(data) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_dumps(graph, prefixes: Mapping[str, str], folder: Path, version: str) -> list[Dump]:
    """Write the knowledge base as Turtle, N-Triples and JSON-LD (with ``context.jsonld``) into
    ``folder/dumps`` and return the dumps with their sizes and checksums."""
    header = _header(f"The stedenbanden knowledge base (ontology and data), release {version}.")
    context = {p: ns for p, ns in sorted(prefixes.items()) if p}
    outputs = {
        "turtle": ("dumps/stedenbanden.ttl", _turtle(graph, prefixes, header)),
        "n-triples": ("dumps/stedenbanden.nt", _ntriples(graph)),
        "json-ld": ("dumps/stedenbanden.jsonld",
                    _json({"@context": "context.jsonld", "@graph": _jsonld_nodes(graph, context)})),
    }
    _write(folder / "dumps" / "context.jsonld", _json({"@context": context}))
    kinds = {
        "turtle": ("Turtle", "text/turtle", "RDF_TURTLE"),
        "n-triples": ("N-Triples", "application/n-triples", "RDF_N_TRIPLES"),
        "json-ld": ("JSON-LD", "application/ld+json", "JSON_LD"),
    }
    dumps = []
    for key, (path, text) in outputs.items():
        data = text.encode("utf-8")
        _write(folder / path, data)
        name, media, file_type = kinds[key]
        dumps.append(Dump(key, path, f"The knowledge base as {name}", f"De kennisbank als {name}", media,
                          file_type, len(data), _sha256(data)))
    return dumps


# --------------------------------------------------------------------------------------------
# The dataset description: DCAT (DCAT-AP 3.0.1) and VoID
# --------------------------------------------------------------------------------------------

_DESCRIPTION_PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "filetype": "http://publications.europa.eu/resource/authority/file-type/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "language": "http://publications.europa.eu/resource/authority/language/",
    "mediatype": "https://www.iana.org/assignments/media-types/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "spdx": "http://spdx.org/rdf/terms#",
    "datatheme": "http://publications.europa.eu/resource/authority/data-theme/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _description_prefixes(prefixes: Mapping[str, str]) -> dict[str, str]:
    merged = dict(_DESCRIPTION_PREFIXES)
    for prefix, namespace in prefixes.items():
        if prefix not in merged and namespace not in merged.values():
            merged[prefix] = namespace
    return merged


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def describe(graph, dumps: Sequence[Dump], *, version: str, date: dt.date | None = None,
             endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL):
    """The description of the release as an rdflib Graph: a ``dcat:Catalog`` holding the
    ``dcat:Dataset`` (also a ``void:Dataset``) with one ``dcat:Distribution`` per dump (media
    type, byte size, SHA-256 checksum), licence CC BY 4.0, temporal and spatial coverage,
    keywords, counts (``void:triples`` ...), vocabularies and example resources taken from
    ``graph``, and, when ``endpoint_url`` is given, the SPARQL endpoint as a ``dcat:DataService``.

    Titles and descriptions are in Dutch and English. Dates are stated only when ``date`` is."""
    import rdflib
    from rdflib import RDF, XSD, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF, PROV, RDFS, SKOS, VOID

    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # an open namespace: DCAT 3 terms such as dcat:version
    QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
    SB = rdflib.Namespace(SBDEF)
    SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
    g = rdflib.Graph(bind_namespaces="none")
    catalog, dataset, publisher, licence = URIRef(CATALOG), URIRef(DATASET), URIRef(PUBLISHER), URIRef(LICENCE)

    def text(node, prop, nl, en):
        g.add((node, prop, Literal(nl, lang="nl")))
        g.add((node, prop, Literal(en, lang="en")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("stedenbanden project")))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.label, Literal("Creative Commons Attribution 4.0 International (CC BY 4.0)", lang="en")))
    homepage = URIRef(base_url)
    g.add((homepage, RDF.type, FOAF.Document))

    g.add((catalog, RDF.type, DCAT.Catalog))
    text(catalog, DCTERMS.title, "Stedenbanden: open data", "City links (stedenbanden): open data")
    text(catalog, DCTERMS.description,
         "Catalogus van de open data over stedenbanden tussen Nederlandse gemeenten en gemeenten in de "
         "herkomstlanden van migranten.",
         "Catalogue of the open data on city links between Dutch municipalities and municipalities in "
         "migrants' countries of origin.")
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.dataset, dataset))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    text(dataset, DCTERMS.title, "Stedenbanden met herkomstlanden van migranten: kennisbank",
         "City links with migrants' countries of origin: knowledge base")
    text(dataset, DCTERMS.description,
         "Linked data over stedenbanden tussen Nederlandse gemeenten en gemeenten in de herkomstlanden van "
         "migranten in Nederland (Turkije, Marokko, Suriname, de Nederlandse Antillen en Aruba, Ghana, "
         "Kaapverdië en Indonesië): de cijfers van de inventarisatie van juni 2007 zoals NCDO ze in 2008 "
         "publiceerde, en de afzonderlijke banden die openbare bronnen vastleggen, elk feit met zijn bron. "
         "Met de ontologie en de codelijsten.",
         "Linked data on city links between Dutch municipalities and municipalities in the countries of "
         "origin of migrants in the Netherlands (Turkey, Morocco, Suriname, the Netherlands Antilles and "
         "Aruba, Ghana, Cape Verde and Indonesia): the figures of the June 2007 inventory as NCDO published "
         "them in 2008, and the individual links that public sources document, each fact with its source. "
         "With the ontology and the code lists.")
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCAT.version, Literal(version)))
    g.add((dataset, DCAT.landingPage, homepage))
    g.add((dataset, DCTERMS.conformsTo, URIRef(SBDEF)))
    g.add((URIRef(SBDEF), RDF.type, DCTERMS.Standard))
    if date is not None:
        for node in (catalog, dataset):
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.modified, Literal(date.isoformat(), datatype=XSD.date)))
    for code in ("NLD", "ENG"):
        language = URIRef(_DESCRIPTION_PREFIXES["language"] + code)
        g.add((dataset, DCTERMS.language, language))
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
    for code in ("SOCI", "GOVE"):
        g.add((dataset, DCAT.theme, URIRef(_DESCRIPTION_PREFIXES["datatheme"] + code)))
    keywords = (("stedenbanden", "city links"), ("stedenband", "twin towns"), ("gemeenten", "municipalities"),
                ("internationale samenwerking", "international cooperation"), ("migranten", "migrants"),
                ("herkomstlanden", "countries of origin"), ("linked data", "linked data"))
    for nl, en in keywords:
        g.add((dataset, DCAT.keyword, Literal(nl, lang="nl")))
        g.add((dataset, DCAT.keyword, Literal(en, lang="en")))

    # Temporal coverage: the periods the knowledge base's own datasets state (June 2007).
    periods = sorted({o for o in graph.objects(None, DCTERMS.temporal) if isinstance(o, URIRef)})
    for period in periods:
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        for p, o in graph.predicate_objects(period):
            if p in (RDFS.label, DCAT.startDate, DCAT.endDate):
                g.add((period, p, o))
    # Spatial coverage: the Netherlands (Wikidata), and the countries of origin of the code list.
    places = {URIRef(NETHERLANDS)}
    places.update(c for c in graph.subjects(RDF.type, SB.CountryOfOrigin)
                  if isinstance(c, URIRef) and str(c).startswith(SBID + "country/"))
    for place in sorted(places):
        g.add((dataset, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
    for source in (SBID + "source/ncdo-2008", SBID + "source/documented-links"):
        if (URIRef(source), None, None) in graph:
            g.add((dataset, PROV.wasDerivedFrom, URIRef(source)))

    # VoID: counts, vocabularies, example resources, dumps.
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    classes = {o for o in graph.objects(None, RDF.type)}
    properties = set(graph.predicates())
    g.add((dataset, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(len(subjects), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(len(set(graph.subjects())), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctObjects, Literal(len(set(graph.objects())), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(SBID)))
    for vocabulary in sorted({_namespace(str(t)) for t in properties | classes if isinstance(t, URIRef)}):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for cls in (SB.CityLink, SB.DutchMunicipality, QB.Observation, SKOS.ConceptScheme):
        members = sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
        if members:
            g.add((dataset, VOID.exampleResource, members[0]))

    for dump in dumps:
        node = URIRef(f"{DATASET}/distribution/{dump.key}")
        url = URIRef(base_url + dump.path)
        media = URIRef(_DESCRIPTION_PREFIXES["mediatype"] + dump.media_type)
        file_type = URIRef(_DESCRIPTION_PREFIXES["filetype"] + dump.file_type)
        g.add((dataset, DCAT.distribution, node))
        g.add((dataset, VOID.dataDump, url))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, dump.title_nl, dump.title_en)
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        g.add((node, DCAT.mediaType, media))
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((node, DCTERMS.format, file_type))
        g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((node, DCAT.byteSize, Literal(str(dump.size), datatype=XSD.nonNegativeInteger)))
        g.add((node, DCTERMS.license, licence))
        checksum = rdflib.BNode(f"sha256-{dump.key}")
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        if date is not None:
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
        if dump.key == "json-ld":
            text(node, DCTERMS.description, "De JSON-LD-context staat in dumps/context.jsonld.",
                 "The JSON-LD context is in dumps/context.jsonld.")
    if endpoint_url:
        service, endpoint = URIRef(SERVICE), URIRef(endpoint_url)
        node = URIRef(f"{DATASET}/distribution/sparql")
        g.add((catalog, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        text(service, DCTERMS.title, "SPARQL-endpoint van de kennisbank", "SPARQL endpoint of the knowledge base")
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCAT.servesDataset, dataset))
        g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        g.add((dataset, VOID.sparqlEndpoint, endpoint))
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, "De kennisbank via SPARQL", "The knowledge base through SPARQL")
        g.add((node, DCAT.accessURL, endpoint))
        g.add((node, DCAT.accessService, service))
        g.add((node, DCTERMS.license, licence))
    return _canonical(g, "description-")


def _canonical(graph, prefix: str = ""):
    """``graph`` with blank nodes labelled canonically (rdflib), each label after ``prefix``, so
    that it serializes the same way on every run (and, with different prefixes, two graphs can
    be merged without their blank nodes running together)."""
    import rdflib
    from rdflib.compare import to_canonical_graph

    if not any(isinstance(t, rdflib.BNode) for triple in graph for t in triple):
        return graph
    canonical = rdflib.Graph(bind_namespaces="none")
    for triple in to_canonical_graph(graph):
        canonical.add(tuple(rdflib.BNode(prefix + str(t)) if isinstance(t, rdflib.BNode) else t for t in triple))
    return canonical


def shapes_path() -> Path:
    """The packaged DCAT-AP 3.0.1 shapes (an extract of the official SHACL shapes)."""
    return Path(str(package_files("stedenbanden").joinpath("shapes", "dcat-ap.ttl")))


def check_description(description) -> list[str]:
    """Validate the dataset ``description`` (an rdflib Graph) against the packaged DCAT-AP
    shapes with pyshacl; return one line per violation (empty: it conforms)."""
    import rdflib
    from pyshacl import validate

    shapes = rdflib.Graph().parse(shapes_path(), format="turtle")
    conforms, report, _ = validate(description, shacl_graph=shapes, inference="none", advanced=False,
                                   allow_warnings=True)
    if conforms:
        return []
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        problems.append(f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                        f"{report.value(result, SH.resultMessage)}")
    return sorted(problems)


# --------------------------------------------------------------------------------------------
# Ontology documentation (pyLODE)
# --------------------------------------------------------------------------------------------

def _ontology_part(graph):
    """The triples about the ontology's own terms (subjects in ``sb:``) and the blank nodes
    they lead to, as a new graph."""
    import rdflib

    part = rdflib.Graph(bind_namespaces="none")
    todo = sorted({s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(SBDEF)})
    seen = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            part.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    return part


def _pylode():
    """pyLODE's OntPub class; pyLODE configures the root logger when imported, which is undone."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub


def ontology_docs(graph, prefixes: Mapping[str, str], folder: Path) -> dict[str, str]:
    """Document the ontology of ``graph`` with pyLODE: ``ontology/index.html`` in English and
    ``ontology/nl.html`` in Dutch (each from the ontology's triples with text in that language or
    without a language). Returns the fragment identifier of each ontology term in the English
    page, IRI -> fragment. Raises :class:`KbError` when pyLODE cannot document it."""
    import rdflib

    OntPub = _pylode()
    ontology = _ontology_part(graph)
    if not len(ontology):
        raise KbError(f"the knowledge base holds no ontology terms in {SBDEF}; load the ontology")
    anchors: dict[str, str] = {}
    for language, name in (("en", "index.html"), ("nl", "nl.html")):
        part = rdflib.Graph(bind_namespaces="none")
        for prefix, namespace in sorted(prefixes.items()):
            part.bind(prefix, namespace, override=True, replace=True)
        for s, p, o in ontology:
            if isinstance(o, rdflib.Literal) and o.language and o.language != language:
                continue
            part.add((s, p, o))
        try:
            doc = OntPub(ontology=part, sort_subjects=True)
            html = doc.make_html()
        except Exception as exc:  # pyLODE raises plain exceptions for ontologies it cannot read
            raise KbError(f"pyLODE could not document the ontology: {exc}") from None
        _write(folder / "ontology" / name, html if html.endswith("\n") else html + "\n")
        if language == "en":
            anchors = {str(iri): str(fid) for iri, fid in getattr(doc, "fids", {}).items()}
    return anchors


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
    from .catalogue import catalogue

    queries = catalogue()
    charts = []

    countries = [r for r in queries["countries"].run(store).records() if r["code"] != "_T"]
    labels = [str(r["country"]) for r in countries]
    _write(folder / "charts" / "countries.svg", _svg_bars(
        labels, [("published links", [r["links"] for r in countries], "#1f5f8b")], "city links (June 2007)"))
    charts.append(Chart("charts/countries.svg", "City links per country of origin",
                        "The 39 links of June 2007 by the partner's country, as NCDO published them "
                        "(stored query countries).",
                        ("country", "links", "share (%)"),
                        tuple((r["country"], r["links"], r["share_percent"]) for r in countries)))

    initiative = queries["initiative"].run(store).records()
    labels = [f"{r['initiator']} (derived)" if r.get("basis") == "derived" else str(r["initiator"]) for r in initiative]
    _write(folder / "charts" / "initiative.svg", _svg_bars(
        labels, [("links", [r["links"] for r in initiative], "#1f5f8b")], "city links (June 2007)"))
    charts.append(Chart("charts/initiative.svg", "City links per initiator",
                        "Who took the initiative for the 39 links; 'not reported' is 39 minus the "
                        "published counts (stored query initiative).",
                        ("initiator", "links", "share (%)", "basis"),
                        tuple((r["initiator"], r["links"], r["share_percent"], r["basis"]) for r in initiative)))

    themes = queries["themes"].run(store).records()
    labels = [str(r["theme"]) for r in themes]
    recorded = [(r["named_links"] or 0) + (r["active_june_2007_links"] or 0) + (r["other_dates_links"] or 0) for r in themes]
    _write(folder / "charts" / "themes.svg", _svg_bars(
        labels, [("published count (NCDO 2008)", [r["published_links"] for r in themes], "#1f5f8b"),
                 ("recorded links", recorded, "#d9822b")], "city links"))
    charts.append(Chart("charts/themes.svg", "City links per theme",
                        "Published counts exist for two themes only; the other bars count the links that "
                        "sources name one by one, whatever their evidence status (stored query themes).",
                        ("theme", "published links", "recorded links"),
                        tuple((r["theme"], r["published_links"], d) for r, d in zip(themes, recorded))))
    return charts


# --------------------------------------------------------------------------------------------
# The site: one page per resource, the index and the resource list
# --------------------------------------------------------------------------------------------

def page_path(iri: str) -> str | None:
    """The page (a path in the release) that describes ``iri``, or None when it gets none.

    ``https://w3id.org/stedenbanden/id/<path>`` is described at ``doc/<path>.html`` and the
    TOOI municipality ``https://identifier.overheid.nl/tooi/id/gemeente/gmNNNN`` at
    ``doc/tooi/gmNNNN.html``. IRIs with characters that do not make a portable file name get
    no page."""
    if iri.startswith(SBID):
        rest = iri[len(SBID):]
        if _SAFE_PATH.fullmatch(rest) and ".." not in rest.split("/"):
            return f"doc/{rest}.html"
        return None
    match = _TOOI_IRI.fullmatch(iri)
    if match:
        return f"doc/tooi/{match.group(1)}.html"
    return None


def relative(target: str, page: str) -> str:
    """The relative link from the page at ``page`` to ``target`` (both paths in the release)."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    return posixpath.relpath(target, posixpath.dirname(page) or ".") + fragment


@dataclass
class Value:
    """One value on a page: its text, where it links (relative, or an absolute external IRI),
    its language tag, the IRI it stands for (for a blank node its canonical label), and for a
    blank node the rows that describe it."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None
    iri: str | None = None
    rows: list = field(default_factory=list)


@dataclass
class Row:
    """One property of a resource and its values, sorted."""

    label: str
    href: str | None
    iri: str
    values: list


_KIND_TITLES = {
    "link": "City links", "tooi": "Dutch municipalities", "partner": "Partner governments",
    "country": "Countries of origin", "observation": "Published figures (observations)",
    "dataset": "Datasets", "source": "Sources", "organization": "Organisations", "scheme": "Code lists",
    "theme": "Themes", "motive": "Motives", "initiator": "Initiators", "status": "Evidence status",
    "capacity": "Capacity classes", "budget": "Budget classes", "period": "Start periods",
    "characteristic": "Municipal characteristics", "qualifier": "Value qualifiers", "group": "Municipality groups",
    "code": "Shared codes", "collection": "Collections", "time": "Periods of time", "service": "Services",
}

_PROPERTY_LABELS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "other name",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#note": "note",
    "http://www.w3.org/2004/02/skos/core#notation": "code",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in code list",
    "http://www.w3.org/2004/02/skos/core#broader": "broader concept",
    "http://www.w3.org/2004/02/skos/core#narrower": "narrower concept",
    "http://www.w3.org/2004/02/skos/core#topConceptOf": "top concept of",
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": "top concepts",
    "http://www.w3.org/2004/02/skos/core#member": "members",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "same as",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close to",
    "http://purl.org/dc/terms/source": "source (evidence)",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/creator": "author",
    "http://purl.org/dc/terms/issued": "issued",
    "http://purl.org/dc/terms/modified": "modified",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/temporal": "period covered",
    "http://purl.org/dc/terms/spatial": "area covered",
    "http://purl.org/dc/terms/isPartOf": "part of",
    "http://purl.org/dc/terms/hasPart": "parts",
    "http://purl.org/dc/terms/type": "kind",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/license": "licence",
    "http://purl.org/dc/terms/format": "file format",
    "http://purl.org/dc/terms/conformsTo": "conforms to",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasAttributedTo": "attributed to",
    "http://purl.org/linked-data/cube#dataSet": "dataset",
    "http://purl.org/linked-data/cube#measureType": "measure",
    "http://purl.org/linked-data/cube#structure": "structure",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of the organisation",
    "http://www.w3.org/ns/dcat#startDate": "start date",
    "http://www.w3.org/ns/dcat#endDate": "end date",
    "http://www.w3.org/ns/dcat#distribution": "distribution",
    "http://www.w3.org/ns/dcat#dataset": "dataset",
    "http://www.w3.org/ns/dcat#accessURL": "access URL",
    "http://www.w3.org/ns/dcat#downloadURL": "download URL",
    "http://www.w3.org/ns/dcat#mediaType": "media type",
    "http://www.w3.org/ns/dcat#byteSize": "size in bytes",
    "http://www.w3.org/ns/dcat#keyword": "keyword",
    "http://www.w3.org/ns/dcat#version": "version",
    "http://www.w3.org/ns/dcat#landingPage": "landing page",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://spdx.org/rdf/terms#checksum": "checksum",
    "http://spdx.org/rdf/terms#algorithm": "algorithm",
    "http://spdx.org/rdf/terms#checksumValue": "value",
}

_EXTERNAL_NAMES = (
    (r"https?://www\.wikidata\.org/entity/(Q[0-9]+)", "Wikidata {}"),
    (r"https?://sws\.geonames\.org/([0-9]+)/?", "GeoNames {}"),
    (re.escape(TOOI_GEMEENTE) + r"(gm[0-9]{4})", "TOOI {}"),
)

_NAME_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name")


class _Site:
    """The pages of a release, worked out from ``graph`` (the knowledge base and its description)."""

    def __init__(self, graph, prefixes: Mapping[str, str], anchors: Mapping[str, str], base_url: str):
        import rdflib

        self.rdflib = rdflib
        self.graph = graph
        self.prefixes = dict(prefixes)
        self.anchors = dict(anchors)
        self.base_url = base_url
        self.labels, self.dutch = self._labels()
        self.pages: dict[str, str] = {}
        taken: set[str] = set()
        for subject in sorted({str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}):
            path = page_path(subject)
            if path and path not in taken:
                self.pages[subject] = path
                taken.add(path)
        self._observation_labels()

    # -- labels ---------------------------------------------------------------------------------

    def _labels(self):
        rdflib = self.rdflib
        ranks = {p: i for i, p in enumerate(_NAME_PROPERTIES)}
        best, dutch = {}, {}
        for prop, rank in ranks.items():
            for s, o in self.graph.subject_objects(rdflib.URIRef(prop)):
                if not isinstance(o, rdflib.Literal):
                    continue
                lang = {"en": 0, None: 1, "nl": 2}.get(o.language, 3)
                key = (rank, lang, str(o))
                if s not in best or key < best[s][0]:
                    best[s] = (key, str(o))
                if o.language == "nl" and (s not in dutch or (rank, str(o)) < dutch[s][0]):
                    dutch[s] = ((rank, str(o)), str(o))
        return {str(s): v[1] for s, v in best.items()}, {str(s): v[1] for s, v in dutch.items()}

    def _observation_labels(self):
        """Observations have no names; call each by its measure, value and the categories it is
        broken down by, e.g. 'number of city links: 13 (Turkey)'."""
        rdflib = self.rdflib
        QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
        dimensions = set(self.graph.subjects(rdflib.RDF.type, QB.DimensionProperty))
        for obs in sorted(self.graph.subjects(rdflib.RDF.type, QB.Observation), key=str):
            if str(obs) in self.labels:
                continue
            measure = self.graph.value(obs, QB.measureType)
            value = self.graph.value(obs, measure) if measure is not None else None
            if measure is None or value is None:
                continue
            parts = sorted({self.label(o) for p, o in self.graph.predicate_objects(obs)
                            if p in dimensions and p != QB.measureType and not str(o).startswith(SBID + "code/")
                            and isinstance(o, rdflib.URIRef)})
            shown = f"{self.label(measure)}: {value}"
            self.labels[str(obs)] = shown + (f" ({', '.join(parts)})" if parts else "")

    def curie(self, iri: str) -> str:
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if re.fullmatch(r"[A-Za-z0-9_.-]+", local):
                    return f"{prefix}:{local}"
        return iri

    def label(self, term) -> str:
        iri = str(term)
        if iri in self.labels:
            return self.labels[iri]
        if iri in _PROPERTY_LABELS:
            return _PROPERTY_LABELS[iri]
        return self.curie(iri)

    # -- links ----------------------------------------------------------------------------------

    def href(self, iri: str, page: str) -> tuple[str | None, bool]:
        """Where a mention of ``iri`` on ``page`` links: (href, external)."""
        if iri in self.pages:
            return relative(self.pages[iri], page), False
        if iri.startswith(SBDEF) or iri == SBDEF.rstrip("#"):
            anchor = self.anchors.get(iri)
            return relative("ontology/index.html" + (f"#{anchor}" if anchor else ""), page), False
        if iri.startswith(self.base_url) and self._site_file(iri[len(self.base_url):]):
            return relative(iri[len(self.base_url):] or "index.html", page), False
        if iri.startswith(SBID):
            return None, False
        if re.match(r"https?://", iri):
            return iri, True
        return None, False

    def _site_file(self, rest: str) -> bool:
        return rest == "" or rest.startswith(("dumps/", "charts/", "ontology/")) or rest in ("catalog.ttl", "index.html")

    def value(self, term, page: str, depth: int = 0) -> Value:
        rdflib = self.rdflib
        if isinstance(term, rdflib.Literal):
            return Value(str(term), lang=term.language)
        if isinstance(term, rdflib.BNode):
            rows = self.rows(term, page, depth + 1) if depth < 4 else []
            return Value("", rows=rows, iri=str(term))  # canonical label: a stable sort key
        iri = str(term)
        href, external = self.href(iri, page)
        return Value(self.labels.get(iri) or self.external_name(iri) or self.label(iri), href, external, iri=iri)

    def external_name(self, iri: str) -> str | None:
        """How to show an IRI of Wikidata, GeoNames or TOOI, which the pages link out to."""
        for pattern, shown in _EXTERNAL_NAMES:
            match = re.fullmatch(pattern, iri)
            if match:
                return shown.format(*match.groups())
        return None

    def _sort_key(self, value: Value):
        return (value.text.casefold(), value.lang or "", value.iri or "")

    def rows(self, subject, page: str, depth: int = 0) -> list[Row]:
        rdflib = self.rdflib
        grouped: dict = {}
        for p, o in self.graph.predicate_objects(subject):
            grouped.setdefault(p, []).append(o)
        rows = []
        for prop, objects in grouped.items():
            iri = str(prop)
            href, _ = self.href(iri, page)
            values = sorted((self.value(o, page, depth) for o in objects), key=self._sort_key)
            rows.append(Row(self.label(prop), href, iri, values))
        first = {str(rdflib.RDF.type): 0, _NAME_PROPERTIES[0]: 1, _NAME_PROPERTIES[1]: 2}
        return sorted(rows, key=lambda r: (first.get(r.iri, 9), r.label.casefold(), r.iri))

    def incoming(self, subject, page: str) -> list[Row]:
        grouped: dict = {}
        for s, p in self.graph.subject_predicates(subject):
            if isinstance(s, self.rdflib.URIRef):
                grouped.setdefault(p, []).append(s)
        rows = []
        for prop, subjects in grouped.items():
            href, _ = self.href(str(prop), page)
            values = sorted((self.value(s, page) for s in subjects), key=self._sort_key)
            rows.append(Row(self.label(prop), href, str(prop), values))
        return sorted(rows, key=lambda r: (r.label.casefold(), r.iri))

    def jsonld(self, subject) -> str:
        """The resource's own description (its triples and the blank nodes they lead to) as
        JSON-LD, safe to put in a ``<script>`` element."""
        rdflib = self.rdflib
        part = rdflib.Graph(bind_namespaces="none")
        todo, seen = [subject], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, o in self.graph.predicate_objects(node):
                part.add((node, p, o))
                if isinstance(o, rdflib.BNode):
                    todo.append(o)
        used = {p: ns for p, ns in self.prefixes.items()
                if p and any(str(t).startswith(ns) for triple in part for t in triple)}
        nodes = _jsonld_nodes(part, used)
        data = {"@context": dict(sorted(used.items())), "@graph": nodes}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")

    # -- writing --------------------------------------------------------------------------------

    def kind(self, iri: str) -> str:
        path = self.pages[iri]
        parts = path.split("/")
        return parts[1] if len(parts) > 2 else ""

    def write(self, folder: Path, store, charts: Sequence[Chart], dumps: Sequence[Dump], release: Mapping) -> None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        templates = Path(str(package_files("stedenbanden").joinpath("templates")))
        env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(["html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        resource = env.get_template("resource.html")
        rdflib = self.rdflib
        for iri, path in self.pages.items():
            term = rdflib.URIRef(iri)
            rows = self.rows(term, path)
            types = next((r.values for r in rows if r.iri == str(rdflib.RDF.type)), [])
            html = resource.render(
                root=relative("index.html", path).removesuffix("index.html"), page=path, release=release,
                iri=iri, title=self.label(iri), dutch=self.dutch.get(iri), types=types,
                rows=[r for r in rows if r.iri != str(rdflib.RDF.type)], incoming=self.incoming(term, path),
                tooi=iri if _TOOI_IRI.fullmatch(iri) else None, kind=_KIND_TITLES.get(self.kind(iri), self.kind(iri)),
                jsonld=self.jsonld(term))
            _write(folder / path, html)
        self._write_browse(env, folder, release)
        self._write_index(env, folder, store, charts, dumps, release)

    def _write_browse(self, env, folder: Path, release: Mapping) -> None:
        groups: dict[str, list] = {}
        for iri in self.pages:
            groups.setdefault(self.kind(iri), []).append(self.value(self.rdflib.URIRef(iri), "browse.html"))
        ordered = sorted(groups.items(), key=lambda kv: (list(_KIND_TITLES).index(kv[0]) if kv[0] in _KIND_TITLES
                                                         else len(_KIND_TITLES), kv[0]))
        sections = [(_KIND_TITLES.get(k, k or "Other"), k or "other", sorted(v, key=self._sort_key)) for k, v in ordered]
        html = env.get_template("browse.html").render(root="", page="browse.html", release=release,
                                                      title="All resources", sections=sections)
        _write(folder / "browse.html", html)

    def _write_index(self, env, folder: Path, store, charts, dumps, release: Mapping) -> None:
        from .report import build as report_build

        rdflib = self.rdflib
        SB = rdflib.Namespace(SBDEF)
        DCTERMS = rdflib.namespace.DCTERMS
        page = "index.html"
        sections = {}
        for section in self.graph.subjects(rdflib.RDF.type, SB.ReportSection):
            for title in self.graph.objects(section, DCTERMS.title):
                sections.setdefault(str(title), str(section))
        columns, rows = report_build(store)
        figures = []
        for row in rows:
            record = dict(zip(columns, row))
            section = sections.get(record["section"])
            record["section_href"] = self.href(section, page)[0] if section else None
            figures.append(record)
        links = []
        for link in sorted(self.graph.subjects(rdflib.RDF.type, SB.CityLink), key=lambda t: self.label(t).casefold()):
            if not isinstance(link, rdflib.URIRef):
                continue

            def values(prop):
                return sorted((self.value(o, page) for o in self.graph.objects(link, prop)), key=self._sort_key)

            links.append({"link": self.value(link, page), "municipality": values(SB.dutchMunicipality),
                          "partner": values(SB.partner), "country": values(SB.partnerCountry),
                          "status": values(SB.evidenceStatus), "start": values(SB.startYear),
                          "sources": len(set(self.graph.objects(link, DCTERMS.source)))})
        html = env.get_template("index.html").render(
            root="", page=page, release=release, title="City links with migrants' countries of origin",
            figures=figures, charts=charts, links=links, dumps=dumps, pages=len(self.pages),
            dataset=self.value(rdflib.URIRef(DATASET), page))
        _write(folder / "index.html", html)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False, writable=False))
@click.option("--endpoint-url", metavar="URL", help="SPARQL endpoint that serves the knowledge base, "
              "stated in the description (dcat:DataService, void:sparqlEndpoint).")
@click.option("--version", "version", default=__version__, show_default=True, metavar="TEXT",
              help="Version name of the release (dcat:version).")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Release date (dcterms:issued, dcterms:modified). Default: SOURCE_DATE_EPOCH if set, "
                   "else no date is stated; never the clock, so that rebuilds are identical.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, metavar="URL",
              help="Where OUTDIR will be served; the download URLs in catalog.ttl start with it.")
@click.pass_obj
def _publish(state, outdir: Path, endpoint_url, version, date, base_url):
    """Publish the knowledge base as open data in OUTDIR: dumps (Turtle, N-Triples, JSON-LD),
    a DCAT-AP/VoID description, ontology documentation and a static site with a page per
    resource. OUTDIR is replaced only when the new release is complete."""
    started = time.monotonic()
    when = release_date(date)
    release = publish(state.store(), state.files(), outdir, version=version, date=when, endpoint_url=endpoint_url,
                      base_url=base_url, progress=lambda line: click.echo(line, err=True))
    click.echo(f"Done in {time.monotonic() - started:.1f} s.", err=True)
    dated = f", dated {when.isoformat()}," if when else " (no release date: give --date YYYY-MM-DD)"
    click.echo(f"Published release {release.version}{dated} to {release.folder}: {len(release.files)} files, "
               f"{release.triples} triples, {release.pages} resource pages.")
    click.echo(f"Browse it: python -m http.server -d {release.folder}, then open http://127.0.0.1:8000/")


publish_command = click.command("publish")(_publish)
