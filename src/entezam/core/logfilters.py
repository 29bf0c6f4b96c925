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
