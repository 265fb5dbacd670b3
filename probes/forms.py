from __future__ import annotations

import re
from typing import Any

from django import forms

from portal.numbers import IdChoiceField
from probes.models import Probe, administered_domains

NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class EnrolForm(forms.Form):
    domain = IdChoiceField(queryset=None, label="Domain", empty_label=None)
    name = forms.CharField(max_length=63, label="Name", help_text="Lower-case letters, digits, -; e.g. hq-fml.")
    site = forms.CharField(max_length=100, label="Site", help_text="Where it runs, e.g. HQ.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = administered_domains(user)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip().lower()
        if not NAME_RE.match(name):
            raise forms.ValidationError("Use lower-case letters, digits and - (not at the start or end).")
        if Probe.objects.filter(name=name).exists():
            raise forms.ValidationError("A probe of this name exists already.")
        return name

    def clean_site(self) -> str:
        site = self.cleaned_data["site"].strip()
        if not site.isprintable():
            raise forms.ValidationError("The site name must be plain text.")
        return site
