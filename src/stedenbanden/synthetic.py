"""Synthetic test data shaped like the knowledge base, for benchmarks and scale tests.

:func:`generate` writes Turtle with Dutch municipalities (TOOI IRIs and CBS codes), partner
governments, city links (status, years, themes, motives, initiator, sources) and RDF Data Cube
observations in data sets of the ontology's two structures, for any size from a thousand to
millions of triples. The same ``seed`` and size always give a byte-identical file.

None of it is real. Every synthetic resource has an IRI under
``https://w3id.org/stedenbanden/id/synthetic/``; the municipalities use TOOI IRIs ``gm9000`` to
``gm9999`` and CBS codes ``GM9000`` to ``GM9999``, which CBS does not assign, so that they pass the
shapes' patterns without naming a real municipality; no GeoNames place and no web page is cited.
The file says so in its first lines. Never put synthetic data in ``data/``.

The code lists (themes, motives, countries, ...) are read from the shipped ontology, so that the
synthetic data uses exactly the concepts the shapes accept.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from .errors import KbUsageError
from .formats import OUTPUT_FILE

SYNTHETIC = "https://w3id.org/stedenbanden/id/synthetic/"
FIRST_CODE = 9000   # synthetic CBS codes GM9000..GM9999; CBS does not use this range
MAX_MUNICIPALITIES = 1000
MIN_TRIPLES = 1000
MAX_TRIPLES = 50_000_000
OBSERVATIONS_PER_DATASET = 24
LINKS_PER_OBSERVATION = 4

PREFIXES = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix tooi: <https://identifier.overheid.nl/tooi/id/gemeente/> .
@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .
@prefix scheme: <https://w3id.org/stedenbanden/id/scheme/> .
@prefix code: <https://w3id.org/stedenbanden/id/code/> .
@prefix country: <https://w3id.org/stedenbanden/id/country/> .
@prefix status: <https://w3id.org/stedenbanden/id/status/> .
@prefix qualifier: <https://w3id.org/stedenbanden/id/qualifier/> .
@prefix synsource: <https://w3id.org/stedenbanden/id/synthetic/source/> .
@prefix synpartner: <https://w3id.org/stedenbanden/id/synthetic/partner/> .
@prefix synlink: <https://w3id.org/stedenbanden/id/synthetic/link/> .
@prefix syndataset: <https://w3id.org/stedenbanden/id/synthetic/dataset/> .
@prefix synobs: <https://w3id.org/stedenbanden/id/synthetic/observation/> .
@prefix syngroup: <https://w3id.org/stedenbanden/id/synthetic/group/> .
"""


@dataclass(frozen=True)
class CodeLists:
    """The concepts of the shipped code lists that synthetic data uses, each a list of full IRIs
    sorted by notation (so generation does not depend on file order)."""

    themes: tuple[str, ...]
    motives: tuple[str, ...]
    initiators: tuple[str, ...]          # without not-reported (a derived category) and total
    countries: tuple[str, ...]           # ISO-coded countries of origin (no grouping, no total)
    periods: tuple[str, ...]
    characteristics: tuple[str, ...]     # members of the characteristic collection, without total


