"""Persian template filters (a builtin library: no `{% load %}` needed).

Every filter follows the active language: Persian digits and month names in `fa`,
ASCII digits and transliterated month names in `en`. A missing value shows as "—".
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from entezam.core.persian.jalali import JalaliFormat, format_jalali
from entezam.core.persian.text import active_language, localize_digits, to_ascii_digits

register = template.Library()

MISSING = "—"
_SEPARATORS = {"fa": ("٬", "٫"), "en": (",", ".")}


def _jalali(value: Any, fmt: JalaliFormat) -> str:
    if value is None or value == "":
        return MISSING
    if not isinstance(value, datetime.date):
        return str(value)
    return format_jalali(value, fmt, digits=active_language())


@register.filter
def jalali(value: Any) -> str:
    """`۱۴۰۴/۰۶/۳۱`"""
    return _jalali(value, "short")


@register.filter
def jalali_long(value: Any) -> str:
    """`۳۱ شهریور ۱۴۰۴`"""
    return _jalali(value, "long")


@register.filter
def jalali_datetime(value: Any) -> str:
    """`۱۴۰۴/۰۶/۳۱ ۱۴:۰۵` in the active time zone."""
    return _jalali(value, "datetime")


@register.filter(is_safe=True)
def fa_digits(value: Any) -> str:
    """Persian digits in `fa`; ASCII digits left as they are in `en`."""
    if value is None:
        return MISSING
    language = active_language()
    return localize_digits(str(value), language) if language == "fa" else str(value)


@register.filter(is_safe=True)
def fa_number(value: Any) -> str:
    """A number with thousands separators (`۱۲٬۳۴۵٫۶` in fa, `12,345.6` in en)."""
    if value is None or value == "":
        return MISSING
    number = _as_number(value)
    if number is None:
        return fa_digits(value)
    language = active_language()
    thousands, decimal_point = _SEPARATORS[language]
    separators: dict[str, str | int | None] = {",": thousands, ".": decimal_point}
    grouped = f"{number:,}".translate(str.maketrans(separators))
    return localize_digits(grouped, language)


def _as_number(value: Any) -> int | Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        number = Decimal(to_ascii_digits(str(value)).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
