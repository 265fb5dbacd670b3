"""CPU time per request: the portal's WSGI application called in this process, as gunicorn calls it.

    scripts/request_cpu                 # PostgreSQL (a scratch database `portal_request_cpu`) + Redis, as loadtest
    scripts/request_cpu --no-redis      # per-process caches and database sessions
    scripts/request_cpu --sqlite        # a scratch SQLite file
    scripts/request_cpu --requests 500  # requests per round (default 2,000; the best of 5 rounds is printed)
    scripts/request_cpu --profile 0     # then cProfile page 0 (the helpdesk article page) and print the top 40
    scripts/request_cpu --profile 0 --profile-sort tottime --profile-only 'kb/|auth/'   # sorted, filtered

No network, no load tool and no other request compete: the numbers are the CPU seconds this process spends per
request (Django, the middleware, the client side of PostgreSQL and Redis round trips; not the servers' side). They
move with the machine's speed far less than scripts/loadtest's, so two versions of the code compare better here.
Every request's response is checked (status, and that a page is the one asked for).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadlib import PYTHON, ROOT, fresh_redis, log, prepare, recreate_postgres_database, server_environment

ROUNDS = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="a scratch SQLite file instead of PostgreSQL")
    parser.add_argument("--no-redis", action="store_true", help="per-process caches and database sessions")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2,000)")
    parser.add_argument("--profile", type=int, choices=range(5), metavar="N", help="also profile page N (0-4)")
    parser.add_argument("--profile-sort", default="cumulative", help="pstats sort key (default cumulative)")
    parser.add_argument("--profile-only", default="", metavar="REGEX", help="only functions whose path matches")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the seed (JSON): measure in this process
    args = parser.parse_args()
    if args.child:
        return measure(json.loads(args.child), max(10, min(args.requests, 100_000)), args)

    with tempfile.TemporaryDirectory() as scratch:
        if args.sqlite:
            database_url = f"sqlite:///{Path(scratch) / 'request_cpu.sqlite3'}"
        else:
            database_url = recreate_postgres_database("portal_request_cpu")
        redis_url = None if args.no_redis else fresh_redis()
        env = server_environment(database_url, "127.0.0.1:9", redis_url)
        env["LOG_LEVEL"] = "WARNING"  # the request log's cost is in loadtest's numbers, not here
        seed = prepare(env)
        label = ("SQLite" if args.sqlite else "PostgreSQL") + (" + Redis cache" if redis_url else ", per-process cache")
        log(f"{label}: {ROUNDS} rounds of {args.requests} requests per page")
        command = [PYTHON, __file__, "--child", json.dumps(seed), "--requests", str(args.requests)]
        if args.profile is not None:
            command += ["--profile", str(args.profile), "--profile-sort", args.profile_sort]
            command += ["--profile-only", args.profile_only]
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def measure(seed: dict, count: int, options: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal.wsgi import application

    article = seed["articles"][7]  # KB-0008: symptoms, causes, steps with CLI blocks and variants, related articles
    pages = [
        ("article page, helpdesk user", article, True, 200),
        ("article page, not logged in", article, False, 200),
        ("/api/search, helpdesk session", "/api/search?q=relay+access+denied", True, 200),
        ("/api/search, no session", "/api/search?q=relay+access+denied", False, 200),
        ("404 page, helpdesk user", "/no-such-page/", True, 404),
    ]
    print(f"{'request':32} {'CPU ms':>8} {'wall ms':>8}")
    for name, path, logged_in, expected in pages:
        environ = wsgi_environ(path, seed["session"] if logged_in else None)
        for _ in range(50):  # caches filled, connections open
            call(application, environ, expected)
        best_cpu = best_wall = float("inf")
        for _ in range(ROUNDS):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            for _ in range(count):
                call(application, environ, expected)
            best_cpu = min(best_cpu, (time.process_time() - started_cpu) / count * 1000)
            best_wall = min(best_wall, (time.perf_counter() - started_wall) / count * 1000)
        print(f"{name:32} {best_cpu:8.3f} {best_wall:8.3f}", flush=True)
    if options.profile is not None:
        name, path, logged_in, expected = pages[options.profile]
        environ = wsgi_environ(path, seed["session"] if logged_in else None)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [call(application, environ, expected) for _ in range(count)])
        print(f"\n{name}: cProfile of {count} requests, by {options.profile_sort}")
        pstats.Stats(profiler).sort_stats(options.profile_sort).print_stats(options.profile_only, 40)
    return 0


def wsgi_environ(path: str, session: str | None) -> dict:
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8765",
        "HTTP_USER_AGENT": "request_cpu",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if session:
        environ["HTTP_COOKIE"] = f"sessionid={session}"
    return environ


def call(application: object, environ: dict, expected: int) -> None:
    statuses = []
    body = application(
        {**environ, "wsgi.input": io.BytesIO()}, lambda status, headers, exc_info=None: statuses.append(status)
    )
    try:
        content = b"".join(body)
    finally:
        body.close()
    if int(statuses[0].split()[0]) != expected or not content:
        raise SystemExit(f"{environ['PATH_INFO']}: {statuses[0]}, {len(content)} bytes (expected {expected})")
    if "HTTP_COOKIE" in environ and b"<html" in content and b"Log out" not in content:
        raise SystemExit(f"{environ['PATH_INFO']}: served without the session's user (not logged in)")


if __name__ == "__main__":
    sys.exit(main())
