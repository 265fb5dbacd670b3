"""portal.generation: values derived under a generation are read with it and derived again once it is renewed."""

import pytest
from django.core.cache import cache

from portal.generation import Generation

pytestmark = pytest.mark.django_db  # renew() registers an on-commit callback


class Derived:
    """Counts how often the value was derived."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"value {self.calls}"


def test_a_value_is_derived_once_and_read_back_with_the_generation_in_one_round_trip(monkeypatch):
    generation, derive = Generation("test:generation"), Derived()
    assert generation.get_or_set("test:value", derive, 60) == "value 1"
    reads = []
    monkeypatch.setattr(cache, "get_many", lambda keys, get_many=cache.get_many: reads.append(keys) or get_many(keys))
    assert generation.get_or_set("test:value", derive, 60) == "value 1"
    assert derive.calls == 1
    assert reads == [["test:generation", "test:value"]]  # one get_many: one round trip to Redis


def test_a_renewed_generation_derives_the_value_again():
    generation, derive = Generation("test:generation"), Derived()
    generation.get_or_set("test:value", derive, 60)
    generation.renew()
    assert generation.get_or_set("test:value", derive, 60) == "value 2"
    assert generation.get_or_set("test:value", derive, 60) == "value 2"


def test_a_lost_token_starts_a_generation_and_old_values_are_not_read():
    generation, derive = Generation("test:generation"), Derived()
    generation.get_or_set("test:value", derive, 60)
    old = generation.current()
    cache.delete("test:generation")  # the cache was emptied or evicted the token
    assert generation.get_or_set("test:value", derive, 60) == "value 2"
    assert generation.current() != old


def test_generations_are_independent():
    first, second, derive = Generation("test:first"), Generation("test:second"), Derived()
    first.get_or_set("test:first-value", derive, 60)
    second.get_or_set("test:second-value", derive, 60)
    second.renew()
    assert first.get_or_set("test:first-value", derive, 60) == "value 1"
    assert second.get_or_set("test:second-value", derive, 60) == "value 3"
