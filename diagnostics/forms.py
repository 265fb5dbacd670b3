"""The run form: a protected domain (all checks) or a typed domain (DNS-only checks)."""

from __future__ import annotations

from django import forms

from diagnostics import vantages
from diagnostics.checks import CHECK_NAMES, REGISTRY, Target
from diagnostics.checks.domain import InvalidTarget, normalize_domain
from diagnostics.models import ProtectedDomain, may_test_any_domain
from portal.numbers import IdChoiceField


class RunForm(forms.Form):
    protected_domain = IdChoiceField(
        queryset=ProtectedDomain.objects.all(),
        required=False,
        empty_label="— none: type a domain below —",
        label="Protected domain",
    )
    domain = forms.CharField(
        required=False,
        max_length=300,
        label="Or any domain (DNS checks only)",
        widget=forms.TextInput(attrs={"placeholder": "example.com", "autocomplete": "off", "spellcheck": "false"}),
    )
    checks = forms.MultipleChoiceField(
        choices=[(name, REGISTRY[name].label) for name in CHECK_NAMES],
        initial=list(CHECK_NAMES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one check."},
    )
    where = forms.ChoiceField(
        choices=[
            ("site", "The network-side checks on the domain's probe when one is online (DNS checks on both)"),
            ("portal", "Everything from the portal"),
        ],
        initial="site",
        required=False,
        label="Test from",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not vantages.PLANNERS:  # no remote vantage point can exist: everything runs on the portal
            del self.fields["where"]
        self.fields["protected_domain"].queryset = ProtectedDomain.objects.for_user(user)
        if not may_test_any_domain(user):
            self.fields["protected_domain"].empty_label = None
            self.fields["domain"].widget = forms.HiddenInput()

    def clean_domain(self) -> str:
        value = self.cleaned_data["domain"]
        if not value.strip():
            return ""
        if not may_test_any_domain(self.user):
            raise forms.ValidationError("Choose one of your protected domains.", code="not_allowed")
        try:
            return normalize_domain(value)
        except InvalidTarget as exc:
            raise forms.ValidationError(str(exc), code="invalid_domain") from None

    def clean(self) -> dict:
        data = super().clean()
        record, domain = data.get("protected_domain"), data.get("domain")
        if "domain" not in data:
            return data  # the domain's own error says it all
        if record and domain and domain != record.name:
            raise forms.ValidationError("Choose a protected domain or type a domain, not both.")
        if not record and domain:
            record = ProtectedDomain.objects.for_user(self.user).filter(name=domain).first()
            data["protected_domain"] = record
        if not record and not domain:
            raise forms.ValidationError("Choose a protected domain or type a domain name.")
        if not record:
            not_dns = [REGISTRY[name].label for name in data.get("checks", []) if not REGISTRY[name].dns_only]
            if not_dns:
                self.add_error(
                    "checks",
                    f"{', '.join(not_dns)} can only run on a protected domain (its gateway and SMTP server are set "
                    "by an administrator). For a typed domain, choose only DNS checks.",
                )
        return data

    @property
    def remote(self) -> bool:
        """Whether checks may run on a remote vantage point (a probe) rather than all on the portal."""
        return self.cleaned_data.get("where") != "portal"

    def target(self) -> Target:
        record = self.cleaned_data["protected_domain"]
        return record.target() if record else Target(self.cleaned_data["domain"])
