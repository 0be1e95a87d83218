"""Where the shipped ontology, data and stored queries are.

In an installed wheel they are package data (``stedenbanden/ontology`` etc.); in a checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

FOLDERS = ("ontology", "data", "queries")


def resource(name: str) -> Path:
    """Return the folder ``name`` (one of ``ontology``, ``data``, ``queries``) as a real path.

    Raises ``ValueError`` for any other name and ``FileNotFoundError`` when the folder is in
    neither the installed package nor the checkout (a broken installation).
    """
    if name not in FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {', '.join(FOLDERS)}")
    # the package's own folder (what importlib.resources.files gives for an unzipped install,
    # without the 10 ms its import costs every kb run)
    packaged = Path(__file__).resolve().parent / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the {name}/ folder is missing from this installation; reinstall stedenbanden")


def ontology_files() -> list[Path]:
    """The vocabulary files (classes, properties, code lists), without the SHACL shapes; sorted."""
    return sorted(p for p in resource("ontology").glob("*.ttl") if not p.name.endswith("shapes.ttl"))


def shapes_files() -> list[Path]:
    """The SHACL shapes that every data file must pass: ``ontology/*shapes.ttl``, sorted."""
    return sorted(resource("ontology").glob("*shapes.ttl"))


def data_files() -> list[Path]:
    """The shipped data files, sorted by name."""
    return sorted(resource("data").glob("*.ttl"))
