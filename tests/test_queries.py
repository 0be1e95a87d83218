"""Every stored query parses, has a valid header, runs on both engines with the same rows, and
regenerates the figures of the NCDO 2008 summary (values below are the report's, or follow from
documented-links.md for the documented links)."""

from decimal import Decimal

import pytest

from stedenbanden import catalogue, store
from stedenbanden.errors import BadParameter, UnknownQuery

QUERIES = catalogue.catalogue()


def by(result, key):
    """Rows of ``result`` as dicts, keyed by the value in column ``key``."""
    return {r[key]: r for r in result.records()}


def check_themes(r):
    rows = by(r, "code")
    assert rows["waste-processing"]["published_links"] == 11
    assert rows["education"]["published_links"] == 11
    assert rows["waste-processing"]["share_percent"] == Decimal("28.2")
    assert rows["education"]["share_percent"] == Decimal("28.2")
    # the other themes the report names, without a number
    for code in ("health-care", "cultural-exchange", "information-management", "fire-safety", "social-services"):
        assert rows[code]["published_links"] is None
    # candidates: Almere-Kumasi, Amsterdam-Accra (waste disposal, 2002), Meppel-Al Hoceima, Rotterdam-Jakarta;
    # known only at other dates: Amsterdam-Casablanca, Amsterdam-Tanger, Rotterdam-Suriname; none named
    waste = rows["waste-processing"]
    assert (waste["named_links"], waste["active_june_2007_links"], waste["other_dates_links"]) == (0, 4, 3)
    assert (waste["not_counted_min"], waste["unidentified_min"]) == (0, 7)
    assert waste["links"] == (
        "Almere – Kumasi (active-june-2007); Amsterdam – Accra (active-june-2007); Amsterdam – Casablanca (other-dates); "
        "Amsterdam – Tanger (other-dates); Meppel – Al Hoceima (active-june-2007); Rotterdam – Jakarta (active-june-2007); "
        "Rotterdam – Suriname (other-dates)")
    assert rows["financial-management"]["links"] == "Amsterdam – Accra (active-june-2007)"
    assert rows["youth"]["not_counted_min"] is None  # no published figure, so no bounds
    assert list(rows)[:2] == ["waste-processing", "education"]


def check_countries(r):
    rows = by(r, "code")
    published = {"TR": 13, "MA": 7, "SR": 6, "AN-AW": 7, "GH": 4, "CV": 1, "ID": 1, "_T": 39}
    assert {code: row["links"] for code, row in rows.items()} == published
    assert sum(v for k, v in published.items() if k != "_T") == 39
    assert rows["TR"]["share_percent"] == Decimal("33.3")
    assert rows["_T"]["share_percent"] == 100
    assert r.rows[-1][0] == "_T"


def check_coverage(r):
    rows = by(r, "code")

    def reasoning(code):
        row = rows[code]
        return tuple(row[c] for c in ("published_links", "named", "active_june_2007", "other_dates",
                                      "not_counted_min", "unidentified_min", "contradicted"))

    # Turkey: named Almelo-Denizli, Rotterdam-Istanbul; candidates Alkmaar, Delft, Nijmegen
    assert reasoning("TR") == (13, 2, 3, 5, 0, 8, "no")
    # Ghana: four candidates (Almere, Gouda, Alkemade, Amsterdam-Accra since its 2004 agreement) for four
    assert reasoning("GH") == (4, 0, 4, 0, 0, 0, "no")
    # Indonesia: Vlissingen-Ambon and Rotterdam-Jakarta both existed in June 2007, the report counts one
    assert reasoning("ID") == (1, 0, 2, 1, 1, 0, "no")
    # Amsterdam-Curacao and -Sint Maarten (AN) count for the report's AN-AW figure
    assert reasoning("AN-AW") == (7, 1, 0, 2, 0, 6, "no")
    assert reasoning("_T") == (39, 5, 12, 14, 0, 22, "no")


