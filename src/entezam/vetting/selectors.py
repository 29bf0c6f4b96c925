"""Reads for selection pages and the API: always through `visible_to`."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from entezam.core.scoping import ALL, allowed_roles, assignment_q

from . import board
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


def applicants_awaiting_check(assignment):
    """The people whose national code a station officer reads for their task: applicants of
    the applications awaiting a background check that this assignment may record (a Q over
    `Person`; `core.scoping.register_task_grant`)."""
    condition = assignment_q(Application, assignment, "record_check")
    if condition is None:
        return None
    awaiting = Application.objects.filter(status=ApplicationStatus.BACKGROUND_CHECK)
    if condition is not ALL:
        awaiting = awaiting.filter(condition)
    return Q(pk__in=awaiting.values("person_id"))


def application_list(*, user, action: str = "view"):
    return Application.objects.visible_to(user, action).select_related(
        "person", "institution", "institution__province", "standard"
    )


def pipeline_board(*, user, institution=None, province=None, now=None) -> dict:
    """Counts per stage, median days in stage, the oldest cases per open stage, and (for a
    scope wider than one institution) the institutions with the most open cases.

    Counts and medians come from the stage summary (`vetting.board`, recomputed every few
    minutes: `as_of` says when); the oldest cases are read live through an index.
    """
    now = now or timezone.now()
    applications = Application.objects.visible_to(user)
    if institution is not None:
        applications = applications.filter(institution=institution)
    if province is not None:
        applications = applications.filter(institution__province=province)
    figures, as_of = board.board_figures(
        user, applications, institution=institution, province=province
    )
    counts = {status: figure["count"] for status, figure in figures.items()}
    stages = []
    for status in PIPELINE:
        figure = figures.get(status, {})
        since = figure.get("median_since")
        stage = {
            "status": status,
            "label": ApplicationStatus(status).label,
            "count": counts.get(status, 0),
            "median_days": (
                round(max((now - since).total_seconds(), 0) / 86400, 1)
                if since is not None and status in OPEN_APPLICATION_STATUSES
                else None
            ),
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
        visible = board.board_institutions(user)
        if province is not None:
            visible = visible.filter(province=province)
        per_institution = board.institution_rows(visible.values("pk"))
        names = dict(
            visible.filter(pk__in=list(per_institution)).values_list("pk", "name").order_by()
        )
        rows = []
        for pk, by_status in per_institution.items():
            if pk not in names:
                continue
            rows.append(
                {
                    "id": pk,
                    "name": names[pk],
                    "open": sum(by_status.get(s, 0) for s in OPEN_APPLICATION_STATUSES),
                    "cells": [by_status.get(s, 0) for s in PIPELINE],
                }
            )
        institutions = sorted(rows, key=lambda e: (-e["open"], e["name"]))[:INSTITUTION_ROWS]
    return {
        "stages": stages,
        "total": sum(counts.values()),
        "open_total": sum(counts.get(s, 0) for s in OPEN_APPLICATION_STATUSES),
        "withdrawn": counts.get(ApplicationStatus.WITHDRAWN, 0),
        "needs_review": figures.get(ApplicationStatus.SCREENING, {}).get("needs_review", 0),
        "institutions": institutions,
        "as_of": as_of,
        "refresh_minutes": board.refresh_interval_minutes(),
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


def scope_label(user) -> str:
    """Where the user's screening reaches, as a confirmation names it."""
    from django.utils.translation import gettext

    from entezam.core.scoping import ALL, assignments_of, scope_condition

    if scope_condition(user, Application, "screen") is ALL:
        return gettext("the whole country")
    names = {str(a.province or a.police_unit or a.institution or "") for a in assignments_of(user)}
    return "، ".join(sorted(names - {""})) or gettext("your scope")
