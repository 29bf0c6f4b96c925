"""Reads for selection pages and the API: always through `visible_to`."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.db.models import Count, QuerySet
from django.utils import timezone

from entezam.core.scoping import allowed_roles

from .choices import (
    OPEN_APPLICATION_STATUSES,
    PIPELINE,
    STATUS_CHART_COLORS,
    STATUS_COLORS,
    ApplicationStatus,
)
from .models import Application

STAGE_PREVIEW = 6
INSTITUTION_ROWS = 20


def application_list(*, user, action: str = "view"):
    return Application.objects.visible_to(user, action).select_related(
        "person", "institution", "institution__province", "standard"
    )


def stage_medians(applications, now=None) -> dict[str, float]:
    """Median days each open application has spent in its current stage, per stage.

    Computed in Python from `status_changed_at`, so it is the same on SQLite and
    PostgreSQL; only open stages are read (decided ones do not wait).
    """
    now = now or timezone.now()
    waits: dict[str, list[float]] = defaultdict(list)
    for status, since in applications.filter(status__in=OPEN_APPLICATION_STATUSES).values_list(
        "status", "status_changed_at"
    ):
        waits[status].append((now - since).total_seconds() / 86400)
    return {status: round(statistics.median(days), 1) for status, days in waits.items()}


def pipeline_board(*, user, institution=None, province=None, now=None) -> dict:
    """Counts per stage, median days in stage, the oldest cases per open stage, and (for a
    scope wider than one institution) the institutions with the most open cases."""
    applications = Application.objects.visible_to(user)
    if institution is not None:
        applications = applications.filter(institution=institution)
    if province is not None:
        applications = applications.filter(institution__province=province)
    counts = dict(applications.values_list("status").annotate(n=Count("id")).order_by())
    medians = stage_medians(applications, now=now)
    needs_review = applications.filter(
        status=ApplicationStatus.SCREENING, needs_review=True
    ).count()
    stages = []
    for status in PIPELINE:
        stage = {
            "status": status,
            "label": ApplicationStatus(status).label,
            "count": counts.get(status, 0),
            "median_days": medians.get(status),
            "color": STATUS_COLORS[status],
            "chart_color": STATUS_CHART_COLORS[status],
            "is_open": status in OPEN_APPLICATION_STATUSES,
            "oldest": [],
        }
        if stage["is_open"] and stage["count"]:
            stage["oldest"] = list(
                applications.filter(status=status)
                .select_related("person", "institution")
                .order_by("status_changed_at", "pk")[:STAGE_PREVIEW]
            )
        stages.append(stage)
    institutions = []
    if institution is None:
        per_institution: dict[int, dict] = {}
        for row in (
            applications.values("institution_id", "institution__name", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            entry = per_institution.setdefault(
                row["institution_id"],
                {"id": row["institution_id"], "name": row["institution__name"], "counts": {}},
            )
            entry["counts"][row["status"]] = row["n"]
        for entry in per_institution.values():
            entry["open"] = sum(entry["counts"].get(s, 0) for s in OPEN_APPLICATION_STATUSES)
            entry["cells"] = [entry["counts"].get(s, 0) for s in PIPELINE]
        institutions = sorted(per_institution.values(), key=lambda e: (-e["open"], e["name"]))[
            :INSTITUTION_ROWS
        ]
    return {
        "stages": stages,
        "total": sum(counts.values()),
        "open_total": sum(counts.get(s, 0) for s in OPEN_APPLICATION_STATUSES),
        "withdrawn": counts.get(ApplicationStatus.WITHDRAWN, 0),
        "needs_review": needs_review,
        "institutions": institutions,
    }


def person_applications(*, user, person) -> QuerySet[Application]:
    """The person's selection cases that the user may see, newest first."""
    return (
        Application.objects.visible_to(user)
        .filter(person=person)
        .select_related("institution", "standard")
        .only(
            "status",
            "position",
            "submitted_at",
            "person_id",
            "institution__name",
            "standard__code",
            "standard__version",
        )
        .order_by("-submitted_at")
    )


def person_applications_panel(request, person) -> dict | None:
    """The applications panel on a person's page, for readers of applications."""
    if not allowed_roles(request.user, Application, "view"):
        return None
    return {"applications": person_applications(user=request.user, person=person)}
