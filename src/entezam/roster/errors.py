"""Reason codes of the roster import and their messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from entezam.core.dates import MESSAGES as DATE_MESSAGES
from entezam.core.errors import MESSAGES as CORE_MESSAGES
from entezam.core.errors import RowError, row_error
from entezam.personnel.errors import MESSAGES as PERSONNEL_MESSAGES
from entezam.vetting.errors import MESSAGES as VETTING_MESSAGES

from .columns import COLUMN_LABELS

MESSAGES = {
    # The file as a whole.
    "file_too_large": CORE_MESSAGES["file_too_large"],
    "unsupported_format": _(
        "This file format is not supported; upload a CSV or an XLSX (Excel 2007 or later) file."
    ),
    "utf16": _("The file is encoded as UTF-16; save it from Excel as 'CSV UTF-8'."),
    "not_text": _("The file is not text and cannot be read as CSV."),
    "xlsx_damaged": _(
        "The Excel file is truncated or damaged and cannot be opened; save it again from Excel."
    ),
    "xlsx_too_large": _(
        "The Excel file is too large once uncompressed, or is compressed suspiciously well."
    ),
    "xlsx_protected": _(
        "The Excel file is password-protected; remove the password and upload it again."
    ),
    "empty_file": CORE_MESSAGES["empty_file"],
    "missing_column": _("The column '%(label)s' is missing from the header row."),
    "duplicate_column": _("The column '%(label)s' appears more than once in the header row."),
    "too_many_rejected": _(
        "Too many rejected rows (more than %(limit)s): the import stopped and wrote nothing. "
        "Fix the file (the report lists the rows found so far) and import it again."
    ),
    # One row; `label` names its column.
    "empty": CORE_MESSAGES["empty"],
    "too_long": CORE_MESSAGES["too_long"],
    "in_future": CORE_MESSAGES["in_future"],
    "birth_out_of_range": DATE_MESSAGES["birth"],
    "unknown_value": _("'%(value)s' is not a valid %(label)s; allowed values: %(allowed)s."),
    "required_for_men": PERSONNEL_MESSAGES["required_for_men"],
    "duplicate_in_file": _("This national code also appears in rows %(rows)s."),
    "no_active_standard": VETTING_MESSAGES["no_active_standard"],
    "employed_elsewhere": PERSONNEL_MESSAGES["employed_elsewhere"],
    "identity_mismatch": PERSONNEL_MESSAGES["identity_mismatch"],
}


def roster_error(row: int, column: str | None, code: str, /, **params: Any) -> RowError:
    """A problem of the file or of one of its rows; its message names the column."""
    if column is not None:
        params.setdefault("label", COLUMN_LABELS[column])
    return row_error(row, column, code, MESSAGES, **params)


class RosterFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, size, header)."""

    def __init__(self, code: str, column: str | None = None, row: int = 1, **params: Any):
        self.error = roster_error(row, column, code, **params)
        # Each column's name as the file wrote it, once its header has been read.
        self.headers: dict[str, str] = {}
        super().__init__(self.error.message_en)
