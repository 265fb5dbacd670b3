"""HTTP(S) endpoints on 127.0.0.1: an answering server (/ok 200, /forbidden 403, /broken 503), a closed port,
one that accepts connections and never answers, and (when the openssl binary exists) an HTTPS server with a
self-signed certificate for fg.test made at test time.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROUTES = {"/ok": (200, b"ok"), "/forbidden": (403, b"blocked by policy"), "/broken": (503, b"down")}


class Handler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Handler.requests.append(f"{self.headers.get('Host')}{self.path}")
        status, body = ROUTES.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def make_certificate(directory: Path) -> Path | None:
    """A self-signed certificate + key (one PEM) for fg.test and 127.0.0.1, or None without openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(  # noqa: S603 - fixed arguments, local binary
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=fg.test",
         "-addext", "subjectAltName=DNS:fg.test,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert if cert.exists() else None


def serve(server: ThreadingHTTPServer, stack: ExitStack) -> int:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stack.callback(server.server_close)
    stack.callback(server.shutdown)
    return server.server_address[1]


class LoopbackHTTP:
    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.stack = ExitStack()
        self.cert: Path | None = None
        self.tls_port: int | None = None

    def __enter__(self) -> LoopbackHTTP:
        self.port = serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler), self.stack)
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            self.closed_port = closed.getsockname()[1]
        blackhole = socket.socket()
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(16)
        self.stack.callback(blackhole.close)
        self.blackhole_port = blackhole.getsockname()[1]
        self.cert = make_certificate(self.tmp_dir)
        if self.cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, self.tmp_dir / "key.pem")
            tls_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            tls_server.socket = context.wrap_socket(tls_server.socket, server_side=True)
            self.tls_port = serve(tls_server, self.stack)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def url(self, path: str = "/ok", host: str = "fg.test") -> str:
        return f"http://{host}:{self.port}{path}"
