"""Forms of the knowledge base's pages."""

from __future__ import annotations

from django import forms

from kb.models import ArticleVote


class VoteForm(forms.Form):
    """ "Was this helpful?": yes or no (the button pressed), and an optional comment."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose Yes or No.", "invalid_choice": "Choose Yes or No."},
    )
    comment = forms.CharField(
        required=False,
        max_length=ArticleVote.COMMENT_MAX,
        label="Comment (optional)",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": ArticleVote.COMMENT_MAX}),
        help_text="What was missing or wrong? Editors read these.",
    )
