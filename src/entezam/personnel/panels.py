"""Panels personnel adds to the home page (a manager's staff) and to institution pages."""

from __future__ import annotations

from django.db.models import Count, Q

from entezam.accounts.choices import Role
from entezam.institutions.models import Institution

from .models import Employment

STAFF_SHOWN = 10


def _staffing(institutions) -> list[dict]:
    """Employed now against the authorised headcount, per institution."""
    rows = []
    counted = institutions.annotate(
        employed=Count("employments", filter=Q(employments__end_date__isnull=True))
    ).order_by("search_name")
    for institution in counted[:20]:
        authorised = institution.authorised_headcount or 0
        rows.append(
            {
                "institution": institution,
                "employed": institution.employed,
                "authorised": authorised,
                "percent": min(100, round(100 * institution.employed / authorised))
                if authorised
                else 0,
                "over": authorised and institution.employed > authorised,
            }
        )
    return rows


def manager_home_panel(request) -> dict | None:
    """An institution manager's home: their staff, employed against authorised."""
    institutions = Institution.objects.visible_to(request.user)
    rows = _staffing(institutions)
    return {"staffing": rows} if rows else None


MANAGER_ROLES = frozenset({Role.INSTITUTION_MANAGER})


def institution_staff_panel(request, institution) -> dict | None:
    """An institution's current staff (as far as the reader may see people)."""
    from .selectors import person_list

    employments = (
        Employment.objects.filter(institution=institution, end_date__isnull=True)
        .filter(person__in=person_list(user=request.user))
        .select_related("person")
        .order_by("-start_date", "-pk")
    )
    employed = Employment.objects.filter(institution=institution, end_date__isnull=True).count()
    return {
        "institution": institution,
        "employed": employed,
        "authorised": institution.authorised_headcount or 0,
        "employments": employments[:STAFF_SHOWN],
        "more": max(0, employed - STAFF_SHOWN),
    }
