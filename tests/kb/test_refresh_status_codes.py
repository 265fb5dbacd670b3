"""refresh_status_codes against a registry CSV served on 127.0.0.1 (never the real registry)."""

import json
import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from kb import status_registry

HEADER = (
    '"Code","Sample Text","Associated basic status code","Description","Reference","Submitter","Change Controller"\n'
)
# Two rows in the registry's own format (multi-line quoted descriptions, doubled quotes), plus one row the shipped
# copy does not have yet (X.7.29, registered by RFC 8617).
CSV = (
    HEADER
    + '"X.1.1","Bad destination mailbox address","451, 550","The mailbox specified in the address does not exist.\n'
    'For Internet mail names, this means the address portion to\nthe left of the ""@"" sign is invalid.  This code '
    'is only\nuseful for permanent failures.","[RFC3463] (Standards Track)","G. Vaudreuil","IESG"\n'
    '"X.7.29","ARC validation failure","550","This status code may be returned when a message fails ARC '
    'validation.","[RFC8617] (Experimental)","K. Andersen","IESG"\n'
)
ROUTES = {
    "/smtp-enhanced-status-codes-3.csv": (200, CSV.encode()),
    "/not-a-registry.csv": (200, b"name,value\nx,1\n"),
    "/missing.csv": (404, b"not found"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        status, body = ROUTES.get(self.path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Last-Modified", "Fri, 06 Dec 2024 10:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def registry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "codes.json"
    shutil.copy(status_registry.DATA_PATH, path)
    yield path
    status_registry.registry.cache_clear()


def test_refresh_rewrites_the_codes_and_records_the_source(registry_server, data_file, capsys):
    url = registry_server + "/smtp-enhanced-status-codes-3.csv"
    call_command("refresh_status_codes", url=url, path=str(data_file), timeout=2)
    out = capsys.readouterr().out
    assert f"2 status codes from {url}: 1 new, 78 removed, 0 changed." in out
    assert "New: X.7.29" in out
    data = json.loads(data_file.read_text())
    assert data["source"] == url
    assert data["registry_last_updated"] == "2024-12-06"
    assert data["refreshed_at"]
    assert [c["code"] for c in data["codes"]] == ["X.1.1", "X.7.29"]
    assert data["codes"][0]["description"].endswith('the left of the "@" sign is invalid. This code is only useful '
                                                   "for permanent failures.")  # fmt: skip
    assert len(data["subjects"]) == 8 and len(data["classes"]) == 3  # kept


@pytest.mark.parametrize(
    ("path", "message"),
    [("/missing.csv", "answered HTTP 404"), ("/not-a-registry.csv", r"missing column\(s\) Code")],
)
def test_a_bad_answer_leaves_the_file_alone(registry_server, data_file, path, message):
    before = data_file.read_bytes()
    with pytest.raises(CommandError, match=message):
        call_command("refresh_status_codes", url=registry_server + path, path=str(data_file), timeout=2)
    assert data_file.read_bytes() == before


def test_a_silent_server_times_out(data_file):
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/smtp-enhanced-status-codes-3.csv"
        started = time.monotonic()
        with pytest.raises(CommandError, match="Cannot fetch"):
            call_command("refresh_status_codes", url=url, path=str(data_file), timeout=0.5)
        assert time.monotonic() - started < 3


def test_only_http_urls_and_a_sane_timeout(data_file):
    with pytest.raises(CommandError, match="Only http"):
        call_command("refresh_status_codes", url="file:///etc/passwd", path=str(data_file))
    with pytest.raises(CommandError, match="--timeout"):
        call_command("refresh_status_codes", url="http://127.0.0.1:9/x.csv", path=str(data_file), timeout=0)
