"""Form fields and filters for ids that arrive in URLs and forms: hostile until parsed.

An id is a positive number of at most 18 digits (ASCII or Persian); anything else is a
validation error (a filter form then ignores it, an API answers 400), never a 500 from
the database.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .persian import to_ascii_digits
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


class _ScopedModelChoiceField(forms.ModelChoiceField):
    """A choice among the rows the user may see, by id. A well-formed id that is not
    among them (unknown, or outside the user's scope) filters to nothing, as a search
    for it would: the answer is an empty list, never an error that tells which."""

    def _no_row(self):
        assert self.queryset is not None
        return self.queryset.model(pk=0)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = to_ascii_digits(str(value)).strip().removeprefix("-")
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        if parse_id(value) is None:  # zero, negative or too long: no row has that id
            return self._no_row()
        try:
            return super().to_python(value)
        except forms.ValidationError:
            # id 0 names no row: filtering on it matches nothing, whatever the lookup.
            return self._no_row()


class ScopedChoiceFilter(django_filters.ModelChoiceFilter):
    """`ModelChoiceFilter` over a scoped queryset where an id outside it matches nothing."""

    field_class = _ScopedModelChoiceField  # type: ignore[assignment]
