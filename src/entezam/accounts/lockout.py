"""Sign-in lockout through django-axes: failures are counted per username in the database
(so they survive restarts and every web process sees the same count), and an account is
refused for `LOGIN_LOCKOUT_SECONDS` after `LOGIN_FAILURE_LIMIT` failures.

The lock is per username only: one address (an office behind a NAT gateway) failing many
times locks out nobody else.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.http import HttpRequest


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
