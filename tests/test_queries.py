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
    # documented: Almere-Kumasi and Meppel-Al Hoceima (documented), Rotterdam-Suriname (uncertain)
    assert rows["waste-processing"]["documented_links"] == 2
    assert rows["waste-processing"]["uncertain_links"] == 1
    assert rows["waste-processing"]["links"] == (
        "Almere – Kumasi (documented); Meppel – Al Hoceima (documented); Rotterdam – Suriname (uncertain)")
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
    assert (rows["TR"]["named"], rows["TR"]["documented"], rows["TR"]["uncertain"]) == (2, 3, 3)
    assert (rows["GH"]["named"], rows["GH"]["documented"], rows["GH"]["uncertain"]) == (0, 3, 1)
    assert (rows["AN-AW"]["named"], rows["AN-AW"]["uncertain"]) == (1, 1)
    assert (rows["_T"]["named"], rows["_T"]["documented"], rows["_T"]["uncertain"]) == (5, 10, 7)
    assert not any(row["contradicts"] for row in rows.values())


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
    assert row["documented"] == 14
    assert row["contradicts"] is False


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
    assert len(rows) == 22
    denizli = rows["https://w3id.org/stedenbanden/id/link/almelo-denizli"]
    assert (denizli["cbs_code"], denizli["country"], denizli["status"], denizli["start_year"], denizli["end_year"]) == (
        "GM0141", "TR", "named", 1975, 2017)
    berkane = rows["https://w3id.org/stedenbanden/id/link/zeist-berkane"]
    assert (berkane["start_year"], berkane["start_qualifier"], berkane["formalised_year"]) == (2004, "approximate", 2007)
    statuses = [row["status"] for row in rows.values()]
    assert (statuses.count("named"), statuses.count("documented"), statuses.count("uncertain")) == (5, 10, 7)


def check_start_years(r):
    rows = by(r, "period")
    assert (rows["from-2000"]["published_percent"], rows["from-2000"]["qualifier"]) == (50, "more-than")
    assert rows["before-2000"]["documented"] == 4  # Almelo-Denizli 1975, Vlissingen 1991, Almere 1996, Delft 1999
    assert "Almelo – Denizli (1975, named)" in rows["before-2000"]["links"]
    assert rows["from-2000"]["documented"] == 5
    assert not any(row["contradicts"] for row in rows.values())


def check_large_municipalities(r):
    rows = by(r, "cbs_code")
    assert sorted(rows) == ["GM0344", "GM0363", "GM0518", "GM0599"]
    assert rows["GM0599"]["documented_countries"] == 2  # Rotterdam: Istanbul (TR) and Nador (MA), both named
    assert all(row["published_percent"] == 100 for row in rows.values())


def check_link_map(r):
    """The 22 recorded links, 23 rows (Amsterdam – Curaçao en Sint Maarten has two partners); all
    but Kadjebi and São Vicente placed at both ends (points: CBS boundaries, GeoNames)."""
    rows = r.records()
    assert len(rows) == 23 and len({row["link"] for row in rows}) == 22
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
    assert (involvement.count("documented"), involvement.count("uncertain only")) == (14, 1)  # as municipalities
    assert rows["GM0479"]["involvement"] == "uncertain only"  # Zaanstad: only Kaman, uncertain
    assert (rows["GM0599"]["links"], rows["GM0599"]["named_or_documented"]) == (6, 2)
    assert rows["GM0200"]["involvement"] == "none recorded"


def check_wikidata_matches(r):
    rows = r.records()
    assert len(rows) == 16 + 20  # the municipalities and partners of the recorded links
    assert sum(1 for row in rows if row["method"] != "unmatched") == 19


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
    rows = links.run(kb, {"country": "GH", "status": "documented"}).records()
    assert sorted(r["name"] for r in rows) == ["Alkemade – Kadjebi", "Almere – Kumasi", "Gouda – Elmina"]
    rotterdam = links.run(kb, {"cbs_code": "GM0599"}).records()
    assert len(rotterdam) == 6  # Istanbul, Gölcük, Kayseri, Nador, Suriname, São Vicente
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
