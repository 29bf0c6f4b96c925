"""Form fields for Jalali dates and Iranian identifiers; they clean to canonical values."""

import datetime
import re
from typing import Any

from django import forms

from entezam.core.dates import DateRange
from entezam.core.errors import MESSAGES, validation_error
from entezam.core.persian.jalali import JalaliDateError, format_jalali, parse_jalali
from entezam.core.persian.text import active_language, strip_invisible, to_ascii_digits
from entezam.core.persian.validators import CHECKS, reason_error

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FIRST_GREGORIAN_YEAR = 1700


class JalaliDateField(forms.Field):
    """A date typed in Jalali (`1404/06/31`, Persian digits welcome) or ISO (`2025-09-22`)."""

    widget = forms.TextInput(
        attrs={
            "data-jalali-picker": "1",
            "autocomplete": "off",
            "dir": "ltr",
            "placeholder": "۱۴۰۴/۰۱/۰۱",
        }
    )

    def __init__(self, *, date_range: str = "any", **kwargs: Any) -> None:
        """`date_range`: the plausible range of the date (`core.dates.RANGES`)."""
        super().__init__(**kwargs)
        self.validators.append(DateRange(date_range))

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = to_ascii_digits(strip_invisible(str(value)))
        iso = _ISO_DATE.fullmatch(text)
        if iso and int(iso[1]) >= _FIRST_GREGORIAN_YEAR:
            try:
                return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                raise validation_error("invalid_date", MESSAGES, value=text) from None
        try:
            return parse_jalali(text)
        except JalaliDateError as error:
            raise error.validation_error() from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return format_jalali(value, "short", digits=active_language())
        return value


class _IdentifierField(forms.CharField):
    """A text field that accepts what `check_<kind>` accepts and cleans to its canonical form."""

    kind: str
    input_attrs: dict[str, str] = {}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "dir": "ltr", **self.input_attrs}

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return self.empty_value
        result = CHECKS[self.kind](text)
        if not result.ok:
            raise reason_error(self.kind, result.reason)
        return result.value


class NationalCodeField(_IdentifierField):
    kind = "national_code"
    input_attrs = {"inputmode": "numeric", "autocomplete": "off"}


class MobileField(_IdentifierField):
    kind = "mobile"
    input_attrs = {"inputmode": "tel", "autocomplete": "tel"}


class PostalCodeField(_IdentifierField):
    kind = "postal_code"
    input_attrs = {"inputmode": "numeric", "autocomplete": "postal-code"}


class ShebaField(_IdentifierField):
    kind = "sheba"
    input_attrs = {"autocomplete": "off"}
