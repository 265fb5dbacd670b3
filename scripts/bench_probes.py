"""What a probe costs the portal: one signed poll, one results post, and the probe file's start-up.

    .venv/bin/python scripts/bench_probes.py               # 200 requests each, SQLite test database
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_probes.py --requests 500

Runs in a throw-away test database (Django's test database creation; the configured database is not written),
through Django's test client (the whole middleware stack, no network). Prints median / p95 / max in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
PYTHON = "/usr/bin/python3"  # what a site has: not this virtualenv


def summary(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"| {name} | {statistics.median(samples):.1f} | {p95:.1f} | {samples[-1]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PROBES_RATE_LIMIT = 10**6
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        import json

        from django.utils import timezone

        from diagnostics import services
        from diagnostics.models import ProtectedDomain
        from probes.agent.signing import signed_headers, signing_key
        from probes.models import Assignment, Probe, new_secret

        domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
        secret, key_hash = new_secret()
        probe = Probe.objects.create(name="bench", site="B", key_hash=key_hash, last_seen_at=timezone.now())
        probe.domains.add(domain)
        key, client = signing_key(secret), Client()

        def post(path: str, payload: dict) -> float:
            body = json.dumps(payload).encode()
            headers = signed_headers(probe.pk, key, "POST", path, body)
            started = time.perf_counter()
            response = client.post(path, body, content_type="application/json", headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.content
            return elapsed

        polls = [post("/api/probes/poll", {}) for _ in range(args.requests)]
        posts = []
        for _ in range(args.requests):
            run = services.create_run(domain.target(), ["fortiguard_egress"], protected_domain=domain)
            assignment = Assignment.objects.get(run=run)
            result = {"check": "fortiguard_egress", "status": "pass", "summary": "ok", "details": {"x": "y" * 500}}
            posts.append(post(f"/api/probes/assignments/{assignment.pk}/results", {"results": [result]}))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    from probes.build import build

    starts = []
    with tempfile.TemporaryDirectory() as work:
        pyz = build(Path(work) / "mta-probe.pyz")
        size = pyz.stat().st_size
        for _ in range(20):
            started = time.perf_counter()
            subprocess.run([PYTHON, "-I", "-S", str(pyz), "--version"], check=True, capture_output=True)
            starts.append((time.perf_counter() - started) * 1000)
    print(f"{connection.vendor}, {args.requests} requests each; probe file {size // 1024} KiB")
    print("| request | median ms | p95 ms | max ms |\n| --- | --- | --- | --- |")
    print(summary("signed poll (no work)", polls))
    print(summary("results post (1 check)", posts))
    print(summary("probe file start (`--version`)", starts))


if __name__ == "__main__":
    main()
