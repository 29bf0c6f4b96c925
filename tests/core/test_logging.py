"""A 403 logs one line, not a traceback."""

import logging

import pytest
from django.core.exceptions import PermissionDenied

from entezam.core.logfilters import ForbiddenOneLine


def _record(status):
    try:
        raise PermissionDenied("no")
    except PermissionDenied:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info()
        )
    record.status_code = status
    return record


@pytest.mark.parametrize("status,traceback", [(403, False), (500, True)])
def test_forbidden_is_one_line_other_errors_keep_their_traceback(status, traceback):
    record = _record(status)
    assert ForbiddenOneLine().filter(record)
    text = logging.Formatter().format(record)
    assert ("Traceback" in text) is traceback
    assert "Forbidden" in text
