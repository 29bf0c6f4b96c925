"""Form fields and filters for ids that arrive in URLs and forms: hostile until parsed.

An id is a positive number of at most 18 digits (ASCII or Persian); anything else is a
validation error (a filter form then ignores it, an API answers 400), never a 500 from
the database.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .scoping import parse_id


class IdField(forms.Field):
    default_error_messages = {"invalid": _("Enter a valid id.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdFilter(django_filters.Filter):
    """Filter on a foreign key's id (`parent=12`), refusing what is not an id."""

    field_class = IdField
