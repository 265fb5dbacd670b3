"""Panels: the extension point through which one app adds a block to another app's page without that app knowing it.

A page names a slot and renders whatever is registered there: `{% load panels %}{% panels "kb.article" article %}`.
An app fills slots in its `AppConfig.ready()`: `panels.register("kb.article", render)`, where `render(request, obj)`
returns HTML (escaped, e.g. from `render_to_string`) or "" to show nothing. Slots in use:

| slot | on | object | filled by |
| --- | --- | --- | --- |
| `portal.nav` | every page's navigation (`base.html`) | None | tickets: its links, by permission; logs: its link |
| `kb.article.actions` | the article's "Next steps" | the `Article` | diagnostics: suggested checks; tickets: link |
| `kb.article` | the article page, at its end | the `Article` | tickets: "linked in N tickets" |
| `diagnostics.run` | a diagnostic run's page, below its actions | the `DiagnosticRun` | tickets: "attach to ticket" |
| `tickets.ticket` | a ticket's page, below its diagnostics | the `Ticket` | logs: attached log analyses |

Without the app (not in `INSTALLED_APPS`) nothing is registered and the page shows nothing there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, Any], str]
registered: dict[str, list[Panel]] = {}


def register(slot: str, panel: Panel) -> None:
    """Render `panel` in `slot` (once, however often this is called: `ready()` may run again in tests)."""
    panels = registered.setdefault(slot, [])
    if panel not in panels:
        panels.append(panel)


def render(slot: str, request: HttpRequest | None, obj: object = None) -> SafeString:
    """The HTML of every panel registered in `slot`, in registration order."""
    if request is None:
        return SafeString("")
    parts = (panel(request, obj) for panel in registered.get(slot, ()))
    return format_html_join("", "{}", ((part,) for part in parts if part))
