"""How long a diagnostic run takes compared with its slowest check, with the vantage check in the run.

    .venv/bin/python scripts/bench_diagnostics.py              # 20 rounds per situation
    .venv/bin/python scripts/bench_diagnostics.py --rounds 50

All five checks run against the loopback servers of the test suite (dnslib DNS, HTTP, aiosmtpd SMTP; nothing
leaves 127.0.0.0/8), DIAG_TIMEOUT=1, in four situations: a healthy resolver, slow blocklists (300 ms), a resolver
that never answers and one that answers NXDOMAIN for the canary. Printed per situation: the run's wall time,
its slowest check's duration, the overhead (wall - slowest; the target is at most 1 s) and the canary's time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics.checks import CHECK_NAMES, Target, parse_config, run_concurrently  # noqa: E402
from tests.servers.dns import LoopbackDNS  # noqa: E402
from tests.servers.http import LoopbackHTTP  # noqa: E402
from tests.servers.smtp import LoopbackSMTP  # noqa: E402

TARGET = Target("one.test", ("mx.gw.test",), "smtp.one.test")


def settings(dns: LoopbackDNS, http: LoopbackHTTP, smtp: LoopbackSMTP) -> dict[str, str]:
    return {
        "DIAG_NAMESERVERS": dns.address,
        "DIAG_FORTIGUARD_URLS": http.url("/ok"),
        "DIAG_DNSBL_ZONES": "good.bl.test",
        "DIAG_URIBL_ZONES": "good.uri.test",
        "DIAG_TIMEOUT": "1",
        "DIAG_ALLOW_PRIVATE": "127.0.0.0/8,::1/128",
        "DIAG_SMTP_PORT": str(smtp.port),
        "DIAG_DNSBL_WARN": "0.2",
    }


def measure(raw: dict[str, str], rounds: int) -> dict[str, list[float]]:
    config = parse_config(raw)
    numbers: dict[str, list[float]] = {"wall": [], "slowest": [], "overhead": [], "canary": []}
    for _ in range(rounds):
        started = time.monotonic()
        outcomes = run_concurrently(CHECK_NAMES, TARGET, config)
        wall = (time.monotonic() - started) * 1000
        slowest = max(o.duration_ms for o in outcomes)
        canary = next((o.details["vantage"]["ms"] for o in outcomes if "vantage" in o.details), 0)
        for key, value in (("wall", wall), ("slowest", slowest), ("overhead", wall - slowest), ("canary", canary)):
            numbers[key].append(value)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, LoopbackDNS() as dns, LoopbackSMTP() as smtp:
        with LoopbackHTTP(Path(scratch)) as http:
            base = settings(dns, http, smtp)
            situations = {
                "healthy resolver": base,
                "slow blocklists (300 ms)": {**base, "DIAG_DNSBL_ZONES": "slow.bl.test", "DIAG_URIBL_ZONES": ""},
                "resolver never answers": {**base, "DIAG_NAMESERVERS": dns.silent_address},
                "canary NXDOMAIN (blind)": {**base, "DIAG_CANARY_NAME": "no-such-canary.test"},
            }
            print(f"{args.rounds} runs of all five checks each, DIAG_TIMEOUT=1 s; milliseconds, median / max")
            print(f"{'situation':<26} {'wall':>13} {'slowest check':>15} {'overhead':>13} {'canary':>11}")
            for name, raw in situations.items():
                numbers = measure(raw, args.rounds)
                cells = [f"{statistics.median(v):6.0f} / {max(v):4.0f}" for v in numbers.values()]
                print(f"{name:<26} {cells[0]:>13} {cells[1]:>15} {cells[2]:>13} {cells[3]:>11}")


if __name__ == "__main__":
    main()
