"""portal.cache.RedisCache: Django's Redis cache with one redis-py client per pool, against Redis on loopback."""

import threading

import pytest
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

from portal.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own, emptied by each test


@pytest.fixture
def cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "portal-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_behaves_as_djangos_redis_cache(cache):
    assert isinstance(cache._cache, DjangoRedisCacheClient)
    cache.set("answer", {"articles": [6, 8]}, 30)
    assert cache.get("answer") == {"articles": [6, 8]}
    assert cache.add("answer", "other") is False
    assert cache.add("hits", 1) is True
    assert cache.incr("hits") == 2
    cache.delete("answer")
    assert cache.get("answer", "gone") == "gone"
    cache.set_many({"a": 1, "b": 2}, 30)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}


def test_one_client_per_pool_reused_by_every_operation_and_thread(cache):
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    seen = []

    def work(n: int) -> None:
        for i in range(50):
            cache.set(f"key-{n}-{i}", i, 30)
            seen.append(cache.get(f"key-{n}-{i}") == i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 200 and all(seen)
    assert cache._cache.get_client() is client


def test_incr_is_one_atomic_command_that_keeps_the_timeout(cache, monkeypatch):
    client = cache._cache.get_client()
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    assert cache.get("missing") is None  # not created by the failed incr
    cache.set("hits", 1, 90)
    sent = []
    monkeypatch.setattr(
        client,
        "execute_command",
        lambda *args, send=client.execute_command, **kwargs: sent.append(args[0]) or send(*args, **kwargs),
    )
    assert cache.incr("hits") == 2 and cache.incr("hits", 5) == 7
    assert sent == ["EVALSHA", "EVALSHA"]  # one round trip each (Django's: EXISTS, then INCRBY)
    monkeypatch.undo()
    assert 0 < client.ttl(cache.make_key("hits")) <= 90
    assert cache.get("hits") == 7
    client.script_flush()  # Redis restarted and forgot the script: loaded again
    assert cache.incr("hits") == 8
