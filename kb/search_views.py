"""Search page, symptom selector and the result-link redirect that records which result was opened."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kb.explain import explain
from kb.models import REPLY_CODE_RE, Article, Category, SearchQueryLog, Symptom
from kb.search import SearchError, SearchResults, search
from kb.search.forms import SearchForm, SearchParams
from kb.search.log import opened, record, remember
from kb.search.text import tokenize
from portal.htmx import varies_on_htmx
from portal.numbers import BIGINT_MAX, INT_MAX, parse_id
from portal.ratelimit import search_rate_limit

MAX_POSITION = 1000  # results a search returns at most
# Too common on a mail portal to relate a query to a category by name or description (stop words aside: the
# tokenizer drops those).
GENERIC_WORDS = frozenset(
    "where what why how all any can does mail email emails message messages server servers user users".split()
)


def symptom_groups(results: SearchResults | None, ticked: list[int]) -> list[dict]:
    """Every symptom grouped by kind, each with its number of matching articles and whether it is ticked."""
    facets = results.facets if results else {}
    groups = []
    symptoms = list(Symptom.objects.only("pk", "kind", "text"))
    for kind, label in Symptom.Kind.choices:
        entries = [
            {"symptom": s, "count": facets.get(s.pk, 0), "checked": s.pk in ticked} for s in symptoms if s.kind == kind
        ]
        if entries:
            groups.append({"kind": kind, "label": label, "entries": entries})
    return groups


def related_categories(params: SearchParams, results: SearchResults) -> tuple[list[Category], bool]:
    """Categories to suggest when nothing matched, and whether they relate to the search (else: all categories).

    Related: categories of the articles the text finds without the ticked symptoms, of articles having a ticked
    or recognised symptom or a symptom with a reply code of the same family (451 for 452), or whose name or
    description has a word of the query.
    """
    article_ids: list[int] = []
    if results.query and params.symptom_ids:
        article_ids = search(params.query, limit=1).article_ids or []
    codes, words = [], []
    for token in tokenize(results.query, typing=False):
        if REPLY_CODE_RE.fullmatch(token.text):
            codes.append(token.text)
        elif not token.code and token.text.isascii() and len(token.text) >= 3 and token.text not in GENERIC_WORDS:
            words.append(token.text)
    related = list(
        Category.objects.related(
            article_ids=article_ids,
            symptom_ids=[*params.symptom_ids, *(s.pk for s in results.matched_symptoms)],
            codes=codes[:10],
            words=words[:10],
        )
    )
    return (related, True) if related else (list(Category.objects.all()), False)


def _page(request: HttpRequest, template: str, url_name: str, *, explain_codes: bool = False) -> HttpResponse:
    context: dict = {"search_url": reverse(url_name), "query": request.GET.get("q", "")[:2000], "ticked": []}
    status = 200
    form = SearchForm(request.GET)
    results, params = None, SearchParams()
    if form.is_valid():
        params = form.params()
        context.update(query=params.query, ticked=params.symptom_ids, limit=params.limit)
        try:
            results = search(params.query, params.symptom_ids, params.limit)
        except SearchError as exc:
            context["error"] = str(exc)
    else:
        context["error"] = form.error_message()
    if results is None:
        status, params = 400, SearchParams()
    context["results"] = results
    context["explanation"] = explain(results.query) if results and explain_codes else None
    context["groups"] = symptom_groups(results, context["ticked"])
    log = None
    # Back or Forward to a search this page pushed: htmx asks for the whole page (HX-History-Restore-Request, without
    # HX-Request: see base.html), logged like the typing that made that history entry.
    restoring = request.htmx.history_restore_request
    if results and not params.empty:
        log = record(request, results, "typing" if request.htmx or restoring else "page")
        context["log_id"] = log.pk if log else None
        if not results.hits:
            context["categories"], context["categories_related"] = related_categories(params, results)
    partial = request.htmx and not restoring  # whole pages for restores even if HX-Request is sent
    response = render(request, f"{template}#results" if partial else template, context, status=status)
    if log is not None:
        remember(response, log)
    return response


@varies_on_htmx
@search_rate_limit
def search_page(request: HttpRequest) -> HttpResponse:
    """`/search/?q=...&symptom=1`: results as you type (htmx partial) or on submit (whole page)."""
    return _page(request, "kb/search.html", "kb:search", explain_codes=True)


@varies_on_htmx
@search_rate_limit
def symptoms_page(request: HttpRequest) -> HttpResponse:
    """`/symptoms/`: tick the symptoms observed; articles narrow and rank live."""
    return _page(request, "kb/symptoms.html", "kb:symptoms")


def open_result(request: HttpRequest, search_id: int, number: int) -> HttpResponse:
    """A result link: note which result of which search was opened, then go to the article."""
    article = get_object_or_404(Article.objects.only("pk", "number", "slug"), number=min(number, INT_MAX))
    position = parse_id(request.GET.get("position", ""), maximum=MAX_POSITION)  # not a position: not recorded
    if search_id <= BIGINT_MAX and SearchQueryLog.objects.filter(pk=search_id).exists():
        opened(search_id, article, position)
    return redirect(article)
