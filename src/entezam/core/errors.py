"""Reason codes and their messages, and the two ways a problem reaches a user.

Every app keeps its reason codes in its own `errors.py`: `MESSAGES` maps each code to a
`gettext_lazy` message whose msgid is the English text, with named `%(placeholders)s`
for what varies. A problem goes out in one of two ways:

* `field_error` / `validation_error`: a Django `ValidationError` for a form or the API,
  rendered in the language active when it is shown;
* `row_error`: one problem of one row of an imported file. Reports show every problem in
  Persian and in English at once (`message_fa`, `message_en`), so it is rendered in both
  languages by switching the active language (`in_both_languages`).

Parameters are shown the way the language writes them (`shown`): numbers, and texts marked
`NumericText` (a date, row numbers), with Persian digits in Persian; lists joined with the
language's comma; lazy texts (a column label) translated.

Below the helpers are core's own messages: the ideas every app shares (a value missing,
too long or in the future; a file too large or empty; a status that forbids an action),
the Iranian identifiers and the Jalali dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

Messages = Mapping[str, Promise | str]

LIST_SEPARATORS = {"fa": "، ", "en": ", "}


class NumericText:
    """Text made of digits and separators (a date, a list of row numbers) that a message
    shows with the digits of its language."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NumericText) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"NumericText({self.text!r})"


def shown(value: Any) -> str:
    """`value` as a message in the active language shows it."""
    # Imported here: `core.persian` imports this module for its messages.
    from entezam.core.persian.text import active_language, localize_digits

    language = active_language()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return localize_digits(str(value), language)
    if isinstance(value, NumericText):
        return localize_digits(value.text, language)
    if isinstance(value, list | tuple):
        return LIST_SEPARATORS[language].join(shown(item) for item in value)
    if isinstance(value, datetime.date):
        from entezam.core.persian.jalali import format_jalali

        return format_jalali(value, digits=language)
    return str(value)


class _Shown:
    """A parameter of a `ValidationError`, shown when (and in the language in which) the
    error is rendered."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return shown(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Shown) and other.value == self.value

    def __hash__(self) -> int:
        return hash(make_hashable(self.value))


def validation_error(code: str, messages: Messages, /, **params: Any) -> ValidationError:
    """The problem `code` of `messages` as a `ValidationError` (for a form field or a
    serializer field); its text is rendered when it is shown."""
    return ValidationError(
        cast("StrPromise", messages[code]),
        code=code,
        params={name: _Shown(value) for name, value in params.items()} or None,
    )


def field_error(field: str, code: str, messages: Messages, /, **params: Any) -> ValidationError:
    """The problem `code` of `messages`, on `field`: what services raise."""
    # The code goes on the field's error: Django drops `code=` given beside a dict.
    return ValidationError({field: validation_error(code, messages, **params)})


_RENDERED: dict[tuple, tuple[Any, Any, str, str]] = {}
_RENDERED_LIMIT = 10_000


def _key_part(value: Any) -> Any:
    if type(value) in (str, int):
        return value
    # A lazy text's hash follows the active language; it is keyed by identity instead,
    # and the cache entry keeps it alive so the identity is not reused.
    if isinstance(value, Promise):
        return ("lazy", id(value))
    if isinstance(value, list | tuple):
        return tuple(_key_part(item) for item in value)
    return make_hashable(value)


def in_both_languages(message: Promise | str, /, **params: Any) -> tuple[str, str]:
    """`message % params` rendered in Persian and in English.

    Remembered per message and parameters: a report repeats the same few problems in
    thousands of rows, and switching the language costs more than the rest.
    """
    try:
        key = (id(message), *sorted((name, _key_part(value)) for name, value in params.items()))
    except TypeError:  # a parameter that cannot be a key: rendered every time
        key = None
    if key is not None and (entry := _RENDERED.get(key)) is not None:
        return entry[2], entry[3]
    with override("fa"):
        fa = _render(message, params)
    with override("en"):
        en = _render(message, params)
    if key is not None:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.clear()
        _RENDERED[key] = (message, params, fa, en)
    return fa, en


def _render(message: Promise | str, params: dict[str, Any]) -> str:
    text = str(message)
    return text % {name: shown(value) for name, value in params.items()} if params else text


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row of an imported file: where, which reason, and why (in both
    languages, as reports show it)."""

    row: int
    column: str | None
    code: str
    message_fa: str
    message_en: str
    # What the message was rendered from, to raise the same problem as a field error.
    message: Promise | str | None = field(default=None, compare=False, repr=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
        }

    def field_error(self, field: str | None = None) -> ValidationError:
        """This problem as a `ValidationError` on `field` (its column by default), in the
        language active when it is shown."""
        message = self.message if self.message is not None else self.message_en
        return field_error(
            field or self.column or "", self.code, {self.code: message}, **self.params
        )


