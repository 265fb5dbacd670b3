"""Benchmark the search service on a separate, synthetic database (never the configured one).

    python manage.py bench_search --articles 100000
    DATABASE_URL=postgres://... python manage.py bench_search --articles 100000

Creates a temporary database (SQLite: a file in the temp directory; PostgreSQL: `bench_search_<pid>` on the
same server), migrates it, imports the real guide, adds N synthetic articles from a mail-gateway vocabulary,
builds the search index, then times a fixed mix of queries three ways: the search service, the full
`/api/search` request through Django's test client, and an `icontains` baseline over the same fields. The
temporary database is dropped at the end.
"""

from __future__ import annotations

import itertools
import logging
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment
from django.utils import timezone

QUERIES = {
    "rare": ["uri-redirect-lookup", "fas_milter", "vexmora", "quiltaro relay", "Administrative Groups"],
    "common": ["mail", "FortiMail unit", "server", "policy verify", "email delivery"],
    "codes": ["550", "5.7.1", "451", "4.7.1", "421"],
    "pasted": [
        "Nov 28 10:15:02 mx1 mailfilterd[2231]: 4BQ1x2Z3Ab012345: Milter (fas_milter): timeout before data read",
        "550 5.7.1 <bob@example.com>: Relay access denied",
        "451 4.7.1 <carol@example.org>: Try again later, greylisted",
        "Nov 28 10:15:09 mx2 mailfilterd[77]: Milter (mailfilterd): timeout before data read, where=eom",
    ],
    "misspelled": ["greylsiting", "recipent", "exchnage", "quarantien"],
    "prefix": ["milt", "greyl", "quaran", "recip"],
}

SUBJECTS = [
    "The FortiMail unit",
    "The protected domain",
    "Outgoing email",
    "Incoming email",
    "The mail queue",
    "The antispam profile",
    "The session profile",
    "The IP policy",
    "The recipient policy",
    "LDAP verification",
    "The DKIM signature",
    "SPF checking",
    "DMARC reporting",
    "The quarantine report",
    "TLS delivery",
    "The FortiGuard lookup",
    "The DNSBL scan",
    "The SURBL scan",
    "Greylisting",
    "Content filtering",
    "The antivirus scan",
    "Attachment scanning",
    "The Exchange connector",
    "The Postfix relay",
    "Webmail access",
]
PROBLEMS = [
    "is bypassed",
    "fails intermittently",
    "rejects valid senders",
    "delays delivery",
    "times out",
    "does not match",
    "reports a temporary failure",
    "drops attachments",
    "quarantines legitimate email",
    "returns an unexpected reply code",
    "is not applied",
    "stops after an upgrade",
    "loops between servers",
]
CONDITIONS = [
    "after a firmware upgrade",
    "for one protected domain",
    "in transparent mode",
    "in gateway mode",
    "during peak hours",
    "for authenticated clients",
    "with IPv6 senders",
    "when the DNS server is slow",
    "behind a NAT firewall",
    "for large messages",
    "with a secondary MX",
    "after a certificate renewal",
]
SENTENCES = [
    "Verify that the {a} is configured for the {b}.",
    "Check the event log for {a} entries about the {b}.",
    "Make sure the {a} can reach the {b} on port 25.",
    "Review the {a} settings and the {b} order.",
    "The {a} may be overloaded when the {b} retries delivery.",
    "Disable the {a} temporarily to test the {b}.",
    "Confirm that the {a} and the {b} use the same host name.",
    "Increase the {a} timeout for the {b}.",
]
NOUNS = [
    "mail server",
    "protected domain",
    "session profile",
    "antispam profile",
    "IP policy",
    "recipient policy",
    "DNS server",
    "MX record",
    "relay host",
    "LDAP profile",
    "certificate",
    "firewall",
    "router",
    "mail queue",
    "FortiGuard service",
    "DNSBL server",
    "SURBL server",
    "greylist window",
    "quarantine",
    "access control rule",
    "safe list",
    "block list",
    "content profile",
    "antivirus profile",
    "Exchange server",
    "SMTP client",
    "email address",
    "sender reputation",
    "endpoint reputation",
    "authentication",
    "delivery attempt",
]
CLI = [
    "config system fortiguard antispam\nset uri-redirect-lookup disable\nend",
    "diagnose debug application smtp 7\ndiagnose debug enable",
    "config antispam settings\nset greylist-ttl 60\nend",
    "execute nslookup name mx.example.com",
    "config mailsetting relay-host-list\nedit 1\nset server smtp.example.net\nnext\nend",
]
REPLIES = [
    "421 4.3.2 Service not available",
    "450 4.2.0 Mailbox unavailable",
    "451 4.3.0 Temporary lookup failure",
    "452 4.2.2 Mailbox full",
    "550 5.1.1 User unknown",
    "550 5.7.0 Message rejected as spam",
    "552 5.3.4 Message size exceeds limit",
    "553 5.1.8 Sender address rejected",
    "554 5.7.1 Access denied",
    "530 5.7.0 Authentication required",
    "535 5.7.8 Authentication credentials invalid",
]
LOGS = [
    "Connection timed out while talking to {n}",
    "DNSBL lookup of {n} timed out",
    "TLS handshake failed with {n}",
    "LDAP query to {n} failed",
    "FortiGuard rating timeout for {n}",
    "Queue file for {n} is locked",
]
SYLLABLES = ["va", "ex", "mo", "ra", "qui", "lta", "ro", "zen", "fil", "tor", "gan", "lis", "pel", "dor", "nix"]


