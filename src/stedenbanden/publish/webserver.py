"""Content negotiation for a release: web-server configuration (Apache, nginx) that makes the
resource IRIs ``<base>/id/<path>`` resolve, and the rule it applies, in one place.

A request for ``<base>/id/<path>`` gets a ``303 See Other`` to the description of the resource,
``<base>/doc/<path>.<ext>``, in the format the ``Accept`` header asks for (``Vary: Accept``):

- ``.ttl`` (Turtle, ``text/turtle``) when ``text/turtle`` is listed before any of HTML and JSON-LD;
- ``.jsonld`` (``application/ld+json``) when ``application/ld+json`` is listed before any of HTML and Turtle;
- ``.html`` otherwise (a browser, ``*/*``, no header).

The first of the three types listed wins; ``q`` values are not weighed (a header that lists
HTML first with ``q=0.1`` still gets HTML). Both configurations and :func:`choose_extension`
use the same regular expressions (:data:`RULES`), so the tests check the rule with a small
server of their own and with nginx itself.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HTML = r"text/html|application/xhtml\+xml"
RULES = (
    (".ttl", "text/turtle", rf"^(?:(?!{_HTML}|application/ld\+json).)*text/turtle"),
    (".jsonld", "application/ld+json", rf"^(?:(?!{_HTML}|text/turtle).)*application/ld\+json"),
)
"""(extension, media type, case-insensitive regular expression on the ``Accept`` header), tried in
order; no match: ``.html``. PCRE and Python read these expressions the same way."""

MEDIA_TYPES = {".html": "text/html", ".ttl": "text/turtle", ".jsonld": "application/ld+json",
               ".nt": "application/n-triples", ".csv": "text/csv", ".json": "application/json",
               ".css": "text/css", ".svg": "image/svg+xml", ".ico": "image/vnd.microsoft.icon",
               ".conf": "text/plain"}
"""The media type of each kind of file in a release (by extension); files without one
(``SHA256SUMS``) are ``text/plain``."""


def choose_extension(accept: str | None) -> str:
    """The extension of the description that a request with this ``Accept`` header gets (see the
    module's docstring): ``.ttl``, ``.jsonld`` or ``.html``."""
    for extension, _, pattern in RULES:
        if accept and re.search(pattern, accept, re.IGNORECASE):
            return extension
    return ".html"


def base_path(base_url: str) -> str:
    """The path of the release on its host, from ``base_url``, with a slash at both ends."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def nginx_config(base_url: str) -> tuple[str, str]:
    """nginx configuration for a release served at ``base_url``: (the ``map`` to include in the
    ``http`` block, the ``location`` blocks to include in the ``server`` block whose ``root``
    holds the release)."""
    base = base_path(base_url)
    maps = "\n".join(f'    "~*{pattern}" {extension};' for extension, _, pattern in RULES)
    types = "\n".join(f"        {media} {ext[1:]};" for ext, media in sorted(MEDIA_TYPES.items()))
    # A `types` block replaces the inherited types, so it names every kind of file of the release.
    about = (f"# Written by `kb publish`. {base}id/PATH answers 303 See Other to {base}doc/PATH.ttl, .jsonld\n"
             "# or .html by the Accept header: the first of Turtle, JSON-LD and HTML that the header lists wins;\n"
             "# otherwise HTML.\n")
    http = f"""# nginx, in the `http` block: content negotiation for the stedenbanden release at {base_url}
{about}# Include nginx-server.conf in the `server` block too.

map $http_accept $stedenbanden_extension {{
    default .html;
{maps}
}}
"""
    return http, f"""# nginx, in the `server` block: the stedenbanden release at {base_url}
{about}# The server's `root` is the folder that holds the release (so that {base}index.html is its index
# page); include nginx-http.conf in the `http` block too.

location {base} {{
    types {{
{types}
    }}
    default_type text/plain;
    # A named capture: the map's regular expressions, evaluated at `return`, reset $1.
    location ~ ^{re.escape(base)}id/(?<stedenbanden_path>.+)$ {{
        add_header Vary Accept always;
        return 303 {base}doc/$stedenbanden_path$stedenbanden_extension;
    }}
}}
"""


def apache_config(base_url: str) -> str:
    """Apache httpd configuration (mod_rewrite, mod_headers, mod_mime) for a release served at
    ``base_url``, for the ``VirtualHost`` whose ``DocumentRoot`` holds the release."""
    base = base_path(base_url)
    conditions = "\n".join(
        f'RewriteCond "%{{HTTP_ACCEPT}}" "{pattern}" [NC]\n'
        f'RewriteRule "^{re.escape(base)}id/(.+)$" "{base}doc/$1{extension}" [R=303,L,E=negotiated:1]'
        for extension, _, pattern in RULES)
    types = "\n".join(f"AddType {media} {ext}" for ext, media in sorted(MEDIA_TYPES.items()))
    return f"""# Apache httpd: content negotiation for the stedenbanden release at {base_url}
# Written by `kb publish`. Include it in the VirtualHost whose DocumentRoot is the folder that holds
# the release (so that {base}index.html is its index); needs mod_rewrite, mod_headers and mod_mime.
# {base}id/PATH answers 303 See Other to {base}doc/PATH.ttl, .jsonld or .html by the Accept header:
# the first of Turtle, JSON-LD and HTML that the header lists wins; otherwise HTML.

{types}

RewriteEngine On
{conditions}
RewriteRule "^{re.escape(base)}id/(.+)$" "{base}doc/$1.html" [R=303,L,E=negotiated:1]
Header always merge Vary Accept env=REDIRECT_negotiated
Header always merge Vary Accept env=negotiated
"""