def check_initiative(r):
    rows = by(r, "code")
    assert {c: row["links"] for c, row in rows.items()} == {
        "dutch-municipality": 23, "migrants": 6, "joint": 2, "vng-international": 2, "not-reported": 6}
    assert rows["dutch-municipality"]["share_percent"] == Decimal("59.0")
    assert rows["not-reported"]["basis"] == "derived"


def check_municipalities(r):
    (row,) = r.records()
    assert row["involved"] == 22
    assert row["all_municipalities"] == 443   # counted in the register (data/municipalities-2007.ttl)
    assert row["cbs_published"] == 443        # the CBS figure, a stored statistic
    assert row["share_percent"] == Decimal("4.97")
    assert (row["published_percent"], row["qualifier"]) == (5, "approximate")
    # named: Almelo, Rotterdam, Amsterdam, Dordrecht (named links) and 's-Gravenhage, Utrecht (named as
    # large municipalities); candidates: Alkmaar, Delft, Nijmegen, Zeist, Meppel, Almere, Gouda, Alkemade,
    # Vlissingen; other dates only: Zaanstad, Apeldoorn
    assert (row["named"], row["active_june_2007"], row["other_dates"]) == (6, 9, 2)
    assert (row["not_counted_min"], row["unidentified_min"], row["contradicted"]) == (0, 7, "no")


def check_millennium(r):
    (row,) = r.records()
    assert (row["millennium"], row["of_municipalities"], row["share_percent"]) == (7, 22, Decimal("31.8"))


def check_capacity(r):
    rows = by(r, "code")
    assert (rows["days"]["published_percent"], rows["days"]["qualifier"]) == (50, "approximate")
    assert (rows["hours-per-week"]["published_percent"], rows["hours-per-week"]["qualifier"]) == (25, "approximate")


def check_budget(r):
    rows = by(r, "code")
    assert rows["eur-50000-plus"]["published_percent"] == 100
    assert rows["eur-50000-plus"]["municipalities"] == "'s-Gravenhage; Amsterdam; Rotterdam; Utrecht"
    assert (rows["eur-20000-30000"]["published_percent"], rows["eur-20000-30000"]["qualifier"]) == (50, "approximate")
    assert (rows["eur-1000-5000"]["minimum_eur"], rows["eur-1000-5000"]["maximum_eur"]) == (1000, 5000)
    assert rows["eur-1000-5000"]["published_percent"] == 25


def check_context(r):
    rows = by(r, "code")
    assert rows["international-cooperation"]["published_percent"] == 72
    assert rows["international-cooperation-policy"]["published_percent"] == 21
    assert rows["dac-focus"]["published_percent"] == 10


def check_motives(r):
    rows = by(r, "code")
    assert (rows["migrant-integration"]["published_percent"], rows["migrant-integration"]["qualifier"]) == (50, "more-than")
    assert rows["economic"]["links"] == "Rotterdam – Istanbul (named); Rotterdam – Nador (named)"


def check_links(r):
    rows = by(r, "link")
    assert len(rows) == 31
    denizli = rows["https://w3id.org/stedenbanden/id/link/almelo-denizli"]
    assert (denizli["cbs_code"], denizli["country"], denizli["status"], denizli["start_year"], denizli["end_year"]) == (
        "GM0141", "TR", "named", 1975, 2017)
    berkane = rows["https://w3id.org/stedenbanden/id/link/zeist-berkane"]
    assert (berkane["start_year"], berkane["start_qualifier"], berkane["formalised_year"]) == (2004, "approximate", 2007)
    statuses = [row["status"] for row in rows.values()]
    assert (statuses.count("named"), statuses.count("active-june-2007"), statuses.count("other-dates")) == (5, 12, 14)
    accra = rows["https://w3id.org/stedenbanden/id/link/amsterdam-accra"]
    assert (accra["status"], accra["start_year"], accra["formalised_year"]) == ("active-june-2007", 2002, 2004)
    # the sources disagree on whether Rotterdam - Istanbul was formalised, so no summary year
    assert rows["https://w3id.org/stedenbanden/id/link/rotterdam-istanbul"]["formalised_year"] is None


