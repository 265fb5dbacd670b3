"""JSON API: `GET /api/search?q=TEXT&symptom=ID&symptom=ID&limit=N` (shape fixed by issue 3).

Each result carries `"relevance": "strong" | "weak"`: strong results answer the query, weak ones are only related
(`kb.search.relevance`); an out-of-KB text gets weak results or none.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from kb.explain import explain
from kb.search import SearchError, SearchResults, answers, search
from kb.search.forms import SearchForm
from kb.search.log import record
from portal.ratelimit import search_rate_limit


@require_GET
@search_rate_limit
def search_api(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    params = form.params()
    try:
        answer = answers.cached(  # keyed by the parameters as given: the service refuses some (over 50 symptoms)
            [params.query, params.symptom_ids, params.limit],
            lambda: _answer(search(params.query, params.symptom_ids, params.limit)),
        )
        symptom_ids = sorted(set(params.symptom_ids))
    except SearchError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not params.empty:  # recorded for every request, also when answered from the cache
        best = answer["results"][0]["relevance"] if answer["results"] else ""
        record(
            request,
            SearchResults(answer["query"], answer["count"], [], symptom_ids=symptom_ids),
            "api",
            best_relevance=best,
        )
    return JsonResponse(answer)


def _answer(results: SearchResults) -> dict:
    return {
        "query": results.query,
        "count": results.count,
        "results": [
            {
                "kb": hit.article.kb_number,
                "slug": hit.article.slug,
                "title": hit.article.title,
                "url": hit.article.get_absolute_url(),
                "score": hit.score,
                "snippet": str(hit.snippet),
                "symptoms": [s.text for s in hit.matched_symptoms],
                "relevance": hit.relevance,
            }
            for hit in results.hits
        ],
        "explanation": _explanation(results.query),
    }


def _explanation(query: str) -> dict | None:
    """The top-level `explanation`: null, or `{"codes": [...], "reported_by": host or null}` for the reply codes in
    the text (kb/explain.py), with or without matching articles."""
    explanation = explain(query)
    return explanation.as_dict() if explanation else None
