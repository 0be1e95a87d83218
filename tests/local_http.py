"""A throwaway HTTP server on 127.0.0.1 for the tests that need an endpoint which misbehaves (an
error page, a trickle, another answer): :func:`serving` starts one on a free port with the
tests' own handler class and stops it afterwards; :class:`QuietHandler` keeps its log out of the
test output."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing."""

    def log_message(self, *args):
        pass


@contextmanager
def serving(handler):
    """Serve ``handler`` (a request handler class) on 127.0.0.1, a free port, in a daemon thread;
    yield the base URL (``http://127.0.0.1:PORT``); shut the server down on leaving."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
