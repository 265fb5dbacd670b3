"""The symptom form: what a gateway admin ticks and pastes, the articles it suggests, the ticket it creates."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from diagnostics.models import ProtectedDomain
from kb.models import Symptom
from portal.numbers import IdChoiceField, IdMultipleChoiceField, parse_id
from tickets import runs, services
from tickets.access import domains_for
from tickets.models import Ticket
from tickets.suggest import Suggestions, suggestions

SUGGESTION_LIMIT = 3


class ReportForm(forms.Form):
    required_css_class = "required"  # labels of required fields get a marker (portal.css)

    symptom = IdMultipleChoiceField(
        queryset=Symptom.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Observed symptoms"
    )
    evidence = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        label="Bounce messages or log lines",
        help_text="Paste what you see, e.g. 550 5.7.1 <bob@example.com>: Relay access denied",
    )
    domain = IdChoiceField(queryset=ProtectedDomain.objects.none(), label="Protected domain")
    title = forms.CharField(max_length=200, label="Summary", help_text="One line: what goes wrong.")
    description = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}), label="Describe the problem"
    )

    def __init__(self, *args: object, user: AbstractBaseUser, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains_for(user)
        only = list(self.fields["domain"].queryset[:2])
        if len(only) == 1:
            self.initial.setdefault("domain", only[0].pk)  # an admin of one domain has nothing to choose
        if not only:
            self.fields["domain"].required = False
            self.fields["domain"].help_text = "No protected domain is assigned to you yet; the helpdesk can add one."

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("symptom") or data.get("evidence", "").strip() or data.get("description", "").strip()):
            raise forms.ValidationError("Tick a symptom, paste a bounce or log line, or describe the problem.")
        return data

    def symptom_groups(self, facets: list[tuple[int, int]]) -> list[tuple[str, str, list]]:
        """(kind, label, [(checkbox, matching articles)]) in the order of Symptom.Kind, like the search selector."""
        labels = dict(Symptom.Kind.choices)
        groups: dict[str, list] = {kind: [] for kind in labels}
        kinds = dict(Symptom.objects.values_list("pk", "kind"))
        counts = dict(facets)
        for checkbox in self["symptom"]:
            pk = int(checkbox.data["value"].value)
            groups[kinds.get(pk, Symptom.Kind.BEHAVIOUR)].append((checkbox, pk, counts.get(pk, 0)))
        return [(kind, labels[kind], boxes) for kind, boxes in groups.items() if boxes]


def suggest_for(data: dict) -> Suggestions:
    """Articles for what is typed and ticked so far (`data` may be partial or invalid)."""
    ids = (pk if isinstance(pk, int) else parse_id(pk) for pk in data.get("symptom", []))  # ints once cleaned
    symptom_ids = [pk for pk in ids if pk is not None][:50]
    texts = [str(data.get(name, ""))[:20000] for name in ("evidence", "title", "description")]
    return suggestions(*texts, symptom_ids=symptom_ids, limit=SUGGESTION_LIMIT)


def typed(form: ReportForm) -> dict:
    """What the user typed and ticked so far, valid or not (empty for an unbound form)."""
    return {
        "symptom": form.data.getlist("symptom") if hasattr(form.data, "getlist") else [],
        **{name: form.data.get(name, "") for name in ("evidence", "title", "description")},
    }


@transaction.atomic
def submit(form: ReportForm, user: AbstractBaseUser) -> Ticket:
    """Create the ticket with its symptoms, link the suggested articles, start the checks they call for."""
    data = form.cleaned_data
    found = suggest_for({**data, "symptom": [s.pk for s in data["symptom"]]})
    ticket = services.create_ticket(
        user,
        title=data["title"],
        description=data["description"],
        evidence=data["evidence"],
        symptoms=data["symptom"],
        articles=found.articles,
        domain=data["domain"],
    )
    runs.start_for_ticket(ticket, user, runs.suggested_checks(found.articles))
    return ticket
