"""Load test: the production server on 127.0.0.1 (nginx in front of gunicorn, as `make serve` runs them) under a
mixed helpdesk workload, measured with wrk against nginx.

    scripts/loadtest                 # PostgreSQL (a scratch database `portal_loadtest`)
    scripts/loadtest --sqlite        # SQLite (a scratch file), with concurrent ticket comments
    scripts/loadtest --seconds 10    # each phase's length (default 15)
    scripts/loadtest --no-redis      # without the shared Redis cache (per-process caches, database sessions)
    scripts/loadtest --reference     # also pages that do no work: what the stack serves at best here

The server runs as in production on one machine, with the shared cache (Redis on 127.0.0.1:6379, db 15, emptied
first) when one answers, and writes its JSON request log to a file (deleted after a run that passes). Phases:
article pages alone (a logged-in helpdesk user, then a reader who is not logged in); /api/search alone at 50 clients
sending back to back (saturation), with a helpdesk user's session and without one (as an integration calls it), then
as 50 people searching as they type (each waits 0.25-0.75 s between requests); with --reference, the pages that do
no work; last, the mixed workload (article pages, search-as-you-type, symptom-selector updates, the API, ticket
comments, diagnostic runs against a loopback DNS server), whose diagnostic runs keep the db_worker busy after it
ends. Prints requests/s, p50/p95/p99 and errors per phase, and beside wrk's latency the p95/p99 of Django's own
time from the request log ("dj"); exits 1 on any 5xx, socket error or "database is locked".
Targets: zero 5xx, article page >= 500 req/s, /api/search p95 <= 50 ms.
"""

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote_plus

from loadlib import (
    add_django_times,
    fresh_redis,
    is_logged_in,
    log,
    prepare,
    print_medians,
    print_table,
    production_server,
    recreate_postgres_database,
    server_environment,
    wrk,
)

from tests.servers.dns import LoopbackDNS

QUERIES = [
    "relay",
    "550 5.7.1",
    "451",
    "4.7.1",
    "greylisting",
    "bypassed",
    "greylsiting",
    "recipent verification",
    "exchnage",
    "milt",
    "Nov 28 10:01:02 fm1 mailfilterd[812]: 3AB2C1 Milter (fas_milter): timeout before data read",
    "550 5.7.1 <bob@example.com>: Relay access denied",
    "fortiguard",
    "dns timeout",
]
# What this stack serves at best on this machine: no view, a page without queries, the same for a logged-in user.
REFERENCE = [
    ("static file (nginx)", "/static/css/portal.css", True),
    ("404 page, anonymous", "/no-such-page/", True),
    ("404 page, logged in", "/no-such-page/", False),
]
THINK_MS = 500  # a person searching as they type: a request every 0.25-0.75 s (the search box debounces 300 ms)
TYPING = ["r", "re", "rel", "rela", "relay", "gr", "grey", "greyl", "mil", "milt", "milter"]


def article_requests(seed: dict) -> list[str]:
    return [f"GET\t{url}" for url in seed["articles"]]


def api_requests() -> list[str]:
    return [f"GET\t/api/search?q={quote_plus(q)}" for q in QUERIES]


def mixed_requests(seed: dict) -> list[str]:
    ticket = seed["ticket"]
    rows = article_requests(seed) * 4
    rows += [f"GET\t/search/?q={quote_plus(q)}&hx=1" for q in TYPING]
    rows += ["GET\t/symptoms/?symptom=1&hx=1", "GET\t/symptoms/?symptom=1&symptom=2&hx=1", "GET\t/symptoms/"] * 2
    rows += api_requests()[:8]
    rows += [f"POST\t/tickets/{ticket}/comment/\tbody=Load+test+comment+mentioning+KB-0006&internal=on"] * 6
    rows += ["POST\t/diagnostics/\tdomain=one.test&checks=mx_records"] * 2
    return rows


