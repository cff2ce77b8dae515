"""A Redis cache that degrades to misses when Redis is down.

With ``REDIS_URL`` set, Redis is the broker and the cache. A cache is an optimisation: if
Redis stops, pages must still render from the database (issue #10, «Faults»), so every
connection error or timeout is treated as a miss (reads return the default, writes do
nothing) and logged at most once a minute per process. Other errors still raise.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
_LOG_EVERY_SECONDS = 60.0
_last_logged = 0.0


def _outage(operation: str, exc: BaseException) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("cache unavailable (%s: %s); serving without the cache", operation, exc)


class FailSoftRedisCacheClient(RedisCacheClient):
    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except OUTAGE_ERRORS as exc:
            _outage("add", exc)
            return False

    def get(self, key, default):
        try:
            return super().get(key, default)
        except OUTAGE_ERRORS as exc:
            _outage("get", exc)
            return default

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except OUTAGE_ERRORS as exc:
            _outage("set", exc)

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except OUTAGE_ERRORS as exc:
            _outage("touch", exc)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except OUTAGE_ERRORS as exc:
            _outage("delete", exc)
            return False

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except OUTAGE_ERRORS as exc:
            _outage("get_many", exc)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except OUTAGE_ERRORS as exc:
            _outage("has_key", exc)
            return False

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except OUTAGE_ERRORS as exc:
            _outage("incr", exc)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from exc

    def set_many(self, data, timeout):
        try:
            super().set_many(data, timeout)
        except OUTAGE_ERRORS as exc:
            _outage("set_many", exc)

    def delete_many(self, keys):
        try:
            super().delete_many(keys)
        except OUTAGE_ERRORS as exc:
            _outage("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except OUTAGE_ERRORS as exc:
            _outage("clear", exc)
            return False


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache whose outages are misses (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
