"""Forms for the ticket pages. Bad input gives messages, never an exception."""

from __future__ import annotations

from django import forms

from diagnostics.checks import CHECK_NAMES, REGISTRY
from diagnostics.models import DiagnosticRun, DomainAdmin, ProtectedDomain
from kb.models import Article, Symptom, parse_kb_number
from portal.numbers import INT_MAX, IdChoiceField, parse_id
from tickets.access import gateway_admin_users, helpdesk_users
from tickets.models import Ticket

SORTS = {
    "updated": ("Recently updated", ["-updated_at", "-pk"]),
    "newest": ("Newest", ["-created_at", "-pk"]),
    "oldest": ("Oldest", ["created_at", "pk"]),
    "priority": ("Priority", ["-priority", "-updated_at", "-pk"]),
    "status": ("Status", ["status", "-updated_at", "-pk"]),
}


class ArticleField(forms.CharField):
    """A KB number ("KB-0006" or "6") -> the Article."""

    def clean(self, value: object) -> Article | None:
        text = super().clean(value)
        if not text:
            return None
        number = parse_kb_number(text) or parse_id(text.strip(), maximum=INT_MAX)
        article = Article.objects.filter(number=number).first() if number is not None else None
        if article is None:
            raise forms.ValidationError("No article %(kb)s. Type a KB number like KB-0006.", params={"kb": text[:20]})
        return article


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Ticket.Status.choices])
    assignee = IdChoiceField(required=False, queryset=helpdesk_users(), empty_label="Anyone")
    mine = forms.BooleanField(required=False, label="Assigned to me")
    domain = IdChoiceField(required=False, queryset=ProtectedDomain.objects.all(), empty_label="Any domain")
    article = ArticleField(required=False, max_length=20, label="Linked article")
    symptom = IdChoiceField(required=False, queryset=Symptom.objects.all(), empty_label="Any symptom")
    sort = forms.ChoiceField(required=False, choices=[(key, label) for key, (label, _) in SORTS.items()])

    def __init__(self, *args: object, helpdesk: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = helpdesk_users()
        if not helpdesk:
            del self.fields["assignee"], self.fields["mine"], self.fields["domain"]


class CommentForm(forms.Form):
    body = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 4}), label="Comment")
    internal = forms.BooleanField(required=False, label="Internal note (the requester does not see it)")


class UpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Ticket.Status.choices)
    priority = forms.TypedChoiceField(choices=Ticket.Priority.choices, coerce=int)
    assignee = IdChoiceField(required=False, queryset=helpdesk_users(), empty_label="Nobody")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = helpdesk_users()


class LinkForm(forms.Form):
    article = ArticleField(max_length=20, label="KB number")
    note = forms.CharField(required=False, max_length=300, label="Why it applies")


class LinkFromArticleForm(forms.Form):
    """On an article's page: link it to one of the user's open tickets."""

    ticket = IdChoiceField(queryset=Ticket.objects.none(), empty_label=None, label="Link to ticket")
    article = ArticleField(max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: object, tickets: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if tickets is not None:
            self.fields["ticket"].queryset = tickets


class RunForm(forms.Form):
    checks = forms.MultipleChoiceField(
        choices=[(name, REGISTRY[name].label) for name in CHECK_NAMES], widget=forms.CheckboxSelectMultiple
    )


class AttachForm(forms.Form):
    run = IdChoiceField(queryset=DiagnosticRun.objects.none(), empty_label=None)

    def __init__(self, *args: object, runs: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if runs is not None:
            self.fields["run"].queryset = runs


class OnBehalfForm(forms.Form):
    """The helpdesk opens a ticket for a caller: a gateway admin of the domain the problem is on."""

    required_css_class = "required"

    requester = IdChoiceField(
        queryset=gateway_admin_users(), label="Requester", help_text="The gateway admin who called."
    )
    domain = IdChoiceField(queryset=ProtectedDomain.objects.all(), label="Protected domain")
    title = forms.CharField(max_length=200, label="Summary", help_text="One line: what goes wrong.")
    description = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}), label="What the caller said"
    )
    evidence = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        label="Bounce messages or log lines",
    )
    article = ArticleField(required=False, max_length=20, widget=forms.HiddenInput)  # linked when opened

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = gateway_admin_users()

    def clean(self) -> dict:
        data = super().clean()
        requester, domain = data.get("requester"), data.get("domain")
        if requester and domain and not DomainAdmin.objects.filter(user=requester, domain=domain).exists():
            # they would not see the ticket's runs, and could not test the domain themselves
            self.add_error(
                "domain",
                forms.ValidationError(
                    "%(user)s is not an administrator of %(domain)s. Pick one of their domains, or add them as the "
                    "domain's administrator in the admin first.",
                    params={"user": requester.get_username(), "domain": domain.name},
                ),
            )
        return data
