"""Fault tests against the production server on 127.0.0.1 (nginx in front of gunicorn, as `make serve` runs them)
with PostgreSQL and Redis servers of their own: the script starts a PostgreSQL cluster (initdb in a temporary
directory) and a Redis server on free loopback ports and restarts those, never the machine's.

    scripts/faulttest                  # every scenario
    scripts/faulttest worker-kill      # kill -9 a db_worker in the middle of a diagnostic run
    scripts/faulttest postgres-restart # restart PostgreSQL under load
    scripts/faulttest redis-restart    # stop Redis (the shared cache) for 3 s under load, then start it
    scripts/faulttest --no-redis       # without the shared Redis cache (per-process caches, database sessions)

The server runs as in production on one machine, with the shared cache (REDIS_URL) unless --no-redis.

worker-kill: a run whose DNS server never answers keeps the worker busy; the worker is killed; the run must
end as failed by its deadline (never stay "running"). postgres-restart: wrk drives the mixed workload while
PostgreSQL restarts; requests during the outage must be 503 pages (no other 5xx), requests afterwards must
succeed without restarting the portal, and every comment written before the outage must still be there.
redis-restart (with the shared cache only): the same while Redis stops for a few seconds and starts again without
what it held (it keeps nothing on disk); afterwards the helpdesk user's session must still be valid (sessions are
kept in the database too).
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from loadlib import (
    BASE,
    PrivatePostgres,
    PrivateRedis,
    get,
    is_logged_in,
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
REDIS_DOWN_SECONDS = 3
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
        os.killpg(worker.pid, signal.SIGKILL)
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


def postgres_restart(env: dict, seed: dict, postgres: PrivatePostgres) -> bool:
    def restart() -> None:
        postgres.restart()
        log("PostgreSQL restarted")

    return outage_under_load(env, seed, "PostgreSQL restarts", restart)


def redis_restart(env: dict, seed: dict, cache: PrivateRedis) -> bool:
    def stop_and_start() -> None:
        cache.stop()
        if cache.answers():
            raise SystemExit("Redis did not stop")
        log("Redis stopped")
        time.sleep(REDIS_DOWN_SECONDS)
        cache.start()
        log("Redis started again (empty)")

    return outage_under_load(env, seed, f"Redis stops for {REDIS_DOWN_SECONDS} s", stop_and_start)


def outage_under_load(env: dict, seed: dict, what: str, fault: Callable[[], None]) -> bool:
    """The mixed workload (20 clients, 20 s) with `fault` 5 s into it. Passes when no answer but the outage page
    was a 5xx, every page answers afterwards without a restart of the portal, the helpdesk user's session is still
    valid, and no comment written before the outage is lost."""
    with production_server(env, workers=1):
        wrk("warm-up", mixed_requests(seed), seed, connections=20, seconds=5)
        before = int(shell(env, COUNT_COMMENTS))
        log(f"{before} comments written before the outage; in 5 s {what}, under load")

        def after_5_seconds() -> None:
            time.sleep(5)
            fault()

        thread = threading.Thread(target=after_5_seconds)
        thread.start()
        row = wrk(f"mixed while {what.split()[0]} is down", mixed_requests(seed), seed, connections=20, seconds=20)
        thread.join()
        statuses = [get(url) for url in seed["articles"]] + [get("/api/search?q=relay")]
        logged_in = is_logged_in(seed)
        after = int(shell(env, COUNT_COMMENTS))
    print_table([row])
    print(f"afterwards: statuses {sorted(set(statuses))}; session still valid: {logged_in}")
    print(f"comments before the outage {before}, after {after}")
    return row["status_5xx"] == 0 and set(statuses) == {200} and logged_in and after >= before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scenarios = ["worker-kill", "postgres-restart", "redis-restart", "all"]
    parser.add_argument("scenario", nargs="?", choices=scenarios, default="all")
    parser.add_argument("--no-redis", action="store_true", help="per-process caches and database sessions")
    args = parser.parse_args()
    results = {}
    postgres = PrivatePostgres()
    cache = None if args.no_redis else PrivateRedis()
    with LoopbackDNS() as dns:
        try:
            postgres.start()
            if cache:
                cache.start()
            log(f"PostgreSQL on 127.0.0.1:{postgres.port}; " + (f"Redis on {cache.url}" if cache else "no Redis"))
            database_url = recreate_postgres_database("portal_faulttest", postgres.port)
            env = server_environment(database_url, dns.address, cache.url if cache else None)
            env["DIAG_TIMEOUT"] = "8"
            seed = prepare(env)
            if args.scenario in ("worker-kill", "all"):
                results["worker-kill"] = worker_kill(env, seed)
            if args.scenario in ("postgres-restart", "all"):
                results["postgres-restart"] = postgres_restart(env, seed, postgres)
            if args.scenario in ("redis-restart", "all") and cache:
                results["redis-restart"] = redis_restart(env, seed, cache)
        finally:
            if cache:
                cache.stop()
            postgres.stop()
    print(json.dumps({name: "OK" if ok else "FAIL" for name, ok in results.items()}))
    print(f"(server was {BASE})")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
