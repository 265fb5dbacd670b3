"""portal.htmx.varies_on_htmx on every view that answers htmx with a part of the page from the page's URL."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import has_vary_header
from django_htmx.middleware import HtmxDetails

from portal.htmx import varies_on_htmx


@varies_on_htmx
def view(request):
    response = HttpResponse("part" if request.htmx else "page")
    response["Vary"] = "Cookie"
    return response


@pytest.mark.parametrize(("headers", "stored"), [({}, True), ({"HX-Request": "true"}, False)])
def test_vary_is_added_and_partials_are_not_stored(headers, stored):
    request = RequestFactory().get("/x/", headers=headers)
    request.htmx = HtmxDetails(request)
    response = view(request)
    assert has_vary_header(response, "HX-Request") and has_vary_header(response, "Cookie")
    assert ("no-store" not in response.get("Cache-Control", "")) is stored
