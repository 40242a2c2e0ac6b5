"""A local HTTP server on 127.0.0.1 for feed tests, and loopback allowed while it runs."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FeedServer:
    """Serves canned responses by path: `serve(path, body, status=..., headers=..., delay=...)`,
    or a function taking the request handler. Records each request's path and headers."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not here", {})
                if callable(route):
                    return route(self)
                status, body, headers, delay = route
                if delay:
                    time.sleep(delay)
                self._send(status, body, headers)

            def _send(self, status, body, headers):
                self.send_response(status)
                headers = dict(headers)
                headers.setdefault("Content-Type", "application/rss+xml")
                if "Content-Length" not in headers:
                    headers["Content-Length"] = str(len(body))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # clients that gave up (timeouts, size caps) are expected here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path, body=b"", *, status=200, headers=None, delay=0):
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = (status, body, headers or {}, delay)
        return self.url(path)

    def requests_for(self, path):
        return [headers for p, headers in self.requests if p == path]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(settings):
    settings.FEED_ALLOW_LOOPBACK = True
    server = FeedServer()
    yield server
    server.stop()
