"""Roster import: an institution's staff list (CSV or XLSX) into people and applications.

The file is read twice, row by row, so memory stays flat however long it is:

1. the *national-code pass* reads only the national codes and spills them, with their row
   numbers, into a temporary SQLite file, which then names the codes that occur in more
   than one row (every one of those rows is rejected, each naming the others);
2. the *row pass* validates every row completely and, chunk by chunk, checks for active
   employment elsewhere (one query), creates and updates people in bulk and opens
   applications. On PostgreSQL a chunk is streamed with COPY into a temporary staging
   table and settled with a few set-based statements (`_PostgresChunkWriter`); elsewhere
   through the ORM's bulk operations and `vetting.services.applications_open_bulk`.

Validation is the hot loop: each row is first tried on a fast path (memoised per distinct
cell value, no per-row objects); a row that fails it, or is a duplicate, is validated again
by `validate_row`, which names every problem. Only the fast path's *acceptances* are
trusted, so the errors reported are exactly `validate_row`'s.

The whole row pass is one transaction. In the default atomic mode it is rolled back when
any row is rejected; `partial` keeps the valid rows; `dry_run` always rolls back and reports
what would have happened. Employment starts when an application is approved, never here.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import json
import os
import pickle
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core import xlsx
from entezam.core.audit import record
from entezam.core.bulk import StagingTable, column_defaults, quote
from entezam.core.persian import (
    JalaliDateError,
    Validated,
    check_mobile,
    check_national_code,
    normalize,
    parse_jalali,
    reason_message,
    to_ascii_digits,
)
from entezam.core.persian.text import strip_invisible, to_persian_digits
from entezam.core.scoping import ALL, NOTHING, assignment_q
from entezam.institutions.choices import InstitutionStatus
from entezam.institutions.models import Institution

from .choices import Education, Gender, MilitaryService, Position
from .models import Employment, Person, search_key
from .validators import check_person_name, name_reason_message

CHUNK_SIZE = 5000
MAX_FILE_BYTES = 50 * 1024 * 1024
# An XLSX is a zip: refuse archives that would inflate beyond this, or inflate suspiciously
# well (a zip bomb), before any XML parser sees them.
MAX_XLSX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_XLSX_COMPRESSION_RATIO = 100
ERROR_PREVIEW = 200

IMPORT_ROLES = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER})
IMPORTABLE_STATUSES = (InstitutionStatus.ACTIVE, InstitutionStatus.DEVELOPING)


class Mode:
    ATOMIC = "atomic"
    PARTIAL = "partial"
    DRY_RUN = "dry_run"

    CHOICES = (
        (ATOMIC, _("All or nothing: write only if every row is valid")),
        (PARTIAL, _("Partial: write the valid rows, report the rejected ones")),
        (DRY_RUN, _("Trial run: check the file and write nothing")),
    )
    VALUES = (ATOMIC, PARTIAL, DRY_RUN)


class Outcome:
    WRITTEN = "written"
    ROLLED_BACK = "rolled_back"
    DRY_RUN = "dry_run"
    FILE_REJECTED = "file_rejected"


# --------------------------------------------------------------------------- columns

FIELDS = (
    "national_code",
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
    "position",
)
REQUIRED_COLUMNS = (
    "national_code",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "education",
    "position",
)
# The Persian header each field is written under in a template and in messages.
COLUMN_LABELS = {
    "national_code": ("کد ملی", "national code"),
    "first_name": ("نام", "first name"),
    "last_name": ("نام خانوادگی", "last name"),
    "father_name": ("نام پدر", "father's name"),
    "birth_date": ("تاریخ تولد", "birth date"),
    "gender": ("جنسیت", "gender"),
    "mobile": ("تلفن همراه", "mobile"),
    "education": ("مدرک تحصیلی", "education"),
    "military_service": ("وضعیت نظام وظیفه", "military service"),
    "position": ("سمت", "position"),
}
HEADER_ALIASES = {
    "national_code": [
        "کد ملی",
        "کدملی",
        "شماره ملی",
        "شناسه ملی",
        "national code",
        "national_code",
        "national id",
        "nationalcode",
    ],
    "first_name": ["نام", "first name", "first_name", "firstname", "given name"],
    "last_name": [
        "نام خانوادگی",
        "نام‌خانوادگی",
        "last name",
        "last_name",
        "lastname",
        "surname",
        "family name",
    ],
    "father_name": ["نام پدر", "father name", "father_name", "father's name", "fathers name"],
    "birth_date": [
        "تاریخ تولد",
        "تاریخ‌تولد",
        "birth date",
        "birth_date",
        "birthdate",
        "date of birth",
        "dob",
    ],
    "gender": ["جنسیت", "جنس", "gender", "sex"],
    "mobile": [
        "تلفن همراه",
        "موبایل",
        "شماره همراه",
        "شماره موبایل",
        "همراه",
        "mobile",
        "mobile number",
        "cell phone",
        "cellphone",
    ],
    "education": ["مدرک تحصیلی", "تحصیلات", "مدرک", "میزان تحصیلات", "education", "degree"],
    "military_service": [
        "وضعیت نظام وظیفه",
        "نظام وظیفه",
        "وضعیت خدمت",
        "وضعیت سربازی",
        "خدمت سربازی",
        "military service",
        "military_service",
    ],
    "position": ["سمت", "عنوان شغلی", "شغل", "position", "job title", "role"],
}

_KEY_DROP = re.compile(r"[\s_\-'’.:*()]+")


def _key(value: Any) -> str:
    """Header or choice text folded so spelling, spacing and case do not matter."""
    return _KEY_DROP.sub("", normalize(str(value)))


HEADER_KEYS = {_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}

_CHOICE_ALIASES = {
    "gender": {
        Gender.MALE: ["مرد", "مذکر", "آقا", "male", "m", "man"],
        Gender.FEMALE: ["زن", "مونث", "مؤنث", "خانم", "female", "f", "woman"],
    },
    "education": {
        Education.BELOW_DIPLOMA: ["زیر دیپلم", "زیردیپلم", "سیکل", "below diploma"],
        Education.DIPLOMA: ["دیپلم", "diploma", "high school"],
        Education.ASSOCIATE: ["کاردانی", "فوق دیپلم", "associate", "associate degree"],
        Education.BACHELOR: ["کارشناسی", "لیسانس", "bachelor", "bachelor's degree", "bsc", "ba"],
        Education.MASTER: [
            "کارشناسی ارشد",
            "فوق لیسانس",
            "ارشد",
            "master",
            "master's degree",
            "msc",
            "ma",
        ],
        Education.DOCTORATE: ["دکتری", "دکترا", "doctorate", "phd"],
    },
    "military_service": {
        MilitaryService.COMPLETED: [
            "پایان خدمت",
            "کارت پایان خدمت",
            "دارای کارت پایان خدمت",
            "completed",
        ],
        MilitaryService.EXEMPT: ["معاف", "معافیت", "معافیت دائم", "کارت معافیت", "exempt"],
        MilitaryService.SERVING: ["در حال خدمت", "serving"],
        MilitaryService.LIABLE: ["مشمول", "liable"],
    },
    "position": {
        Position.GUARD: ["نگهبان", "پلیس یار", "پلیس‌یار", "محافظ", "guard"],
        Position.SUPERVISOR: ["سرپرست", "سرپرست شیفت", "supervisor", "shift supervisor"],
        Position.MANAGER: ["مدیر", "مدیر عامل", "مدیرعامل", "manager"],
    },
}
CHOICE_KEYS = {
    column: {_key(alias): str(value) for value, aliases in mapping.items() for alias in aliases}
    for column, mapping in _CHOICE_ALIASES.items()
}
# Values a template offers, one per choice, in Persian.
CHOICE_EXAMPLES = {
    column: [aliases[0] for aliases in mapping.values()]
    for column, mapping in _CHOICE_ALIASES.items()
}

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
)
# Optional cells left empty keep what is stored: a roster without mobiles erases none.
KEEP_WHEN_EMPTY = ("father_name", "mobile", "military_service")


# --------------------------------------------------------------------------- messages

_MESSAGES: dict[str, tuple[str, str]] = {
    "file_too_large": (
        "حجم پرونده بیش از {limit_fa} مگابایت است.",
        "The file is larger than {limit} MB.",
    ),
    "unsupported_format": (
        "قالب پرونده پشتیبانی نمی‌شود؛ پرونده CSV یا XLSX (اکسل ۲۰۰۷ به بعد) بارگذاری کنید.",
        "This file format is not supported; upload a CSV or an XLSX (Excel 2007 or later) file.",
    ),
    "utf16": (
        "پرونده با کدگذاری UTF-16 ذخیره شده است؛ آن را در اکسل با گزینه «CSV UTF-8» ذخیره کنید.",
        "The file is encoded as UTF-16; save it from Excel as 'CSV UTF-8'.",
    ),
    "not_text": (
        "پرونده متنی نیست و نمی‌توان آن را به‌عنوان CSV خواند.",
        "The file is not text and cannot be read as CSV.",
    ),
    "xlsx_damaged": (
        "پرونده اکسل ناقص یا خراب است و باز نمی‌شود؛ آن را دوباره از اکسل ذخیره کنید.",
        "The Excel file is truncated or damaged and cannot be opened; save it again from Excel.",
    ),
    "xlsx_too_large": (
        "پرونده اکسل پس از بازشدن بیش از حد بزرگ است یا به‌طور غیرعادی فشرده شده است.",
        "The Excel file is too large once uncompressed, or is compressed suspiciously well.",
    ),
    "xlsx_protected": (
        "پرونده اکسل رمز دارد؛ رمز آن را بردارید و دوباره بارگذاری کنید.",
        "The Excel file is password-protected; remove the password and upload it again.",
    ),
    "empty_file": (
        "پرونده هیچ سطری ندارد.",
        "The file has no rows.",
    ),
    "missing_column": (
        "ستون «{label_fa}» در سطر عنوان پرونده پیدا نشد.",
        "The column '{label_en}' is missing from the header row.",
    ),
    "duplicate_column": (
        "ستون «{label_fa}» بیش از یک بار در سطر عنوان آمده است.",
        "The column '{label_en}' appears more than once in the header row.",
    ),
    "duplicate_in_file": (
        "این کد ملی در سطرهای {rows_fa} هم آمده است.",
        "This national code also appears in rows {rows}.",
    ),
    "employed_elsewhere": (
        "این فرد اکنون در موسسه دیگری شاغل است؛ جابه‌جایی بین موسسات با بارگذاری فهرست ممکن نیست.",
        "This person is actively employed by another institution; an import moves nobody.",
    ),
    "empty": ("«{label_fa}» وارد نشده است.", "No {label_en} given."),
    "unknown_value": (
        "«{value}» برای «{label_fa}» معتبر نیست؛ مقادیر مجاز: {allowed_fa}.",
        "'{value}' is not a valid {label_en}; allowed values: {allowed_en}.",
    ),
    "required_for_men": (
        "وضعیت نظام وظیفه برای آقایان الزامی است.",
        "Military service status is required for men.",
    ),
    "invalid_format": (
        "«{value}» تاریخ معتبر نیست؛ تاریخ شمسی مانند ۱۳۷۰/۰۵/۱۲ یا میلادی مانند 1990-05-17.",
        "'{value}' is not a date; use a Jalali date like 1370/05/12 or a Gregorian one like "
        "1990-05-17.",
    ),
    "invalid_date": (
        "«{value}» تاریخ میلادی معتبری نیست.",
        "'{value}' is not a valid Gregorian date.",
    ),
    "in_future": (
        "تاریخ تولد نمی‌تواند پس از امروز باشد.",
        "The birth date cannot be after today.",
    ),
    "too_long": (
        "«{label_fa}» بیش از {limit_fa} نویسه است.",
        "The {label_en} is longer than {limit} characters.",
    ),
    "no_active_standard": (
        "برای این سمت ضوابط گزینش فعالی تعریف نشده است.",
        "No active selection standard covers this position.",
    ),
}


def message(code: str, column: str | None = None, **params: Any) -> tuple[str, str]:
    """(Persian, English) text of one of this module's reason codes."""
    label_fa, label_en = COLUMN_LABELS.get(column or "", ("", ""))
    values = {"label_fa": label_fa, "label_en": label_en, **params}
    for name, value in list(values.items()):
        values.setdefault(f"{name}_fa", to_persian_digits(value))
    fa, en = _MESSAGES[code]
    return fa.format(**values), en.format(**values)


