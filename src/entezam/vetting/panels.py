"""Panels selection adds to the home page and to institution pages: applications by stage
and what awaits the reader (checks to record, decisions to take, reviews)."""

from __future__ import annotations

from django.db.models import Count, Q

from entezam.accounts.choices import Role
from entezam.core.scoping import allowed_roles

from .board import board_figures
from .choices import PIPELINE, ApplicationStatus
from .models import Application

HOME_ROLES = frozenset(
    {
        Role.HQ_ADMIN,
        Role.HQ_ANALYST,
        Role.PROVINCE_OFFICER,
        Role.STATION_OFFICER,
        Role.INSTITUTION_MANAGER,
    }
)


def _stages(counts: dict[str, int]) -> list[dict]:
    labels = dict(ApplicationStatus.choices)
    return [
        {"status": status, "label": labels[status], "count": counts.get(status, 0)}
        for status in PIPELINE
    ]


def home_panel(request) -> dict | None:
    user = request.user
    applications = Application.objects.visible_to(user)
    figures, as_of = board_figures(user, applications)
    counts = {status: figure["count"] for status, figure in figures.items()}
    review = sum(figure["needs_review"] for figure in figures.values())
    awaiting = []
    if allowed_roles(user, Application, "record_check"):
        awaiting.append(
            {
                "label": ApplicationStatus.BACKGROUND_CHECK.label,
                "count": counts.get(ApplicationStatus.BACKGROUND_CHECK, 0),
                "status": ApplicationStatus.BACKGROUND_CHECK,
                "kind": "check",
            }
        )
    if allowed_roles(user, Application, "decide"):
        awaiting.append(
            {
                "label": ApplicationStatus.INTERVIEW.label,
                "count": counts.get(ApplicationStatus.INTERVIEW, 0),
                "status": ApplicationStatus.INTERVIEW,
                "kind": "decide",
            }
        )
    return {
        "stages": _stages(counts),
        "total": sum(counts.values()),
        "needs_review": review,
        "awaiting": awaiting,
        "as_of": as_of,
    }


def institution_applications_panel(request, institution) -> dict | None:
    """An institution's applications by stage, each linked to the filtered list."""
    if not allowed_roles(request.user, Application, "view"):
        return None
    rows = (
        Application.objects.visible_to(request.user)
        .filter(institution=institution)
        .values("status")
        .annotate(n=Count("id"), review=Count("id", filter=Q(needs_review=True)))
        .order_by()
    )
    counts = {row["status"]: row["n"] for row in rows}
    return {
        "institution": institution,
        "stages": _stages(counts),
        "total": sum(counts.values()),
        "needs_review": sum(row["review"] for row in rows),
    }
