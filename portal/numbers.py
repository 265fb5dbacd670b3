"""The one way an id or a number is read from a request: ASCII digits 0-9 only, within the column's range.

`str.isdigit()` is true for `²` (which `int()` refuses: a 500) and for `١` (which `int()` reads as 1: a match
nobody typed), and `int()` also takes `+1`, ` 1 `, `1_0`. An integer past 64 bits overflows SQLite. So every
view, form and URL converter parses numbers here, and bad input becomes a message and a 4xx.
"""

from __future__ import annotations

from django import forms

BIGINT_MAX = 2**63 - 1  # ids (BigAutoField) and every 64-bit column
INT_MAX = 2**31 - 1  # IntegerField / PositiveIntegerField on every database
MAX_DIGITS = len(str(BIGINT_MAX))


class NumberError(ValueError):
    """Not a whole number in range; the message says what is expected."""


def parse_number(value: object, *, minimum: int = 1, maximum: int = BIGINT_MAX, name: str = "The id") -> int:
    """`"42"` -> 42. Raises NumberError for anything but ASCII digits (no sign, space or `_`) in [minimum, maximum]."""
    expected = f"{name} must be a whole number from {minimum} to {maximum}, written with the digits 0-9."
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > MAX_DIGITS:
        raise NumberError(expected)
    number = int(value)
    if not minimum <= number <= maximum:
        raise NumberError(expected)
    return number


def parse_id(value: object, *, maximum: int = BIGINT_MAX) -> int | None:
    """An id from a request, or None when it is not one (for lookups where "not a valid id" means "not found")."""
    try:
        return parse_number(value, maximum=maximum)
    except NumberError:
        return None


class IdConverter:
    """`<id:pk>` in URLs: ASCII digits of a 64-bit id; anything longer or larger is not a match (a 404)."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return parse_number(value)  # a ValueError means "no match"

    def to_url(self, value: int | str) -> str:
        return str(value)


def _valid_pk(field: forms.ModelChoiceField, value: object) -> bool:
    if isinstance(value, field.queryset.model) or (isinstance(value, int) and 0 < value <= BIGINT_MAX):
        return True  # an initial value, not typed by anyone
    return parse_id(value) is not None


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose submitted pk is parsed here first (Django's would read `١` as 1)."""

    def to_python(self, value: object) -> object:
        if value in self.empty_values:
            return None
        if not _valid_pk(self, value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField with every submitted pk parsed here first."""

    def clean(self, value: object) -> object:
        for pk in value if isinstance(value, list | tuple) else ():
            if not _valid_pk(self, pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:20]}
                )
        return super().clean(value)