def long_tail(rng: random.Random, size: int) -> list[str]:
    """Made-up product and host words, for the rare end of the vocabulary (Zipf-like use below)."""
    words = {"vexmora", "quiltaro"}
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]

    return statistics.median(ordered), pick(0.95), pick(0.99)


class Command(BaseCommand):
    help = "Benchmark search on a temporary database filled with synthetic articles (never the configured one)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--articles", type=int, default=100_000, help="Synthetic articles (default 100000).")
        parser.add_argument("--repeat", type=int, default=10, help="Timed runs of each query (default 10).")
        parser.add_argument("--baseline-repeat", type=int, default=1, help="Timed runs of the icontains baseline.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--profile", action="store_true", help="Print a profile of one round of the queries.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the PostgreSQL benchmark database (to EXPLAIN its queries)."
        )

    def handle(self, *args, articles: int, repeat: int, baseline_repeat: int, seed: int, **options) -> None:
        self.profile = options["profile"]
        old_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            bench_name = str(Path(tempfile.mkdtemp(prefix="bench_search_")) / "bench.sqlite3")
        else:
            bench_name = f"bench_search_{__import__('os').getpid()}"
        if bench_name == old_name:  # pragma: no cover - impossible by construction; never touch the real DB
            raise SystemExit("Refusing to benchmark on the configured database.")
        test_settings["NAME"] = bench_name
        setup_test_environment()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.stdout.write(f"Benchmark database: {connection.vendor} {bench_name}")
            self.run(articles, repeat, baseline_repeat, seed)
        finally:
            if options["keep"] and connection.vendor == "postgresql":
                connection.close()
                connection.settings_dict["NAME"] = old_name
                self.stdout.write(f"Benchmark database kept: {bench_name} (DROP DATABASE it when done).")
            else:
                connection.creation.destroy_test_db(old_name, verbosity=0)
                if connection.vendor == "sqlite":
                    shutil.rmtree(Path(bench_name).parent, ignore_errors=True)
                self.stdout.write("Benchmark database dropped.")
            teardown_test_environment()

    # --- Filling ---------------------------------------------------------------------------------

    def run(self, articles: int, repeat: int, baseline_repeat: int, seed: int) -> None:
        from kb.importer import import_guide
        from kb.search.index import rebuild

        import_guide(settings.GUIDE_PATH.read_text(encoding="utf-8"))
        started = time.perf_counter()
        self.fill(articles, random.Random(seed))
        self.stdout.write(f"Filled {articles} synthetic articles in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with transaction.atomic():
            documents = rebuild()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO kb_search_fts(kb_search_fts) VALUES ('optimize')")
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Index build: {documents} documents in {time.perf_counter() - started:.1f} s")
        self.measure(repeat, baseline_repeat)

    def fill(self, count: int, rng: random.Random) -> None:
        """Synthetic rows written with executemany (the ORM's bulk_create is too slow to fill 100k articles)."""
        from kb.models import Article, Category, Symptom

        tail = long_tail(rng, 5000)
        cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(tail))))
        categories = [
            Category.objects.get_or_create(
                slug=f"synthetic-{i}", defaults={"name": f"Synthetic {i}", "position": 50 + i}
            )[0].pk
            for i in range(8)
        ]
        symptoms = list(Symptom.objects.values_list("pk", flat=True))
        for text in REPLIES:
            symptoms.append(Symptom.objects.get_or_create(text=text, defaults={"kind": "smtp_reply"})[0].pk)
        for template in LOGS:
            for host in ("mx1.example.net", "ldap.example.com", "dnsbl.example.org"):
                text = template.format(n=host)
                symptoms.append(Symptom.objects.get_or_create(text=text, defaults={"kind": "log_message"})[0].pk)
        first_number = (Article.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        first_id = (Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        now = timezone.now()
        step_id = 10_000_000
        batch = 10_000
        for start in range(0, count, batch):
            articles, causes, steps, blocks, links = [], [], [], [], []
            for i in range(start, min(start + batch, count)):
                article_id, number = first_id + i, first_number + i
                rare = rng.choices(tail, cum_weights=cumulative, k=2)
                title = f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)} {rng.choice(CONDITIONS)} ({rare[0]})."
                explanation = "\n".join(self.sentence(rng) for _ in range(rng.randint(1, 3)))
                articles.append(
                    (
                        article_id,
                        number,
                        f"synthetic-{number}",
                        title,
                        self.sentence(rng) + f" See {rare[1]}.",
                        explanation,
                        "To solve this problem",
                        "",
                        rng.choice(categories),
                        "[]",
                        0,
                        "",
                        now,
                        now,
                    )
                )
                causes += [(article_id, p, self.sentence(rng)) for p in range(rng.randint(1, 3))]
                for position in range(rng.randint(2, 5)):
                    step_id += 1
                    steps.append((step_id, article_id, position, self.sentence(rng), False))
                    if rng.random() < 0.2:
                        blocks.append((step_id, 1, rng.choice(CLI)))
                links += [(article_id, s) for s in rng.sample(symptoms, rng.randint(1, 3))]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO kb_article (id, number, slug, title, summary, explanation, steps_title, closing_note, "
                    "category_id, suggested_checks, views, imported_fingerprint, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    articles,
                )
                cursor.executemany("INSERT INTO kb_cause (article_id, position, text) VALUES (%s, %s, %s)", causes)
                cursor.executemany(
                    "INSERT INTO kb_step (id, article_id, position, text, alternative) VALUES (%s, %s, %s, %s, %s)",
                    steps,
                )
                cursor.executemany("INSERT INTO kb_cliblock (step_id, position, text) VALUES (%s, %s, %s)", blocks)
                cursor.executemany("INSERT INTO kb_article_symptoms (article_id, symptom_id) VALUES (%s, %s)", links)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("kb_article", "kb_step"):
                    sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                    cursor.execute(sql)

    @staticmethod
    def sentence(rng: random.Random) -> str:
        a, b = rng.sample(NOUNS, 2)
        return rng.choice(SENTENCES).format(a=a, b=b)

    # --- Measuring -------------------------------------------------------------------------------

    def measure(self, repeat: int, baseline_repeat: int) -> None:
        from kb.models import Article
        from kb.search import answers, search

        client = Client()
        # The benchmark measures search, not the per-user rate limit (it sends hundreds of requests a minute).
        settings.RATE_LIMIT_SEARCH_PER_MINUTE = 10**9
        logging.getLogger("portal.requests").setLevel(logging.WARNING)  # one log line per request: noise here
        if self.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for query in [q for queries in QUERIES.values() for q in queries]:
                search(query)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)

        def service(query: str) -> object:
            return search(query)

        def api(query: str) -> object:
            response = client.get("/api/search", {"q": query}, secure=True)  # secure: no HTTPS redirect
            assert response.status_code == 200, response.content  # noqa: S101
            return response

        def baseline(query: str) -> object:
            # As django-helpdesk searches (helpdesk/query.py): icontains over the fields OR-ed, distinct(),
            # newest first, the number of matches and the first page of 20.
            condition = Q()
            for field in ("title", "summary", "explanation", "causes__text", "steps__text", "symptoms__text"):
                condition |= Q(**{f"{field}__icontains": query})
            matches = Article.objects.filter(condition).distinct().order_by("-created_at")
            return matches.count(), list(matches.values_list("pk", flat=True)[:20])

        rows = []
        for query_class, queries in QUERIES.items():
            timings = {
                "service": self.time_queries(service, queries, repeat),
                # The API keeps answers in the cache (kb.search.answers): "api" drops them before every timed
                # request, so it measures the search; "cached" is the same request answered from the cache.
                "api": self.time_queries(api, queries, repeat, before=answers.forget_all),
                "cached": self.time_queries(api, queries, repeat),
            }
            rows.append((query_class, timings))
            self.report_row(query_class, timings)
        self.stdout.write("icontains baseline (one run of the first two queries of each class, no warm-up):")
        for query_class, timings in rows:
            timings["icontains"] = self.time_queries(baseline, QUERIES[query_class][:2], baseline_repeat, warm=False)
            speedup = percentiles(timings["icontains"])[0] / max(percentiles(timings["api"])[0], 1e-9)
            p50, p95, p99 = percentiles(timings["icontains"])
            self.stdout.write(
                f"{query_class:<11} icontains p50 {p50:9.1f} ms, max {max(timings['icontains']):9.1f} ms; "
                f"icontains p50 / api p50 = {speedup:,.0f}x"
            )

    @staticmethod
    def time_queries(
        function: Callable[[str], object],
        queries: list[str],
        runs: int,
        warm: bool = True,
        before: Callable[[], object] | None = None,
    ) -> list[float]:
        for query in queries if warm else ():  # warm up caches and compiled patterns once
            function(query)
        samples = []
        for _ in range(runs):
            for query in queries:
                if before:
                    before()
                started = time.perf_counter()
                function(query)
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    def report_row(self, query_class: str, timings: dict[str, list[float]]) -> None:
        parts = []
        for name, samples in timings.items():
            p50, p95, p99 = percentiles(samples)
            parts.append(f"{name} p50 {p50:7.1f} p95 {p95:7.1f} p99 {p99:7.1f} ms")
        self.stdout.write(f"{query_class:<11} " + " | ".join(parts))
