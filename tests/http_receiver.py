"""A real HTTP server on a free loopback port that answers every request and remembers it:
the far end of webhooks, or the address a document must never reach."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Server(ThreadingHTTPServer):
    # Webhook senders post many requests at once; the default backlog (5) refuses some.
    request_queue_size = 128


@dataclass(frozen=True)
class Post:
    """A POST the receiver was sent: its path, headers (names in lower case) and body."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.posts: list[Post] = []
        # What POSTs are answered with; a test sets 500 to play a receiver that fails.
        self.post_status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                receiver.requests.append(f"GET {self.path}")
                body = b"body::before { content: 'FETCHED FROM THE NETWORK' }"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(f"POST {self.path}")
                receiver.posts.append(Post(self.path, headers, body))
                answer = b"received" if receiver.post_status < 300 else b"receiver is down"
                self.send_response(receiver.post_status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 (port chosen by the system) recording what it was asked."""
    server = Receiver()
    server.start()
    yield server
    server.stop()
