"""deploy/nginx.conf as shipped, under Debian's nginx, in front of a real gunicorn serving the portal, all on loopback.

Outside CI a missing nginx or openssl skips these tests; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import http.client
import http.server
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def load_nginx_conf():  # scripts/ is not a package: load scripts/nginx_conf.py as a module
    spec = importlib.util.spec_from_file_location("nginx_conf", ROOT / "scripts" / "nginx_conf.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["nginx_conf"] = module
    spec.loader.exec_module(module)
    return module


nginx_conf = load_nginx_conf()


def require(tool: str, found: object) -> None:
    if not found:
        message = f"{tool} is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args[0]} exited with {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def nginx(prefix: Path, **site: object) -> Iterator[int]:
    """deploy/nginx.conf written for `site` and run in the foreground; its port."""
    port = free_port()
    nginx_conf.NginxSite(listen=f"127.0.0.1:{port}", **site).write(prefix)
    process = subprocess.Popen(
        nginx_conf.command(prefix), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop(process)


@pytest.fixture(scope="module")
def tools() -> None:
    require("nginx", nginx_conf.nginx_binary())
    require("openssl", shutil.which("openssl"))


@pytest.fixture(scope="module")
def certificate(tools, tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture(scope="module")
def gunicorn(tools, tmp_path_factory) -> Iterator[dict]:
    """The portal in production mode (DEBUG off, HTTPS on, trusting nginx's headers) under gunicorn on loopback,
    with its own SQLite database and collected static files."""
    directory = tmp_path_factory.mktemp("portal")
    port = free_port()
    unset = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(
        HTTPS="1",  # as in production: secure cookies, HSTS, redirect to https
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        STATIC_ROOT=str(directory / "static"),
        ALLOWED_HOSTS="127.0.0.1",
        TRUST_X_FORWARDED_PROTO="1",
        TRUST_X_FORWARDED_FOR="1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        LOG_LEVEL="WARNING",
    )
    python = sys.executable
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "portal.wsgi", "-c", "portal/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process)
        yield {"upstream": f"127.0.0.1:{port}", "static_root": directory / "static"}
    finally:
        stop(process)


@pytest.fixture(scope="module")
def plain(gunicorn, tmp_path_factory) -> Iterator[int]:
    with nginx(tmp_path_factory.mktemp("nginx-plain"), **gunicorn) as port:
        yield port


@pytest.fixture(scope="module")
def tls(gunicorn, certificate, tmp_path_factory) -> Iterator[int]:
    cert, key = certificate
    with nginx(tmp_path_factory.mktemp("nginx-tls"), certificate=cert, key=key, **gunicorn) as port:
        yield port


def get(port: int, path: str, headers: dict | None = None, *, cafile: Path | None = None) -> http.client.HTTPResponse:
    if cafile:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=30, context=ssl.create_default_context(cafile=str(cafile))
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_a_page_through_nginx_over_tls_is_served_as_https(tls, certificate):
    response = get(tls, "/accounts/login/", cafile=certificate[0])
    assert response.status == 200
    assert b"Log in" in response.body or b"log in" in response.body.lower()
    assert response.getheader("Server") == "nginx"  # server_tokens off: no version
    # Django saw https (X-Forwarded-Proto from nginx): no redirect, HSTS and a secure CSRF cookie.
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    assert "Secure" in response.getheader("Set-Cookie")


def test_plain_http_is_redirected_even_when_the_client_claims_https(plain):
    response = get(plain, "/accounts/login/")
    assert response.status == 301 and response.getheader("Location") == "https://127.0.0.1/accounts/login/"
    spoofed = get(plain, "/accounts/login/", {"X-Forwarded-Proto": "https"})  # nginx replaces it with its own
    assert spoofed.status == 301


def test_static_files_come_from_nginx_with_long_cache_headers_for_hashed_names(plain, gunicorn):
    manifest = json.loads((gunicorn["static_root"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/portal.css"]
    assert hashed != "css/portal.css"
    response = get(plain, f"/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert response.status == 200  # not redirected to https: Django (SECURE_SSL_REDIRECT) never saw it
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"  # the .gz copy collectstatic wrote
    assert response.getheader("Content-Type").startswith("text/css")
    unhashed = get(plain, "/static/css/portal.css")
    assert unhashed.status == 200 and "immutable" not in (unhashed.getheader("Cache-Control") or "")
    assert unhashed.body == (gunicorn["static_root"] / "css" / "portal.css").read_bytes()
    assert get(plain, "/static/css/no-such-file.css").status == 404


def test_gunicorn_down_gives_a_502_page_with_retry_after(tmp_path):
    require("nginx", nginx_conf.nginx_binary())
    with nginx(tmp_path, upstream=f"127.0.0.1:{free_port()}", static_root=tmp_path) as port:  # nothing listens
        response = get(port, "/kb/")
    assert response.status == 502
    assert response.getheader("Retry-After") == "5"
    assert b"Temporarily unavailable" in response.body


def test_a_gunicorn_that_does_not_answer_gives_a_504_page(tmp_path, silent_server):
    require("nginx", nginx_conf.nginx_binary())
    with nginx(tmp_path, upstream=f"127.0.0.1:{silent_server}", static_root=tmp_path, read_timeout="1s") as port:
        started = time.monotonic()
        response = get(port, "/kb/")
    assert response.status == 504 and time.monotonic() - started < 10
    assert response.getheader("Retry-After") == "5"
    assert b"Temporarily unavailable" in response.body


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """An HTTP/1.1 upstream that answers every request and records the client port it came from."""

    protocol_version = "HTTP/1.1"  # keeps connections open, as gunicorn's gthread worker does
    ports: list[int] = []  # set by each test

    def do_GET(self) -> None:
        self.ports.append(self.client_address[1])
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_nginx_keeps_its_connections_to_gunicorn_open(tmp_path):
    require("nginx", nginx_conf.nginx_binary())
    RecordingHandler.ports = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        upstream = f"127.0.0.1:{server.server_address[1]}"
        with nginx(tmp_path, upstream=upstream, static_root=tmp_path) as port:
            statuses = [get(port, f"/kb/{n}/").status for n in range(10)]
    finally:
        server.shutdown()
        server.server_close()
    assert statuses == [200] * 10 and len(RecordingHandler.ports) == 10
    # One connection per nginx worker process at most (worker_processes auto), not one per request.
    assert len(set(RecordingHandler.ports)) <= (os.cpu_count() or 1)


def test_without_upstream_keepalive_every_request_opens_a_connection(tmp_path):
    require("nginx", nginx_conf.nginx_binary())
    RecordingHandler.ports = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        upstream = f"127.0.0.1:{server.server_address[1]}"
        with nginx(tmp_path, upstream=upstream, static_root=tmp_path, upstream_keepalive=0) as port:
            for n in range(5):
                get(port, f"/kb/{n}/")
    finally:
        server.shutdown()
        server.server_close()
    assert len(set(RecordingHandler.ports)) == 5  # the comparison the test above relies on


def test_pages_and_posts_through_kept_connections_to_the_real_gunicorn(plain):
    """gunicorn's gthread worker behind nginx's kept connections: many requests in a row, GET and POST, all answered
    (a POST is never retried by nginx, so a connection closed under it would show as a 502)."""
    for n in range(30):
        response = get(plain, "/kb/" if n % 2 else "/accounts/login/")
        assert response.status in (200, 301, 302), response.status
        connection = http.client.HTTPConnection("127.0.0.1", plain, timeout=10)
        connection.request(
            "POST",
            "/accounts/login/",
            body="username=x&password=y",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https"},
        )
        status = connection.getresponse().status
        connection.close()
        assert status < 500, status


def post_size(port: int, path: str, size: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", path, body=b"x" * size, headers={"Content-Type": "application/octet-stream"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_only_the_log_upload_pages_take_bodies_over_two_megabytes(plain):
    three_mb = 3 << 20
    assert post_size(plain, "/kb/", three_mb) == 413  # nginx refuses it before gunicorn sees it
    assert post_size(plain, "/accounts/login/", three_mb) == 413
    # The log analysis page and the symptom form (optional log file) pass it on: Django answers (here the https
    # redirect of this plain-http server), not nginx's 413.
    assert post_size(plain, "/logs/", three_mb) == 301
    assert post_size(plain, "/report/", three_mb) == 301
