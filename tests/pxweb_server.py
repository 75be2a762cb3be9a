"""A local HTTP server on 127.0.0.1 that answers like a PxWeb service, with faults on the way (test helper).

The statistics client talks real HTTP to it (``requests``), so retries, limits and time-outs meet real sockets:
a ``429`` with ``Retry-After``, a ``503``, a connection reset (the socket closed with an RST, no answer), a slow
answer. The server runs in a daemon thread of the test process and is stopped when the test ends.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """What the server sends for one request: a status, headers and a body (``reset``: close the connection
    with an RST instead of answering; ``delay``: seconds to wait before answering)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    delay: float = 0.0

    @classmethod
    def json(cls, document: Any, status: int = 200) -> Answer:
        return cls(
            status, json.dumps(document, ensure_ascii=False).encode("utf-8"), {"Content-Type": "application/json"}
        )


RESET = Answer(reset=True)

# The request handler: (method, path with query, JSON payload or None) -> answer.
Handler = Callable[[str, str, Any], Answer]


@dataclass
class LocalPxWeb:
    """A PxWeb-like server: ``handler`` answers each request unless a fault is queued for it.

    ``faults`` maps (method, path) to answers sent instead of the handler's, one per request, in order (a
    path ``"*"`` matches any path of that method). ``log`` records every request as (method, path).
    """

    handler: Handler
    faults: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, method: str, path: str, payload: Any) -> Answer:
        self.log.append((method, path))
        for key in ((method, path), (method, "*")):
            queue = self.faults.get(key)
            if queue:
                return queue.pop(0)
        return self.handler(method, path, payload)

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free port of 127.0.0.1 while the block runs; yields the base URL ``http://127.0.0.1:<port>``."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _handler_class(service: LocalPxWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request a connection: a reset never hits a pooled connection by chance

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the test reads service.log instead
            pass

        def _serve(self, method: str) -> None:
            payload = None
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"null")
            answer = service._answer(method, self.path, payload)
            if answer.delay:
                time.sleep(answer.delay)
            if answer.reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # after a reset the socket is gone
                super().finish()

    return Handler
