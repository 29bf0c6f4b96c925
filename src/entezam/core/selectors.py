"""Reads of the framework's own models: the audit log and jobs, always scoped."""

from __future__ import annotations

from django.db.models import QuerySet

from .audit import for_reader
from .exports import JOB_KIND as EXPORT_JOB_KIND
from .models import AuditEvent, Job
from .registry import HOME_PANELS, PANELS
from .scoping import access


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.visible_to(user)


def object_history(obj, limit: int = 100) -> QuerySet[AuditEvent]:
    """Events about one object, newest first (whoever may open its page sees them)."""
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-id")[:limit]


def job_access(*, user, pk, kind: str | None = None) -> Job:
    jobs = Job.objects.all() if kind is None else Job.objects.filter(kind=kind)
    return access(jobs, user=user, pk=pk)


def export_job_access(*, user, pk) -> Job:
    """An export job and its file, for the user who asked only (anyone else: 404), even a
    role that sees every job: the file holds what that user's scope showed."""
    jobs = Job.objects.filter(kind=EXPORT_JOB_KIND, created_by_id=user.pk)
    return access(jobs, user=user, pk=pk)


def recent_events_panel(request) -> dict | None:
    events = for_reader(audit_event_list(user=request.user)[:8], request.user)
    return {"history": events} if events else None


def _holds(user, roles) -> bool:
    if not roles:
        return True
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role(*roles))


def _render_panels(panels, request, *args) -> list[dict]:
    rendered = []
    for panel in panels:
        if not _holds(request.user, panel.roles):
            continue
        context = panel.context(request, *args)
        if context is not None:
            rendered.append({"template": panel.template, "context": context})
    return rendered


def home_panels(request) -> list[dict]:
    """The home-page panels the apps registered, with their context for this user."""
    return _render_panels(HOME_PANELS, request)


def object_panels(request, obj) -> list[dict]:
    """Panels other apps registered on `obj`'s detail page."""
    return _render_panels(PANELS.get(obj._meta.label_lower, []), request, obj)
