"""Background-check providers: where check results come from.

The national records service is not reachable from this network, so two providers work
today: `manual` (an officer records what the records office told them) and `file` (the
records office returns a CSV of results). Both yield `CheckOutcome`s (and, for files,
`RowError`s); `services.background_checks_ingest` stores them the same way, upserting
on (provider, reference) so that a re-imported file adds nothing twice.

A provider that can be called over the network implements the same two methods and
registers itself with `register_provider`.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from entezam.core.errors import RowError, row_error
from entezam.core.persian import (
    JalaliDateError,
    check_national_code,
    normalize,
    parse_jalali,
    reason_row_error,
)
from entezam.core.persian.text import strip_invisible, to_ascii_digits
from entezam.core.xlsx import XlsxError, iter_rows

from .choices import CheckResult
from .errors import LABELS, MESSAGES


@dataclass(frozen=True)
class CheckRequest:
    """What a provider needs to look a person up, and how to match the answer later."""

    provider: str
    national_code: str
    reference: str
    full_name: str = ""


@dataclass(frozen=True)
class CheckOutcome:
    """One result reported by a provider."""

    national_code: str
    result: str
    reference: str
    checked_on: datetime.date
    detail: str = ""
    row: int | None = None


class BackgroundCheckProvider(ABC):
    name: str = ""

    @abstractmethod
    def request(self, person) -> CheckRequest:
        """Ask for a check of `person`; returns what identifies the request."""

    @abstractmethod
    def results(self) -> Iterable[CheckOutcome | RowError]:
        """The results available from this provider (and rows it could not read)."""


PROVIDERS: dict[str, type[BackgroundCheckProvider]] = {}


def register_provider(cls: type[BackgroundCheckProvider]) -> type[BackgroundCheckProvider]:
    if not cls.name:
        raise ValueError("a background-check provider needs a name")
    PROVIDERS[cls.name] = cls
    return cls


def get_provider(name: str, **kwargs) -> BackgroundCheckProvider:
    try:
        cls = PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown background-check provider {name!r}") from None
    return cls(**kwargs)


def _new_reference(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


@register_provider
class ManualProvider(BackgroundCheckProvider):
    """An officer asks the records office and records the answer."""

    name = "manual"

    def __init__(self, outcomes: Iterable[CheckOutcome] = ()):
        self._outcomes = list(outcomes)

    def request(self, person) -> CheckRequest:
        return CheckRequest(
            provider=self.name,
            national_code=person.national_code,
            reference=_new_reference("MAN"),
            full_name=person.full_name,
        )

    def record(self, outcome: CheckOutcome) -> None:
        self._outcomes.append(outcome)

    def results(self) -> Iterator[CheckOutcome]:
        yield from self._outcomes


RESULT_WORDS = {
    CheckResult.CLEAR: ("clear", "پاک", "بدون سابقه", "فاقد سابقه", "عدم سوء پیشینه", "ندارد"),
    CheckResult.DISQUALIFYING: (
        "disqualifying",
        "دارای سابقه",
        "سابقه دار",
        "سابقه‌دار",
        "مردود",
        "دارد",
    ),
    CheckResult.PENDING: ("pending", "در انتظار", "در حال بررسی", "در جریان"),
}
_RESULT_LOOKUP = {
    normalize(word): result for result, words in RESULT_WORDS.items() for word in words
}

FILE_COLUMNS = ("national_code", "result", "reference", "checked_on", "detail")
# What the records office and people write as headers, in Persian or English.
HEADER_ALIASES = {
    "national_code": ("national_code", "کد ملی", "کدملی", "شماره ملی", "national code"),
    "result": ("result", "نتیجه", "نتیجه استعلام", "نتیجه بررسی"),
    "reference": ("reference", "شماره پیگیری", "شماره مرجع", "مرجع", "شماره نامه"),
    "checked_on": ("checked_on", "تاریخ استعلام", "تاریخ بررسی", "تاریخ", "checked on"),
    "detail": ("detail", "توضیحات", "شرح", "جزئیات"),
}


def _cell_text(cell) -> str:
    """A workbook cell as the text a CSV would hold: dates ISO, whole numbers without `.0`
    (a national code typed as a number gets its leading zeros back from its validator)."""
    if isinstance(cell, datetime.date):
        return cell.isoformat()[:10]
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _header_key(name: str) -> str:
    return normalize(strip_invisible(name)).strip().replace(" ", "_")


HEADERS = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}
REQUIRED_COLUMNS = ("national_code", "result", "reference", "checked_on")
MAX_DETAIL = 300
MAX_REFERENCE = 60


def parse_result(text: str) -> str | None:
    return _RESULT_LOOKUP.get(normalize(text).replace("\u200c", " "))


def parse_check_date(text: str) -> datetime.date:
    """ISO (2025-03-21) or Jalali (1404/01/01) in any digits; raises JalaliDateError."""
    raw = to_ascii_digits(strip_invisible(text or ""))
    head = raw.replace("/", "-").split("-", 1)[0]
    if head.isdigit() and int(head) >= 1700:
        try:
            return datetime.date.fromisoformat(raw.replace("/", "-"))
        except ValueError:
            raise JalaliDateError("invalid_date", value=raw) from None
    return parse_jalali(raw)


@register_provider
class FileProvider(BackgroundCheckProvider):
    """Results returned by the records office as a CSV file (UTF-8, with or without BOM).

    Columns: national_code, result (clear/disqualifying/pending or Persian equivalents),
    reference, checked_on (Jalali or ISO), detail (optional). Rows are numbered as a
    spreadsheet shows them: the header is row 1.
    """

    name = "file"

    def __init__(self, content: bytes | str = b"", today: datetime.date | None = None):
        # An XLSX workbook (a ZIP archive) is read as its first sheet's rows, as text.
        self._workbook = content if isinstance(content, bytes) and content[:2] == b"PK" else None
        if isinstance(content, bytes):
            content = "" if self._workbook else content.decode("utf-8-sig", errors="replace")
        self._text = content.lstrip("\ufeff")
        self._today = today or datetime.date.today()

    def request(self, person) -> CheckRequest:
        # The request goes out as a row of the file sent to the records office.
        return CheckRequest(
            provider=self.name,
            national_code=person.national_code,
            reference=_new_reference("FILE"),
            full_name=person.full_name,
        )

    def _rows(self) -> Iterator[list[str]]:
        if self._workbook is None:
            yield from csv.reader(io.StringIO(self._text))
            return
        expected = 1
        for number, cells in iter_rows(io.BytesIO(self._workbook)):
            # Rows the sheet does not store are empty rows: keep the spreadsheet's numbering.
            for _ in range(number - expected):
                yield []
            expected = number + 1
            yield [_cell_text(cell) for cell in cells]

    def results(self) -> Iterator[CheckOutcome | RowError]:
        reader = self._rows()
        try:
            header = next(reader, None)
        except XlsxError:
            yield row_error(1, "", "unreadable_workbook", MESSAGES)
            return
        if header is None:
            yield row_error(1, "", "empty_file", MESSAGES)
            return
        columns = [HEADERS.get(_header_key(name), _header_key(name)) for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            yield row_error(1, ", ".join(missing), "missing_columns", MESSAGES, columns=missing)
            return
        index = {name: columns.index(name) for name in FILE_COLUMNS if name in columns}
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield self._read_row(number, cells, index)

    def _read_row(self, number: int, cells: list[str], index: dict) -> CheckOutcome | RowError:
        def cell(name: str) -> str:
            position = index.get(name)
            return (
                strip_invisible(cells[position])
                if position is not None and position < len(cells)
                else ""
            )

        code_check = check_national_code(cell("national_code"))
        if not code_check.ok:
            return reason_row_error(number, "national_code", "national_code", code_check.reason)
        raw_result = cell("result")
        result = parse_result(raw_result)
        if result is None:
            return row_error(number, "result", "invalid_result", MESSAGES, value=raw_result)
        reference = to_ascii_digits(cell("reference"))
        if not reference:
            return row_error(
                number, "reference", "reference_required", MESSAGES, label=LABELS["reference"]
            )
        if len(reference) > MAX_REFERENCE:
            return row_error(
                number,
                "reference",
                "reference_too_long",
                MESSAGES,
                label=LABELS["reference"],
                limit=MAX_REFERENCE,
            )
        try:
            checked_on = parse_check_date(cell("checked_on"))
        except JalaliDateError as exc:
            return exc.row_error(number, "checked_on")
        if checked_on > self._today:
            return row_error(
                number, "checked_on", "future_date", MESSAGES, label=LABELS["checked_on"]
            )
        return CheckOutcome(
            national_code=code_check.value,
            result=result,
            reference=reference,
            checked_on=checked_on,
            detail=cell("detail")[:MAX_DETAIL],
            row=number,
        )
