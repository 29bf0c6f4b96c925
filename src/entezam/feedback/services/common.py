"""Shared steps of the feedback services: validation, history, audit, routing, notices."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import field_error
from entezam.core.persian import check_mobile, to_ascii_digits
from entezam.notifications.selectors import users_with_role
from entezam.notifications.services.inbox import notify

from .. import routing
from ..choices import (
    LEVEL_ROLES,
    Category,
    EventKind,
    Level,
    Status,
)
from ..errors import MESSAGES
from ..models import (
    TEXT_MAX_LENGTH,
    Assignment,
    Feedback,
    FeedbackEvent,
)

TEXT_MIN_LENGTH = 3


def _error(field: str, code: str, **params) -> ValidationError:
    return field_error(field, code, MESSAGES, **params)


def clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise _error("text", "text_required")
    if len(text) < TEXT_MIN_LENGTH:
        raise _error("text", "text_too_short", min=TEXT_MIN_LENGTH)
    if len(text) > TEXT_MAX_LENGTH:
        raise _error("text", "text_too_long", max=TEXT_MAX_LENGTH)
    return text


def clean_contact(contact: str) -> str:
    """A mobile number (stored in ASCII digits) or an e-mail address; blank is allowed."""
    contact = to_ascii_digits((contact or "").strip())
    if not contact:
        return ""
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise _error("contact", "contact_invalid") from None
        return contact[:100]
    if not check_mobile(contact):
        raise _error("contact", "contact_invalid")
    return str(check_mobile(contact).value)


def _event(feedback, kind, *, actor=None, note="", public=False) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        public=public,
        created_at=timezone.now(),
    )


def _record(actor, action: str, feedback: Feedback, changes: dict, permission=None) -> None:
    audit.record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        obj=feedback,
        changes=changes,
        permission=permission,
        role=None if getattr(actor, "is_authenticated", False) else "",
    )


def _notify_targets(feedback: Feedback, assignments: list[Assignment], *, title) -> None:
    recipients = []
    for assignment in assignments:
        role = LEVEL_ROLES[Level(assignment.level)]
        if assignment.level == Level.HQ:
            recipients += list(users_with_role(role))
        else:
            recipients += list(
                users_with_role(
                    role,
                    institution=assignment.institution_id,
                    police_unit=assignment.police_unit_id,
                    province=assignment.province_id,
                )
            )
    notify(
        recipients=recipients,
        event="feedback.assigned",
        title=title,
        body=feedback.text[:300],
        obj=feedback,
        url=f"/feedback/{feedback.pk}/",
        urgent=feedback.is_urgent,
        dedupe_key=f"feedback:{feedback.pk}:assigned:{assignments[0].pk}" if assignments else None,
    )


def _assign(feedback: Feedback, targets: list[routing.Target]) -> list[Assignment]:
    now = timezone.now()
    created = [
        Assignment.objects.create(
            feedback=feedback,
            level=target.level,
            institution_id=target.institution_id,
            police_unit_id=target.police_unit_id,
            province_id=target.province_id,
            assigned_at=now,
        )
        for target in targets
    ]
    return created


def _end(assignments) -> None:
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
        is_active=False, ended_at=timezone.now()
    )


def route(feedback: Feedback, *, actor=None) -> list[Assignment]:
    """Send the message to whoever can act on it (the routing rules), set its deadline in
    working days and tell the assignees (an urgent message notifies them immediately)."""
    targets, days = routing.targets_for(feedback)
    created = _assign(feedback, targets)
    feedback.due_date = routing.due_date(timezone.localdate(), days)
    feedback.status = Status.ASSIGNED
    feedback.save(update_fields=["due_date", "status", "updated_at"])
    names = ", ".join(a.target_name for a in created)
    _event(feedback, EventKind.ASSIGNED, actor=actor, note=names, public=True)
    _record(
        actor,
        "feedback.route",
        feedback,
        {"assigned_to": names, "due_date": feedback.due_date.isoformat()},
        permission="triage" if getattr(actor, "is_authenticated", False) else None,
    )
    _notify_targets(feedback, created, title=_("A citizen message for you to handle"))
    if feedback.category == Category.APPRECIATION:
        _praise_reaches_institution(feedback)
    return created


def _praise_reaches_institution(feedback: Feedback) -> None:
    institution = routing.subject_institution(feedback)
    if institution is None:
        return

    notify(
        recipients=list(users_with_role(Role.INSTITUTION_MANAGER, institution=institution)),
        event="feedback.praise",
        title=_("A citizen thanked your institution"),
        body=feedback.text[:300],
        obj=feedback,
        url=f"/feedback/{feedback.pk}/",
        dedupe_key=f"feedback:{feedback.pk}:praise",
    )


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)
