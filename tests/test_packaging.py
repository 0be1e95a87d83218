"""The wheel carries the ontology, the data, the stored queries and the report's figure list, so
that ``kb`` works from any directory after ``pip install``."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_package_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    (wheel,) = tmp_path.glob("stedenbanden-*.whl")
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
