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


@pytest.mark.parametrize(
    "path,status,kept",
    [
        ("/v/unknown-token-0000000000000", 404, False),
        ("/api/v1/public/verify/unknown-token-000000", 429, False),
        ("/v/a-card-token-000000000000000", 500, True),
        ("/people/12345/", 404, True),
    ],
)
def test_a_card_checks_unknown_or_limited_answer_is_no_log_line(rf, path, status, kept):
    from entezam.core.logfilters import CardCheckAnswers

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    record.status_code = status
    record.request = rf.get(path)
    assert CardCheckAnswers().filter(record) is kept
