"""`get_<field>_display()` without translating every choice on every call.

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on each
call, and hashing a choice hashes its lazily translated label, which translates it: a
list row showing three enumerations of ten choices translates thirty labels. The same
mapping is kept here per field (rebuilt if the field's choices are replaced) with the
labels still lazy, so only the label shown is translated, in the active language."""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_choices: dict[int, tuple[object, dict]] = {}


def _choice_labels(field) -> dict:
    cached = _choices.get(id(field))
    if cached is not None and cached[0] is field.choices:
        return cached[1]
    labels = {make_hashable(value): label for value, label in field.flatchoices}
    _choices[id(field)] = (field.choices, labels)
    return labels


def get_field_display(self, field):
    value = getattr(self, field.attname)
    return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)


def install() -> None:
    """Use `get_field_display` for every model's `get_<field>_display` that Django made
    (each field bound Django's function when its model was created), and for models
    created later."""
    original = models.Model._get_FIELD_display  # type: ignore[attr-defined]
    if original is get_field_display:
        return
    models.Model._get_FIELD_display = get_field_display  # type: ignore[attr-defined]
    for model in apps.get_models(include_auto_created=True):
        for klass in model.__mro__:
            for name, value in list(vars(klass).items()):
                if (
                    name.startswith("get_")
                    and name.endswith("_display")
                    and isinstance(value, partialmethod)
                    and value.func is original
                ):
                    setattr(klass, name, partialmethod(get_field_display, **value.keywords))
