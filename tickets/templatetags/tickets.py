"""Template helpers for the tickets pages."""

from __future__ import annotations

import re
from datetime import timedelta

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kb.models import KB_NUMBER_RE
from tickets.models import Ticket

register = template.Library()


@register.filter
def kb_links(text: str) -> SafeString:
    """Escape `text` and turn each KB number (KB-0006) into a link to its article."""

    def link(match: re.Match) -> str:
        number = int(match.group(1))
        return format_html('<a href="{}">{}</a>', reverse("kb:article_by_number", args=[number]), match.group(0))

    return mark_safe(KB_NUMBER_RE.sub(link, str(conditional_escape(text))))  # noqa: S308 - escaped above


@register.filter
def kb_int(kb_number: str) -> int:
    match = KB_NUMBER_RE.fullmatch(kb_number or "")
    return int(match.group(1)) if match else 0


@register.filter
def status_label(value: str) -> str:
    return dict(Ticket.Status.choices).get(value, value)


@register.filter
def priority_label(value: int) -> str:
    return dict(Ticket.Priority.choices).get(value, value)


@register.inclusion_tag("tickets/_bar_chart.html")
def bar_chart(rows: list, label: str, unit: str = "") -> dict:
    """A horizontal bar chart as inline SVG (no scripts, no styles); `rows` are (label, value) pairs."""
    width, bar_height, gap, label_width = 400, 18, 8, 170
    scale = (width - label_width - 40) / (max((value for _, value in rows), default=0) or 1)
    bars = []
    for i, (name, value) in enumerate(rows):
        y = i * (bar_height + gap)
        length = round(value * scale, 1)
        bars.append(
            {
                "label": name,
                "value": value,
                "y": y,
                "text_y": y + bar_height - 4,
                "width": length,
                "value_x": label_width + length + 4,
            }
        )
    return {
        "bars": bars,
        "empty": not any(value for _, value in rows),  # one "No data yet" instead of an empty chart and table
        "label": label,
        "unit": unit,
        "width": width,
        "label_width": label_width,
        "bar_height": bar_height,
        "height": max(len(rows) * (bar_height + gap), bar_height),
    }


@register.filter
def check_labels(names: list) -> str:
    """Check names as the diagnostics registry's human labels: "MX records, Relay denied"."""
    from tickets.runs import check_label

    return ", ".join(check_label(str(name)) for name in names or [])


@register.filter
def duration(value: timedelta) -> str:
    """A timedelta as "2 d 3 h", "3 h 5 min" or "4 min"."""
    minutes = int(value.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"
