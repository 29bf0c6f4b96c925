"""Form fields and filters for ids that arrive in URLs and forms: hostile until parsed.

An id is a positive number of at most 18 digits (ASCII or Persian); anything else is a
validation error (a filter form then ignores it, an API answers 400), never a 500 from
the database.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views import View

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


class SearchSelect(forms.Select):
    """A select that ships only its empty choice and the chosen row, not every row.

    An institution filter over 850 institutions rendered 850 options on every list page
    (tens of milliseconds of template work per request). This widget renders a search box
    (`data-search-select`) before the select; the page's script (`app.js`) fills the select
    with the matches `url_name` answers for what is typed: a scoped JSON endpoint returning
    `{"results": [{"id": …, "text": …}]}`. Validation is the field's, as before: an id
    outside the user's rows still matches nothing.
    """

    template_name = "core/widgets/search_select.html"

    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        from django.urls import reverse

        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse(self.url_name)
        return context

    def optgroups(self, name, value, attrs=None):
        field = getattr(self.choices, "field", None)
        queryset = getattr(self.choices, "queryset", None)
        choices = []
        if field is not None and field.empty_label is not None:
            choices.append(("", field.empty_label))
        ids = [number for number in (parse_id(v) for v in value if v) if number]
        if queryset is not None and ids:
            choices += [(row.pk, str(row)) for row in queryset.filter(pk__in=ids)[:20]]
        groups = []
        for index, (option_value, label) in enumerate(choices):
            selected = str(option_value) in value
            option = self.create_option(name, option_value, label, selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups


class SearchOptionsView(LoginRequiredMixin, View):
    """The JSON a `SearchSelect` asks for: at most `limit` of `rows(request)` (the user's
    own, scoped as the list they filter) whose `search_field` contains what was typed,
    normalised as stored."""

    limit = 20
    search_field = "search_name"
    label_field = "name"

    def rows(self, request):
        raise NotImplementedError

    def get(self, request):
        from django.http import JsonResponse

        from .persian import normalize

        typed = normalize(str(request.GET.get("q", ""))[:100]).strip()
        rows = self.rows(request)
        if typed:
            rows = rows.filter(**{f"{self.search_field}__contains": typed})
        rows = rows.order_by(self.search_field, "pk").values("pk", self.label_field)
        return JsonResponse(
            {"results": [{"id": r["pk"], "text": r[self.label_field]} for r in rows[: self.limit]]}
        )
