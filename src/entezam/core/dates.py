"""Plausible ranges for dates that arrive from outside (forms, API, imports, services).

One validator, `DateRange(kind)`, used by model fields (so every service's `full_clean`
checks it), form fields, serializers and the imports. A date outside its kind's range is
a clear error naming the range in Jalali dates; it never reaches the database, so it can
never make a page fail for someone else.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .errors import validation_error

# kind -> (years back from today, years ahead of today) of the earliest and latest date.
RANGES: dict[str, tuple[int, int]] = {
    # A person is 15 to 100 years old when registered.
    "birth": (100, -15),
    # Something that happened: a background check, a certificate issued.
    "past": (50, 0),
    # Licences, effective dates, validity, employment: within decades of today.
    "any": (50, 50),
}
MESSAGES = {
    "birth": _(
        "The birth date must make the person 15 to 100 years old (%(earliest)s to %(latest)s)."
    ),
    "past": _("The date must lie between %(earliest)s and today."),
    "any": _("The date must lie between %(earliest)s and %(latest)s."),
}


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_bounds(
    kind: str, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    back, ahead = RANGES[kind]
    today = today or timezone.localdate()
    return _years_from(today, -back), _years_from(today, ahead)


def in_range(value: datetime.date, kind: str, today: datetime.date | None = None) -> bool:
    earliest, latest = date_bounds(kind, today)
    return earliest <= value <= latest


@deconstructible
class DateRange:
    """Validator: the date lies in the plausible range of its `kind` (see `RANGES`)."""

    code = "date_out_of_range"

    def __init__(self, kind: str):
        if kind not in RANGES:
            raise ValueError(f"unknown date range {kind!r}")
        self.kind = kind

    def __call__(self, value: Any) -> None:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            return
        earliest, latest = date_bounds(self.kind)
        if not earliest <= value <= latest:
            raise validation_error(
                self.code, {self.code: MESSAGES[self.kind]}, earliest=earliest, latest=latest
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRange) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)
