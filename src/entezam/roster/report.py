"""The import report: counts, every rejected row, and its XLSX form."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.errors import RowError, in_both_languages

from .choices import ImportOutcome

# --- report

# The job result and the command summary show this many problems; the report has all.
ERROR_PREVIEW = 200
# What one row may report: its first problems (a row rarely has more than one per column).
MAX_ERRORS_PER_ROW = 12
# Past this many rejected rows the file is not a roster to correct row by row: the import
# stops, writes nothing, and says so (the rows found so far are in the report).
MAX_REJECTED_ROWS = 10_000


class ErrorSpool:
    """The problems of an import, one JSON line each in a temporary file: the report keeps
    every rejected row without holding them in memory."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.count = 0

    def write(self, error: RowError) -> None:
        self._file.write(json.dumps(error.as_dict(), ensure_ascii=False))
        self._file.write("\n")
        self.count += 1

    def __iter__(self) -> Iterator[dict]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()


@dataclass
class ImportReport:
    file_name: str
    mode: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # The first problems, for the job's result and the command's summary; all of them are
    # in `spool` (see `iter_errors`).
    errors: list[RowError] = field(default_factory=list)
    outcome: str = ""
    sha256: str = ""
    # Each column's name as the file's header wrote it; problems are shown by it.
    headers: dict[str, str] = field(default_factory=dict)
    spool: ErrorSpool = field(default_factory=ErrorSpool, repr=False)

    @property
    def error_count(self) -> int:
        return self.spool.count

    def add_error(self, error: RowError) -> None:
        if len(self.errors) < ERROR_PREVIEW:
            self.errors.append(error)
        self.spool.write(error)

    def add_rejected_row(self, errors: list[RowError]) -> None:
        """One rejected row and (at most `MAX_ERRORS_PER_ROW` of) its problems."""
        self.rejected += 1
        for error in errors[:MAX_ERRORS_PER_ROW]:
            self.add_error(error)

    def iter_errors(self) -> Iterator[dict]:
        return iter(self.spool)

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def as_dict(self) -> dict:
        """The report as specified: counts are rows; every problem of every rejected row.
        (Materialises every problem: for a file, use `write_json` or `write_lines`.)"""
        return {**self.counts(), "errors": list(self.iter_errors())}

    def write_json(self, stream) -> None:
        """The report as one JSON document, streamed (`{"rows": …, "errors": [...]}`)."""
        write_json_report(self.counts(), self.iter_errors(), stream)

    def write_lines(self, stream) -> None:
        """The report as JSON lines: the counts and outcome first, then one problem a line."""
        stream.write(json.dumps({**self.summary(), **self.counts()}, ensure_ascii=False) + "\n")
        for error in self.iter_errors():
            stream.write(json.dumps(error, ensure_ascii=False) + "\n")

    def summary(self) -> dict:
        """Counts and outcome without the error list (for a job's result and the audit log)."""
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "mode": self.mode,
            "outcome": self.outcome,
            **self.counts(),
            "error_count": self.error_count,
            "headers": self.headers,
        }

    @property
    def failed(self) -> bool:
        """Whether a script running this import should see a non-zero exit status."""
        if self.outcome in (ImportOutcome.FILE_REJECTED, ImportOutcome.ROLLED_BACK):
            return True
        return self.outcome == ImportOutcome.DRY_RUN and self.rejected > 0

    def close(self) -> None:
        self.spool.close()


def write_json_report(counts: dict, errors: Iterable[dict], stream) -> None:
    """`{counts…, "errors": [...]}` written error by error, never held whole in memory."""
    head = json.dumps(counts, ensure_ascii=False)[:-1]
    stream.write(f'{head}, "errors": [' if counts else '{"errors": [')
    for index, error in enumerate(errors):
        stream.write(("," if index else "") + "\n " + json.dumps(error, ensure_ascii=False))
    stream.write("\n]}\n")


def read_report_lines(stream) -> tuple[dict, Iterator[dict]]:
    """(summary, problems) of a report written by `write_lines`, read lazily."""
    first = stream.readline()
    summary = json.loads(first) if first else {}

    def problems() -> Iterator[dict]:
        for line in stream:
            if line.strip():
                yield json.loads(line)

    return summary, problems()


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula when the report is opened."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


REPORT_COLUMNS = ("row", "column", "code", "message_fa", "message_en")
# The counts, as the result page names them; the report's summary sheet gives both languages.
COUNT_LABELS = {
    "rows": _("Rows"),
    "created": pgettext_lazy("import count", "Created"),
    "updated": _("Updated"),
    "unchanged": _("Unchanged"),
    "rejected": _("Rejected"),
}


def column_header(error: dict, headers: dict[str, str]) -> str:
    """The problem's column as the file's header named it (the internal name otherwise)."""
    column = error.get("column") or ""
    return headers.get(column, column)


def write_xlsx_report(report: dict, stream) -> None:
    """Write a report (counts, `errors`: any iterable of problems, and `headers`: each
    column's name in the file) as an XLSX workbook: a summary sheet and an errors sheet,
    in constant memory. The errors name their columns as the file's header did."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        stream,
        {
            "in_memory": False,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    summary = workbook.add_worksheet("summary")
    summary.right_to_left()
    for index, (key, label) in enumerate(COUNT_LABELS.items()):
        summary.write_string(index, 0, " / ".join(in_both_languages(label)), bold)
        summary.write_number(index, 1, report[key])
    summary.set_column(0, 0, 24)
    errors = workbook.add_worksheet("errors")
    errors.right_to_left()
    errors.set_column(0, 0, 8)
    errors.set_column(1, 2, 20)
    errors.set_column(3, 4, 70)
    for column, name in enumerate(REPORT_COLUMNS):
        errors.write_string(0, column, name, bold)
    headers = report.get("headers") or {}
    for index, error in enumerate(report["errors"], start=1):
        errors.write_number(index, 0, error["row"])
        cells = {**error, "column": column_header(error, headers)}
        for column, name in enumerate(REPORT_COLUMNS[1:], start=1):
            errors.write_string(index, column, str(neutralize(cells[name] or "")))
    workbook.close()
