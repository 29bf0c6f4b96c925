"""Searchable choices for large lists (850 institutions, 734 police units, 235 counties).

An app registers a `Lookup` (registry.register_lookup); forms and filters use
`LookupSelect(name)`, which renders a `<select>` holding only the chosen option; the
browser (Tom Select, see static/entezam/app.js) loads options from the scoped endpoint
`core:lookup` as the user types. A lookup nobody registered renders as a plain id input.
"""

from __future__ import annotations

import time

from django import forms
from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .counters import count_hit
from .middleware import client_ip
from .persian import to_ascii_digits
from .persian.text import strip_invisible
from .registry import LOOKUPS, Lookup
from .scoping import parse_id, scoped_rows

PAGE = 20
MAX_QUERY = 100
# A public lookup's answers per address and minute: a person typing asks a few a second.
PUBLIC_PER_MINUTE = 120


def lookup_rows(lookup: Lookup, user):
    model = apps.get_model(lookup.model)
    if lookup.public:
        rows = model._default_manager.all()
    else:
        rows = scoped_rows(model).visible_to(user, lookup.action)
    return lookup.narrow(rows) if lookup.narrow is not None else rows


class LookupSelect(forms.Select):
    """A `<select>` filled as the user types, from the registered lookup `name`."""

    def __init__(self, name: str, *, user=None, parent: str = "", attrs=None):
        super().__init__(attrs=attrs)
        self.lookup_name = name
        self.user = user
        self.parent = parent

    def get_context(self, name, value, attrs):
        lookup = LOOKUPS.get(self.lookup_name)
        value = getattr(value, "pk", value)
        pk = parse_id(value) if value not in (None, "") else None
        # The empty choice says what to do: "All" in a filter, "Type to search…" where one
        # must be chosen (Tom Select shows it as the empty selection).
        choices: list[tuple[str, object]] = [
            ("", _("All") if not self.is_required else _("Type to search…"))
        ]
        if lookup is not None and pk is not None and (self.user is not None or lookup.public):
            obj = lookup_rows(lookup, self.user).filter(pk=pk).first()
            if obj is not None:
                choices.append((str(pk), lookup.label(obj)))
        self.choices = choices
        context = super().get_context(name, str(pk) if pk else "", attrs)
        widget_attrs = context["widget"]["attrs"]
        if lookup is not None:
            widget_attrs["data-lookup"] = reverse("core:lookup", args=[lookup.name])
            widget_attrs["data-placeholder"] = str(_("Type to search…"))
            if self.parent:
                widget_attrs["data-lookup-parent"] = self.parent
        return context


def lookup_choice(name: str, field: str, *, user, value=None, attrs=None) -> str:
    """A required searchable choice a view renders outside a form (its own `<select
    name=field>`), fed by lookup `name`; `value` is the chosen row's id, if any."""
    widget = LookupSelect(name, user=user)
    widget.is_required = True
    return widget.render(field, value, attrs=attrs)


def _text(value: str) -> str:
    return to_ascii_digits(strip_invisible(value or "")).strip()[:MAX_QUERY]


def lookup_view(request, name: str):
    """`{"results": [{"id", "text"}]}`: up to a page of rows the user may see (of a public
    lookup: to anyone, within the per-address limit)."""
    lookup = LOOKUPS.get(name)
    if lookup is None:
        raise Http404
    if not lookup.public and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if lookup.public:
        key = f"lookup:{client_ip(request) or 'unknown'}:{int(time.time()) // 60}"
        if count_hit(key, 60) > PUBLIC_PER_MINUTE:
            return JsonResponse({"results": []}, status=429)
    rows = lookup_rows(lookup, request.user)
    if lookup.parent_field and request.GET.get("parent"):
        parent = parse_id(request.GET["parent"])
        rows = rows.filter(**{lookup.parent_field: parent}) if parent else rows.none()
    text = _text(request.GET.get("q", ""))
    if text:
        rows = lookup.search(rows, text)
    rows = rows.order_by(*lookup.order_by)[:PAGE]
    return JsonResponse({"results": [{"id": row.pk, "text": lookup.label(row)} for row in rows]})


def use_lookup(field: forms.Field, name: str, *, user, parent: str = "") -> None:
    """Make a form or filter field a searchable choice fed by lookup `name` (the field
    still validates against its own, scoped, queryset)."""
    field.widget = LookupSelect(name, user=user, parent=parent, attrs=field.widget.attrs)
    # As Field.__init__ does for the widget it made: a required field offers no "All".
    field.widget.is_required = field.required
