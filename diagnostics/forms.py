"""The run form: a protected domain or a typed domain; the ticked checks that can run on it are run.

A typed domain has no gateway or SMTP server (those come only from an administrator's record), so the checks that
need one are skipped for it, and said so on the run page (`skipped_checks`); the form refuses only when none of
the ticked checks can run.
"""

from __future__ import annotations

from django import forms

from diagnostics import vantages
from diagnostics.checks import CHECK_NAMES, REGISTRY, Target
from diagnostics.checks.domain import InvalidTarget, normalize_domain
from diagnostics.models import ProtectedDomain, may_test_any_domain
from portal.numbers import IdChoiceField

# What a check needs, in the words of the form (shown next to the check and when it is skipped).
NEEDS_PROTECTED = {
    "smtp_recipient_verification": "needs a protected domain with an SMTP server",
    "relay_denied": "needs a protected domain with a gateway",
}


def skip_reason(name: str, target: Target, protected: bool) -> str | None:
    """Why check `name` cannot run on `target` (None when it can); `protected`: the target is an admin record."""
    missing = REGISTRY[name].missing_for(target)
    if missing is None:
        return None
    if not protected:
        return f"{NEEDS_PROTECTED.get(name, 'needs a protected domain')} (only an administrator sets these)"
    return missing


def skipped_checks(target: Target, protected: bool, ran: list[str]) -> list[dict]:
    """The checks that did not run on `target` because they could not (label and reason), in display order."""
    skipped = []
    for name in CHECK_NAMES:
        if name not in ran and (reason := skip_reason(name, target, protected)):
            skipped.append({"name": name, "label": REGISTRY[name].label, "reason": reason})
    return skipped


# Next to the check in the form: what it needs and who sets it.
NEEDS_IN_FORM = {
    "smtp_recipient_verification": "the domain's SMTP server, set by an administrator",
    "relay_denied": "the domain's gateway, set by an administrator",
}


def check_choices() -> list[tuple[str, str]]:
    return [
        (
            name,
            f"{REGISTRY[name].label} (needs {NEEDS_IN_FORM[name]})" if name in NEEDS_IN_FORM else REGISTRY[name].label,
        )
        for name in CHECK_NAMES
    ]


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
        label="Or any domain",
        widget=forms.TextInput(attrs={"placeholder": "example.com", "autocomplete": "off", "spellcheck": "false"}),
    )
    checks = forms.MultipleChoiceField(
        choices=check_choices,
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
        self.may_type = may_test_any_domain(user)
        if not vantages.PLANNERS:  # no remote vantage point can exist: everything runs on the portal
            del self.fields["where"]
        self.fields["protected_domain"].queryset = ProtectedDomain.objects.for_user(user)
        if not self.may_type:
            self.fields["protected_domain"].empty_label = None
            del self.fields["domain"]

    def clean_domain(self) -> str:
        value = self.cleaned_data["domain"]
        if not value.strip():
            return ""
        try:
            return normalize_domain(value)
        except InvalidTarget as exc:
            raise forms.ValidationError(str(exc), code="invalid_domain") from None

    def clean(self) -> dict:
        data = super().clean()
        record, domain = data.get("protected_domain"), data.get("domain", "")
        if self.may_type and "domain" not in data:
            return data  # the domain's own error says it all
        if record and domain and domain != record.name:
            raise forms.ValidationError("Choose a protected domain or type a domain, not both.")
        if not record and domain:
            record = ProtectedDomain.objects.for_user(self.user).filter(name=domain).first()
            data["protected_domain"] = record
        if not record and not domain:
            if self.may_type:
                raise forms.ValidationError("Choose a protected domain or type a domain name.")
            raise forms.ValidationError("Choose one of your protected domains.")
        if "checks" not in data:
            return data
        target = record.target() if record else Target(domain)
        ticked = data["checks"]
        runnable = [name for name in ticked if skip_reason(name, target, bool(record)) is None]
        if not runnable:
            reasons = "; ".join(f"{REGISTRY[name].label} {skip_reason(name, target, bool(record))}" for name in ticked)
            self.add_error("checks", f"None of the ticked checks can run on {target.domain}: {reasons}.")
            return data
        data["checks"] = runnable  # the others are listed on the run page (skipped_checks)
        return data

    @property
    def remote(self) -> bool:
        """Whether checks may run on a remote vantage point (a probe) rather than all on the portal."""
        return self.cleaned_data.get("where") != "portal"

    def target(self) -> Target:
        record = self.cleaned_data["protected_domain"]
        return record.target() if record else Target(self.cleaned_data["domain"])
