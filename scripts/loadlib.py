"""Shared parts of the load and fault scripts: a production server on 127.0.0.1 and wrk runs against it.

Everything stays on loopback: nginx (deploy/nginx.conf, as `make serve` runs it) in front of the portal (gunicorn),
its db_worker, a dnslib DNS server for diagnostics. wrk talks to nginx. Each run is bounded in time (wrk -d) and
every process is stopped at the end.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PORT = int(os.environ.get("LOADTEST_PORT", "8765"))  # nginx
UPSTREAM_PORT = PORT + 1  # gunicorn, behind nginx
BASE = f"http://127.0.0.1:{PORT}"
# gunicorn's settings; an A/B run may name a file that imports portal/gunicorn.conf.py and changes one thing.
GUNICORN_CONF = os.environ.get("LOADTEST_GUNICORN_CONF", "portal/gunicorn.conf.py")

sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def recreate_postgres_database(name: str, port: int = 5432) -> str:
    """A new, empty database `name` (or LOADTEST_DATABASE, so that two runs on one server do not share one) on the
    PostgreSQL server on 127.0.0.1:`port`; its URL."""
    import psycopg

    name = os.environ.get("LOADTEST_DATABASE", name)
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:{port}/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL's programs refuse to run as root: run as root, they run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary directory, trust auth, on a free loopback port): a
    fault test restarts it without touching the machine's server, which other work may be using."""

    def __init__(self) -> None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
        if not versions:
            raise SystemExit("PostgreSQL's server programs are not installed (Debian: postgresql)")
        self.bin = Path(versions[-1])
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"

    def pg_ctl(self, *args: str) -> None:
        command = as_postgres_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args])
        # The server's output goes to its log file (-l): a pipe here would be held open by the server.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=90)

    def start(self) -> None:
        if not self.data.exists():
            initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
            subprocess.run(as_postgres_user(initdb), check=True, capture_output=True, timeout=120)
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-l", str(self.log), "-o", options, "start")

    def restart(self) -> None:
        self.pg_ctl("-l", str(self.log), "-m", "fast", "restart")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A Redis server of its own on a free loopback port that keeps nothing on disk: stopped and started again, it
    starts empty, as the shared cache does after a restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"redis-server did not start on 127.0.0.1:{self.port}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def fresh_redis(url: str = REDIS_URL) -> str | None:
    """The shared cache production runs with (`REDIS_URL`), emptied; None when no Redis answers on loopback."""
    try:
        redis.Redis.from_url(url, socket_timeout=2).flushdb()
    except redis.RedisError:
        return None
    return url


