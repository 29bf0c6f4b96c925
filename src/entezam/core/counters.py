"""Counting hits in a time window (rate limits, sign-in slow-downs), in the shared cache.

With Redis behind the cache (production, the stack) a hit is one round trip: `SET NX EX`
starts the window and `INCR` counts, in one pipeline, so a public endpoint pays ~0.1 ms for
its limit. With another cache (the embedded demo's local memory) it is add-then-incr."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def redis_client():
    """The Redis client behind the default cache, or None when the cache is not Redis."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def count_hit(key: str, timeout: int) -> int:
    """Count one hit on `key` (its window starts with its first hit and lasts `timeout`
    seconds); returns the hits counted in the window, this one included."""
    client = redis_client()
    if client is not None:
        full_key = cache.make_key(key)
        pipe = client.pipeline(transaction=True)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
