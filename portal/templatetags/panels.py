"""`{% panels "slot" obj %}`: the blocks other apps registered for this place of the page (`portal.panels`)."""

from django import template
from django.utils.safestring import SafeString

from portal import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, obj: object = None) -> SafeString:
    return registry.render(slot, context.get("request"), obj)
