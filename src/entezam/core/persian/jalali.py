"""Jalali (Solar Hijri) calendar at the edges: parsing, formatting, month and working-day
arithmetic. Dates stay Gregorian `datetime.date` everywhere else."""

import datetime
import re
from functools import cached_property, lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import jdatetime
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.functional import Promise

from entezam.core import errors
from entezam.core.persian.text import (
    active_language,
    localize_digits,
    strip_invisible,
    to_ascii_digits,
)

MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
FRIDAY = 4
TEHRAN = ZoneInfo("Asia/Tehran")

_JALALI_PATTERN = re.compile(r"(\d{4})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")

Digits = Literal["fa", "en"]
JalaliFormat = Literal["short", "long", "datetime"]
# Jalali years whose every day is a `datetime.date` (Gregorian 622 to 9999).
_FIRST_YEAR, _LAST_YEAR = 1, 9377


# A value quoted back in a message: enough to find it, never a whole pasted paragraph.
QUOTE_LIMIT = 60


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


class JalaliDateError(ValueError):
    """A date that cannot be read: `code` names the reason for programs; the message comes
    from core's catalogue, in the active language (`validation_error`) or in both
    (`message_fa`, `message_en`, for row reports)."""

    def __init__(self, code: str, message: Promise | None = None, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else errors.MESSAGES[code]
        self.params = params

    @cached_property
    def _messages(self) -> tuple[str, str]:
        return errors.in_both_languages(self.message, **self.params)

    @property
    def message_fa(self) -> str:
        return self._messages[0]

    @property
    def message_en(self) -> str:
        return self._messages[1]

    def __str__(self) -> str:
        return self.message_en

    def validation_error(self) -> ValidationError:
        return errors.validation_error(self.code, {self.code: self.message}, **self.params)

    def row_error(self, row: int, column: str) -> errors.RowError:
        return errors.RowError(
            row, column, self.code, self.message_fa, self.message_en, self.message, self.params
        )


class _MonthName:
    """A Jalali month's name in the language active when a message shows it."""

    __slots__ = ("month",)

    def __init__(self, month: int) -> None:
        self.month = month

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _MonthName) and other.month == self.month

    def __hash__(self) -> int:
        return hash(self.month)

    def __str__(self) -> str:
        return (MONTHS_FA if active_language() == "fa" else MONTHS_EN)[self.month - 1]


def is_leap_year(jalali_year: int) -> bool:
    return jdatetime.date(jalali_year, 1, 1).isleap()


def days_in_month(jalali_year: int, month: int) -> int:
    if month == 12:
        return 30 if is_leap_year(jalali_year) else 29
    return jdatetime.j_days_in_month[month - 1]


def parse_jalali(text: str) -> datetime.date:
    """Read `1404/06/31`, `۱۴۰۴/۰۶/۳۱` or `1404-6-31` into a Gregorian date."""
    raw = strip_invisible(str(text or ""))
    if not raw:
        raise JalaliDateError("empty", label=errors.DATE_LABEL)
    match = _JALALI_PATTERN.fullmatch(to_ascii_digits(raw))
    if match is None:
        raise JalaliDateError("invalid_format", value=_quoted(raw))
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    shown = errors.NumericText(f"{year:04d}/{month:02d}/{day:02d}")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise JalaliDateError("invalid_year", date=shown)
    if not 1 <= month <= 12:
        raise JalaliDateError("invalid_month", date=shown)
    month_days = days_in_month(year, month)
    if not 1 <= day <= month_days:
        message = (
            errors.NOT_LEAP_YEAR_MESSAGE
            if month == 12 and day == 30
            else errors.DAYS_IN_MONTH_MESSAGES[month_days]
        )
        raise JalaliDateError(
            "invalid_day", message, date=shown, month=_MonthName(month), year=year
        )
    return jdatetime.date(year, month, day).togregorian()


_DATE_CELL_PATTERN = re.compile(r"(\d{4})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T].*)?")
# A four-digit year below this is Jalali, from it on Gregorian.
JALALI_YEAR_LIMIT = 1700


def parse_date_cell(cell) -> datetime.date:
    """A date as people type it or a spreadsheet holds it: Jalali (`1370/05/12`, a year
    below 1700), Gregorian (`1990-05-17`), digits in any script, or a date cell."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if cell is None or isinstance(cell, bool):
        cell = ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = to_ascii_digits(strip_invisible(str(cell)))
    if not text:
        raise JalaliDateError("empty", label=errors.DATE_LABEL)
    match = _DATE_CELL_PATTERN.fullmatch(text)
    if match is None:
        raise JalaliDateError("invalid_format", value=_quoted(text))
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if year < JALALI_YEAR_LIMIT:
        return parse_jalali(f"{year}/{month}/{day}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise JalaliDateError("invalid_date", value=_quoted(text)) from None


def _local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the active Django time zone (Tehran without settings)."""
    if value.tzinfo is None:
        return value
    try:
        return timezone.localtime(value)
    except ImproperlyConfigured:
        return value.astimezone(TEHRAN)


def format_jalali(
    value: datetime.date | datetime.datetime | None,
    fmt: JalaliFormat = "short",
    digits: Digits = "fa",
) -> str:
    """Show a Gregorian date (or datetime, in Tehran time) as a Jalali date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
        text = _format_date(value.date(), fmt, digits)
        if fmt == "datetime":
            text += localize_digits(f" {value:%H:%M}", digits)
        return text
    return _format_date(value, fmt, digits)


# A page or an API page shows hundreds of dates, many of them the same: the conversion
# (jdatetime, then the digits) is done once per date, format and digits in a process.
@lru_cache(maxsize=65536)
def _format_date(value: datetime.date, fmt: JalaliFormat, digits: Digits) -> str:
    try:
        jalali = jdatetime.date.fromgregorian(date=value)
    except (ValueError, OverflowError):
        # A year the Jalali calendar cannot show (stored before dates were range-checked):
        # shown as it is, never an error on the page.
        return localize_digits(value.isoformat(), digits)
    if fmt == "long":
        months = MONTHS_FA if digits == "fa" else MONTHS_EN
        text = f"{jalali.day} {months[jalali.month - 1]} {jalali.year}"
    else:
        text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
    return localize_digits(text, digits)


def add_months(value: datetime.date, months: int) -> datetime.date:
    """Add Jalali months, clamping the day to the end of a shorter month."""
    jalali = jdatetime.date.fromgregorian(date=value)
    year, month_index = divmod(jalali.year * 12 + jalali.month - 1 + months, 12)
    month = month_index + 1
    day = min(jalali.day, days_in_month(year, month))
    return jdatetime.date(year, month, day).togregorian()


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[datetime.date]:
    # Imported here: `holidays` takes longer to import than everything else in this package,
    # and most callers (normalize, validators, the CLI) never need it.
    import holidays

    return frozenset(holidays.country_holidays("IR", years=year))


def is_working_day(value: datetime.date) -> bool:
    """Fridays and Iranian public holidays are not working days."""
    return value.weekday() != FRIDAY and value not in _public_holidays(value.year)


def add_working_days(value: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `value` (`days=0` returns `value`)."""
    if days < 0:
        raise ValueError("days must be zero or positive")
    one_day = datetime.timedelta(days=1)
    while days:
        value += one_day
        if is_working_day(value):
            days -= 1
    return value


def jalali_today(digits: Digits = "fa") -> str:
    """Today's date in Tehran as `۱۴۰۴/۰۶/۳۱`."""
    return format_jalali(datetime.datetime.now(TEHRAN).date(), "short", digits)
