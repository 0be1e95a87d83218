"""``python -m stedenbanden`` runs the ``kb`` command."""

from .cli import main

main()