def check_start_years(r):
    rows = by(r, "period")
    assert (rows["from-2000"]["published_percent"], rows["from-2000"]["qualifier"]) == (50, "more-than")
    # Almelo-Denizli 1975 (named); Rotterdam-Jakarta 1986, Vlissingen 1991, Almere 1996, Delft 1999
    assert (rows["before-2000"]["named"], rows["before-2000"]["active_june_2007"]) == (1, 4)
    assert "Almelo – Denizli (1975, named)" in rows["before-2000"]["links"]
    assert (rows["from-2000"]["named"], rows["from-2000"]["active_june_2007"], rows["from-2000"]["other_dates"]) == (1, 5, 4)
    assert rows["unknown"]["published_percent"] is None
    assert all(row["contradicted"] == "no" for row in rows.values())


def check_large_municipalities(r):
    rows = by(r, "cbs_code")
    assert sorted(rows) == ["GM0344", "GM0363", "GM0518", "GM0599"]
    # Rotterdam: Istanbul (TR) and Nador (MA), both named; Jakarta (ID), a candidate
    assert rows["GM0599"]["countries_named_or_active"] == 3
    assert rows["GM0599"]["countries_recorded"] == 5  # also Suriname and Cape Verde, known only at other dates
    assert all(row["published_percent"] == 100 for row in rows.values())


def check_link_map(r):
    """The 31 recorded links, one row each (Amsterdam – Curaçao and Amsterdam – Sint Maarten are two
    links, one partner each); all but Kadjebi and São Vicente placed at both ends (points: CBS
    boundaries, GeoNames)."""
    rows = r.records()
    assert len(rows) == 31 and len({row["link"] for row in rows}) == 31
    unplaced = sorted(row["partner"] for row in rows if row["placed"] != "both")
    assert unplaced == ["Kadjebi District", "São Vicente"]
    assert all(row["placed"] == "municipality only" and row["place_basis"].startswith("not placed")
               for row in rows if row["partner"] in unplaced)
    almelo = next(row for row in rows if row["cbs_code"] == "GM0141")
    assert (almelo["partner_lat"], almelo["partner_long"]) == (Decimal("37.77417"), Decimal("29.0875"))  # GeoNames 317109
    assert 52.2 < almelo["municipality_lat"] < 52.5 and 6.5 < almelo["municipality_long"] < 6.8


def check_municipalities_map(r):
    rows = by(r, "cbs_code")
    assert len(rows) == 443 and all(row["lat"] is not None for row in rows.values())
    involvement = [row["involvement"] for row in rows.values()]
    # as the municipalities query counts them: 6 named, 9 candidates, 2 known only at other dates
    assert [involvement.count(v) for v in ("named", "active-june-2007", "other-dates")] == [6, 9, 2]
    assert rows["GM0479"]["involvement"] == "other-dates"  # Zaanstad: only Kaman, a former sister city
    assert rows["GM0200"]["involvement"] == "other-dates"  # Apeldoorn: Banda Aceh, known only at other dates
    assert rows["GM0344"]["involvement"] == "named"  # Utrecht: the report names it as a large municipality
    assert (rows["GM0599"]["links"], rows["GM0599"]["named_or_active"]) == (7, 3)
    assert rows["GM0392"]["involvement"] == "none recorded"


def check_wikidata_matches(r):
    rows = r.records()
    assert len(rows) == 17 + 26  # the municipalities and partners of the recorded links
    assert sum(1 for row in rows if row["method"] != "unmatched") == 24


