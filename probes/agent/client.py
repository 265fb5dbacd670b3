"""The probe: `enroll URL CODE` once, then `run` (a loop; `--once` polls and works one round).

It only makes outbound requests to its portal (HTTPS; plain HTTP only to a loopback portal, for tests), runs
only the registered checks, and takes its targets only from the portal's answers.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from probes.agent import VERSION
from probes.agent.signing import VERSION_HEADER, signed_headers, signing_key

ENROL_PATH = "/api/probes/enrol"
POLL_PATH = "/api/probes/poll"
RESULTS_PATH = "/api/probes/assignments/{id}/results"
REQUEST_TIMEOUT = 15.0  # seconds, on top of a long poll's wait
ALL_ADDRESSES = "0.0.0.0/0,::/0"  # the site tests its own network: the portal's address rules do not apply


class ProbeError(Exception):
    """Something the operator must read (bad URL, refused code, missing state file, refused request)."""


def check_portal_url(url: str) -> str:
    """The portal's base URL: https, or http to a loopback address only."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in {"https", "http"} or not host or parts.username or parts.password:
        raise ProbeError(f"{url!r} is not a portal URL like https://portal.example.")
    if parts.scheme == "http" and not is_loopback(host):
        raise ProbeError("The portal must be reached over https (plain http only to a loopback address, for tests).")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Portal:
    def __init__(self, base_url: str, ca_file: str = "") -> None:
        self.base_url = check_portal_url(base_url)
        self.context = ssl.create_default_context(cafile=ca_file or None)
        self.base_path = urlsplit(self.base_url).path

    def request(
        self, path: str, payload: dict, *, probe_id: int | None = None, key: bytes = b"", wait: float = 0
    ) -> dict:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json", VERSION_HEADER: VERSION}
        full_path = self.base_path + path
        if probe_id is not None:
            headers.update(signed_headers(probe_id, key, "POST", full_path, body))
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only (check_portal_url)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT + wait, context=self.context) as response:  # noqa: S310
                return json.loads(response.read(1024 * 1024) or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read(64 * 1024)).get("error", "")
            except (ValueError, AttributeError):
                message = ""
            raise ProbeError(f"The portal refused the request ({exc.code}): {message or exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProbeError(f"The portal could not be reached: {exc}") from None


def save_state(path: Path, state: dict) -> None:
    """Write the state file readable by its owner only (0600), replacing any previous one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    if temporary.exists():
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(state, handle)
    os.replace(temporary, path)


def load_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text())
        return {"portal": state["portal"], "probe_id": int(state["probe_id"]), "secret": str(state["secret"]), **state}
    except FileNotFoundError:
        raise ProbeError(f"No state file at {path}: enrol first (enroll URL CODE).") from None
    except (ValueError, KeyError, TypeError):
        raise ProbeError(f"The state file {path} is damaged: enrol again.") from None


def enroll(args: argparse.Namespace) -> int:
    portal = Portal(args.url, args.ca_file)
    answer = portal.request(ENROL_PATH, {"code": args.code.strip(), "version": VERSION, "host": socket.gethostname()})
    state = {
        "portal": portal.base_url,
        "probe_id": int(answer["probe_id"]),
        "secret": str(answer["secret"]),
        "name": answer.get("name", ""),
        "site": answer.get("site", ""),
    }
    save_state(Path(args.state), state)
    print(f"Enrolled as probe {state['name']!r} (site {state['site']}); secret stored in {args.state}.")
    return 0


def outcome_data(outcome: Any) -> dict:
    from diagnostics.checks.vantage import HEADLINE

    data = outcome.as_json()
    data["summary"] = data["summary"].replace(HEADLINE, "The probe cannot test from here")
    data["gateway_commands"] = list(outcome.gateway_commands)
    data["tested_from"] = outcome.tested_from
    return data


def work(assignment: dict, args: argparse.Namespace) -> list[dict]:
    """Run one assignment's checks here, with this site's resolver and network; never raises."""
    try:
        return run_checks(assignment, args)
    except Exception as exc:  # a bad assignment or a bug: report it rather than lose the run
        summary = f"The probe could not run the check ({type(exc).__name__}: {exc})."
        return [
            {"check": name, "status": "error", "summary": summary, "details": {}}
            for name in assignment.get("checks", [])
        ]


def run_checks(assignment: dict, args: argparse.Namespace) -> list[dict]:
    from diagnostics.checks import REGISTRY, Mode, Target, parse_config, run_concurrently

    raw = dict(assignment.get("config") or {})
    raw["DIAG_NAMESERVERS"] = ",".join(args.nameserver or [])
    raw["DIAG_ALLOW_PRIVATE"] = ALL_ADDRESSES
    raw["DIAG_TLS_CA_FILE"] = args.ca_file or ""
    config = parse_config(raw)
    t = assignment["target"]
    port = t.get("smtp_port")
    target = Target(
        str(t["domain"]),
        tuple(str(g) for g in t.get("gateways") or ()),
        str(t.get("smtp_host") or ""),
        int(port) if port else None,
        Mode(t.get("mode") or "gateway"),
        str(t.get("valid_recipient") or ""),
    )
    names = [name for name in assignment.get("checks", []) if name in REGISTRY]
    return [outcome_data(outcome) for outcome in run_concurrently(names, target, config)]


def poll_once(portal: Portal, state: dict, args: argparse.Namespace) -> float:
    """One poll, and the work it brings; returns the seconds to wait before the next poll."""
    key = signing_key(state["secret"])
    answer = portal.request(POLL_PATH, {"wait": args.wait}, probe_id=state["probe_id"], key=key, wait=args.wait)
    for assignment in answer.get("assignments", []):
        results = work(assignment, args)
        path = RESULTS_PATH.format(id=int(assignment["id"]))
        portal.request(path, {"results": results}, probe_id=state["probe_id"], key=key)
        print(f"Reported {len(results)} result(s) of run {assignment.get('run')}.", flush=True)
    return float(answer.get("poll_interval") or 10)


def run(args: argparse.Namespace) -> int:
    state = load_state(Path(args.state))
    portal = Portal(state["portal"], args.ca_file)
    while True:
        try:
            interval = poll_once(portal, state, args)
        except (ProbeError, KeyError, TypeError, ValueError) as exc:  # refused, unreachable, or a strange answer
            if args.once:
                raise ProbeError(str(exc)) from None
            print(exc, file=sys.stderr, flush=True)
            interval = 30.0
        if args.once:
            return 0
        time.sleep(min(max(interval, 1.0), 300.0))


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="mta-probe.pyz", description="Run the portal's checks from this site.")
    main_parser.add_argument("--version", action="version", version=VERSION)
    main_parser.add_argument("--state", default=os.environ.get("MTA_PROBE_STATE", "mta-probe.json"))
    main_parser.add_argument("--ca-file", default="", help="extra CA bundle (PEM) for the portal and TLS checks")
    commands = main_parser.add_subparsers(dest="command", required=True)
    enrol_parser = commands.add_parser("enroll", help="exchange an enrolment code for this probe's secret")
    enrol_parser.add_argument("url")
    enrol_parser.add_argument("code")
    run_parser = commands.add_parser("run", help="poll the portal and run the checks it assigns")
    run_parser.add_argument("--once", action="store_true", help="poll once, work, and exit")
    run_parser.add_argument("--wait", type=float, default=0.0, help="long-poll seconds (the portal caps it)")
    run_parser.add_argument(
        "--nameserver", action="append", help="resolver ip[:port] (repeatable); default: this host's resolver"
    )
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return enroll(args) if args.command == "enroll" else run(args)
    except ProbeError as exc:
        print(f"mta-probe: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
