"""The probes app's blocks on other pages (`portal.panels`): its navigation link."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from diagnostics.models import may_test_any_domain
from probes.models import administered_domains


def navigation(request: HttpRequest, obj: object = None) -> str:
    user = request.user
    if not user.is_authenticated or not (may_test_any_domain(user) or administered_domains(user).exists()):
        return ""
    return render_to_string("probes/_nav.html", request=request)


def register() -> None:
    from portal import panels

    panels.register("portal.nav", navigation)
