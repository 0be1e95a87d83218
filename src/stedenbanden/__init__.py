"""stedenbanden: a linked-data knowledge base of city links (stedenbanden) between Dutch
municipalities and municipalities in migrants' countries of origin, as inventoried in June 2007
and summarised by NCDO in 2008.

The package ships the ontology, the data and the stored SPARQL queries; the ``kb`` command
(:mod:`stedenbanden.cli`) queries, validates and reports on them, and :func:`stedenbanden.open`
(:mod:`stedenbanden.api`) does the same from Python.
"""

__version__ = "0.1.0"

DEFAULT_TIMEOUT = 30.0
"""Seconds ``kb`` waits for a remote SPARQL endpoint unless ``--timeout`` says otherwise."""


def __getattr__(name):
    """``stedenbanden.open``, ``KnowledgeBase`` and ``Table``: the Python API (:mod:`stedenbanden.api`),
    imported only when asked for, so that the ``kb`` command starts fast."""
    if name in ("open", "KnowledgeBase", "Table"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'stedenbanden' has no attribute {name!r}")
