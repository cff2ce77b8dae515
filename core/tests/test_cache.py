"""With Redis down the cache misses instead of failing the page (core/cache.py)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from core.cache import FailSoftRedisCache

# Nothing listens on port 1: the connection is refused at once, as with a stopped Redis.
DEAD_REDIS = "redis://127.0.0.1:1/12"
OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_the_plain_redis_cache_would_fail_on_this_address():
    # Proves the address below really is a dead Redis, so the fail-soft tests are not vacuous.
    with pytest.raises(RedisConnectionError):
        RedisCache(DEAD_REDIS, {"OPTIONS": OPTIONS}).get("key")


def test_the_fail_soft_cache_treats_a_dead_redis_as_misses():
    cache = FailSoftRedisCache(DEAD_REDIS, {"OPTIONS": OPTIONS})

    assert cache.get("key", "default") == "default"
    cache.set("key", "value")  # no exception
    assert cache.add("key", "value") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("key") is False
    assert cache.get_or_set("key", lambda: "computed") == "computed"
    assert cache.delete("key") is False
    cache.set_many({"a": 1})
    cache.delete_many(["a"])
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_pages_render_with_the_redis_cache_down(client, settings, department, school):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": DEAD_REDIS, "OPTIONS": OPTIONS}
    }
    caches["default"].set("warm-up", 1)  # the cache really is the dead one

    assert client.get(reverse("core:public_home")).status_code == 200
    client.force_login(department)
    for url in (
        reverse("core:home"),
        reverse("schools:list"),
        reverse("schools:detail", args=[school.pk]),
        reverse("monitoring:import_list"),
    ):
        assert client.get(url).status_code == 200, url


def test_health_reports_the_broker_unavailable_while_the_database_answers(client, settings, db):
    """503: with the broker down nothing queued can run, so monitoring must see the portal unready."""
    settings.REDIS_URL = DEAD_REDIS

    response = client.get(reverse("core:health"))

    assert (response.status_code, response.json()) == (503, {"database": "ok", "broker": "unavailable"})
    assert client.get("/health/live/").status_code == 200
