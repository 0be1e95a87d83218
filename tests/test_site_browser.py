"""End to end: the published site in headless Chromium, served over HTTP on 127.0.0.1.

Opens the index and follows links from a report figure down to a single city link and its
evidence, checks that the pages render the expected figures, that every internal link on them
resolves, and that the browser logs no error. Needs Debian's ``chromium`` and
``chromium-driver`` (``apt-get install -y chromium chromium-driver``) and Selenium from PyPI;
without them the tests fail, saying what to install, rather than being skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stedenbanden import publish
from stedenbanden.report import build as report_build

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1024")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site's folder and keeps the test output clean."""

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory, kb, kb_files) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    publish.publish(kb, kb_files, out, date=dt.date(2026, 1, 15))
    return out


@pytest.fixture(scope="module")
def base_url(site):
    """The site served by Python's http.server on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium driven by Selenium, with a new empty profile, logging the console."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.fail(f"headless Chromium is needed for this test and {', '.join(missing)} is missing: "
                    "install it with `apt-get install -y chromium chromium-driver` (or run `sh tests/system-packages.sh`, as the README's test command does)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("Selenium is needed for this test: pip install -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def errors(driver) -> list[str]:
    """The console messages of level SEVERE since the last call (the log is emptied by reading)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def visit(driver, url: str) -> None:
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete"
    assert errors(driver) == [], f"the browser logged errors on {url}"


def internal_targets(driver, base_url: str) -> set[str]:
    """Every URL on the current page, of a link, image or stylesheet, that points into the site
    (resolved by the browser, without the fragment)."""
    urls = driver.execute_script(
        "return [...document.querySelectorAll('a[href], link[href], img[src], script[src]')]"
        ".map(e => e.href || e.src)")
    return {url.split("#", 1)[0] for url in urls if url.startswith(base_url)}


def assert_resolve(urls: set[str]) -> None:
    broken = []
    for url in sorted(urls):
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                if answer.status != 200:
                    broken.append(f"{url}: HTTP {answer.status}")
        except urllib.error.HTTPError as exc:
            broken.append(f"{url}: HTTP {exc.code}")
    assert not broken, broken