def check_link_life(r):
    rows = by(r, "name")
    assert len(rows) == 31

    def life(name):
        row = rows[name]
        return tuple(row[c] for c in ("formalised", "formalisations", "ended", "end_years"))

    # a protocol of 24 June 2005 per the Turkish press, "no formal twinning" per Rotterdam in 2017
    assert life("Rotterdam – Istanbul") == ("disputed", "2005 protocol", "yes", "2017")
    assert life("Almelo – Denizli") == ("yes", "1975 protocol; 2007 protocol; 2010 protocol", "yes", "2017")
    assert life("Almere – Kumasi") == ("yes", "1996 memorandum; 2001 covenant", "yes", "2017")
    assert life("Amsterdam – Curaçao") == ("unknown", "", "yes", "2011; 2012")  # the sources disagree
    assert life("Zaanstad – Kaman") == ("unknown", "", "year unknown", "")  # a former sister city, no dates
    assert life("Delft – Adapazarı") == ("yes", "2001", "yes", "2017")  # official 2001, no document named
    assert life("Zeist – Berkane")[:2] == ("yes", "2007 friendship-treaty")
    assert rows["Gouda – Elmina"]["initiator"] == "vng-international"
    assert "https://www.aa.com.tr/en/europe/istanbul-terminates-sister-city-protocol-with-rotterdam/772331" in (
        rows["Rotterdam – Istanbul"]["statement_sources"])
    ended = sorted(name for name, row in rows.items() if row["ended"] != "no end recorded")
    assert ended == ["Almelo – Denizli", "Almere – Kumasi", "Amsterdam – Curaçao", "Amsterdam – Suriname",
                     "Delft – Adapazarı", "Rotterdam – Istanbul", "Zaanstad – Kaman"]


def check_sources(r):
    rows = by(r, "source")
    # the 39 web pages the data cites, the two of CBS and the crawl's GitHub repository (the source of
    # the Wikidata data set), the report and its sections, the compilation, Het Parool, and the data
    # sets the derived files come from (a row per title language)
    assert sum(row["csl_type"] == "webpage" for row in r.records()) == 42
    assert (len(r.records()), len(rows)) == (59, 56)
    # every cited page, document and data set has a title and a publisher
    assert [s for s, row in rows.items() if not (row["title"] and row["publisher"])] == []
    nrc = rows["https://www.nrc.nl/nieuws/2010/08/25/adam-staakt-surinaamse-ontwikkelingsprojecten-11935091-a577973"]
    assert (nrc["title"], nrc["publisher"], nrc["issued"], nrc["language"]) == (
        "A'dam staakt Surinaamse ontwikkelingsprojecten", "nrc.nl", "2010-08-25", "nl")
    assert nrc["citing_resources"] == 1
    # the compilation of documented links is cited by most of what the KB holds
    assert rows["https://w3id.org/stedenbanden/id/source/documented-links"]["citing_resources"] > 100


def check_citations(r):
    citers = {}
    for row in r.records():
        citers.setdefault(row["source"], []).append(row["cited_by"])
    nrc = "https://www.nrc.nl/nieuws/2010/08/25/adam-staakt-surinaamse-ontwikkelingsprojecten-11935091-a577973"
    assert citers[nrc] == ["https://w3id.org/stedenbanden/id/link/amsterdam-suriname"]
    # the Turkish press on the 2005 protocol counts for the link, not for the statement about its life
    aa = "https://www.aa.com.tr/en/europe/istanbul-terminates-sister-city-protocol-with-rotterdam/772331"
    assert citers[aa] == ["https://w3id.org/stedenbanden/id/link/rotterdam-istanbul"]
    # one row per pair, in order: the same sources as the query sources, each with its count of citers
    assert list(r.rows) == sorted(set(r.rows))


def check_empty(r):
    assert r.rows == ()


