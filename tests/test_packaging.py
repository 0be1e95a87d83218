"""The wheel carries the ontology, the data, the stored queries, the report's figure list and the
twin-towns list, so that ``kb`` works from any directory after ``pip install``."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(folder), str(ROOT)],
        check=True,
    )
    (built,) = folder.glob("stedenbanden-*.whl")
    return built


def test_wheel_contains_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "queries"):
        shipped = {f"stedenbanden/{folder}/{p.name}" for p in (ROOT / folder).iterdir() if p.is_file()}
        assert shipped and shipped <= names, f"{folder}/ is missing from the wheel"
    assert "stedenbanden/figures.toml" in names
    assert "stedenbanden/ontology/shapes.ttl" in names
    # reference data that kb needs at run time (the register check, kb import-wikidata-twinning)
    for path in ("reference/cbs-municipalities-2007/gemeente_2007.topojson", "reference/cbs-municipalities-2007/README.md",
                 "reference/wikidata-twinning-2016/names.tsv", "reference/wikidata-twinning-2016/relations.tsv",
                 "reference/wikidata-twinning-2016/README.md"):
        assert f"stedenbanden/{path}" in names, path
    assert {"stedenbanden/reference/twin-cities/README.md", "stedenbanden/reference/twin-cities/twin_cities_raw.csv.gz",
            "stedenbanden/reference/twin-cities/twin_cities.csv.gz"} <= names


def test_import_twin_towns_works_from_the_installed_package_alone(wheel, tmp_path):
    """The installed files, in a folder outside the repository, with no --source and no ../shared."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import stedenbanden.cli as c; print(c.__file__); c.main()",
                             "import-twin-towns", "-o", "t.ttl"],
                            cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(site / "stedenbanden" / "cli.py"))
    assert result.stderr.startswith("26,111 listed twin-town pairs between 17,820 towns (17,717 with coordinates; ")
    text = (work / "t.ttl").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in text
