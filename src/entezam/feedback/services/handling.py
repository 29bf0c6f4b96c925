"""Handling: start, resolve, "not responsible" (re-route), escalate; the citizen's
confirmation or dispute."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.scoping import Scope, assignments_of, require

from .. import routing
from ..choices import (
    HANDLING_STATUSES,
    EventKind,
    Level,
    Status,
)
from ..conf import int_setting
from ..models import (
    REPLY_MAX_LENGTH,
    Assignment,
    Feedback,
)
from .common import _assign, _end, _error, _event, _locked, _notify_targets, _record


def _actor_assignments(actor, feedback: Feedback) -> list[Assignment]:
    """The active assignments of `feedback` the actor holds (all of them for HQ or a
    province officer acting over the levels below)."""
    active = list(feedback.assignments.filter(is_active=True))
    mine: list[Assignment] = []
    for role_assignment in assignments_of(actor):
        if role_assignment.scope == Scope.NATION and role_assignment.role == Role.HQ_ADMIN:
            return active
        for assignment in active:
            if (
                (
                    role_assignment.role == Role.INSTITUTION_MANAGER
                    and assignment.institution_id == role_assignment.scope_object_id
                )
                or (
                    role_assignment.role == Role.STATION_OFFICER
                    and assignment.police_unit_id == role_assignment.scope_object_id
                )
                or (
                    role_assignment.role == Role.PROVINCE_OFFICER
                    and feedback.province_id == role_assignment.scope_object_id
                )
            ) and assignment not in mine:
                mine.append(assignment)
    return mine


def feedback_start(*, actor, feedback: Feedback) -> Feedback:
    require(actor, "handle", feedback)
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status not in HANDLING_STATUSES:
            raise _error("status", "not_handling")
        if feedback.status == Status.IN_PROGRESS:
            return feedback
        feedback.status = Status.IN_PROGRESS
        feedback.save(update_fields=["status", "updated_at"])
        _event(feedback, EventKind.STARTED, actor=actor, public=True)
        _record(actor, "feedback.start", feedback, {"status": "in_progress"}, "handle")
    return feedback


def feedback_reroute(
    *, actor, feedback: Feedback, institution=None, police_unit=None, reason: str = ""
) -> Feedback:
    """ "Not responsible": the assignee names who is; the message moves there with its
    history (the citizen resubmits nothing) and the new assignee is notified."""
    require(actor, "handle", feedback)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _error("reason", "reason_required")
    if institution is None and police_unit is None:
        raise _error("responsible", "responsible_required")
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status not in HANDLING_STATUSES:
            raise _error("status", "not_handling")
        mine = _actor_assignments(actor, feedback)
        target = (
            routing.Target(Level.INSTITUTION, institution_id=institution.pk)
            if institution is not None
            else routing.Target(Level.POLICE_UNIT, police_unit_id=police_unit.pk)
        )
        current = {a_.pk: a_ for a_ in feedback.assignments.filter(is_active=True)}
        for assignment in current.values():
            same = (
                assignment.level,
                assignment.institution_id,
                assignment.police_unit_id,
                assignment.province_id,
            ) == target.key()
            if same:
                raise _error("responsible", "responsible_is_current")
        _end(mine)
        created = _assign(feedback, [target])
        if feedback.province_id is None:
            feedback.province_id = (institution or police_unit).province_id
        feedback.status = Status.ASSIGNED
        feedback.save(update_fields=["status", "province", "updated_at"])
        names = created[0].target_name
        _event(feedback, EventKind.REROUTED, actor=actor, note=f"{names}: {reason}", public=False)
        _event(feedback, EventKind.ASSIGNED, actor=actor, note=names, public=True)
        _record(
            actor,
            "feedback.reroute",
            feedback,
            {"from": ", ".join(a.target_name for a in mine), "to": names, "reason": reason},
            "handle",
        )
        _notify_targets(feedback, created, title=_("A citizen message was re-routed to you"))
    return feedback


def feedback_resolve(*, actor, feedback: Feedback, reply: str) -> Feedback:
    """Resolve with a public reply the citizen reads on the status page."""
    require(actor, "handle", feedback)
    reply = (reply or "").strip()
    if not reply:
        raise _error("reply", "reply_required")
    if len(reply) > REPLY_MAX_LENGTH:
        raise _error("reply", "reply_too_long", max=REPLY_MAX_LENGTH)
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status not in HANDLING_STATUSES:
            raise _error("status", "not_handling")
        feedback.status = Status.RESOLVED
        feedback.public_reply = reply
        feedback.resolved_at = timezone.now()
        feedback.save(update_fields=["status", "public_reply", "resolved_at", "updated_at"])
        _event(feedback, EventKind.RESOLVED, actor=actor, note=reply, public=True)
        _record(actor, "feedback.resolve", feedback, {"public_reply": reply}, "handle")
        _follow_original(feedback)
    return feedback


def _follow_original(feedback: Feedback) -> None:
    """Duplicates show their original's status."""
    feedback.duplicates.update(status=feedback.status, updated_at=timezone.now())


