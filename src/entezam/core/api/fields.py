from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entezam.core.persian import format_jalali
from entezam.core.persian.validators import CHECKS, reason_error


@extend_schema_field({"type": "string", "nullable": True, "example": "1404/06/31"})
class JalaliField(serializers.ReadOnlyField):
    """The `*_jalali` companion of an ISO date: `1404/06/31` in ASCII digits (a string)."""

    def __init__(self, source: str, **kwargs):
        super().__init__(source=source, **kwargs)

    def to_representation(self, value):
        return format_jalali(value, digits="en") if value else None


class IdentifierField(serializers.CharField):
    """An identifier (`national_code`, `mobile`, `postal_code`, `sheba`) in any digits,
    cleaned to its canonical form; the API twin of `core.persian.forms` identifier fields."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return text
        result = CHECKS[self.kind](text)
        if not result.ok:
            # A Django ValidationError: the serializer reports it on this field.
            raise reason_error(self.kind, result.reason)
        return result.value
