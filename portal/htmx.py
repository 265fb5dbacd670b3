"""Views that answer htmx with a part of the page from the same URL as the whole page.

The browser's HTTP cache keys a response by its URL, so without more a part fetched by htmx for `/search/?q=a` can
be shown as the page itself when Back (or a restored tab) loads `/search/?q=a` from the cache: an unstyled fragment
without header or search box. Two headers prevent it:

- `Vary: HX-Request` on every answer of such a view (whole page or part), as django-htmx's documentation recommends:
  a cached answer is reused only for a request with the same `HX-Request` header, so a part never stands in for a
  page navigation and a page never for an htmx swap.
- `Cache-Control: no-store` (with Django's other never-cache headers) on the parts. `private, no-cache` would not
  be enough: browsers show a stored response on Back and Forward without revalidating it, whatever `no-cache` says;
  only `no-store` keeps it out. A part is never worth storing: it is fetched for one swap, carries the id of the
  search it was logged as, and is cheap to make again. Whole pages keep the default (no store directive), so Back
  can still show them from the back/forward cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers


def varies_on_htmx(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark the view's answers as depending on `HX-Request`; answers to htmx requests are not stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        if request.htmx:
            add_never_cache_headers(response)
        return response

    return wrapper