@dataclass(frozen=True, slots=True)
class RowError:
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


class RosterFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, size, header)."""

    def __init__(self, code: str, column: str | None = None, row: int = 1, **params: Any):
        self.error = RowError(row, column, code, *message(code, column, **params))
        super().__init__(self.error.message_en)


# --------------------------------------------------------------------------- reading


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise RosterFileError("xlsx_damaged") from None
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_XLSX_COMPRESSION_RATIO:
            raise RosterFileError("xlsx_too_large")
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise RosterFileError("xlsx_too_large")


def _iter_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    _check_zip(path)
    try:
        yield from xlsx.iter_rows(path)
    except xlsx.XlsxError:
        raise RosterFileError("xlsx_damaged") from None


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the whole file decodes strictly as UTF-8, else Windows-1256."""
    with open(path, "rb") as stream:
        head = stream.read(4096)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RosterFileError("utf16")
        if b"\x00" in head:
            raise RosterFileError("utf16" if head.count(b"\x00") > len(head) // 4 else "not_text")
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        try:
            while block := stream.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1256"
    return "utf-8-sig"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _iter_csv(path: Path) -> Iterator[tuple[int, list]]:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, errors="strict", newline="") as stream:
        first_line = stream.readline()
        if _CONTROL_CHARS.search(first_line):
            raise RosterFileError("not_text")
        delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
        if not first_line.count(delimiter):
            delimiter = ","
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error:
            raise RosterFileError("not_text") from None


