"""Reads on institutions: the scoped list, and one institution fetched and authorised."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from entezam.core.persian import to_ascii_digits
from entezam.core.persian.text import strip_invisible
from entezam.core.scoping import access

from .models import Institution


def clean_registration_number(value) -> str:
    """A registration number as typed: any digit script, stray spaces and marks removed."""
    return to_ascii_digits(strip_invisible(str(value or ""))).replace(" ", "")


def institution_list(*, user, action: str = "view") -> QuerySet[Institution]:
    return Institution.objects.visible_to(user, action)


def institution_access(
    *, user, pk=None, registration_number: str | None = None, action: str = "view"
) -> Institution:
    """One institution by id or registration number (digits in any script): 404 outside
    the user's view scope, 403 when the user may not perform `action` on it."""
    if pk is not None:
        return access(Institution, user=user, action=action, pk=pk)
    number = clean_registration_number(registration_number)
    if not number:
        raise Http404
    return access(Institution, user=user, action=action, registration_number=number)
