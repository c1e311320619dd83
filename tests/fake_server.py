"""What both provider fakes share: a threaded HTTP(S) server on loopback that hands each request to the fake."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

Answer = tuple[int, Any, dict[str, str]]
"""Status, body (JSON-able, raw bytes, or None for none) and extra headers."""


class Fake(Protocol):
    url: str

    def answer(self, verb: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        """Raises ConnectionAbortedError to drop the connection after the work (a lost response)."""
        ...

    def content_type(self, body: Any) -> str: ...


@contextmanager
def serve(fake: Fake, pem: Path | None = None) -> Iterator[None]:
    """Serve `fake` on a free loopback port, over TLS with the certificate and key in `pem` when given."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            try:
                status, answer, extra = fake.answer(self.command, url.path, urllib.parse.parse_qs(url.query), self.headers, body)
            except ConnectionAbortedError:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            empty = answer is None or status == 204
            data = answer if isinstance(answer, bytes) else b"" if empty else json.dumps(answer).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            if data and "Content-Type" not in extra:
                self.send_header("Content-Type", fake.content_type(answer))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if pem is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    fake.url = f"{'https' if pem else 'http'}://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # stops within 20 ms
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
