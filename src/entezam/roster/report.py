"""The import report: counts, every rejected row, and its XLSX form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.errors import RowError, in_both_languages

from .choices import ImportOutcome

# --- report

# The job result and the command summary show this many problems; the report has all.
ERROR_PREVIEW = 200


@dataclass
class ImportReport:
    file_name: str
    mode: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcome: str = ""
    sha256: str = ""

    def as_dict(self) -> dict:
        """The report as specified: counts are rows; every problem of every rejected row."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
        }

    def summary(self) -> dict:
        """Counts and outcome without the error list (for a job's result and the audit log)."""
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "mode": self.mode,
            "outcome": self.outcome,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "error_count": len(self.errors),
        }

    @property
    def failed(self) -> bool:
        """Whether a script running this import should see a non-zero exit status."""
        if self.outcome in (ImportOutcome.FILE_REJECTED, ImportOutcome.ROLLED_BACK):
            return True
        return self.outcome == ImportOutcome.DRY_RUN and self.rejected > 0


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


def write_xlsx_report(report: dict, stream) -> None:
    """Write a JSON-shaped report as an XLSX workbook: a summary sheet and an errors sheet."""
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
    for index, error in enumerate(report["errors"], start=1):
        errors.write_number(index, 0, error["row"])
        for column, name in enumerate(REPORT_COLUMNS[1:], start=1):
            errors.write_string(index, column, str(neutralize(error[name] or "")))
    workbook.close()
