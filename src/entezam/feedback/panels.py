"""Panels the feedback app adds to the home page and to institution and guard pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from entezam.core.scoping import allowed_roles

from .models import Feedback
from .selectors import open_counts, recognition


def home_panel(request) -> dict | None:
    """The reader's queues: messages to triage, to handle, and open in their scope."""
    if not allowed_roles(request.user, Feedback, "view"):
        return None
    counts = open_counts(user=request.user)
    # Those who triage (the 197 operators) always see their queues, zeros included.
    if not any(counts.values()) and not allowed_roles(request.user, Feedback, "triage"):
        return None
    return {"feedback_counts": counts}


def institution_recognition(request, institution) -> dict | None:
    try:
        data = recognition(institution=institution)
    except PermissionDenied:
        return None
    return {"recognition": data} if data["count"] else None


def person_recognition(request, person) -> dict | None:
    data = recognition(person=person)
    return {"recognition": data} if data["count"] else None