def row_error(
    row: int, column: str | None, code: str, messages: Messages, /, **params: Any
) -> RowError:
    """The problem `code` of `messages` in one row of an imported file."""
    message = messages[code]
    return RowError(row, column, code, *in_both_languages(message, **params), message, params)


# --- core's messages

MESSAGES: dict[str, Promise] = {
    # Ideas every app shares; `label` names the value or column.
    "empty": _("No %(label)s given."),
    "not_digits": _("The %(label)s must contain digits only."),
    "too_long": _("The %(label)s is longer than %(limit)s characters."),
    "in_future": _("The %(label)s cannot be after today."),
    "not_canonical": _("The value must be stored in its standard form %(value)s."),
    "file_too_large": _("The file is larger than %(limit)s MB."),
    "empty_file": _("The file has no rows."),
    "invalid_transition": _("This action is not possible while the status is “%(status)s”."),
    "reason_required": _("Write the reason (at least five characters)."),
    "not_allowed": _("You may not do this."),
    "outside_scope": _("The result would be outside your area of responsibility."),
    # Dates (`core.persian.jalali`).
    "invalid_format": _(
        "'%(value)s' is not a date; use a Jalali date like 1370/05/12 or a Gregorian one "
        "like 1990-05-17."
    ),
    "invalid_date": _("'%(value)s' is not a valid Gregorian date."),
    "invalid_year": _("%(date)s: the year must be between 1 and 9377."),
    "invalid_month": _("%(date)s: the month must be between 1 and 12."),
}
DATE_LABEL = _("date")
# "invalid_day", by the number of days the month has; the last for Esfand of a common year.
DAYS_IN_MONTH_MESSAGES: dict[int, Promise] = {
    29: _("%(date)s: %(month)s %(year)s has 29 days."),
    30: _("%(date)s: %(month)s %(year)s has 30 days."),
    31: _("%(date)s: %(month)s %(year)s has 31 days."),
}
NOT_LEAP_YEAR_MESSAGE = _("%(date)s: %(month)s %(year)s has 29 days (%(year)s is not a leap year).")

# Iranian identifiers (`core.persian.validators`): the shared ideas with the identifier's
# label, and what is particular to each.
IDENTIFIER_LABELS: dict[str, Promise] = {
    "national_code": _("national code"),
    "mobile": _("mobile number"),
    "postal_code": _("postal code"),
    "sheba": _("Sheba number"),
}
_SHARED_IDENTIFIER_CODES = ("empty", "not_digits", "not_canonical")
IDENTIFIER_MESSAGES: dict[str, dict[str, Promise]] = {
    kind: {**{code: MESSAGES[code] for code in _SHARED_IDENTIFIER_CODES}, **particular}
    for kind, particular in {
        "national_code": {
            "wrong_length": _("The national code must have 10 digits."),
            "repeated_digits": _("The national code cannot be one digit repeated."),
            "bad_checksum": _("The national code is not valid (its check digit is wrong)."),
        },
        "mobile": {
            "wrong_length": _("The mobile number must have 11 digits, like 09123456789."),
            "not_mobile": _("This is not an Iranian mobile number; mobile numbers start with 09."),
        },
        "postal_code": {
            "wrong_length": _("The postal code must have 10 digits."),
            "invalid": _("The postal code is not valid; postal codes do not start with 0."),
        },
        "sheba": {
            "wrong_format": _("The Sheba number must be IR followed by 24 digits."),
            "bad_checksum": _("The Sheba number is not valid (its check digits are wrong)."),
        },
    }.items()
}
