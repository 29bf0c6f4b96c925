"""Audit events as people read them: labelled changes, values as the pages show them,
the object and actor named and linked.

Labels come, most specific first, from what the apps registered
(`registry.register_change_keys`), then the model's own fields (verbose name, choice
labels, dates in Jalali). Codes, hashes and versions stay Latin inside `<bdi dir="ltr">`.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .persian.jalali import format_jalali
from .persian.text import active_language, localize_digits
from .registry import OBJECT_URLS, ChangeKey, change_key

# A model instance in the log reads "name (#id)" (audit._jsonable): people see the name.
_OBJECT_ID = re.compile(r"\s*\(#\d+\)$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_LATIN_KEYS = re.compile(r"(^|_)(sha256|hash|code|reference|version|ip|username|email|url)$")


def model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def object_url(object_type: str, object_id: str) -> str | None:
    """The page of an event's object, or None (no page, or it cannot be built)."""
    url = OBJECT_URLS.get(object_type.lower())
    if url is not None:
        return url(object_id)
    model = model_of(object_type)
    if model is None or not hasattr(model, "get_absolute_url") or not object_id.isdigit():
        return None
    try:
        return model(pk=int(object_id)).get_absolute_url()  # type: ignore[attr-defined]
    except Exception:  # a page that needs more than the id: the row is not linked
        return None


def latin(value: Any) -> SafeString:
    """A code, hash or version: Latin digits, left to right, in any text direction."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def masked_code(code) -> SafeString:
    """A national code masked by the one rule (`persian.text.mask_national_code`), in the
    page's digits, left to right."""
    from .persian.text import mask_national_code

    return format_html('<bdi dir="ltr">{}</bdi>', display_text(mask_national_code(str(code))))


def display_number(value: int | float) -> str:
    from .templatetags.persian import fa_number

    return fa_number(value)


def display_text(value: str) -> str:
    language = active_language()
    return localize_digits(value, language) if language == "fa" else value


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:
        return None


def _date(value: str, with_time: bool) -> str | None:
    try:
        if with_time:
            parsed = datetime.datetime.fromisoformat(value)
            return format_jalali(parsed, "datetime", digits=active_language())
        return format_jalali(datetime.date.fromisoformat(value[:10]), digits=active_language())
    except ValueError:
        return None


def render_value(value: Any, *, field=None, spec: ChangeKey | None = None, key: str = "") -> Any:
    """One recorded value as the app's pages show it (escaped text or safe HTML)."""
    if value is None or value == "":
        return "—"
    if spec is not None and spec.render is not None:
        return spec.render(value)
    if field is not None and getattr(field, "choices", None):
        choices = dict(field.flatchoices)
        if isinstance(value, list):
            return "، ".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if (spec is not None and spec.latin) or (spec is None and _LATIN_KEYS.search(key)):
        return latin(value if not isinstance(value, list | dict) else ", ".join(map(str, value)))
    if isinstance(value, int | float):
        return display_number(value)
    if isinstance(value, dict):
        parts = [
            format_html("{}: {}", change_label(k), render_value(v, key=k)) for k, v in value.items()
        ]
        return _join("؛ ", parts)
    if isinstance(value, list):
        return _join("، ", [render_value(v, key=key) for v in value])
    text = str(value)
    if isinstance(field, models.ForeignKey) or _OBJECT_ID.search(text):
        text = _OBJECT_ID.sub("", text)
    if isinstance(field, models.DateField) or _ISO_DATE.fullmatch(text):
        return _date(text, isinstance(field, models.DateTimeField)) or display_text(text)
    if _ISO_DATETIME.match(text):
        return _date(text, True) or display_text(text)
    return display_text(text)


def _join(separator: str, parts: list) -> SafeString:
    """Parts (text escaped, safe HTML kept) joined by `separator`."""
    return mark_safe(separator.join(conditional_escape(part) for part in parts))


def change_label(key: str, *, action: str = "", object_type: str = "") -> str:
    spec = change_key(key, action=action, object_type=object_type)
    if spec is not None:
        return str(spec.label)
    field = _field(model_of(object_type), key) if object_type else None
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key


def has_label(key: str, *, action: str, object_type: str) -> bool:
    """Whether `key` of an event of `action` about `object_type` reads as a label."""
    if change_key(key, action=action, object_type=object_type) is not None:
        return True
    field = _field(model_of(object_type), key)
    return field is not None and hasattr(field, "verbose_name")


def filters_text(filters) -> SafeString | str:
    """An export's filters as `name=value` pairs, left to right (they are URL parameters)."""
    if not isinstance(filters, dict) or not filters:
        return "—"
    return latin(", ".join(f"{key}={value}" for key, value in filters.items()))


def changes_display(event) -> list[dict]:
    """The event's changes as rows of label, old and new value, for people."""
    model = model_of(event.object_type)
    rows = []
    for key, values in (event.changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            old, new = values
            had_old = True
        else:
            old, new, had_old = None, values, False
        spec = change_key(key, action=event.action, object_type=event.object_type)
        field = _field(model, key)
        label = change_label(key, action=event.action, object_type=event.object_type)
        rows.append(
            {
                "key": key,
                "label": label if label != key else latin(key),
                "old": render_value(old, field=field, spec=spec, key=key)
                if had_old and old is not None
                else None,
                "new": render_value(new, field=field, spec=spec, key=key),
            }
        )
    return rows
