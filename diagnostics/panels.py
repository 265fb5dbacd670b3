"""The diagnostics app's block on the KB's article page (`portal.panels`, slot `kb.article.actions`): run the
article's suggested checks. Registered in `DiagnosticsConfig.ready()`; the KB knows nothing of diagnostics."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from diagnostics.checks import CHECK_NAMES, REGISTRY
from diagnostics.models import ProtectedDomain, may_test_any_domain


def suggested_checks(article: object) -> list[str]:
    """The article's suggested checks that exist, in the checks' display order."""
    wanted = set(getattr(article, "suggested_checks", None) or [])
    return [name for name in CHECK_NAMES if name in wanted]


def run_suggested_checks(request: HttpRequest, article: object) -> str:
    """A small form posting to the diagnostics page (which starts the run, or shows its form again with what to
    fix), for users who may start runs, on articles that name checks."""
    user = request.user
    checks = suggested_checks(article)
    if not checks or not user.is_authenticated or not user.has_perm("diagnostics.add_diagnosticrun"):
        return ""
    any_domain = may_test_any_domain(user)
    # The helpdesk types the domain (a protected one is recognised by its name: diagnostics.forms.RunForm), so the
    # page reads no domain list for them; a gateway admin picks one of their own.
    domains = [] if any_domain else list(ProtectedDomain.objects.for_user(user).only("name")[:200])
    if not domains and not any_domain:
        return ""
    context = {
        "article": article,
        "checks": [(name, REGISTRY[name].label) for name in checks],
        "needs_protected": [REGISTRY[name].label for name in checks if not REGISTRY[name].dns_only],
        "domains": domains,
        "any_domain": any_domain,
    }
    return render_to_string("diagnostics/_article_checks.html", context, request=request)


def register() -> None:
    from portal import panels

    panels.register("kb.article.actions", run_suggested_checks)