def file_kind(path: Path, name: str = "") -> str:
    """`xlsx` or `csv`, from the first bytes (an extension can lie)."""
    with open(path, "rb") as stream:
        head = stream.read(8)
    if head.startswith(b"PK"):
        return "xlsx"
    suffix = Path(name or path).suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: an old binary .xls, or an .xlsx Excel encrypted with a password.
        raise RosterFileError(
            "xlsx_protected" if suffix in (".xlsx", ".xlsm") else "unsupported_format"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise RosterFileError("xlsx_damaged")
    if suffix in ("", ".csv", ".txt", ".tsv"):
        return "csv"
    raise RosterFileError("unsupported_format")


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_blank_row(row: list) -> bool:
    for cell in row:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


@dataclass
class RosterSource:
    """A roster file on disk: its header mapping and its data rows, read on demand."""

    path: Path
    name: str
    kind: str = ""
    columns: dict[str, int] = field(default_factory=dict)
    # Set once the national-code pass has spooled an XLSX's rows (see `national_codes`).
    spool: Path | None = None

    @classmethod
    def open(cls, path: Path | str, name: str = "") -> RosterSource:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RosterFileError("file_too_large", row=0, limit=MAX_FILE_BYTES // (1024 * 1024))
        if size == 0:
            raise RosterFileError("empty_file", row=0)
        source = cls(path=path, name=name or path.name)
        source.kind = file_kind(path, source.name)
        source.columns = source._read_header()
        return source

    def _raw_rows(self) -> Iterator[tuple[int, list]]:
        return _iter_xlsx(self.path) if self.kind == "xlsx" else _iter_csv(self.path)

    def _read_header(self) -> dict[str, int]:
        rows = self._raw_rows()
        try:
            for _index, row in rows:
                if not _is_blank_row(row):
                    header = row
                    break
            else:
                raise RosterFileError("empty_file", row=0)
        finally:
            rows.close()
        columns: dict[str, int] = {}
        for position, cell in enumerate(header):
            name = HEADER_KEYS.get(_key(cell)) if isinstance(cell, str) else None
            if name is None:
                continue
            if name in columns:
                raise RosterFileError("duplicate_column", column=name)
            columns[name] = position
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                raise RosterFileError("missing_column", column=name)
        return columns

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(spreadsheet row number, cells in `FIELDS` order) for each non-empty row after
        the header; a column the file does not have gives None."""
        if self.spool is not None:
            yield from self._spooled_rows()
            return
        header_seen = False
        width = max(self.columns.values()) + 1
        missing = any(name not in self.columns for name in FIELDS)
        # A missing column reads the None appended to each row.
        pick = itemgetter(*(self.columns.get(name, -1) for name in FIELDS))
        rows = self._raw_rows()
        try:
            for index, row in rows:
                if _is_blank_row(row):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                if len(row) < width:
                    row = [*row, *([""] * (width - len(row)))]
                if missing:
                    row = [*row, None]
                yield index, pick(row)
        finally:
            rows.close()

    def national_codes(self, spool_directory: str | None = None) -> Iterator[tuple[int, Any]]:
        """(row number, national-code cell) of each data row.

        An XLSX costs far more to parse than a CSV, so with `spool_directory` its rows are
        parsed once: this pass also writes them (in `FIELDS` order) to a spool file there,
        which `rows()` then reads back instead of the workbook.
        """
        if self.kind == "xlsx" and spool_directory is not None:
            yield from self._spooling_national_codes(Path(spool_directory) / "rows.spool")
            return
        position = self.columns["national_code"]
        header_seen = False
        rows = self._raw_rows()
        try:
            for index, row in rows:
                if _is_blank_row(row):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                yield index, row[position] if position < len(row) else ""
        finally:
            rows.close()

    def _spooling_national_codes(self, path: Path) -> Iterator[tuple[int, Any]]:
        rows = self.rows()
        try:
            with open(path, "wb") as spool:
                # One pickle per row: a Pickler kept open would remember every row it wrote.
                write, dumps, protocol = spool.write, pickle.dumps, pickle.HIGHEST_PROTOCOL
                for index, cells in rows:
                    write(dumps((index, cells), protocol))
                    yield index, cells[0]
        finally:
            rows.close()
        self.spool = path

    def _spooled_rows(self) -> Iterator[tuple[int, tuple]]:
        with open(self.spool, "rb") as spool:
            load = partial(pickle.load, spool)
            while True:
                try:
                    yield load()
                except EOFError:
                    return


# --------------------------------------------------------------------------- validation


def _text(cell: Any) -> str:
    if cell is None or isinstance(cell, bool):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return strip_invisible(str(cell))


_DATE_PATTERN = re.compile(r"(\d{4})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T].*)?")
JALALI_YEAR_LIMIT = 1700


def parse_birth_date(cell: Any) -> datetime.date:
    """A Jalali (year below 1700) or Gregorian date, or an Excel date cell."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = to_ascii_digits(_text(cell))
    if not text:
        raise JalaliDateError("empty", *message("empty", "birth_date"))
    match = _DATE_PATTERN.fullmatch(text)
    if match is None:
        raise JalaliDateError("invalid_format", *message("invalid_format", value=text))
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if year < JALALI_YEAR_LIMIT:
        return parse_jalali(f"{year}/{month}/{day}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise JalaliDateError("invalid_date", *message("invalid_date", value=text)) from None


def _choice(column: str, cell: Any) -> tuple[str | None, tuple[str, str, str] | None]:
    text = _text(cell)
    return _choice_of_text(column, text) if text else ("", None)


# Rosters repeat the same few values (and names, and birth dates) in thousands of rows;
# bounded caches make the repeats cheap without letting memory grow with the file.
@lru_cache(maxsize=1024)
def _choice_of_text(column: str, text: str) -> tuple[str | None, tuple[str, str, str] | None]:
    value = CHOICE_KEYS[column].get(_key(text))
    if value is not None:
        return value, None
    allowed = CHOICE_EXAMPLES[column]
    allowed_en = [str(v) for v in _CHOICE_ALIASES[column]]
    fa, en = message(
        "unknown_value",
        column,
        value=text[:60],
        allowed_fa="، ".join(allowed),
        allowed_en=", ".join(allowed_en),
    )
    return None, ("unknown_value", fa, en)


@lru_cache(maxsize=16384)
def _checked_name(text: str) -> Validated:
    return check_person_name(text)


def _check_name(cell: Any) -> Validated:
    return _checked_name(cell) if isinstance(cell, str) else check_person_name(cell)


@lru_cache(maxsize=16384)
def _birth_date_of_text(text: str) -> datetime.date | JalaliDateError:
    try:
        return parse_birth_date(text)
    except JalaliDateError as exc:
        return exc


def _birth_date(cell: Any) -> datetime.date:
    if not isinstance(cell, str):
        return parse_birth_date(cell)
    result = _birth_date_of_text(cell)
    if isinstance(result, JalaliDateError):
        raise result
    return result


@dataclass(slots=True)
class ParsedRow:
    row: int
    values: dict[str, Any]
    errors: list[RowError]


def validate_row(row: int, cells: dict[str, Any], today: datetime.date) -> ParsedRow:
    """Check every cell of one row; collect every problem, not just the first."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []

    def reject(column: str, code: str, fa: str, en: str) -> None:
        errors.append(RowError(row, column, code, fa, en))

    national_code = check_national_code(cells.get("national_code"))
    if national_code.ok:
        values["national_code"] = national_code.value
    else:
        reject(
            "national_code",
            national_code.code,
            *reason_message("national_code", national_code.code),
        )

    max_length = Person._meta.get_field("first_name").max_length
    for column in ("first_name", "last_name", "father_name"):
        cell = cells.get(column)
        if column == "father_name" and _is_blank(cell):
            values[column] = ""
            continue
        name = _check_name(cell)
        if not name.ok:
            if name.code == "empty":
                reject(column, "empty", *message("empty", column))
            else:
                reject(column, name.code, *name_reason_message(name.code))
        elif len(name.value) > max_length:
            reject(column, "too_long", *message("too_long", column, limit=max_length))
        else:
            values[column] = name.value

    try:
        birth_date = _birth_date(cells.get("birth_date"))
    except JalaliDateError as exc:
        reject("birth_date", exc.code, exc.message_fa, exc.message_en)
    else:
        if birth_date > today:
            reject("birth_date", "in_future", *message("in_future"))
        else:
            values["birth_date"] = birth_date

    for column in ("gender", "education", "position", "military_service"):
        value, problem = _choice(column, cells.get(column))
        if problem:
            reject(column, *problem)
        elif value == "" and column != "military_service":
            reject(column, "empty", *message("empty", column))
        else:
            values[column] = value
    if values.get("gender") == Gender.MALE and values.get("military_service") == "":
        reject("military_service", "required_for_men", *message("required_for_men"))

    mobile_cell = cells.get("mobile")
    if _is_blank(mobile_cell):
        values["mobile"] = ""
    else:
        mobile = check_mobile(mobile_cell)
        if mobile.ok:
            values["mobile"] = mobile.value
        else:
            reject("mobile", mobile.code, *reason_message("mobile", mobile.code))
    return ParsedRow(row, values, errors)


# --------------------------------------------------------------------------- fast path

# An accepted row: (row number, national code, *PERSON_FIELDS values, position).
ROW_NUMBER, NATIONAL_CODE, POSITION = 0, 1, 10
PERSON_SLICE = slice(2, 10)

_CACHE_LIMIT = 50_000
_BAD = object()
_NC_OFFSET = 48 * sum(range(2, 11))  # ord("0") times the sum of the checksum weights


def national_code_of(cell: Any) -> str | None:
    """The canonical national code in `cell`, or None; `check_national_code` made fast for
    the common cell (ten ASCII digits)."""
    if type(cell) is str and len(cell) == 10 and cell.isascii() and cell.isdigit():
        b = cell.encode("ascii")
        remainder = (
            b[0] * 10 + b[1] * 9 + b[2] * 8 + b[3] * 7 + b[4] * 6 + b[5] * 5 + b[6] * 4
            + b[7] * 3 + b[8] * 2 - _NC_OFFSET
        ) % 11  # fmt: skip
        check = remainder if remainder < 2 else 11 - remainder
        return cell if b[9] - 48 == check and cell != cell[0] * 10 else None
    result = check_national_code(cell)
    return result.value if result.ok else None


def _memo(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`compute` remembered per distinct text cell (bounded: cleared when full)."""
    cache: dict[str, Any] = {}
    get = cache.get
    missing = object()

    def lookup(cell: Any) -> Any:
        if type(cell) is not str:
            return compute(cell)
        value = get(cell, missing)
        if value is missing:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            value = cache[cell] = compute(cell)
        return value

    return lookup


def _name_or_bad(cell: Any) -> Any:
    result = _check_name(cell)
    if not result.ok or len(result.value) > Person._meta.get_field("first_name").max_length:
        return _BAD
    return result.value


def _birth_date_or_bad(today: datetime.date, cell: Any) -> Any:
    try:
        value = _birth_date(cell)
    except JalaliDateError:
        return _BAD
    return _BAD if value > today else value


def _choice_or_bad(column: str, cell: Any) -> Any:
    value, problem = _choice(column, cell)
    if problem or (value == "" and column != "military_service"):
        return _BAD
    return value


def _mobile_or_bad(cell: Any) -> Any:
    if _is_blank(cell):
        return ""
    result = check_mobile(cell)
    return result.value if result.ok else _BAD


def row_validator(
    today: datetime.date, duplicates: dict[str, list[int]], standards: dict[str, bool]
) -> Callable[[int, tuple], tuple | ParsedRow]:
    """A function validating one row (cells in `FIELDS` order) of one import.

    Returns the accepted row as a tuple (see `ROW_NUMBER` …), or a `ParsedRow` naming
    every problem of a rejected row: duplicates in the file and positions without an
    active standard included.
    """
    name = _memo(_name_or_bad)
    birth_date = _memo(partial(_birth_date_or_bad, today))
    gender = _memo(partial(_choice_or_bad, "gender"))
    education = _memo(partial(_choice_or_bad, "education"))
    military_service = _memo(partial(_choice_or_bad, "military_service"))
    position_of = _memo(partial(_choice_or_bad, "position"))
    male = str(Gender.MALE)
    bad = _BAD

    def fast(row: int, cells: tuple) -> tuple | None:
        nc, first, last, father, born, sex, mobile, degree, service, position = cells
        nc = national_code_of(nc)
        if nc is None or nc in duplicates:
            return None
        first, last = name(first), name(last)
        father = "" if _is_blank(father) else name(father)
        born, sex, degree = birth_date(born), gender(sex), education(degree)
        service, position = military_service(service), position_of(position)
        if (
            first is bad
            or last is bad
            or father is bad
            or born is bad
            or sex is bad
            or degree is bad
            or service is bad
            or position is bad
            or (sex == male and service == "")
            or not standards.get(position, False)
        ):
            return None
        if type(mobile) is str and len(mobile) == 11 and mobile.startswith("09"):
            if not (mobile.isascii() and mobile.isdigit()):
                mobile = _mobile_or_bad(mobile)
        else:
            mobile = _mobile_or_bad(mobile)
        if mobile is bad:
            return None
        return (row, nc, first, last, father, born, sex, mobile, degree, service, position)

    def validate(row: int, cells: tuple) -> tuple | ParsedRow:
        accepted = fast(row, cells)
        if accepted is not None:
            return accepted
        parsed = validate_row(row, dict(zip(FIELDS, cells, strict=True)), today)
        code = parsed.values.get("national_code")
        if code in duplicates:
            others = [r for r in duplicates[code] if r != row]
            parsed.errors.append(
                RowError(
                    row,
                    "national_code",
                    "duplicate_in_file",
                    *message("duplicate_in_file", rows=", ".join(map(str, others))),
                )
            )
        position = parsed.values.get("position")
        if position and not standards.get(position, False):
            parsed.errors.append(
                RowError(row, "position", "no_active_standard", *message("no_active_standard"))
            )
        if parsed.errors:
            return parsed
        values = parsed.values
        return (
            row,
            values["national_code"],
            *(values[name] for name in PERSON_FIELDS),
            values["position"],
        )

    return validate


# --------------------------------------------------------------------------- duplicates


class NationalCodeIndex:
    """National code → row numbers of one file, spilled to a temporary SQLite file.

    Only the codes that occur in more than one row are kept in memory afterwards.
    """

    def __init__(self, directory: str):
        self._db = sqlite3.connect(os.path.join(directory, "codes.sqlite3"))
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE code_row (code INTEGER NOT NULL, row INTEGER NOT NULL)")
        self.rows = 0

    def add_all(self, pairs: Iterable[tuple[int, Any]], on_row: Callable[[], None]) -> None:
        batch: list[tuple[int, int]] = []
        for row, cell in pairs:
            self.rows += 1
            on_row()
            code = national_code_of(cell)
            if code is not None:
                batch.append((int(code), row))
            if len(batch) >= 10_000:
                self._db.executemany("INSERT INTO code_row VALUES (?, ?)", batch)
                batch.clear()
        if batch:
            self._db.executemany("INSERT INTO code_row VALUES (?, ?)", batch)

    def duplicates(self) -> dict[str, list[int]]:
        query = "SELECT code, group_concat(row) FROM code_row GROUP BY code HAVING count(*) > 1"
        return {
            f"{code:010d}": sorted(int(r) for r in rows.split(","))
            for code, rows in self._db.execute(query)
        }

    def close(self) -> None:
        self._db.close()


# --------------------------------------------------------------------------- report


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
        if self.outcome in (Outcome.FILE_REJECTED, Outcome.ROLLED_BACK):
            return True
        return self.outcome == Outcome.DRY_RUN and self.rejected > 0


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula when the report is opened."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


REPORT_COLUMNS = ("row", "column", "code", "message_fa", "message_en")


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
    labels = {
        "rows": "سطرها / rows",
        "created": "ایجادشده / created",
        "updated": "به‌روزشده / updated",
        "unchanged": "بدون تغییر / unchanged",
        "rejected": "ردشده / rejected",
    }
    for index, (key, label) in enumerate(labels.items()):
        summary.write_string(index, 0, label, bold)
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


# --------------------------------------------------------------------------- permissions


def importable_institutions(user):
    """Institutions `user` may import a roster into.

    HQ administrators: any; province officers: those of their province; institution
    managers: their own. Only active and developing institutions take a roster.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Institution.objects.none()
    condition = NOTHING
    for assignment in user.role_assignments_cached():
        if assignment.role not in IMPORT_ROLES:
            continue
        scope_q = assignment_q(Institution, assignment, "view")
        if scope_q is ALL:
            condition = Q()
            break
        if scope_q is not None:
            condition |= scope_q
    if condition is NOTHING:
        return Institution.objects.none()
    return Institution.objects.filter(condition, status__in=IMPORTABLE_STATUSES)


def import_role(user, institution: Institution) -> str:
    """The role under which `user` imports into `institution` (for the audit event)."""
    for assignment in user.role_assignments_cached():
        if assignment.role not in IMPORT_ROLES:
            continue
        scope_q = assignment_q(Institution, assignment, "view")
        if scope_q is ALL or (
            scope_q is not None and Institution.objects.filter(scope_q, pk=institution.pk).exists()
        ):
            return assignment.role
    return ""


# --------------------------------------------------------------------------- import

ProgressCallback = Callable[[str, int, int | None], None]


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


class _RollBack(Exception):
    """Raised inside the import transaction to undo it."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def roster_import(
    *,
    actor,
    institution: Institution,
    path: Path | str,
    file_name: str = "",
    mode: str = Mode.ATOMIC,
    progress: ProgressCallback = _no_progress,
    chunk_size: int = CHUNK_SIZE,
) -> ImportReport:
    """Import one roster file into `institution` as `actor`; see the module docstring.

    Raises PermissionError when `actor` may not import into `institution`. Problems with
    the file or its rows never raise: they are in the report.
    """
    if mode not in Mode.VALUES:
        raise ValueError(f"unknown mode {mode!r}")
    if not importable_institutions(actor).filter(pk=institution.pk).exists():
        raise PermissionError("this user may not import a roster into this institution")
    path = Path(path)
    report = ImportReport(file_name=file_name or path.name, mode=mode)
    report.sha256 = file_sha256(path)
    try:
        source = RosterSource.open(path, report.file_name)
        with tempfile.TemporaryDirectory(prefix="entezam-roster-") as directory:
            index = NationalCodeIndex(directory)
            try:
                counter = _Counter("read", progress)
                index.add_all(source.national_codes(directory), counter.tick)
                counter.finish()
                duplicates = index.duplicates()
            finally:
                index.close()
            report.rows = index.rows
            _row_pass(actor, institution, source, mode, duplicates, report, progress, chunk_size)
    except RosterFileError as exc:
        report.errors = [exc.error]
        report.rows = report.created = report.updated = report.unchanged = report.rejected = 0
        report.outcome = Outcome.FILE_REJECTED
    return report


class _Counter:
    """Reports progress for a phase whose total is not known yet, every 1,000 rows."""

    def __init__(self, phase: str, progress: ProgressCallback):
        self.phase, self.progress, self.done = phase, progress, 0

    def tick(self) -> None:
        self.done += 1
        if self.done % 1000 == 0:
            self.progress(self.phase, self.done, None)

    def finish(self) -> None:
        self.progress(self.phase, self.done, self.done)


def _row_pass(actor, institution, source, mode, duplicates, report, progress, chunk_size):
    from entezam.vetting.services import active_standard_for

    standards = {position: active_standard_for(position) for position in Position}
    validate = row_validator(
        timezone.localdate(),
        duplicates,
        {position: standard is not None for position, standard in standards.items()},
    )
    standard_ids = {
        str(position): standard.pk for position, standard in standards.items() if standard
    }
    writer_class = _PostgresChunkWriter if connection.vendor == "postgresql" else _OrmChunkWriter
    try:
        with transaction.atomic():
            writer = writer_class(actor, institution, mode, report, standard_ids)
            accepted: list[tuple] = []
            rejected: list[ParsedRow] = []
            done = 0
            progress("import", 0, report.rows)
            for row, cells in source.rows():
                result = validate(row, cells)
                if type(result) is tuple:
                    accepted.append(result)
                else:
                    rejected.append(result)
                if len(accepted) + len(rejected) >= chunk_size:
                    done += len(accepted) + len(rejected)
                    writer.write(accepted, rejected)
                    accepted, rejected = [], []
                    progress("import", done, report.rows)
            if accepted or rejected:
                done += len(accepted) + len(rejected)
                writer.write(accepted, rejected)
            writer.close()
            progress("import", done, report.rows)
            if mode == Mode.DRY_RUN:
                report.outcome = Outcome.DRY_RUN
                raise _RollBack
            if mode == Mode.ATOMIC and report.rejected:
                report.outcome = Outcome.ROLLED_BACK
                raise _RollBack
            report.outcome = Outcome.WRITTEN
            record(
                actor=actor,
                action="roster.import",
                obj=institution,
                role=import_role(actor, institution),
                changes={
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                    "mode": mode,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                },
            )
    except _RollBack:
        pass
    if report.outcome == Outcome.ROLLED_BACK:
        report.created = report.updated = report.unchanged = 0


class _ChunkWriter:
    """Settles one chunk of validated rows against the database with a fixed number of queries.

    `write(accepted, rejected)` takes the chunk's accepted rows (tuples, see `ROW_NUMBER`)
    and rejected rows (`ParsedRow`); accepted rows of people actively employed elsewhere
    are rejected here. Errors are reported in row order.
    """

    def __init__(self, actor, institution, mode, report, standards: dict[str, int]):
        self.actor, self.institution, self.mode, self.report = actor, institution, mode, report
        self.standards = standards

    @property
    def writing(self) -> bool:
        # Once an atomic import has a rejected row it will be rolled back: stop writing and
        # only keep checking, so the report still names every problem.
        if self.mode == Mode.DRY_RUN:
            return False
        return not (self.mode == Mode.ATOMIC and self.report.rejected)

    def _reject(self, rejected: list[ParsedRow]) -> None:
        rejected.sort(key=lambda parsed: parsed.row)
        for parsed in rejected:
            self.report.rejected += 1
            self.report.errors.extend(parsed.errors)

    @staticmethod
    def _conflict(row: tuple) -> ParsedRow:
        number = row[ROW_NUMBER]
        error = RowError(
            number, "national_code", "employed_elsewhere", *message("employed_elsewhere")
        )
        return ParsedRow(number, {}, [error])

    def close(self) -> None:
        return None


class _OrmChunkWriter(_ChunkWriter):
    """Any database: the ORM's bulk operations."""

    def write(self, accepted: list[tuple], rejected: list[ParsedRow]) -> None:
        from entezam.vetting.models import Application
        from entezam.vetting.services import HOLDING_STATUSES, applications_open_bulk

        existing = (
            {
                person.national_code: person
                for person in Person.objects.filter(
                    national_code__in=[row[NATIONAL_CODE] for row in accepted]
                ).only("id", "national_code", *PERSON_FIELDS)
            }
            if accepted
            else {}
        )
        busy = set(
            Employment.objects.filter(
                person_id__in=[person.pk for person in existing.values()], end_date__isnull=True
            )
            .exclude(institution=self.institution)
            .values_list("person_id", flat=True)
            if existing
            else ()
        )
        settled: list[tuple[tuple, Person | None]] = []
        for row in accepted:
            person = existing.get(row[NATIONAL_CODE])
            if person is not None and person.pk in busy:
                rejected.append(self._conflict(row))
            else:
                settled.append((row, person))
        self._reject(rejected)
        writing = self.writing
        if not settled or not (writing or self.mode == Mode.DRY_RUN):
            return

        now = timezone.now()
        to_create: list[Person] = []
        to_update: list[Person] = []
        changed: set[str] = set()
        for row, person in settled:
            values = dict(zip(PERSON_FIELDS, row[PERSON_SLICE], strict=True))
            if person is None:
                person = Person(national_code=row[NATIONAL_CODE], **values)
                person.search_name = search_key(person.first_name, person.last_name)
                to_create.append(person)
                continue
            differs = False
            for name, value in values.items():
                if value == "" and name in KEEP_WHEN_EMPTY:
                    continue
                if getattr(person, name) != value:
                    setattr(person, name, value)
                    differs = True
            if differs:
                person.search_name = search_key(person.first_name, person.last_name)
                person.updated_at = now
                to_update.append(person)
                changed.add(person.national_code)

        if writing:
            Person.objects.bulk_create(to_create, batch_size=CHUNK_SIZE)
            if to_update:
                Person.objects.bulk_update(
                    to_update, [*PERSON_FIELDS, "search_name", "updated_at"], batch_size=500
                )
            created_by_code = {person.national_code: person for person in to_create}
            opened = applications_open_bulk(
                actor=self.actor,
                institution=self.institution,
                items=[
                    ((person or created_by_code[row[NATIONAL_CODE]]).pk, row[POSITION])
                    for row, person in settled
                ],
            )
            new_applications = {pk for pk, state in opened.items() if state == "opened"}
        else:
            known = [person.pk for _row, person in settled if person is not None]
            holding = set(
                Application.objects.filter(
                    institution=self.institution,
                    person_id__in=known,
                    status__in=HOLDING_STATUSES,
                ).values_list("person_id", flat=True)
            )
            new_applications = set(known) - holding

        for row, person in settled:
            if person is None:
                self.report.created += 1
            elif row[NATIONAL_CODE] in changed or person.pk in new_applications:
                self.report.updated += 1
            else:
                self.report.unchanged += 1


def _person_column(name: str) -> str:
    return quote(Person._meta.get_field(name).column)


class _PostgresChunkWriter(_ChunkWriter):
    """PostgreSQL: COPY the chunk into a staging table, then settle it set-based.

    Per chunk: COPY; one statement finding the people already registered; one query for
    conflicts (their rows leave the stage); then either one counting query (dry run) or an
    UPDATE of the people whose data changed, an INSERT of the new people and one statement
    opening the applications and their first steps.

    The import is one long transaction in which the tables grow, so their statistics are
    stale: every lookup into a real table is written as a correlated scalar subquery, which
    PostgreSQL runs as one index probe per staged row, never as a join it might plan as a
    scan of the whole (growing) table.
    """

    STAGE_COLUMNS = (
        ("row_no", "integer"),
        ("national_code", "varchar(10)"),
        ("first_name", "text"),
        ("last_name", "text"),
        ("father_name", "text"),
        ("birth_date", "date"),
        ("gender", "text"),
        ("mobile", "text"),
        ("education", "text"),
        ("military_service", "text"),
        ("position", "text"),
        ("search_name", "text"),
        ("person_id", "bigint"),
    )

    def __init__(self, *args, **kwargs):
        from entezam.vetting.models import Application

        super().__init__(*args, **kwargs)
        self.stage = StagingTable("roster_stage", self.STAGE_COLUMNS)
        self.search_key = _memo(normalize)
        stage, people = quote(self.stage.name), quote(Person._meta.db_table)
        code, pk = _person_column("national_code"), _person_column("id")
        differs = " OR ".join(
            f"(s.{name} <> '' AND s.{name} <> p.{_person_column(name)})"
            if name in KEEP_WHEN_EMPTY
            else f"s.{name} <> p.{_person_column(name)}"
            for name in PERSON_FIELDS
        )
        self.sql_people = f"""
            WITH found AS (
                UPDATE {stage} s SET person_id = (
                    SELECT p.{pk} FROM {people} p WHERE p.{code} = s.national_code
                )
                RETURNING s.person_id
            )
            SELECT count(person_id) FROM found
        """
        employment = Employment._meta
        self.sql_busy = f"""
            SELECT s.row_no FROM {stage} s
            WHERE s.person_id IS NOT NULL AND (
                SELECT 1 FROM {quote(employment.db_table)} e
                WHERE e.{quote(employment.get_field("person").column)} = s.person_id
                    AND e.{quote(employment.get_field("end_date").column)} IS NULL
                    AND e.{quote(employment.get_field("institution").column)} <> %s
                LIMIT 1
            ) IS NOT NULL
        """
        self.sql_unbusy = f"DELETE FROM {stage} WHERE row_no = ANY(%s)"
        application = Application._meta
        self.sql_count = f"""
            SELECT count(*) FILTER (WHERE s.person_id IS NULL),
                count(*) FILTER (WHERE s.person_id IS NOT NULL AND (({differs}) OR (
                    SELECT 1 FROM {quote(application.db_table)} a
                    WHERE a.{quote(application.get_field("person").column)} = s.person_id
                        AND a.{quote(application.get_field("institution").column)} = %s
                        AND a.{quote(application.get_field("status").column)} = ANY(%s)
                    LIMIT 1
                ) IS NULL))
            FROM {stage} s LEFT JOIN {people} p ON p.{pk} = s.person_id
        """
        assignments = ", ".join(
            f"{_person_column(name)} = CASE WHEN s.{name} = '' THEN p.{_person_column(name)} "
            f"ELSE s.{name} END"
            if name in KEEP_WHEN_EMPTY
            else f"{_person_column(name)} = s.{name}"
            for name in PERSON_FIELDS
        )
        self.sql_update = f"""
            UPDATE {people} p SET {assignments}, {_person_column("search_name")} = s.search_name,
                {_person_column("updated_at")} = %s
            FROM {stage} s
            WHERE s.person_id IS NOT NULL AND p.{pk} = s.person_id AND ({differs})
            RETURNING p.{pk}
        """
        given = ["national_code", *PERSON_FIELDS, "search_name"]
        self.person_columns = [Person._meta.get_field(name).column for name in given]
        # New people, and their ids written back to the stage for the applications.
        self.sql_insert_template = (
            f"WITH created AS (INSERT INTO {people} ({{columns}}) "
            f"SELECT {', '.join(f's.{name}' for name in given)}{{defaults}} FROM {stage} s "
            f"WHERE s.person_id IS NULL ORDER BY s.row_no RETURNING {pk}, {code}) "
            f"UPDATE {stage} s SET person_id = created.{pk} FROM created "
            f"WHERE created.{code} = s.national_code RETURNING created.{pk}"
        )
        self.sql_applications_source = f"SELECT s.person_id, s.position, s.row_no FROM {stage} s"

    def _staged(self, accepted: list[tuple]):
        search_key = self.search_key
        for row in accepted:
            yield (*row, search_key(f"{row[2]} {row[3]}"), None)

    def write(self, accepted: list[tuple], rejected: list[ParsedRow]) -> None:
        if not accepted:
            self._reject(rejected)
            return
        with connection.cursor() as cursor:
            self.stage.load(cursor, self._staged(accepted))
            cursor.execute(self.sql_people)
            (known,) = cursor.fetchone()
            busy = []
            if known:
                cursor.execute(self.sql_busy, [self.institution.pk])
                busy = [number for (number,) in cursor.fetchall()]
            if busy:
                cursor.execute(self.sql_unbusy, [busy])
                busy_rows = set(busy)
                rejected.extend(self._conflict(row) for row in accepted if row[0] in busy_rows)
            self._reject(rejected)
            count = len(accepted) - len(busy)
            if not count:
                return
            if self.mode == Mode.DRY_RUN:
                from entezam.vetting.services import HOLDING_STATUSES

                cursor.execute(self.sql_count, [self.institution.pk, list(HOLDING_STATUSES)])
                created, updated = cursor.fetchone()
                self.report.created += created
                self.report.updated += updated
                self.report.unchanged += count - created - updated
                return
            if not self.writing:
                return
            self._write(cursor, count, known - len(busy))

    def _write(self, cursor, count: int, known: int) -> None:
        from entezam.vetting.services import applications_open_from_sql

        now = timezone.now()
        changed: set[int] = set()
        if known:
            cursor.execute(self.sql_update, [now])
            changed = {person_id for (person_id,) in cursor.fetchall()}
        created: set[int] = set()
        if known < count:
            columns, values = column_defaults(Person, self.person_columns, now)
            cursor.execute(
                self.sql_insert_template.format(
                    columns=", ".join(map(quote, [*self.person_columns, *columns])),
                    defaults="".join(", %s" for _ in values),
                ),
                values,
            )
            created = {person_id for (person_id,) in cursor.fetchall()}
        opened = applications_open_from_sql(
            actor=self.actor,
            institution=self.institution,
            source_sql=self.sql_applications_source,
            source_params=[],
            standards=self.standards,
            now=now,
        )
        updated = len((changed | set(opened)) - created)
        self.report.created += len(created)
        self.report.updated += updated
        self.report.unchanged += count - len(created) - updated

    def close(self) -> None:
        with connection.cursor() as cursor:
            self.stage.drop(cursor)


# --------------------------------------------------------------------------- jobs


def run_import_job(job, progress) -> dict:
    """`core.jobs` handler `roster_import`; params: `institution_id`, `mode`, `file_name`."""
    from django.core.files.base import ContentFile

    params = job.params
    actor = job.created_by
    institution = importable_institutions(actor).get(pk=params["institution_id"])

    def report_progress(phase: str, done: int, total: int | None) -> None:
        if phase != "import":
            return
        if progress.total != total:
            progress.set_total(total)
        progress.advance(done - progress.done)

    with tempfile.TemporaryDirectory(prefix="entezam-roster-job-") as directory:
        local = Path(directory) / "roster"
        with job.input_file.open("rb") as uploaded, open(local, "wb") as target:
            shutil.copyfileobj(uploaded, target, 1024 * 1024)
        report = roster_import(
            actor=actor,
            institution=institution,
            path=local,
            file_name=params.get("file_name") or os.path.basename(job.input_file.name),
            mode=params.get("mode", Mode.ATOMIC),
            progress=report_progress,
        )
    content = json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode()
    job.output_file.save(f"roster-report-{job.pk}.json", ContentFile(content), save=False)
    type(job).objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    if progress.total is None:
        progress.set_total(report.rows)
    return {
        **report.summary(),
        "institution": institution.registration_number,
        "errors": [error.as_dict() for error in report.errors[:ERROR_PREVIEW]],
    }


def job_report(job) -> dict | None:
    """The full JSON report a finished roster-import job wrote, or None."""
    if not job.output_file:
        return None
    with job.output_file.open("rb") as stream:
        return json.load(stream)