EXPECTED = {
    "themes": check_themes,
    "countries": check_countries,
    "coverage": check_coverage,
    "initiative": check_initiative,
    "municipalities": check_municipalities,
    "millennium": check_millennium,
    "capacity": check_capacity,
    "budget": check_budget,
    "context": check_context,
    "motives": check_motives,
    "links": check_links,
    "link-life": check_link_life,
    "sources": check_sources,
    "citations": check_citations,
    "start-years": check_start_years,
    "large-municipalities": check_large_municipalities,
    "country-sum-violation": check_empty,
    "initiator-sum-violation": check_empty,
    "coverage-violation": check_empty,
    "observation-duplicate-violation": check_empty,
    "register-count-violation": check_empty,
    "link-map": check_link_map,
    "municipalities-map": check_municipalities_map,
    "wikidata-matches": check_wikidata_matches,
    # the RDF Data Cube integrity constraints IC-1 to IC-21 (IC-12 is observation-duplicate-violation)
    **{f"datacube-ic-{n:02d}-violation": check_empty for n in range(1, 22) if n != 12},
    # the twin-towns data set is not shipped: these give rows only with it loaded (tests/test_twin_towns.py)
    "twin-towns-countries": check_empty,
    "twin-towns-netherlands": check_empty,
    "twin-towns-dutch": check_empty,
    "twin-towns-kb-links": check_empty,
    "twin-towns-leads": check_empty,
    # the Wikidata twinning crawl is imported on demand (tests/test_wikidata.py)
    "twinning-kb-links": check_empty,
    "twinning-leads": check_empty,
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_regenerates_report(kb, name):
    """Each stored query runs and gives the report's figures; a query without expectations fails."""
    assert name in EXPECTED, f"queries/{name}.rq has no expected values in tests/test_queries.py"
    EXPECTED[name](QUERIES[name].run(kb))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_is_portable_to_rdflib(kb, kb_rdflib, name):
    """rdflib's own SPARQL engine gives the same rows, in the same order, as Oxigraph."""
    query = QUERIES[name]
    expected = query.run(kb)
    actual = store.sort_lists(store.select_rdflib(kb_rdflib, query.text), query.lists)
    assert actual == expected


@pytest.mark.parametrize("name", sorted(q for q in QUERIES if QUERIES[q].lists))
def test_list_cells_sorted_while_reading_match_sort_lists(kb, name):
    """The embedded engine sorts list cells as it reads the rows, once per distinct cell; that
    gives what sort_lists gives on the unsorted rows (which remote endpoints get)."""
    query = QUERIES[name]
    assert query.run(kb) == store.sort_lists(store.select(kb, query.text), query.lists)


def test_repeated_list_cells_are_sorted_once_and_shared(kb):
    text = ('SELECT ?n ?list WHERE { VALUES ?n { 1 2 3 } '
            'BIND ("b; a; c" AS ?list) }')
    result = store.select(kb, text, lists=["list"])
    assert [row[1] for row in result.rows] == ["a; b; c"] * 3
    assert len({id(row[1]) for row in result.rows}) == 1


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_is_complete(name):
    """Every query has a summary and a description; every parameter is a projected variable (the
    embedded engine binds only those) and every list column is a column."""
    query = QUERIES[name]
    assert query.summary and query.description
    projection = query.text.split("WHERE", 1)[0]
    for param in query.params:
        assert f"?{param}" in projection, f"parameter {param} must be projected"


def test_links_parameters_are_bound(kb):
    links = QUERIES["links"]
    rows = links.run(kb, {"country": "GH", "status": "active-june-2007"}).records()
    assert sorted(r["name"] for r in rows) == ["Alkemade – Kadjebi", "Almere – Kumasi", "Amsterdam – Accra", "Gouda – Elmina"]
    rotterdam = links.run(kb, {"cbs_code": "GM0599"}).records()
    assert len(rotterdam) == 7  # Istanbul, Gölcük, Kayseri, Nador, Suriname, São Vicente, Jakarta
    # a value with quotes, braces and SPARQL keywords is a literal that matches nothing
    assert links.run(kb, {"municipality": '"} ; DROP ALL ; SELECT * { ?s ?p ?o'}).rows == ()


def test_unknown_parameter_lists_declared_ones(kb):
    with pytest.raises(BadParameter, match="its parameters: cbs_code, country, municipality, status"):
        QUERIES["links"].run(kb, {"year": "2001"})


def test_code_parameter_lists_allowed_values(kb):
    with pytest.raises(BadParameter, match="use one of TR, MA, SR, AN, AW, GH, CV, ID"):
        QUERIES["links"].run(kb, {"country": "NL"})


def test_unknown_query_suggests_close_names():
    with pytest.raises(UnknownQuery, match="did you mean themes"):
        catalogue.find("theme", QUERIES)


def test_parsed_headers_are_cached_by_their_text_and_an_edited_or_broken_cache_is_ignored(tmp_path, monkeypatch) -> None:
    """kb reads a header it has parsed before from $XDG_CACHE_HOME/stedenbanden/query-headers.json
    instead of importing PyYAML; a changed header is parsed again, an unreadable cache ignored."""
    import json

    from stedenbanden import catalogue as cat

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
    text = "#+ summary: Themes of the city links\n#+ lists: [links]\nSELECT * WHERE { ?s ?p ?o }\n"
    assert cat.parse_header(text, "q.rq") == {"summary": "Themes of the city links", "lists": ["links"]}
    cache = tmp_path / "stedenbanden" / "query-headers.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    [(key, entry)] = stored["headers"].items()
    assert entry["header"] == {"summary": "Themes of the city links", "lists": ["links"]}
    import hashlib

    assert key == hashlib.sha256(text.split("\nSELECT")[0].replace("#+ ", "").encode()).hexdigest()

    # the untouched entry is what a second run uses (PyYAML is not needed for it)
    monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
    assert cat._HEADERS.get(text.split("\nSELECT")[0].replace("#+ ", "")) == entry["header"]

    # an entry edited by hand (well-formed, but not what the header says) is ignored
    edited = {"version": 2, "headers": {key: {"header": {"summary": "from the cache"}, "check": entry["check"]}}}
    cache.write_text(json.dumps(edited), encoding="utf-8")
    monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
    assert cat.parse_header(text, "q.rq")["summary"] == "Themes of the city links"

    # an entry that is not a well-formed header, or another version's file, is parsed anew
    for bad in ({"version": 2, "headers": {key: {"header": {"summary": 5, "params": "oops"}, "check": "x"}}},
                {"version": 2, "headers": {key: "x"}}, {key: {"summary": "old layout"}},
                {"version": 1, "headers": {key: {"summary": "from version 1"}}}):
        cache.write_text(json.dumps(bad), encoding="utf-8")
        monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
        assert cat.parse_header(text, "q.rq")["summary"] == "Themes of the city links"

    # a changed header is parsed anew; a broken cache file is ignored
    assert cat.parse_header(text.replace("Themes", "Motives"), "q.rq")["summary"] == "Motives of the city links"
    cache.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
    assert cat.parse_header(text, "q.rq")["summary"] == "Themes of the city links"
    with pytest.raises(cat.KbError, match="q.rq: the '#\\+' header is not valid YAML"):
        cat.parse_header("#+ summary: [unclosed\nSELECT * WHERE {}\n", "q.rq")


def test_header_cache_leaves_no_temporary_file_when_it_cannot_write_and_ignores_a_relative_path(tmp_path, monkeypatch) -> None:
    from stedenbanden import catalogue as cat

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "stedenbanden" / "query-headers.json").mkdir(parents=True)  # a folder where the file goes
    monkeypatch.setattr(cat, "_HEADERS", cat._HeaderCache())
    assert cat.parse_header("#+ summary: Themes\nSELECT * {}\n", "q.rq") == {"summary": "Themes"}
    assert [p.name for p in (tmp_path / "stedenbanden").iterdir()] == ["query-headers.json"]

    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    assert cat._HeaderCache().path == tmp_path / "home" / ".cache" / "stedenbanden" / "query-headers.json"
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    assert cat._HeaderCache().path is None


@pytest.mark.parametrize("params", ["params: oops", "params:\n#+   country: 5"])
def test_malformed_params_in_a_header_name_the_file(tmp_path, params) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("#+ summary: Mine\n#+ " + params + "\nSELECT ?country WHERE {}\n", encoding="utf-8")
    with pytest.raises(catalogue.KbError, match="mine.rq: "):
        catalogue.read_query(path)
