"""Validating rows: the complete check (`validate_row`), the fast path, duplicates."""

from __future__ import annotations

import datetime
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from entezam.core.dates import date_bounds
from entezam.core.errors import RowError, row_error
from entezam.core.persian import (
    JalaliDateError,
    Validated,
    check_mobile,
    check_national_code,
    reason_row_error,
)
from entezam.core.persian.jalali import parse_date_cell
from entezam.core.persian.text import strip_invisible
from entezam.personnel.choices import Gender
from entezam.personnel.errors import NAME_MESSAGES
from entezam.personnel.models import PERSON_FIELDS, Person
from entezam.personnel.validators import check_person_name

from .columns import ACCEPTED_VALUES, CHOICE_KEYS, COLUMN_LABELS, FIELDS, fold_key
from .errors import roster_error
from .reading import is_blank

# --- validation


def _text(cell: Any) -> str:
    if cell is None or isinstance(cell, bool):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return strip_invisible(str(cell))


def parse_birth_date(cell: Any) -> datetime.date:
    """A Jalali or Gregorian date, or an Excel date cell (`core.persian.parse_date_cell`);
    an empty cell names the birth-date column."""
    try:
        return parse_date_cell(cell)
    except JalaliDateError as exc:
        if exc.code == "empty":
            raise JalaliDateError("empty", label=COLUMN_LABELS["birth_date"]) from None
        raise


def _choice(column: str, cell: Any) -> str | None:
    """The choice value of a cell: "" when it is blank, None when it names no choice."""
    text = _text(cell)
    return _choice_of_text(column, text) if text else ""


# Rosters repeat the same few values (and names, and birth dates) in thousands of rows;
# bounded caches make the repeats cheap without letting memory grow with the file. (The
# messages of rejected cells are remembered by `in_both_languages`.)
@lru_cache(maxsize=1024)
def _choice_of_text(column: str, text: str) -> str | None:
    return CHOICE_KEYS[column].get(fold_key(text))


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
        # Cached without its traceback: a cached exception raised again would collect the
        # frames of every row it was raised in (and keep all their problems alive).
        return exc.with_traceback(None)


def _birth_date(cell: Any) -> datetime.date:
    if not isinstance(cell, str):
        return parse_birth_date(cell)
    result = _birth_date_of_text(cell)
    if isinstance(result, JalaliDateError):
        # A fresh copy each time, for the same reason.
        raise JalaliDateError(result.code, result.message, **result.params)
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

    def reject(column: str, code: str, **params: Any) -> None:
        errors.append(roster_error(row, column, code, **params))

    national_code = check_national_code(cells.get("national_code"))
    if national_code.ok:
        values["national_code"] = national_code.value
    else:
        errors.append(reason_row_error(row, "national_code", "national_code", national_code.code))

    max_length = Person._meta.get_field("first_name").max_length
    for column in ("first_name", "last_name", "father_name"):
        cell = cells.get(column)
        if column == "father_name" and is_blank(cell):
            values[column] = ""
            continue
        name = _check_name(cell)
        if not name.ok:
            errors.append(
                row_error(row, column, name.code, NAME_MESSAGES, label=COLUMN_LABELS[column])
            )
        elif len(name.value) > max_length:
            reject(column, "too_long", limit=max_length)
        else:
            values[column] = name.value

    try:
        birth_date = _birth_date(cells.get("birth_date"))
    except JalaliDateError as exc:
        errors.append(exc.row_error(row, "birth_date"))
    else:
        earliest, latest = date_bounds("birth", today)
        if birth_date > today:
            reject("birth_date", "in_future")
        elif not earliest <= birth_date <= latest:
            reject("birth_date", "birth_out_of_range", earliest=earliest, latest=latest)
        else:
            values["birth_date"] = birth_date

    for column in ("gender", "education", "position", "military_service"):
        value = _choice(column, cells.get(column))
        if value is None:
            reject(
                column,
                "unknown_value",
                value=_text(cells.get(column))[:60],
                allowed=ACCEPTED_VALUES[column],
            )
        elif value == "" and column != "military_service":
            reject(column, "empty")
        else:
            values[column] = value
    if values.get("gender") == Gender.MALE and values.get("military_service") == "":
        reject("military_service", "required_for_men")

    mobile_cell = cells.get("mobile")
    if is_blank(mobile_cell):
        values["mobile"] = ""
    else:
        mobile = check_mobile(mobile_cell)
        if mobile.ok:
            values["mobile"] = mobile.value
        else:
            errors.append(reason_row_error(row, "mobile", "mobile", mobile.code))
    return ParsedRow(row, values, errors)


# --- fast path

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


def memo(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
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
    earliest, latest = date_bounds("birth", today)
    return value if earliest <= value <= latest else _BAD


def _choice_or_bad(column: str, cell: Any) -> Any:
    value = _choice(column, cell)
    if value is None or (value == "" and column != "military_service"):
        return _BAD
    return value


def _mobile_or_bad(cell: Any) -> Any:
    if is_blank(cell):
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
    name = memo(_name_or_bad)
    birth_date = memo(partial(_birth_date_or_bad, today))
    gender = memo(partial(_choice_or_bad, "gender"))
    education = memo(partial(_choice_or_bad, "education"))
    military_service = memo(partial(_choice_or_bad, "military_service"))
    position_of = memo(partial(_choice_or_bad, "position"))
    male = str(Gender.MALE)
    bad = _BAD

    def fast(row: int, cells: tuple) -> tuple | None:
        nc, first, last, father, born, sex, mobile, degree, service, position = cells
        nc = national_code_of(nc)
        if nc is None or nc in duplicates:
            return None
        first, last = name(first), name(last)
        father = "" if is_blank(father) else name(father)
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
                roster_error(row, "national_code", "duplicate_in_file", rows=others)
            )
        position = parsed.values.get("position")
        if position and not standards.get(position, False):
            parsed.errors.append(roster_error(row, "position", "no_active_standard"))
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


# --- duplicates


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
