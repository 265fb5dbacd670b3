from __future__ import annotations

from typing import Any

from django import forms

MAX_PASTE_CHARS = 2_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files (Django's documented way: a widget allowing several, cleaned one by one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AnalysisForm(forms.Form):
    files = MultipleFileField(
        required=False, label="Log files", help_text="FortiMail exports, plain text or gzip; several at once."
    )
    text = forms.CharField(
        required=False,
        label="Or paste log lines",
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    mask = forms.BooleanField(required=False, label="Mask the local parts of addresses (***@example.com)")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("files") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a log file or paste some log lines.")
        return data


class AttachForm(forms.Form):
    ticket = forms.CharField(label="Ticket", max_length=20)