def test_index_renders_the_report_figures_and_charts(browser, base_url, kb):
    from selenium.webdriver.common.by import By

    visit(browser, base_url + "index.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "City links with migrants' countries of origin"
    columns, rows = report_build(kb)
    for row in rows:
        record = dict(zip(columns, row))
        cells = browser.find_element(By.CSS_SELECTOR, f'tr[data-figure="{record["id"]}"]')
        assert cells.find_element(By.CLASS_NAME, "published").text == record["published"]
        assert cells.find_element(By.CLASS_NAME, "regenerated").text == record["regenerated"]
        assert cells.find_element(By.CLASS_NAME, "status").text == record["status"]
    total = browser.find_element(By.CSS_SELECTOR, 'tr[data-figure="links-total"]')
    assert "39" in total.text and "OK" in total.text
    images = browser.find_elements(By.CSS_SELECTOR, "figure.chart img")
    assert len(images) == 3
    for image in images:
        loaded = browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
        assert loaded, image.get_attribute("src")
    countries = browser.find_element(By.CSS_SELECTOR, "#chart-1 table.chart-data").text
    assert "Turkey 13" in countries and "Morocco 7" in countries
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.links tbody tr")) == 31
    assert errors(browser) == []


def test_every_internal_link_of_the_index_resolves(browser, base_url):
    visit(browser, base_url + "index.html")
    targets = internal_targets(browser, base_url)
    assert base_url + "doc/link/almelo-denizli.html" in targets
    assert base_url + "charts/countries.svg" in targets and base_url + "static/style.css" in targets
    assert_resolve(targets)


def test_from_a_figure_down_to_a_city_link_and_its_evidence(browser, base_url):
    """Figure 'links with Turkey' -> its report section -> the published observation -> the
    country -> a city link, with its evidence."""
    from selenium.webdriver.common.by import By

    visit(browser, base_url + "index.html")
    figure = browser.find_element(By.CSS_SELECTOR, 'tr[data-figure="links-TR"]')
    figure.find_element(By.LINK_TEXT, "Aantal stedenbanden").click()
    assert urlsplit(browser.current_url).path == "/doc/source/ncdo-2008/aantal-stedenbanden.html"
    assert errors(browser) == []
    browser.find_element(By.LINK_TEXT, "number of city links: 13 (Turkey)").click()
    assert urlsplit(browser.current_url).path == "/doc/observation/links-TR.html"
    assert errors(browser) == []
    browser.find_element(By.CSS_SELECTOR, "table.properties").find_element(By.LINK_TEXT, "Turkey").click()
    assert urlsplit(browser.current_url).path == "/doc/country/TR.html"
    assert errors(browser) == []
    browser.find_element(By.LINK_TEXT, "Almelo – Denizli").click()
    assert urlsplit(browser.current_url).path == "/doc/link/almelo-denizli.html"
    assert errors(browser) == []
    assert browser.find_element(By.TAG_NAME, "h1").text == "Almelo – Denizli"
    page = browser.find_element(By.TAG_NAME, "main").text
    # a cited web page shows by its title (sources.ttl), linking out to its address
    for expected in ("named", "Almelo", "Denizli", "Turkey", "1975", "2017",
                     "Doelstelling", "NCDO 2008, section Initiatief van Nederlandse gemeenten"):
        assert expected in page, expected
    evidence = browser.find_element(By.CSS_SELECTOR, 'main a[href="https://www.jumelage-almelo.nl/doelstelling-2/"]')
    assert evidence.get_attribute("rel") == "external"


def test_city_link_page_links_resolve_and_embed_json_ld(browser, base_url):
    from selenium.webdriver.common.by import By

    visit(browser, base_url + "doc/link/almelo-denizli.html")
    targets = internal_targets(browser, base_url)
    assert base_url + "doc/tooi/gm0141.html" in targets and base_url + "doc/partner/denizli.html" in targets
    assert_resolve(targets)
    script = browser.find_element(By.ID, "jsonld").get_attribute("textContent")
    data = json.loads(script)
    ids = [node["@id"] for node in data["@graph"]]
    assert "link:almelo-denizli" in ids
    # The Dutch municipality's page links out to its TOOI identifier.
    visit(browser, base_url + "doc/tooi/gm0141.html")
    tooi = browser.find_element(By.CSS_SELECTOR, 'a[href="https://identifier.overheid.nl/tooi/id/gemeente/gm0141"]')
    assert tooi.get_attribute("rel") == "external"
    assert_resolve(internal_targets(browser, base_url))


def test_ontology_documentation_and_resource_list_load_without_errors(browser, base_url):
    from selenium.webdriver.common.by import By

    visit(browser, base_url + "ontology/index.html")
    assert "https://w3id.org/stedenbanden/def#CityLink" in browser.find_element(By.TAG_NAME, "body").text
    visit(browser, base_url + "browse.html")
    assert_resolve(internal_targets(browser, base_url))


def drawn(driver, src_end: str) -> dict:
    """The first image whose source ends in ``src_end``: loaded, its natural and shown size."""
    return driver.execute_script(
        "const i = [...document.images].find(e => e.src.endsWith(arguments[0]));"
        "return i ? {complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, shown: i.clientWidth,"
        " alt: i.alt} : null;", src_end)


def test_maps_are_drawn_on_the_index_and_a_link_page(browser, base_url, tmp_path):
    """The maps load as images of real size in the browser (SVG parsed and drawn), with their
    text alternative; screenshots of the index's maps, a link page and the ontology page are
    saved for a person to look at (pytest's tmp folder)."""
    from selenium.webdriver.common.by import By

    visit(browser, base_url + "index.html")
    for src in ("maps/netherlands.svg", "maps/partners.svg"):
        image = drawn(browser, src)
        assert image and image["complete"] and image["width"] > 300 and image["height"] > 200, (src, image)
        assert image["shown"] > 200 and len(image["alt"]) > 40, (src, image)
    browser.find_element(By.ID, "maps").screenshot(str(tmp_path / "index-maps.png"))
    visit(browser, base_url + "doc/link/almelo-denizli.html")
    image = drawn(browser, "maps/link/almelo-denizli.svg")
    assert image and image["complete"] and image["width"] > 150 and "Almelo" in image["alt"], image
    browser.save_screenshot(str(tmp_path / "link.png"))
    visit(browser, base_url + "ontology/index.html")
    header = browser.find_element(By.CSS_SELECTOR, "header.site")
    assert header.is_displayed() and "All resources" in header.text
    browser.save_screenshot(str(tmp_path / "ontology.png"))
    assert all((tmp_path / name).stat().st_size > 10_000 for name in ("index-maps.png", "link.png", "ontology.png"))