def dispute_deadline(feedback: Feedback) -> datetime.datetime | None:
    if feedback.resolved_at is None:
        return None
    return feedback.resolved_at + datetime.timedelta(days=int_setting("FEEDBACK_DISPUTE_DAYS"))


def _check_answerable(feedback: Feedback) -> None:
    if feedback.status != Status.RESOLVED:
        raise _error("status", "not_resolved")
    deadline = dispute_deadline(feedback)
    if deadline is not None and timezone.now() > deadline:
        raise _error("status", "dispute_window_over", days=int_setting("FEEDBACK_DISPUTE_DAYS"))


def feedback_confirm(*, feedback: Feedback) -> Feedback:
    """The citizen (holding the tracking code) confirms the resolution: the case closes."""
    with transaction.atomic():
        feedback = _locked(feedback)
        _check_answerable(feedback)
        feedback.status = Status.CLOSED
        feedback.closed_at = timezone.now()
        feedback.save(update_fields=["status", "closed_at", "updated_at"])
        _event(feedback, EventKind.CONFIRMED, public=True)
        _record(None, "feedback.confirm", feedback, {"status": "closed"})
        _follow_original(feedback)
    return feedback


def feedback_dispute(*, feedback: Feedback, note: str = "") -> Feedback:
    """The citizen disputes the resolution within the window: the case reopens and goes up
    one level (a dispute of what HQ resolved goes back to HQ)."""
    note = (note or "").strip()[:1000]
    with transaction.atomic():
        feedback = _locked(feedback)
        _check_answerable(feedback)
        feedback.disputes += 1
        feedback.resolved_at = None
        feedback.save(update_fields=["disputes", "resolved_at", "updated_at"])
        _event(feedback, EventKind.DISPUTED, note=note, public=True)
        _record(None, "feedback.dispute", feedback, {"note": note})
        _escalate(feedback, actor=None, reason=str(_("The citizen disputed the resolution.")))
        _follow_original(feedback)
    return feedback


def _escalate(feedback: Feedback, *, actor, reason: str) -> list[Assignment]:
    active = list(feedback.assignments.filter(is_active=True))
    ever = list(feedback.assignments.values_list("level", flat=True))
    level = routing.next_level([a.level for a in active] or ever)
    if level is None:
        # Already at HQ: it stays (or returns) there with a new deadline.
        level = Level.HQ
    target = routing.resolve_up(feedback, level)
    _end(active)
    created = _assign(feedback, [target])
    _targets, days = routing.targets_for(feedback)
    feedback.status = Status.ASSIGNED
    feedback.escalations += 1
    feedback.due_date = routing.due_date(timezone.localdate(), days)
    feedback.save(update_fields=["status", "escalations", "due_date", "updated_at"])
    _event(feedback, EventKind.ESCALATED, actor=actor, note=created[0].target_name, public=True)
    _record(
        actor,
        "feedback.escalate",
        feedback,
        {"to": created[0].target_name, "reason": reason},
        permission="handle" if getattr(actor, "is_authenticated", False) else None,
    )
    _notify_targets(feedback, created, title=_("A citizen message was escalated to you"))
    return created


def feedback_escalate(*, actor, feedback: Feedback, reason: str) -> Feedback:
    """An assignee (or HQ) sends the message up one level by hand."""
    require(actor, "handle", feedback)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _error("reason", "reason_required")
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status not in HANDLING_STATUSES:
            raise _error("status", "not_handling")
        if (
            routing.next_level([a.level for a in feedback.assignments.filter(is_active=True)])
            is None
        ):
            raise _error("reason", "top_level")
        _escalate(feedback, actor=actor, reason=reason)
    return feedback
