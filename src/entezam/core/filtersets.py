"""The audit log's filters: one filterset for the page and its export."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .filters import IdFilter
from .lookups import LookupSelect
from .models import AuditEvent
from .persian import to_ascii_digits
from .persian.forms import JalaliDateField
from .registry import ACTION_LABELS, action_label


def action_choices() -> list[tuple[str, str]]:
    """Every registered action by its label, sorted as people read them."""
    return sorted(((key, action_label(key)) for key in ACTION_LABELS), key=lambda c: c[1])


def object_type_choices() -> list[tuple[str, str]]:
    """The models audit events are about: those named by registered actions' prefixes."""
    prefixes = {key.split(".", 1)[0] for key in ACTION_LABELS}
    choices = {}
    for model in apps.get_models():
        if model._meta.model_name in {p.replace("_", "") for p in prefixes}:
            choices[model._meta.label_lower] = str(model._meta.verbose_name)
    return sorted(choices.items(), key=lambda c: c[1])


class JalaliDateFilter(django_filters.Filter):
    field_class = JalaliDateField


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilterSet(django_filters.FilterSet):
    date_from = JalaliDateFilter(method="filter_from", label=_("From date"))
    date_to = JalaliDateFilter(method="filter_to", label=_("To date"))
    actor = django_filters.CharFilter(method="filter_actor", label=_("By (username)"))
    action = django_filters.ChoiceFilter(
        choices=action_choices, label=_("Action"), empty_label=_("All")
    )
    object_type = django_filters.ChoiceFilter(
        choices=object_type_choices, label=_("About"), empty_label=_("All")
    )
    province = IdFilter(field_name="province_id", label=_("Province"))
    institution = IdFilter(field_name="institution_id", label=_("Institution"))

    class Meta:
        model = AuditEvent
        fields = ["date_from", "date_to", "actor", "action", "object_type"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        fields = self.form.fields
        fields["province"].widget = LookupSelect("province", user=user)
        fields["institution"].widget = LookupSelect("institution", user=user)
        fields["actor"].widget = forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"})

    def filter_from(self, queryset, name, value):
        return queryset.filter(time__gte=_day_start(value)) if value else queryset

    def filter_to(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(time__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_actor(self, queryset, name, value):
        username = to_ascii_digits(value).strip()
        return queryset.filter(actor_name=username) if username else queryset
