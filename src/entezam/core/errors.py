"""Problems found in rows of an imported file, and the helpers to raise field errors.

Every app keeps its reason codes and their messages in its own `errors.py`; a row
problem carries the code, and its message in both languages, rendered from the
catalogue by switching the active language (`row_error`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row of an imported file: where, which reason, and why."""

    row: int
    column: str | None
    code: str
    message_fa: str
    message_en: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
        }
