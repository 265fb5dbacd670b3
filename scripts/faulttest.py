"""Fault tests against the production server on 127.0.0.1 with PostgreSQL (run as root: it restarts PostgreSQL).

    scripts/faulttest                  # both scenarios
    scripts/faulttest worker-kill      # kill -9 a db_worker in the middle of a diagnostic run
    scripts/faulttest postgres-restart # restart PostgreSQL under load
    scripts/faulttest --no-redis       # without the shared Redis cache (per-process caches, database sessions)

The server runs as in production on one machine, with the shared cache (Redis on 127.0.0.1:6379, db 15, emptied
first) when one answers, as scripts/loadtest does.

worker-kill: a run whose DNS server never answers keeps the worker busy; the worker is killed; the run must
end as failed by its deadline (never stay "running"). postgres-restart: wrk drives the mixed workload while
PostgreSQL restarts; requests during the outage must be 503 pages (no other 5xx), requests afterwards must
succeed without restarting the portal, and every comment written before the outage must still be there.
"""

import argparse
import glob
import json
import subprocess
import sys
import threading
import time

from loadlib import (
    BASE,
    fresh_redis,
    get,
    log,
    manage,
    prepare,
    print_table,
    production_server,
    recreate_postgres_database,
    server_environment,
    wrk,
)
from loadtest import mixed_requests

from tests.servers.dns import LoopbackDNS

RUN_STATE = """
from diagnostics.models import DiagnosticRun
run = DiagnosticRun.objects.get(pk={pk})
print("|".join([run.state, run.status, run.deadline_at.isoformat()]))
"""
START_RUN = """
from diagnostics.checks.base import Target
from diagnostics.services import start_run
run = start_run(Target(domain="silent.test"), ["mx_records"])
print(run.pk)
"""
COUNT_COMMENTS = """
from tickets.models import Event
print(Event.objects.filter(kind__in=["reply", "note"]).count())
"""


def shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def worker_kill(env: dict, seed: dict) -> bool:
    with production_server(env, workers=1) as server:
        pk = int(shell(env, START_RUN))
        log(f"run {pk} started against a DNS server that never answers")
        for _ in range(100):
            state = shell(env, RUN_STATE.format(pk=pk)).split("|")[0]
            if state == "running":
                break
            time.sleep(0.2)
        log(f"run {pk} is {state}; killing the worker with SIGKILL")
        worker = server.workers[0]
        subprocess.run(["pkill", "-KILL", "-g", str(worker.pid)], check=False)
        worker.wait(timeout=10)
        started = time.monotonic()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            get(f"/diagnostics/runs/{pk}/", seed)  # the run's page (polled by htmx) expires stale runs
            state, status, deadline_at = shell(env, RUN_STATE.format(pk=pk)).split("|")
            if state != "running" and state != "queued":
                break
            time.sleep(1)
        waited = time.monotonic() - started
    ok = state == "failed"
    log(
        f"worker-kill: run {pk} ended {state} ({status or '-'}), {waited:.1f} s after the kill (deadline {deadline_at})"
    )
    return ok


def postgres_restart(env: dict, seed: dict) -> bool:
    cluster = glob.glob("/etc/postgresql/*")[0].rsplit("/", 1)[1]
    with production_server(env, workers=1):
        wrk("warm-up", mixed_requests(seed), seed, connections=20, seconds=5)
        before = int(shell(env, COUNT_COMMENTS))
        log(f"{before} comments written before the outage; restarting PostgreSQL {cluster} in 5 s, under load")

        def restart() -> None:
            time.sleep(5)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart", "-m", "fast"], check=True
            )
            log("PostgreSQL restarted")

        thread = threading.Thread(target=restart)
        thread.start()
        row = wrk("mixed during restart", mixed_requests(seed), seed, connections=20, seconds=20)
        thread.join()
        statuses = [get(url) for url in seed["articles"]] + [get("/api/search?q=relay"), get("/tickets/", seed)]
        after = int(shell(env, COUNT_COMMENTS))
    print_table([row])
    print(f"after the restart: statuses {sorted(set(statuses))}; comments before {before}, after {after}")
    return row["status_5xx"] == 0 and set(statuses) == {200} and after >= before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", choices=["worker-kill", "postgres-restart", "all"], default="all")
    parser.add_argument("--no-redis", action="store_true", help="per-process caches and database sessions")
    args = parser.parse_args()
    results = {}
    with LoopbackDNS() as dns:
        redis_url = None if args.no_redis else fresh_redis()
        log("with the shared Redis cache" if redis_url else "with per-process caches")
        env = server_environment(recreate_postgres_database("portal_faulttest"), dns.address, redis_url)
        env["DIAG_TIMEOUT"] = "8"
        seed = prepare(env)
        if args.scenario in ("worker-kill", "all"):
            results["worker-kill"] = worker_kill(env, seed)
        if args.scenario in ("postgres-restart", "all"):
            results["postgres-restart"] = postgres_restart(env, seed)
    print(json.dumps({name: "OK" if ok else "FAIL" for name, ok in results.items()}))
    print(f"(server was {BASE})")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
