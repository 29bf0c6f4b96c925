"""Sign-in lockout through django-axes: failures are counted per username in the database
(so they survive restarts and every web process sees the same count), and an account is
refused for `LOGIN_LOCKOUT_SECONDS` after `LOGIN_FAILURE_LIMIT` failures.

The lock is per username only: one address (an office behind a NAT gateway) failing many
times locks out nobody else. An address that fails very often is *slowed down* instead:
after `LOGIN_ADDRESS_SLOWDOWN_AFTER` failures within the lockout window, each attempt from
it must wait `LOGIN_ADDRESS_SLOWDOWN_SECONDS` after the last failure (counters in the
cache, shared by every web process when Redis is configured).
"""

from __future__ import annotations

import math
import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from entezam.core.counters import count_hit


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The key failures are counted under (`AXES_USERNAME_CALLABLE`): `PROV ` is `prov`."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    username = (username or "").strip().lower()
    return username or None


def sign_in_locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def _address_keys(ip: str) -> tuple[str, str]:
    return f"signin-address-failures:{ip}", f"signin-address-last:{ip}"


def address_failed(ip: str | None) -> None:
    if not ip:
        return
    count_key, last_key = _address_keys(ip)
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    count_hit(count_key, timeout)
    cache.set(last_key, time.time(), timeout=timeout)


def address_wait(ip: str | None) -> int:
    """Seconds the address must still wait before its next attempt (0: none)."""
    if not ip:
        return 0
    count_key, last_key = _address_keys(ip)
    if (cache.get(count_key) or 0) < settings.LOGIN_ADDRESS_SLOWDOWN_AFTER:
        return 0
    waited = time.time() - (cache.get(last_key) or 0)
    return max(0, math.ceil(settings.LOGIN_ADDRESS_SLOWDOWN_SECONDS - waited))
