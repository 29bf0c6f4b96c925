"""The selection board's summary: counts, reviews waiting and median days in stage per
scope (the nation, each province, police unit and institution) and stage.

A periodic job (`refresh_stage_summary`, every `BOARD_REFRESH_SECONDS`) recomputes the
whole table with one grouped query per scope level, medians by `percentile_cont` on
PostgreSQL, and swaps it in one transaction; readers see the old table or the new one.
A board then reads a handful of rows whatever the number of applications. A user whose
scope is not one of those levels (several role assignments) gets the same figures
computed from their applications directly (still in SQL on PostgreSQL).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet
from django.utils import timezone

from entezam.core.scoping import ALL, Scope, assignment_q, assignments_of, scope_condition
from entezam.institutions.models import Institution

from .choices import OPEN_APPLICATION_STATUSES
from .models import Application, StageSummary

# Summary level -> the application's lookup to that level's object.
LEVELS = {
    StageSummary.Scope.NATION: None,
    StageSummary.Scope.PROVINCE: "institution__province_id",
    StageSummary.Scope.POLICE_UNIT: "institution__supervising_unit_id",
    StageSummary.Scope.INSTITUTION: "institution_id",
}


class MedianEpoch(Aggregate):
    """The median of a timestamp column, as seconds since the epoch (PostgreSQL)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _from_epoch(seconds: float | None) -> datetime.datetime | None:
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _python_median(times: list[datetime.datetime]) -> datetime.datetime:
    return _from_epoch(statistics.median(t.timestamp() for t in times))  # type: ignore[return-value]


def stage_figures(applications: QuerySet, group: str | None = None) -> dict:
    """{(group value, status): {"count", "needs_review", "median_since"}} of
    `applications`, grouped by `group` (a lookup) or not at all (group value None)."""
    keys = [group, "status"] if group else ["status"]
    figures: dict = {}
    rows = (
        applications.values(*keys)
        .annotate(n=Count("id"), review=Count("id", filter=Q(needs_review=True)))
        .order_by()
    )
    for row in rows:
        figures[(row[group] if group else None, row["status"])] = {
            "count": row["n"],
            "needs_review": row["review"],
            "median_since": None,
        }
    waiting = applications.filter(status__in=OPEN_APPLICATION_STATUSES)
    if connection.vendor == "postgresql":
        medians = waiting.values(*keys).annotate(median=MedianEpoch("status_changed_at")).order_by()
        for row in medians:
            key = (row[group] if group else None, row["status"])
            figures[key]["median_since"] = _from_epoch(row["median"])
    else:
        # SQLite (the demo) has no percentile function: small data, done in Python.
        times: dict = defaultdict(list)
        for *values, since in waiting.values_list(*keys, "status_changed_at").iterator():
            times[(values[0] if group else None, values[-1])].append(since)
        for key, values in times.items():
            figures[key]["median_since"] = _python_median(values)
    return figures


def refresh_stage_summary() -> int:
    """Recompute the whole summary; returns the rows written."""
    now = timezone.now()
    rows = []
    for level, lookup in LEVELS.items():
        for (scope_id, status), figure in stage_figures(Application.objects.all(), lookup).items():
            if lookup and scope_id is None:
                continue
            rows.append(
                StageSummary(
                    scope=level, scope_id=scope_id or 0, status=status, computed_at=now, **figure
                )
            )
    with transaction.atomic():
        StageSummary.objects.all().delete()
        StageSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def summary_age() -> datetime.datetime | None:
    """When the summary was last computed (None: never)."""
    row = StageSummary.objects.order_by().values_list("computed_at", flat=True).first()
    return row


def _covers(assignment, *, institution=None, province=None) -> bool:
    """Whether the assignment's scope holds the whole institution (or province)."""
    scope, scope_id = assignment.scope, assignment.scope_object_id
    if scope == Scope.NATION:
        return True
    if province is not None:
        return scope == Scope.PROVINCE and scope_id == province.pk
    return (
        (scope == Scope.PROVINCE and scope_id == institution.province_id)
        or (scope == Scope.POLICE_UNIT and scope_id == institution.supervising_unit_id)
        or (scope == Scope.INSTITUTION and scope_id == institution.pk)
    )


def _scope_of(user, *, institution=None, province=None) -> tuple[str, int] | None:
    """The summary scope whose figures are exactly what this user's board shows, if any
    (otherwise the board is computed from the user's applications)."""
    viewing = [a for a in assignments_of(user) if assignment_q(Application, a, "view") is not None]
    if institution is not None or province is not None:
        if not any(_covers(a, institution=institution, province=province) for a in viewing):
            return None
        if institution is not None:
            return StageSummary.Scope.INSTITUTION, institution.pk
        return StageSummary.Scope.PROVINCE, province.pk
    if scope_condition(user, Application, "view") is ALL:
        return StageSummary.Scope.NATION, 0
    scopes = {(a.scope, a.scope_object_id) for a in viewing}
    if len(scopes) == 1:
        scope, scope_id = scopes.pop()
        if scope in (Scope.PROVINCE, Scope.POLICE_UNIT, Scope.INSTITUTION):
            return str(scope), scope_id
    return None


def board_figures(user, applications: QuerySet, *, institution=None, province=None):
    """Per-status figures for the board, and when they were computed (None: now, live).

    `applications` is what the board covers (already scoped); it is read only when the
    user's scope has no summary of its own.
    """
    scope = _scope_of(user, institution=institution, province=province)
    if scope is None:
        live = stage_figures(applications)
        return {status: figure for (_none, status), figure in live.items()}, None
    computed = summary_age()
    if computed is None:
        refresh_stage_summary()
        computed = summary_age()
    rows = StageSummary.objects.filter(scope=scope[0], scope_id=scope[1])
    figures = {
        row.status: {
            "count": row.count,
            "needs_review": row.needs_review,
            "median_since": row.median_since,
        }
        for row in rows
    }
    return figures, computed


def institution_rows(institution_ids: Iterable[int] | QuerySet) -> dict[int, dict[str, int]]:
    """{institution id: {status: count}} from the summary, for the institutions given."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for scope_id, status, count in StageSummary.objects.filter(
        scope=StageSummary.Scope.INSTITUTION, scope_id__in=institution_ids
    ).values_list("scope_id", "status", "count"):
        counts[scope_id][status] = count
    return counts


def board_institutions(user) -> QuerySet:
    """Institutions whose applications the user sees: the institution scope of each role
    assignment that gives the user applications (not of other roles they hold)."""
    condition = None
    for assignment in assignments_of(user):
        if assignment_q(Application, assignment, "view") is None:
            continue
        scope_q = assignment_q(Institution, assignment, "view")
        if scope_q is ALL or (scope_q is None and assignment.scope == Scope.NATION):
            return Institution.objects.all()
        if scope_q is not None:
            condition = scope_q if condition is None else condition | scope_q
    return (
        Institution.objects.none() if condition is None else Institution.objects.filter(condition)
    )


def refresh_interval_minutes() -> int:
    return max(1, round(settings.BOARD_REFRESH_SECONDS / 60))
