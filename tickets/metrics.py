"""Numbers for the metrics page: open tickets by status, tickets per article, deflection, time to resolution,
failing checks by domain, readers' "Was this helpful?" answers."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from django.db.models import Count, F

from diagnostics.models import CheckResult
from kb.models import ArticleVote, format_kb_number
from tickets.models import ArticleLink, Deflection, Ticket

RESOLUTION_BUCKETS = [
    ("under 1 hour", timedelta(hours=1)),
    ("1 to 24 hours", timedelta(days=1)),
    ("1 to 7 days", timedelta(days=7)),
    ("over 7 days", None),
]


def by_status() -> list[tuple[str, int]]:
    counts = dict(Ticket.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(label, counts.get(value, 0)) for value, label in Ticket.Status.choices]


def per_article(limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        ArticleLink.objects.values("kb_number", "title")
        .annotate(n=Count("ticket", distinct=True))
        .order_by("-n", "kb_number")[:limit]
    )
    return [(f"{row['kb_number']} {row['title']}", row["n"]) for row in rows]


def deflection() -> dict:
    deflected, tickets = Deflection.objects.count(), Ticket.objects.count()
    total = deflected + tickets
    return {
        "deflected": deflected,
        "tickets": tickets,
        "rate": round(100 * deflected / total, 1) if total else None,  # 0 of 0 is no rate
        "rows": [("Solved by an article", deflected), ("Became a ticket", tickets)],
    }


def resolution() -> dict:
    durations = [
        resolved - created
        for created, resolved in Ticket.objects.filter(resolved_at__isnull=False).values_list(
            "created_at", "resolved_at"
        )
    ]
    rows = []
    lower = timedelta(0)
    for label, upper in RESOLUTION_BUCKETS:
        rows.append((label, sum(1 for d in durations if d >= lower and (upper is None or d < upper))))
        lower = upper or lower
    return {"median": median(durations) if durations else None, "count": len(durations), "rows": rows}


def failing_checks(limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        CheckResult.objects.filter(status="fail")
        .values(domain=F("run__domain"), check=F("check_name"))
        .annotate(n=Count("pk"))
        .order_by("-n", "domain", "check")[:limit]
    )
    return [(f"{row['domain']}: {row['check']}", row["n"]) for row in rows]


def helpfulness(limit: int = 10) -> dict:
    """Readers' "Was this helpful?" answers: the totals, and the articles with the most "no" answers."""
    tally = ArticleVote.objects.tally()
    total = tally["helpful"] + tally["not_helpful"]
    rows = (
        ArticleVote.objects.filter(helpful=False)
        .values("article__number", "article__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "article__number")[:limit]
    )
    return {
        **tally,
        "total": total,
        "rate": round(100 * tally["helpful"] / total, 1) if total else None,  # 0 of 0 is no rate
        "rows": [("Helpful", tally["helpful"]), ("Not helpful", tally["not_helpful"])] if total else [],
        "not_helpful_articles": [
            (f"{format_kb_number(row['article__number'])} {row['article__title']}", row["n"]) for row in rows
        ],
    }


def summary() -> dict:
    return {
        "by_status": by_status(),
        "per_article": per_article(),
        "deflection": deflection(),
        "resolution": resolution(),
        "failing_checks": failing_checks(),
        "helpfulness": helpfulness(),
    }
