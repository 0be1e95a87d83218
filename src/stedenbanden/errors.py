"""Errors a user can cause. The CLI turns each into one line and an exit code, never a traceback.

Exit codes: 1 when the data or a query is wrong (syntax error, failed validation, figure mismatch);
2 when the command was used wrongly (unknown query, undeclared parameter, missing file).
"""


class KbError(Exception):
    """A problem with the user's data or query; exit code 1."""

    exit_code = 1


class KbUsageError(KbError):
    """The command was used wrongly (unknown name, bad parameter, missing path); exit code 2."""

    exit_code = 2


class TurtleSyntaxError(KbError):
    """A Turtle file does not parse. The message names the file, line and column."""


class QuerySyntaxError(KbError):
    """A SPARQL query does not parse. The message names the query file, line and column."""


class UnknownQuery(KbUsageError):
    """No stored query has that name; the message lists close matches."""


class BadParameter(KbUsageError):
    """A ``--param`` is malformed, undeclared by the query, or has a value of the wrong type."""


class MissingPath(KbUsageError):
    """A data path does not exist, or a folder holds no Turtle file."""