PHASES = ["article", "article-anonymous", "api", "api-anonymous", "api-people", "reference", "mixed"]
DEFAULT_PHASES = [phase for phase in PHASES if phase != "reference"]


def run_phase(phase: str, label: str, seed: dict, seconds: int) -> list[dict]:
    """Run one phase with wrk (50 clients) and return its rows."""
    articles, api = article_requests(seed), api_requests()
    if phase == "reference":
        rows = []
        for name, path, anonymous in REFERENCE:
            log(f"{label}: reference, {name}, 50 clients, {seconds} s")
            rows.append(wrk(name, [f"GET\t{path}"], seed, connections=50, seconds=seconds, anonymous=anonymous))
        return rows
    name, requests, options = {
        "article": ("article page", articles, {}),
        "article-anonymous": ("article page, anonymous", articles, {"anonymous": True}),
        "api": ("/api/search", api, {}),
        "api-anonymous": ("/api/search, no session", api, {"anonymous": True}),
        "api-people": ("/api/search, 50 people", api, {"think_ms": THINK_MS}),
        "mixed": ("mixed (incl. comments, runs)", mixed_requests(seed), {}),
    }[phase]
    log(f"{label}: {name}, 50 clients, {seconds} s")
    return [wrk(name, requests, seed, connections=50, seconds=seconds, **options)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="run on a scratch SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--reference", action="store_true", help="also time pages that do no work (static file, 404 pages)"
    )
    parser.add_argument("--no-redis", action="store_true", help="per-process caches and database sessions")
    parser.add_argument("--seconds", type=int, default=15, help="length of each phase (default 15)")
    parser.add_argument(
        "--phases",
        default=",".join(DEFAULT_PHASES),
        help=f"comma-separated phases, run in this order: {','.join(PHASES)} (default all but reference)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run the phases this many times on one server; medians are printed"
    )
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}; known: {', '.join(PHASES)}")
    seconds = max(3, min(args.seconds, 120))

    with LoopbackDNS() as dns, tempfile.TemporaryDirectory() as scratch:
        if args.sqlite:
            database_url = f"sqlite:///{Path(scratch) / 'loadtest.sqlite3'}"
        else:
            database_url = recreate_postgres_database("portal_loadtest")
        redis_url = None if args.no_redis else fresh_redis()
        env = server_environment(database_url, dns.address, redis_url)
        seed = prepare(env)
        label = ("SQLite" if args.sqlite else "PostgreSQL") + (" + Redis cache" if redis_url else ", per-process cache")
        with production_server(env) as server:
            if not is_logged_in(seed):  # the "helpdesk user" phases would measure a reader's pages
                raise SystemExit("The seeded helpdesk session is not logged in on the server.")
            log(f"{label}: warm-up (mixed workload, 10 clients, 5 s, not reported)")
            wrk("warm-up", mixed_requests(seed), seed, connections=10, seconds=5)
            rows = []
            for _ in range(max(1, min(args.repeat, 20))):
                for phase in PHASES:  # the mixed workload last: its runs keep the db_worker busy afterwards
                    if phase in phases or (phase == "reference" and args.reference):
                        rows += run_phase(phase, label, seed, seconds)
            locked = server.log_contains("database is locked")
            tracebacks = server.log_contains("Traceback")
    add_django_times(server.logfile, rows)
    print()
    print(f"Load test on {label} ({seconds} s per phase, wrk -t2, loopback)")
    print_table(rows)
    if args.repeat > 1:
        print_medians(rows)
    print(f'"database is locked" in server log: {locked}; tracebacks: {tracebacks}')
    failed = any(r["status_5xx"] or r["status_503"] or r["socket_errors"] for r in rows) or locked
    print("FAIL" if failed else "OK: zero 5xx, no socket errors, no locked database")
    if failed:
        print(f"server log (a JSON line per request): {server.logfile}")
    else:
        server.logfile.unlink()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
