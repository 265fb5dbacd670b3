"""The one form that reads search parameters: the search page, its htmx partial, the symptom selector and
`/api/search` all validate `q`, the repeated `symptom` ids and `limit` here, so a bad value is the same clear
message (a 400) everywhere and never reaches the service as something it did not expect.

    form = SearchForm(request.GET)
    if not form.is_valid():
        ... form.error_message() ...  # 400
    params = form.params()
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from kb.search import MAX_LIMIT
from kb.search.text import MAX_QUERY_CHARS
from portal.numbers import NumberError, parse_id, parse_number

DEFAULT_LIMIT = 20
MAX_SYMPTOMS = 50


@dataclass
class SearchParams:
    query: str = ""
    symptom_ids: list[int] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT

    @property
    def empty(self) -> bool:
        return not self.query.strip() and not self.symptom_ids


class QueryField(forms.Field):
    """The search text as typed (not stripped: a trailing space ends the word being typed). Control characters,
    NUL included, are the service's to blank out (`kb.search.text.clean`), not an error."""

    def to_python(self, value: object) -> str:
        return "" if value in self.empty_values else str(value)

    def validate(self, value: str) -> None:
        if len(value) > MAX_QUERY_CHARS:
            raise forms.ValidationError(
                f"The search text is too long ({len(value)} characters; at most {MAX_QUERY_CHARS}).", code="too_long"
            )


class SymptomIdsField(forms.Field):
    """Repeated `symptom=ID`: ids in ASCII digits (portal/numbers.py), at most MAX_SYMPTOMS values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        values = value if isinstance(value, list | tuple) else [] if value in self.empty_values else [value]
        if len(values) > MAX_SYMPTOMS:
            raise forms.ValidationError(f"Tick at most {MAX_SYMPTOMS} symptoms.", code="too_many")
        ids = [parse_id(v) for v in values]
        if any(i is None for i in ids):
            raise forms.ValidationError("Symptoms are chosen by their numeric id.", code="invalid")
        return ids


class LimitField(forms.Field):
    def to_python(self, value: object) -> int:
        if value in self.empty_values:
            return DEFAULT_LIMIT
        try:
            return parse_number(value, maximum=MAX_LIMIT, name="limit")
        except NumberError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class SearchForm(forms.Form):
    q = QueryField(required=False)
    symptom = SymptomIdsField(required=False)
    limit = LimitField(required=False)

    def params(self) -> SearchParams:
        """The validated parameters (call after `is_valid()`)."""
        data = self.cleaned_data
        return SearchParams(query=data["q"], symptom_ids=data["symptom"], limit=data["limit"])

    def error_message(self) -> str:
        """The errors as one sentence per field, for the page's message and the API's `error`."""
        return " ".join(str(message) for errors in self.errors.values() for message in errors)
