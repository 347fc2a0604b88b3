"""Hostile and ordinary webhook receivers on loopback, each a real HTTP server whose
answer is a function: it can stall, trickle, redirect, flood or ask to wait."""
from __future__ import annotations

import http.server
import threading
import time

import pytest


class Server:
    def __init__(self, answer):
        self.requests: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                try:
                    answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def status(code, headers=(), body=b"ok"):
    def answer(handler):
        handler.send_response(code)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def endless(handler):
    """200 and a body that never ends."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.end_headers()
    chunk = b"x" * 65536
    while True:
        handler.wfile.write(chunk)


def trickle(handler):
    """200, then one byte every 50 ms, forever: each read is quick, the whole is not."""
    handler.send_response(200)
    handler.send_header("Content-Length", "100000000")
    handler.end_headers()
    while True:
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def silent(handler):
    """Reads the request and never answers."""
    time.sleep(30)


@pytest.fixture
def serve():
    made = []

    def make(answer) -> Server:
        made.append(Server(answer))
        return made[-1]

    yield make
    for server in made:
        server.httpd.shutdown()
        server.httpd.server_close()
