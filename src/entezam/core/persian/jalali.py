"""Jalali (Solar Hijri) calendar at the edges: parsing, formatting, month and working-day
arithmetic. Dates stay Gregorian `datetime.date` everywhere else."""

import datetime
import re
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import jdatetime
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from entezam.core.persian.text import localize_digits, strip_invisible, to_ascii_digits

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
_DAY_COUNTS_FA = {29: "بیست و نه", 30: "سی", 31: "سی و یک"}
FRIDAY = 4
TEHRAN = ZoneInfo("Asia/Tehran")

_JALALI_PATTERN = re.compile(r"(\d{4})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")

Digits = Literal["fa", "en"]
JalaliFormat = Literal["short", "long", "datetime"]
# Jalali years whose every day is a `datetime.date` (Gregorian 622 to 9999).
_FIRST_YEAR, _LAST_YEAR = 1, 9377


class JalaliDateError(ValueError):
    """A Jalali date that cannot be read; `code` names the reason for programs."""

    def __init__(self, code: str, message_fa: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_fa = message_fa
        self.message_en = message_en


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
        raise JalaliDateError("empty", "تاریخ وارد نشده است.", "No date given.")
    match = _JALALI_PATTERN.fullmatch(to_ascii_digits(raw))
    if match is None:
        raise JalaliDateError(
            "invalid_format",
            f"«{raw}» تاریخ شمسی معتبر نیست؛ قالب درست: ۱۴۰۴/۰۶/۳۱",
            f"'{raw}' is not a valid Jalali date; expected a date like 1404/06/31.",
        )
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    shown = f"{year:04d}/{month:02d}/{day:02d}"
    shown_fa = localize_digits(shown, "fa")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise JalaliDateError(
            "invalid_year",
            f"{shown_fa}: سال باید بین ۱ و ۹۳۷۷ باشد.",
            f"{shown}: the year must be between 1 and 9377.",
        )
    if not 1 <= month <= 12:
        raise JalaliDateError(
            "invalid_month",
            f"{shown_fa}: ماه باید بین ۱ و ۱۲ باشد.",
            f"{shown}: the month must be between 1 and 12.",
        )
    month_days = days_in_month(year, month)
    if not 1 <= day <= month_days:
        year_fa = localize_digits(str(year), "fa")
        message_fa = (
            f"{shown_fa}: {MONTHS_FA[month - 1]} {year_fa} {_DAY_COUNTS_FA[month_days]} روز دارد"
        )
        message_en = f"{shown}: {MONTHS_EN[month - 1]} {year} has {month_days} days"
        if month == 12 and day == 30:
            message_fa += f" (سال {year_fa} کبیسه نیست)"
            message_en += f" ({year} is not a leap year)"
        raise JalaliDateError("invalid_day", message_fa + ".", message_en + ".")
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
        raise JalaliDateError("empty", "تاریخ وارد نشده است.", "No date given.")
    match = _DATE_CELL_PATTERN.fullmatch(text)
    if match is None:
        raise JalaliDateError(
            "invalid_format",
            f"«{text}» تاریخ معتبر نیست؛ تاریخ شمسی مانند ۱۳۷۰/۰۵/۱۲ یا میلادی مانند 1990-05-17.",
            f"'{text}' is not a date; use a Jalali date like 1370/05/12 or a Gregorian one "
            "like 1990-05-17.",
        )
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if year < JALALI_YEAR_LIMIT:
        return parse_jalali(f"{year}/{month}/{day}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise JalaliDateError(
            "invalid_date",
            f"«{text}» تاریخ میلادی معتبری نیست.",
            f"'{text}' is not a valid Gregorian date.",
        ) from None


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
    clock = ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
        clock = f" {value:%H:%M}"
        value = value.date()
    jalali = jdatetime.date.fromgregorian(date=value)
    if fmt == "long":
        months = MONTHS_FA if digits == "fa" else MONTHS_EN
        text = f"{jalali.day} {months[jalali.month - 1]} {jalali.year}"
    else:
        text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
        if fmt == "datetime":
            text += clock
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