def server_environment(database_url: str, dns_address: str, redis_url: str | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="0",  # plain HTTP on loopback; everything else as in production
        BIND=f"127.0.0.1:{UPSTREAM_PORT}",
        TRUST_X_FORWARDED_PROTO="1",
        TRUST_X_FORWARDED_FOR="1",
        DIAG_NAMESERVERS=dns_address,
        DIAG_ALLOW_PRIVATE="127.0.0.0/8",
        DIAG_TIMEOUT="3",
        DIAG_RATE_LIMIT="1000000",
        RATE_LIMIT_SEARCH_PER_MINUTE="1000000",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="INFO",  # as in production: a JSON line per request and per task event, into the server log
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SEED = """
import dataclasses
import glob
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.utils.crypto import get_random_string
from diagnostics.models import ProtectedDomain
from kb.models import Article
from tickets.models import Ticket
user, _ = User.objects.get_or_create(username="loadtest", defaults={"email": "loadtest@example.com"})
user.groups.add(Group.objects.get(name="helpdesk"))
ProtectedDomain.objects.get_or_create(name="one.test", defaults={"gateway_hosts": "mx.gw.test"})
ticket = Ticket.objects.create(title="Load test ticket", description="Created by scripts/loadtest", requester=user)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that checks passwords
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key, "csrf": get_random_string(32), "ticket": ticket.pk,
                  "articles": [a.get_absolute_url() for a in Article.objects.all()]}))
"""


def prepare(env: dict[str, str]) -> dict:
    log("migrate, import the guide, collectstatic, seed a helpdesk user and a ticket")
    manage(env, "migrate", "--noinput")
    manage(env, "import_guide")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    output = manage(env, "shell", "-c", SEED)
    return json.loads(output.strip().splitlines()[-1])


@contextmanager
def production_server(env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    """nginx in front of gunicorn (sized by portal/gunicorn.conf.py) and `workers` db_worker processes; stopped
    on exit."""
    from nginx_conf import NginxSite, command

    logfile = tempfile.NamedTemporaryFile(prefix="portal-server-", suffix=".log", delete=False)  # noqa: SIM115
    prefix = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
    static_root = env.get("STATIC_ROOT") or str(ROOT / "staticfiles")
    site = NginxSite(listen=f"127.0.0.1:{PORT}", upstream=f"127.0.0.1:{UPSTREAM_PORT}", static_root=Path(static_root))
    if keepalive := os.environ.get("LOADTEST_UPSTREAM_KEEPALIVE"):  # A/B runs: 0 opens a connection per request
        site = dataclasses.replace(site, upstream_keepalive=int(keepalive))
    site.write(prefix)
    processes = [
        subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "portal.wsgi", "-c", GUNICORN_CONF],
            cwd=ROOT,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ]
    processes += [
        subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--worker-id", f"loadtest-{i}"],
            cwd=ROOT,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for i in range(workers)
    ]
    nginx = subprocess.Popen(
        command(prefix), cwd=ROOT, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_until_up()
        yield Server(processes=processes, logfile=Path(logfile.name), nginx=nginx)
    finally:
        for process in [nginx, *processes]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [nginx, *processes]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@dataclass
class Server:
    processes: list[subprocess.Popen]  # gunicorn, then the db_workers
    logfile: Path
    nginx: subprocess.Popen

    @property
    def workers(self) -> list[subprocess.Popen]:
        return self.processes[1:]

    def log_contains(self, text: str) -> int:
        return self.logfile.read_text(errors="replace").count(text)


def wait_until_up(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(BASE + "/", timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not come up on {BASE} within {timeout:.0f} s")


def get(path: str, seed: dict | None = None, timeout: float = 10) -> int:
    """GET on the portal (as the seeded helpdesk user when `seed` is given); the status code."""
    headers = {"Cookie": f"sessionid={seed['session']}"} if seed else {}
    request = urllib.request.Request(BASE + path, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def is_logged_in(seed: dict) -> bool:
    """The seeded helpdesk user's session opens the ticket list (rather than redirecting to the login page)."""
    request = urllib.request.Request(f"{BASE}/tickets/", headers={"Cookie": f"sessionid={seed['session']}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status == 200 and "/accounts/login/" not in response.geturl()


def wrk(
    name: str,
    requests: list[str],
    seed: dict,
    *,
    connections: int,
    seconds: int,
    threads: int = 2,
    think_ms: int = 0,
    anonymous: bool = False,
) -> dict:
    """Run wrk over `requests` ("METHOD\\tPATH\\tBODY" lines) and return its RESULT numbers.

    `think_ms`: each client waits a random 0.5-1.5 x think_ms before its next request (a person, not a loop).
    """
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(requests) + "\n")
    env = {
        **os.environ,
        "REQUESTS_FILE": handle.name,
        "COOKIE": "" if anonymous else f"sessionid={seed['session']}; csrftoken={seed['csrf']}",
        "CSRF": seed["csrf"],
        "THINK_MS": str(think_ms),
    }
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "scripts" / "wrk" / "mixed.lua"),
        BASE,
    ]
    started = time.time()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        time.sleep(min(seconds / 2, 5))
        spread = connection_spread()
        stdout, stderr = process.communicate(timeout=seconds + 60)
    window = (started, time.time())
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {name}:\n{stdout}\n{stderr}")
    numbers = json.loads(line.removeprefix("RESULT "))
    numbers["name"] = name
    numbers["connections"] = connections
    numbers["think_ms"] = think_ms
    numbers["spread"] = spread
    numbers["window"] = window
    return numbers


def add_django_times(logfile: Path, rows: list[dict]) -> None:
    """Add to each phase's row the p95 and p99 of the time Django itself took (the request log's `duration_ms`).

    Beside wrk's latency, which the client measures, they show how much of a request's time went to waiting:
    for a connection, a thread, the GIL or a core.
    """
    entries = []
    for line in logfile.read_text(errors="replace").splitlines():
        if '"duration_ms"' in line:
            try:
                record = json.loads(line)
                entries.append((datetime.fromisoformat(record["time"]).timestamp(), float(record["duration_ms"])))
            except (ValueError, KeyError):
                continue
    for row in rows:
        start, end = row["window"]
        durations = sorted(duration for at, duration in entries if start <= at <= end)
        if durations:
            row["django_p95_ms"] = durations[int(len(durations) * 0.95)]
            row["django_p99_ms"] = durations[int(len(durations) * 0.99)]


def connection_spread() -> str:
    """How nginx's open connections to gunicorn sit on its workers right now, busiest first ("2/1/1"): each
    worker takes one request at a time; nginx holds the clients."""
    try:
        result = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{UPSTREAM_PORT} )"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    per_worker = Counter(re.findall(r"pid=(\d+)", result.stdout))
    return "/".join(str(n) for n in sorted(per_worker.values(), reverse=True)) or "-"


def print_table(rows: list[dict]) -> None:
    columns = ["conns", "think ms", "req/s", "p50 ms", "p95 ms", "p99 ms", "4xx", "503", "other5xx", "sock"]
    columns += ["dj p95", "dj p99"]  # Django's own time (add_django_times), when measured
    # "per worker": nginx's connections on each gunicorn worker mid-phase (ss -tnp), busiest first
    header = f"{'workload':28} " + " ".join(f"{c:>8}" for c in columns) + "  per worker"
    print(header)
    print("-" * len(header))
    for row in rows:
        django = " ".join(f"{row[k]:8.1f}" if k in row else f"{'-':>8}" for k in ("django_p95_ms", "django_p99_ms"))
        print(
            f"{row['name']:28} {row['connections']:8d} {row.get('think_ms', 0):8d} {row['rps']:8.1f} "
            f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
            f"{row['p99_ms']:8.1f} {row['status_4xx']:8d} {row['status_503']:8d} {row['status_5xx']:8d} "
            f"{row['socket_errors']:8d} {django}  {row.get('spread', '')}"
        )


def print_medians(rows: list[dict]) -> None:
    """Per workload, the median of the repeated runs' req/s, p95 and Django's own p95 (and each run's req/s)."""
    print()
    print(f"{'workload (median of runs)':28} {'runs':>5} {'req/s':>8} {'p95 ms':>8} {'dj p95':>8}  req/s of each run")
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(row)
    for name, runs in by_name.items():
        rps = statistics.median(r["rps"] for r in runs)
        p95 = statistics.median(r["p95_ms"] for r in runs)
        django = [r["django_p95_ms"] for r in runs if "django_p95_ms" in r]
        dj = f"{statistics.median(django):8.1f}" if django else f"{'-':>8}"
        each = " ".join(f"{r['rps']:.0f}" for r in runs)
        print(f"{name:28} {len(runs):5d} {rps:8.1f} {p95:8.1f} {dj}  {each}")
