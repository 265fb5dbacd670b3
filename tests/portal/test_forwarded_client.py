"""portal.middleware.ForwardedClientMiddleware: behind nginx the client's address comes from X-Forwarded-For."""

import pytest
from django.http import HttpRequest, HttpResponse

from portal.middleware import ForwardedClientMiddleware


def client_address(rf, **headers: str) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    ForwardedClientMiddleware(view)(rf.get("/", REMOTE_ADDR="127.0.0.1", **headers))
    return seen[0]


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the last entry: the one the nearest proxy wrote
        ("2001:db8::1", "2001:db8::1"),
        ("not an address", "127.0.0.1"),
        ("", "127.0.0.1"),
    ],
)
def test_trusted_the_last_forwarded_address_is_the_client(settings, rf, forwarded, expected):
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_address(rf, HTTP_X_FORWARDED_FOR=forwarded) == expected


def test_not_trusted_by_default(settings, rf):
    assert settings.TRUST_X_FORWARDED_FOR is False
    assert client_address(rf, HTTP_X_FORWARDED_FOR="203.0.113.9") == "127.0.0.1"


def test_rate_limits_count_the_forwarded_client(settings, client, guide):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 1
    assert client.get("/api/search?q=relay", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200
    assert client.get("/api/search?q=relay", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/api/search?q=relay", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200