def code_lists() -> CodeLists:
    """Read the concepts of the shipped ontology's code lists (see :class:`CodeLists`)."""
    from .resources import ontology_files
    from .store import load

    store = load(ontology_files())
    base = "https://w3id.org/stedenbanden/id/"

    def concepts(scheme: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
        rows = store.query(f"""
            SELECT ?c ?n WHERE {{
              ?c <http://www.w3.org/2004/02/skos/core#inScheme> <{base}scheme/{scheme}> ;
                 <http://www.w3.org/2004/02/skos/core#notation> ?n .
            }}""")
        found = sorted((r["n"].value, r["c"].value) for r in rows)
        return tuple(c for n, c in found if n != "_T" and n not in exclude)

    members = store.query(f"""
        SELECT ?c ?n WHERE {{
          <{base}collection/characteristic> <http://www.w3.org/2004/02/skos/core#member> ?c .
          ?c <http://www.w3.org/2004/02/skos/core#notation> ?n .
        }}""")
    characteristics = tuple(c for n, c in sorted((r["n"].value, r["c"].value) for r in members) if n != "_T")
    return CodeLists(
        themes=concepts("theme"),
        motives=concepts("motive"),
        initiators=concepts("initiator", exclude=("not-reported",)),
        countries=concepts("country", exclude=("AN-AW",)),
        periods=concepts("start-period"),
        characteristics=characteristics,
    )


def _iri(full: str) -> str:
    """A full IRI as a Turtle term, shortened with the prefixes above where they fit."""
    for prefix, namespace in (("country:", "https://w3id.org/stedenbanden/id/country/"),
                              ("code:", "https://w3id.org/stedenbanden/id/code/")):
        if full.startswith(namespace):
            return prefix + full[len(namespace):]
    return f"<{full}>"


class _Writer:
    """Collects Turtle statements and counts their triples."""

    def __init__(self):
        self.parts: list[str] = []
        self.triples = 0

    def subject(self, subject: str, pairs: list[tuple[str, list[str]]]) -> None:
        lines = []
        for predicate, objects in pairs:
            if objects:
                lines.append(f"    {predicate} {', '.join(objects)}")
                self.triples += len(objects)
        self.parts.append(subject + "\n" + " ;\n".join(lines) + " .\n\n")


def _lang(text: str, language: str) -> str:
    return f'"{text}"@{language}'


def generate(triples: int, seed: int = 1, progress=None) -> str:
    """Return synthetic Turtle of about ``triples`` triples (at least that many, at most a few
    dozen more), generated from ``seed``: the same arguments always give the same text.

    The file holds ``min(1000, max(10, triples // 40))`` synthetic Dutch municipalities (about a
    third of them Millennium Municipalities; about two links each up to 10^5 triples, more above,
    as the synthetic code range has room for 1,000), synthetic sources, partner governments in the
    countries of origin, city links (about four per observation) and observations in data sets of
    24 observations each, going round the four structures ``sb:cityLinkCountStructure``,
    ``sb:municipalityCountStructure``, ``sb:cityLinkShareStructure`` and
    ``sb:municipalityShareStructure`` (the municipality ones for a synthetic municipality group).
    It passes ``kb validate`` on its own (with the ontology).

    ``progress``, if given, is called with the number of triples written so far. Raises
    :class:`KbUsageError` when ``triples`` is below 1,000 or above 50,000,000.
    """
    if not MIN_TRIPLES <= triples <= MAX_TRIPLES:
        raise KbUsageError(f"--triples {triples}: choose a size from {MIN_TRIPLES:,} to {MAX_TRIPLES:,}")
    codes = code_lists()
    rng = random.Random(seed)
    out = _Writer()

    n_municipalities = min(MAX_MUNICIPALITIES, max(10, triples // 40))
    n_sources = min(500, max(3, triples // 2000))

    # --- sources ---------------------------------------------------------------------------------
    sources = [f"synsource:s{i:04d}" for i in range(1, n_sources + 1)]
    for i, source in enumerate(sources, 1):
        out.subject(source, [
            ("a", ["dcterms:BibliographicResource"]),
            ("dcterms:title", [_lang(f"Synthetic source {i}", "en")]),
            ("dcterms:publisher", ['"synthetic.example"']),
            ("rdfs:label", [_lang(f"Synthetic source {i}", "en"), _lang(f"Synthetische bron {i}", "nl")]),
            ("skos:note", [_lang("Synthetic test data; not a real document.", "en")]),
        ])

    # --- municipalities --------------------------------------------------------------------------
    municipalities = []
    for i in range(n_municipalities):
        number = FIRST_CODE + i
        iri = f"tooi:gm{number}"
        municipalities.append((iri, number))
        types = ["tooiont:Gemeente", "sb:DutchMunicipality"]
        if rng.random() < 1 / 3:
            types.append("sb:MillenniumMunicipality")
        out.subject(iri, [
            ("a", types),
            ("skos:prefLabel", [_lang(f"Synthetische gemeente {number}", "nl"), _lang(f"Synthetic municipality {number}", "en")]),
            ("rdfs:label", [_lang(f"Synthetische gemeente {number}", "nl"), _lang(f"Synthetic municipality {number}", "en")]),
            ("sb:cbsMunicipalityCode", [f'"GM{number}"']),
            ("skos:note", [_lang("Synthetic test data; not a real municipality (CBS does not use codes GM9000-GM9999).", "en")]),
            ("dcterms:source", [rng.choice(sources)]),
        ])

    partners: list[tuple[str, str]] = []     # (partner term, country IRI)
    used: set[tuple[int, int]] = set()       # (municipality index, partner index) already linked
    n_links = n_observations = n_datasets = 0
    dataset_combos: list = []
    dataset = group = structure = None

    def new_partner() -> int:
        index = len(partners) + 1
        country = rng.choice(codes.countries)
        notation = country.rsplit("/", 1)[-1]
        kind = "sb:PartnerIsland" if notation in ("AN", "AW") and rng.random() < 0.5 else "sb:PartnerMunicipality"
        term = f"synpartner:p{index:06d}"
        out.subject(term, [
            ("a", [kind]),
            ("skos:prefLabel", [_lang(f"Synthetische partner {index}", "nl"), _lang(f"Synthetic partner {index}", "en")]),
            ("rdfs:label", [_lang(f"Synthetische partner {index}", "nl"), _lang(f"Synthetic partner {index}", "en")]),
            ("sb:partnerCountry", [_iri(country)]),
            ("dcterms:source", [rng.choice(sources)]),
        ])
        partners.append((term, country))
        return index - 1

    def new_link() -> None:
        nonlocal n_links
        m = rng.randrange(n_municipalities)
        p = new_partner() if not partners or rng.random() < 0.75 else rng.randrange(len(partners))
        while (m, p) in used:
            p = new_partner()
        used.add((m, p))
        n_links += 1
        municipality, number = municipalities[m]
        partner, country = partners[p]
        partner_number = int(partner.rsplit("p", 1)[-1])
        pairs = [
            ("a", ["sb:CityLink"]),
            ("skos:prefLabel", [_lang(f"Synthetische gemeente {number} – Synthetische partner {partner_number}", "nl"),
                                _lang(f"Synthetic municipality {number} – Synthetic partner {partner_number}", "en")]),
            ("rdfs:label", [_lang(f"Synthetic municipality {number} – Synthetic partner {partner_number}", "en")]),
            ("sb:dutchMunicipality", [municipality]),
            ("sb:partner", [partner]),
            ("sb:partnerCountry", [_iri(country)]),
            ("sb:evidenceStatus", [rng.choices(["status:named", "status:active-june-2007", "status:other-dates"], (1, 5, 4))[0]]),
        ]
        start = formalised = None
        if rng.random() < 0.7:
            start = rng.randint(1950, 2007)
            pairs.append(("sb:startYear", [f'"{start}"^^xsd:gYear']))
            if rng.random() < 0.05:
                pairs.append(("sb:startYearQualifier", ["qualifier:approximate"]))
            if rng.random() < 0.4:
                formalised = rng.randint(start, min(start + 8, 2010))
                pairs.append(("sb:formalisedYear", [f'"{formalised}"^^xsd:gYear']))
            if rng.random() < 0.15:
                end = rng.randint(max(start, formalised or start), 2024)
                pairs.append(("sb:endYear", [f'"{end}"^^xsd:gYear']))
        pairs.append(("sb:theme", [_iri(t) for t in rng.sample(codes.themes, rng.choices((0, 1, 2, 3), (3, 4, 2, 1))[0])]))
        pairs.append(("sb:motive", [_iri(t) for t in rng.sample(codes.motives, rng.choices((0, 1, 2), (5, 3, 2))[0])]))
        if rng.random() < 0.5:
            pairs.append(("sb:initiatorType", [_iri(rng.choice(codes.initiators))]))
        pairs.append(("dcterms:source", sorted(set(rng.sample(sources, min(len(sources), rng.choice((1, 1, 2))))))))
        out.subject(f"synlink:l{n_links:07d}", pairs)

    def new_dataset() -> None:
        nonlocal n_datasets, dataset, group, structure, dataset_combos
        n_datasets += 1
        dataset = f"syndataset:d{n_datasets:05d}"
        city = n_datasets % 2 == 1
        share = n_datasets % 4 in (3, 0)
        structure = (("sb:cityLinkShareStructure" if share else "sb:cityLinkCountStructure") if city
                     else ("sb:municipalityShareStructure" if share else "sb:municipalityCountStructure"))
        kind_en = "city link statistics" if city else "municipality statistics"
        kind_nl = "stedenbandstatistieken" if city else "gemeentestatistieken"
        out.subject(dataset, [
            ("a", ["qb:DataSet"]),
            ("dcterms:title", [_lang(f"Synthetische {kind_nl} {n_datasets}", "nl"), _lang(f"Synthetic {kind_en} {n_datasets}", "en")]),
            ("rdfs:label", [_lang(f"Synthetische {kind_nl} {n_datasets}", "nl"), _lang(f"Synthetic {kind_en} {n_datasets}", "en")]),
            ("qb:structure", [structure]),
            ("dcterms:source", [rng.choice(sources)]),
        ])
        if city:
            dims = [[*codes.countries, "https://w3id.org/stedenbanden/id/code/total"],
                    [*codes.initiators, "https://w3id.org/stedenbanden/id/code/total"],
                    [*codes.themes, "https://w3id.org/stedenbanden/id/code/total"],
                    [*codes.periods, "https://w3id.org/stedenbanden/id/code/total"],
                    ["sb:percentageOfCityLinks" if share else "sb:numberOfCityLinks"]]
            group = None
        else:
            group = f"syngroup:g{n_datasets:05d}"
            members = sorted(rng.sample(range(n_municipalities), min(n_municipalities, rng.randint(5, 20))))
            out.subject(group, [
                ("a", ["skos:Concept", "sb:MunicipalityGroup"]),
                ("skos:prefLabel", [_lang(f"synthetische gemeentegroep {n_datasets}", "nl"), _lang(f"synthetic municipality group {n_datasets}", "en")]),
                ("skos:definition", [_lang("Een verzonnen groep gemeenten voor testgegevens; geen echte groep.", "nl"),
                                     _lang("A made-up group of municipalities for test data; not a real group.", "en")]),
                ("skos:notation", [f'"synthetic-{n_datasets}"']),
                ("skos:inScheme", ["scheme:municipality-group"]),
                ("sb:includesMunicipality", [municipalities[i][0] for i in members]),
            ])
            dims = [[*codes.characteristics, "https://w3id.org/stedenbanden/id/code/total"],
                    ["sb:percentageOfMunicipalities" if share else "sb:numberOfMunicipalities"]]
        combos = 1
        for values in dims:
            combos *= len(values)
        chosen = sorted(rng.sample(range(combos), min(combos, OBSERVATIONS_PER_DATASET)))
        dataset_combos = []
        for index in chosen:
            combo = []
            for values in reversed(dims):
                index, i = divmod(index, len(values))
                combo.append(values[i])
            dataset_combos.append(list(reversed(combo)))

    def new_observation() -> None:
        nonlocal n_observations
        if not dataset_combos:
            new_dataset()
        combo = dataset_combos.pop(0)
        n_observations += 1
        measure = combo[-1]
        if measure.startswith("sb:number"):
            value = str(rng.randint(0, 50))
        else:
            value = f"{rng.randint(0, 1000) / 10:.1f}"
        pairs = [("a", ["qb:Observation"]), ("qb:dataSet", [dataset])]
        if structure.startswith("sb:cityLink"):
            for prop, concept in zip(("sb:partnerCountry", "sb:initiatorType", "sb:theme", "sb:startPeriod"), combo):
                pairs.append((prop, [_iri(concept)]))
        else:
            pairs.append(("sb:municipalityGroup", [group]))
            pairs.append(("sb:characteristic", [_iri(combo[0])]))
        pairs += [
            ("qb:measureType", [measure]),
            (measure, [value]),
            ("sb:valueQualifier", [rng.choices(["qualifier:exact", "qualifier:approximate", "qualifier:more-than"], (8, 1, 1))[0]]),
            ("dcterms:source", [rng.choice(sources)]),
        ]
        out.subject(f"synobs:o{n_observations:07d}", pairs)

    step = 0
    while out.triples < triples:
        new_link()
        step += 1
        if step % LINKS_PER_OBSERVATION == 0:
            new_observation()
        if progress is not None and step % 1000 == 0:
            progress(out.triples)
    if progress is not None:
        progress(out.triples)

    header = (
        "# SYNTHETIC TEST DATA - NOT REAL FACTS.\n"
        f"# Generated by `kb generate --triples {triples} --seed {seed}` (stedenbanden.synthetic) for\n"
        "# benchmarks and scale tests. Every resource is made up: the municipalities tooi:gm9000 to\n"
        "# tooi:gm9999 (CBS codes GM9000-GM9999, a range CBS does not use) are not real municipalities;\n"
        "# partners, city links, sources, groups, data sets and observations (IRIs under\n"
        f"# {SYNTHETIC}) describe nothing that exists. Do not add this file to data/.\n"
        f"# Contents: {out.triples} triples; {n_municipalities} municipalities, {len(partners)} partners,\n"
        f"# {n_links} city links, {n_datasets} data sets with {n_observations} observations, {n_sources} sources.\n"
    )
    return header + PREFIXES + "\n" + "".join(out.parts)


def _size(text: str) -> int:
    """Parse a size such as ``10000``, ``1e5``, ``10^6`` or ``1_000_000``."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    try:
        if "^" in cleaned:
            base, _, exponent = cleaned.partition("^")
            value = int(base) ** int(exponent)
        else:
            value = float(cleaned)
            if value != int(value):
                raise ValueError
            value = int(value)
    except ValueError:
        raise KbUsageError(f"--triples {text}: expected a whole number such as 10000, 1e5 or 10^6") from None
    return value


@click.command("generate")
@click.option("--triples", "-n", "size", required=True, metavar="N",
              help="About how many triples to generate: 10000, 1e5, 10^6 ... (at least that many).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; the same seed and size give the same file.")
@click.option("--output", "-o", type=OUTPUT_FILE, metavar="FILE.ttl",
              help="Write to FILE (atomically) instead of standard output.")
def generate_command(size, seed, output):
    """Generate SYNTHETIC test data shaped like the knowledge base (municipalities, partners, city
    links, themes, statistics) as Turtle, for benchmarks. Not real facts: never add it to data/.

    The municipalities are tooi:gm9000..gm9999 (CBS codes GM9000-GM9999, which CBS does not use).
    Load it with the shipped data, e.g. kb query themes --extra-data synthetic.ttl.
    """
    from .formats import emit

    triples = _size(size)
    show = output is not None and sys.stderr.isatty()
    if show:
        with click.progressbar(length=triples, label="Generating", file=sys.stderr) as bar:
            done = [0]

            def progress(n):
                bar.update(min(n, triples) - done[0])
                done[0] = min(n, triples)

            text = generate(triples, seed, progress)
    else:
        text = generate(triples, seed)
    emit(text, output)
    if output is not None:
        count = text.split("# Contents: ", 1)[1].split(" ", 1)[0]
        click.echo(f"Wrote {count} synthetic triples to {output} (seed {seed}).", err=True)


generate_command.name = "generate"


def links_csv(rows: int, kb, status: str | None = None, seed: int = 1) -> str:
    """Return a SYNTHETIC spreadsheet of ``rows`` city links for ``kb import-csv`` (CSV text with
    the header of :data:`stedenbanden.importers.COLUMNS`), for benchmarks and scale tests.

    ``kb`` is the :class:`stedenbanden.importers.KbIndex` of the knowledge base the rows are for:
    the rows use its Dutch municipalities (CBS codes and Dutch names, e.g. those of the shipped
    register of 2007), its countries of origin and its theme, motive and initiator notations, and
    partners ``Synthetic partner N`` (about ten links each) that it does not have; the evidence
    addresses are under ``https://w3id.org/stedenbanden/id/synthetic/source/``. ``status`` is the
    evidence-status notation of every row (default: the notations of ``kb`` in turn). Every row
    passes the importer's checks; the same arguments always give the same text. Raises
    :class:`KbUsageError` when ``rows`` is below 1 or ``kb`` has fewer than ten municipalities.
    """
    import csv
    import io

    from .importers import COLUMNS

    codes = sorted(kb.municipalities)
    per_partner = 10
    if rows < 1:
        raise KbUsageError(f"{rows} rows: give at least one")
    if len(codes) < per_partner:
        raise KbUsageError(f"the knowledge base has {len(codes)} municipalities; synthetic rows need {per_partner}")
    rng = random.Random(seed)
    countries = sorted(kb.countries.concepts)
    statuses = [status] if status else sorted(kb.statuses.concepts)
    themes, motives = sorted(kb.themes.concepts), sorted(kb.motives.concepts)
    initiators = sorted(kb.initiators.concepts)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in range(rows):
        partner = row // per_partner + 1
        # the links of one partner go to ten consecutive, so different, municipalities
        code = codes[(partner * 7 + row % per_partner) % len(codes)]
        start = rng.randint(1950, 2007) if rng.random() < 0.7 else None
        formalised = rng.randint(start, 2010) if start and rng.random() < 0.4 else None
        end = rng.randint(formalised or start, 2024) if start and rng.random() < 0.15 else None
        writer.writerow({
            "cbs_code": code, "municipality": kb.municipalities[code][1], "partner": f"Synthetic partner {partner}",
            "partner_country": countries[partner % len(countries)], "partner_type": "municipality",
            "status": statuses[row % len(statuses)], "start_year": start or "",
            "start_qualifier": "approximate" if start and rng.random() < 0.05 else "",
            "formalised_year": formalised or "", "end_year": end or "",
            "themes": "; ".join(rng.sample(themes, rng.choice((0, 1, 1, 2)))),
            "motives": "; ".join(rng.sample(motives, rng.choice((0, 0, 1, 2)))),
            "initiator": rng.choice(initiators) if rng.random() < 0.5 else "",
            "evidence": f"{SYNTHETIC}source/s{row % 500:04d}",
            "note_en": "Synthetic test data; not a real city link.", "note_nl": "Synthetische testgegevens; geen echte stedenband.",
        }.values())
    return buffer.getvalue()
