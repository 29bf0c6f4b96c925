"""Logging filters: a refused request (403) is one line, not a traceback."""

from __future__ import annotations

import logging


class ForbiddenOneLine(logging.Filter):
    """Drop the traceback Django attaches to "Forbidden (Permission denied)": a refusal
    is expected behaviour, and a traceback per refusal buries real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


class CardCheckAnswers(logging.Filter):
    """Drop Django's "Not Found" / "Too Many Requests" line for a public card check: an
    unknown card or a refused address is an answer (recorded as a check, counted on the
    verifications page), and a log line per check would bury real errors under a flood."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if getattr(record, "status_code", None) in (404, 429) and request is not None:
            path = getattr(request, "path", "")
            return not (path.startswith("/v/") or path.startswith("/api/v1/public/verify/"))
        return True
