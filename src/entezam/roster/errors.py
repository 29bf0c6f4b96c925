"""Reason codes of the roster import and their messages."""

from __future__ import annotations

from typing import Any

from entezam.core.errors import RowError
from entezam.core.persian.text import to_persian_digits

from .columns import COLUMN_LABELS

# --- messages

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


class RosterFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, size, header)."""

    def __init__(self, code: str, column: str | None = None, row: int = 1, **params: Any):
        self.error = RowError(row, column, code, *message(code, column, **params))
        super().__init__(self.error.message_en)
