"""Request parameters of the search page, the symptom selector and the JSON API, validated the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from kb.search import MAX_LIMIT, SearchError
from kb.search.text import MAX_QUERY_CHARS
from portal.numbers import NumberError, parse_id, parse_number

DEFAULT_LIMIT = 20


@dataclass
class SearchParams:
    query: str = ""
    symptom_ids: list[int] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT

    @property
    def empty(self) -> bool:
        return not self.query.strip() and not self.symptom_ids


def parse_params(data: QueryDict) -> SearchParams:
    """`q`, repeated `symptom` ids and `limit`; raises SearchError (a 400) for anything else than those shapes."""
    query = data.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"The search text is too long ({len(query)} characters; at most {MAX_QUERY_CHARS}).")
    symptom_ids = []
    for value in data.getlist("symptom"):
        symptom_id = parse_id(value)
        if symptom_id is None:
            raise SearchError("Symptoms are chosen by their numeric id.")
        symptom_ids.append(symptom_id)
    raw_limit = data.get("limit", "")
    try:
        limit = parse_number(raw_limit, maximum=MAX_LIMIT, name="limit") if raw_limit != "" else DEFAULT_LIMIT
    except NumberError as exc:
        raise SearchError(str(exc)) from None
    return SearchParams(query=query, symptom_ids=symptom_ids, limit=limit)
