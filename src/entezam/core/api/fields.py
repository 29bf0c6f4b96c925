from rest_framework import serializers

from entezam.core.persian import format_jalali


class JalaliField(serializers.ReadOnlyField):
    """The `*_jalali` companion of an ISO date: `1404/06/31` in ASCII digits."""

    def __init__(self, source: str, **kwargs):
        super().__init__(source=source, **kwargs)

    def to_representation(self, value):
        return format_jalali(value, digits="en") if value else None
