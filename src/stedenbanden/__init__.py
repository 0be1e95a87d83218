"""stedenbanden: a linked-data knowledge base of city links (stedenbanden) between Dutch
municipalities and municipalities in migrants' countries of origin, as inventoried in June 2007
and summarised by NCDO in 2008.

The package ships the ontology, the data and the stored SPARQL queries; the ``kb`` command
(:mod:`stedenbanden.cli`) queries, validates and reports on them.
"""

__version__ = "0.1.0"

DEFAULT_TIMEOUT = 30.0
"""Seconds ``kb`` waits for a remote SPARQL endpoint unless ``--timeout`` says otherwise."""
