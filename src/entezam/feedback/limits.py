"""The public intake's per-address limit (the web form and the public API share it)."""

from __future__ import annotations

import time

from entezam.core.counters import count_hit
from entezam.core.middleware import client_ip

from .conf import int_setting


def submissions_allowed(request) -> bool:
    """Count one public submission from the request's address; False past the hourly limit."""
    key = f"feedback-submit:{client_ip(request) or 'unknown'}:{int(time.time()) // 3600}"
    count = count_hit(key, 3600)
    return count <= int_setting("FEEDBACK_SUBMISSIONS_PER_HOUR")
