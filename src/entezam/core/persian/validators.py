"""Iranian identifiers: national code, mobile number, postal code, Sheba (IBAN).

Each `check_*` function takes whatever a person, a form or a spreadsheet gives (Persian
digits, Excel numbers with their leading zeros dropped, stray spaces and direction marks)
and returns a `Validated` with the canonical ASCII value or a reason code. They never
raise. The `validate_*` functions wrap them as Django validators for model fields.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from entezam.core.errors import (
    IDENTIFIER_LABELS,
    IDENTIFIER_MESSAGES,
    RowError,
    row_error,
    validation_error,
)
from entezam.core.persian.text import strip_invisible, to_ascii_digits


@dataclass(frozen=True, slots=True)
class Validated:
    ok: bool
    value: str | None = None
    code: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def reason(self) -> str:
        """The reason code of a refused value."""
        if self.code is None:
            raise ValueError("an accepted value has no reason code")
        return self.code


def _valid(value: str) -> Validated:
    return Validated(ok=True, value=value)


def _invalid(code: str) -> Validated:
    return Validated(ok=False, code=code)


def _as_text(value: Any) -> str:
    """Text of an input value; spreadsheet numbers (13542419, 13542419.0) become digits."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        try:
            integral = int(value)
        except (ValueError, OverflowError):
            return str(value)
        return str(integral) if integral == value else str(value)
    return to_ascii_digits(strip_invisible(str(value)))


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_national_code(value: Any) -> Validated:
    text = _as_text(value)
    if not text:
        return _invalid("empty")
    if not _is_ascii_digits(text):
        return _invalid("not_digits")
    if len(text) in (8, 9):
        text = text.zfill(10)
    if len(text) != 10:
        return _invalid("wrong_length")
    if text == text[0] * 10:
        return _invalid("repeated_digits")
    if int(text[9]) != national_code_check_digit(text[:9]):
        return _invalid("bad_checksum")
    return _valid(text)


def national_code_check_digit(first_nine: str) -> int:
    weighted = zip(first_nine, range(10, 1, -1), strict=True)
    remainder = sum(int(digit) * weight for digit, weight in weighted) % 11
    return remainder if remainder < 2 else 11 - remainder


def national_code_from(first_nine: int | str) -> str:
    """The valid national code whose first nine digits are `first_nine` (zero-padded).

    Nine repeated digits (`111111111`) would make a refused code and are moved on by one.
    """
    body = f"{int(first_nine) % 10**9:09d}"
    if body == body[0] * 9:
        body = f"{(int(body) + 1) % 10**9:09d}"
    return body + str(national_code_check_digit(body))


def random_national_code(rng) -> str:
    """A valid national code drawn from `rng` (a `random.Random`): demo and test data."""
    return national_code_from(rng.randrange(10**9))


_MOBILE_SEPARATORS = re.compile(r"[\s\-()]")


def check_mobile(value: Any) -> Validated:
    text = _MOBILE_SEPARATORS.sub("", _as_text(value))
    if not text:
        return _invalid("empty")
    if text.startswith("+"):
        text = "00" + text[1:]
    if not _is_ascii_digits(text):
        return _invalid("not_digits")
    if text.startswith("00") and not text.startswith("0098"):
        return _invalid("not_mobile")
    if text.startswith("0098"):
        text = text[4:]
    elif text.startswith("0"):
        text = text[1:]
    elif text.startswith("98") and len(text) == 12:
        text = text[2:]
    if len(text) != 10:
        return _invalid("wrong_length")
    if not text.startswith("9"):
        return _invalid("not_mobile")
    return _valid("0" + text)


_POSTAL_CODE_SPLIT = re.compile(r"(\d{5})[\-\s]?(\d{5})")


def check_postal_code(value: Any) -> Validated:
    text = _as_text(value)
    if not text:
        return _invalid("empty")
    split = _POSTAL_CODE_SPLIT.fullmatch(text)
    if split:
        text = split[1] + split[2]
    if not _is_ascii_digits(text):
        return _invalid("not_digits")
    if len(text) != 10:
        return _invalid("wrong_length")
    if text[0] == "0":
        return _invalid("invalid")
    return _valid(text)


_SHEBA_PATTERN = re.compile(r"IR\d{24}")
_SHEBA_SPACES = re.compile(r"\s")


def check_sheba(value: Any) -> Validated:
    text = _SHEBA_SPACES.sub("", _as_text(value)).upper()
    if not text:
        return _invalid("empty")
    if not _SHEBA_PATTERN.fullmatch(text):
        return _invalid("wrong_format")
    if iban_remainder(text) != 1:
        return _invalid("bad_checksum")
    return _valid(text)


def iban_remainder(iban: str) -> int:
    """ISO 7064 MOD 97-10 of an IBAN (valid ones give 1)."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97


CHECKS: dict[str, Callable[[Any], Validated]] = {
    "national_code": check_national_code,
    "mobile": check_mobile,
    "postal_code": check_postal_code,
    "sheba": check_sheba,
}


def reason_error(kind: str, code: str, /, **params: Any) -> ValidationError:
    """A `ValidationError` explaining a reason code from `check_<kind>`."""
    return validation_error(
        code, IDENTIFIER_MESSAGES[kind], label=IDENTIFIER_LABELS[kind], **params
    )


def reason_row_error(row: int, column: str, kind: str, code: str) -> RowError:
    """A reason code from `check_<kind>` as a problem of one row of an imported file."""
    return row_error(row, column, code, IDENTIFIER_MESSAGES[kind], label=IDENTIFIER_LABELS[kind])


def _validate(kind: str, value: Any) -> None:
    result = CHECKS[kind](value)
    if not result.ok:
        raise reason_error(kind, result.reason)
    if result.value != value:
        raise reason_error(kind, "not_canonical", value=result.value)


# Module-level functions (not closures) so that migrations can serialise them.
def validate_national_code(value: Any) -> None:
    """Django validator: a valid national code in canonical form (10 ASCII digits)."""
    _validate("national_code", value)


def validate_mobile(value: Any) -> None:
    """Django validator: an Iranian mobile number in canonical form (09XXXXXXXXX)."""
    _validate("mobile", value)


def validate_postal_code(value: Any) -> None:
    """Django validator: a postal code in canonical form (10 ASCII digits)."""
    _validate("postal_code", value)


def validate_sheba(value: Any) -> None:
    """Django validator: a Sheba number in canonical form (IR and 24 digits)."""
    _validate("sheba", value)
