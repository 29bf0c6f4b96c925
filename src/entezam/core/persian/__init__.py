"""Persian core: text normalisation, Jalali calendar, Iranian identifier validators."""

from entezam.core.persian.jalali import (
    JalaliDateError,
    add_months,
    add_working_days,
    format_jalali,
    is_working_day,
    jalali_today,
    parse_jalali,
)
from entezam.core.persian.text import normalize, to_ascii_digits, to_persian_digits
from entezam.core.persian.validators import (
    Validated,
    check_mobile,
    check_national_code,
    check_postal_code,
    check_sheba,
    reason_error,
    reason_row_error,
    validate_mobile,
    validate_national_code,
    validate_postal_code,
    validate_sheba,
)

__all__ = [
    "JalaliDateError",
    "Validated",
    "add_months",
    "add_working_days",
    "check_mobile",
    "check_national_code",
    "check_postal_code",
    "check_sheba",
    "format_jalali",
    "is_working_day",
    "jalali_today",
    "normalize",
    "parse_jalali",
    "reason_error",
    "reason_row_error",
    "to_ascii_digits",
    "to_persian_digits",
    "validate_mobile",
    "validate_national_code",
    "validate_postal_code",
    "validate_sheba",
]
