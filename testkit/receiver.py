"""The one webhook receiver of the tests, the benchmarks and the reliability scripts: a
threaded HTTP server on 127.0.0.1, on a port the kernel picks, run in a thread of
whoever starts it.

It records every request (path, headers, body, arrival on the monotonic clock) before
answering, and answers with the answers it was given, in turn: the n-th request gets
the n-th, the last one repeats. An answer writes the response itself, so it can be a
status (with Retry-After, after a delay, with any header), a body that never ends, a
trickle, or silence; a bare number stands for status(number). Given the secret an
endpoint was saved with, it checks the signature Concert puts on each webhook.

    with Receiver(500, status(429, retry_after=0), 200, secret=SECRET) as receiver:
        ... receiver.url ... receiver.requests ...
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import ssl
import threading
import time

# The secret the tests' and scripts' webhook endpoints are saved with.
SECRET = "test-webhook-secret-0123456789"


def signature_valid(secret: str, headers, body: bytes) -> bool:
    """Concert's Standard Webhooks signature, checked independently of Concert's code:
    one of the space-separated "v1,<base64>" in webhook-signature is the HMAC-SHA256 of
    "<webhook-id>.<webhook-timestamp>.<body>", keyed by the secret's base64 after
    "whsec_" (a secret without that prefix: its UTF-8 bytes). The timestamp's age is
    the tests' to check (tests/alerts/test_standard_webhooks.py)."""
    key = base64.b64decode(secret[len("whsec_"):] + "==") if secret.startswith("whsec_") else secret.encode()
    signed = f"{headers.get('webhook-id', '')}.{headers.get('webhook-timestamp', '')}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given) for given in headers.get("webhook-signature", "").split(" "))


class Receiver:
    def __init__(self, *answers, secret: str | None = None, tls: tuple | None = None):
        """`tls` is (certificate file, key file): the receiver then speaks https."""
        self.answers = [status(a) if isinstance(a, int) else a for a in answers] or [status(200)]
        self.secret = secret
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():  # shutdown() would wait forever for a loop never started
            self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def bodies(self) -> list:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]

    def idempotency_keys(self) -> list[str]:
        """One per request, retries and duplicates included."""
        with self.lock:
            return [r["headers"].get("Idempotency-Key", "") for r in self.requests]

    def _record(self, handler, body: bytes):
        request = {"path": handler.path, "headers": dict(handler.headers), "body": body,
                   "received": time.monotonic(),
                   "signature_valid": None if self.secret is None else signature_valid(self.secret, handler.headers,
                                                                                       body)}
        with self.lock:
            self.requests.append(request)
            answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return request, answer


class _Server(http.server.ThreadingHTTPServer):
    # Closing does not wait for the requests still being answered: a silent or endless
    # answer would hold the test's teardown for as long as it lasts.
    block_on_close = False


def _handler_for(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # as a real receiver: keep-alive, lengths honoured

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            # What was recorded for this request, for answers that decide on it.
            self.recorded, answer = receiver._record(self, body)
            try:
                answer(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should

        def log_message(self, *args):
            pass

    return Handler


# --- Answers -------------------------------------------------------------------------


def status(code: int, *, retry_after=None, delay: float = 0, headers=(), body: bytes | None = None):
    """`code` after `delay` seconds, with Retry-After (seconds or an HTTP date) when given
    and any other headers; the body is "ok" unless the status may not have one."""
    if body is None:
        body = b"" if code in (204, 304) else b"ok"

    def answer(handler):
        if delay:
            time.sleep(delay)
        handler.send_response(code)
        if retry_after is not None:
            handler.send_header("Retry-After", str(retry_after))
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
