"""Writes on citizen messages: intake, triage, routing, handling, the citizen's answer,
escalation and the periodic rounds. Each records one audit event and a history step."""

from __future__ import annotations

import datetime
import secrets
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import field_error
from entezam.core.persian import check_mobile, normalize, to_ascii_digits
from entezam.core.scoping import Scope, assignments_of, require, require_model_action
from entezam.core.services import create_object, update_object
from entezam.notifications.selectors import users_with_role
from entezam.notifications.services.inbox import notify

from . import classifier, routing
from .choices import (
    HANDLING_STATUSES,
    LEVEL_ROLES,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Category,
    EventKind,
    Level,
    Priority,
    Status,
)
from .conf import int_setting
from .errors import MESSAGES
from .models import (
    REPLY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Assignment,
    Feedback,
    FeedbackEvent,
    RoutingRule,
)

TEXT_MIN_LENGTH = 5
NAME_MAX_LENGTH = 100
PLACE_MAX_LENGTH = 200
DUPLICATE_SIMILARITY = 0.9


def _error(field: str, code: str, **params) -> ValidationError:
    return field_error(field, code, MESSAGES, **params)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


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


def find_duplicate(feedback: Feedback) -> Feedback | None:
    """An earlier message about the same subject with near-identical text, within the window."""
    subject = {
        "subject_person_id": feedback.subject_person_id,
        "subject_institution_id": feedback.subject_institution_id,
        "subject_police_unit_id": feedback.subject_police_unit_id,
    }
    if not any(subject.values()):
        return None
    since = timezone.now() - datetime.timedelta(days=int_setting("FEEDBACK_DUPLICATE_DAYS"))
    candidates = (
        Feedback.objects.filter(created_at__gte=since, duplicate_of__isnull=True, **subject)
        .exclude(pk=feedback.pk)
        .order_by("id")
        .only("id", "search_text")[:200]
    )
    for candidate in candidates:
        ratio = SequenceMatcher(None, candidate.search_text, feedback.search_text).ratio()
        if ratio >= DUPLICATE_SIMILARITY:
            return candidate
    return None


def feedback_submit(
    *,
    actor=None,
    channel: str,
    text: str,
    name: str = "",
    contact: str = "",
    province=None,
    county=None,
    place: str = "",
    subject_person=None,
    subject_institution=None,
    subject_police_unit=None,
    category: str = "",
) -> Feedback:
    """Take in one message (web form, phone call, API). The classifier suggests a category
    and urgency; a crime report or an urgent message is routed at once, the rest wait for
    an operator's triage. A near-duplicate is linked to the earlier message, not routed.

    `actor` is the operator entering a call (None for a citizen); an operator may set the
    category, which then counts as confirmed.
    """
    text = clean_text(text)
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise _error("name", "name_too_long", max=NAME_MAX_LENGTH)
    place = (place or "").strip()
    if len(place) > PLACE_MAX_LENGTH:
        raise _error("place", "place_too_long", max=PLACE_MAX_LENGTH)
    contact = clean_contact(contact)
    if county is not None and province is not None and county.province_id != province.pk:
        raise _error("county", "county_not_in_province")
    if county is not None and province is None:
        province = county.province
    operator = actor if getattr(actor, "is_authenticated", False) else None
    if operator is not None:
        require_model_action(operator, Feedback, "triage")
    if category and category not in Category.values:
        raise _error("category", "unknown_category")
    if category and operator is None:
        category = ""
    prediction = classifier.classify(text)
    urgent = prediction.urgent or category == Category.CRIME_REPORT
    chosen = category or prediction.category
    with transaction.atomic():
        feedback = Feedback(
            channel=channel,
            text=text,
            search_text=normalize(text),
            name=name,
            contact=contact,
            province=province,
            county=county,
            place=place,
            subject_person=subject_person,
            subject_institution=subject_institution,
            subject_police_unit=subject_police_unit,
            suggested_category=prediction.category,
            suggested_confidence=prediction.confidence,
            category=chosen,
            priority=Priority.URGENT if urgent else Priority.NORMAL,
            entered_by=operator,
        )
        if feedback.province_id is None:
            feedback.province_id = routing.province_id(feedback)
        for _attempt in range(5):
            feedback.tracking_code = new_tracking_code()
            try:
                with transaction.atomic():
                    feedback.save()
                break
            except IntegrityError:
                feedback.pk = None
                continue
        _event(feedback, EventKind.SUBMITTED, actor=operator, public=True)
        _record(
            operator,
            "feedback.submit",
            feedback,
            {
                "channel": channel,
                "suggested_category": prediction.category,
                "confidence": prediction.confidence,
                "priority": feedback.priority,
            },
            permission="triage" if operator else None,
        )
        original = find_duplicate(feedback)
        if original is not None:
            feedback.duplicate_of = original
            feedback.status = original.status
            feedback.save(update_fields=["duplicate_of", "status", "updated_at"])
            _event(feedback, EventKind.DUPLICATE, note=original.tracking_code)
            return feedback
        if category:
            feedback.category_confirmed_at = timezone.now()
            feedback.status = Status.TRIAGED
            feedback.save(update_fields=["category_confirmed_at", "status", "updated_at"])
            _event(feedback, EventKind.TRIAGED, actor=operator, note=category)
            route(feedback, actor=operator)
        elif urgent and chosen == Category.CRIME_REPORT:
            route(feedback, actor=operator)
    return feedback


def _notify_targets(feedback: Feedback, assignments: list[Assignment], *, title) -> None:
    recipients = []
    for assignment in assignments:
        role = LEVEL_ROLES[assignment.level]
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


def feedback_triage(*, actor, feedback: Feedback, category: str, urgent: bool | None = None):
    """The operator confirms or corrects the category (kept for training) and routes it."""
    require(actor, "triage", feedback)
    if category not in Category.values:
        raise _error("category", "unknown_category")
    if feedback.status != Status.NEW and feedback.category_confirmed_at is not None:
        raise _error("category", "not_new")
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        before = feedback.category
        feedback.category = category
        feedback.category_confirmed_at = timezone.now()
        if urgent is not None:
            feedback.priority = Priority.URGENT if urgent else Priority.NORMAL
        if category == Category.CRIME_REPORT:
            feedback.priority = Priority.URGENT
        routed = feedback.status != Status.NEW
        if not routed:
            feedback.status = Status.TRIAGED
        feedback.save(
            update_fields=["category", "category_confirmed_at", "priority", "status", "updated_at"]
        )
        _event(feedback, EventKind.TRIAGED, actor=actor, note=category)
        _record(
            actor,
            "feedback.triage",
            feedback,
            {"category": [before, category], "priority": feedback.priority},
            permission="triage",
        )
        if not routed:
            route(feedback, actor=actor)
    return feedback


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


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


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


def deadlines_round(*, today: datetime.date | None = None) -> str:
    """Escalate every message whose deadline passed (periodic; idempotent for a day: the
    escalation sets a new deadline in the future)."""
    today = today or timezone.localdate()
    overdue = Feedback.objects.filter(
        status__in=HANDLING_STATUSES, due_date__lt=today, duplicate_of__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(overdue[:500]):
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if feedback.status not in HANDLING_STATUSES or feedback.due_date >= today:
                continue
            feedback.breached = True
            feedback.save(update_fields=["breached", "updated_at"])
            _escalate(feedback, actor=None, reason=str(_("The deadline passed.")))
            count += 1
    return f"escalated {count}"


def close_unanswered_round(*, now: datetime.datetime | None = None) -> str:
    """Close resolved messages the citizen neither confirmed nor disputed in the window."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=int_setting("FEEDBACK_DISPUTE_DAYS"))
    rows = list(
        Feedback.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in rows:
        with transaction.atomic():
            feedback = Feedback.objects.select_for_update().get(pk=pk)
            if feedback.status != Status.RESOLVED:
                continue
            feedback.status = Status.CLOSED
            feedback.closed_at = now
            feedback.save(update_fields=["status", "closed_at", "updated_at"])
            _event(feedback, EventKind.CLOSED, public=True)
            _record(None, "feedback.close", feedback, {"status": "closed"})
    return f"closed {len(rows)}"


def contacts_erase_round(*, now: datetime.datetime | None = None) -> str:
    """Erase the name and contact of messages closed longer ago than the retention period."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=int_setting("FEEDBACK_CONTACT_RETENTION_DAYS"))
    rows = Feedback.objects.filter(Q(closed_at__lt=cutoff), contact_erased_at__isnull=True).exclude(
        contact="", name=""
    )
    count = rows.update(contact="", name="", contact_erased_at=now, updated_at=now)
    return f"erased {count}"


def routing_rule_create(*, actor, data: dict) -> RoutingRule:
    with transaction.atomic():
        return create_object(actor=actor, model=RoutingRule, data=data)


def routing_rule_update(*, actor, rule: RoutingRule, data: dict) -> RoutingRule:
    fields = [
        "category",
        "subject_kind",
        "priority",
        "to_institution",
        "to_police_unit",
        "to_province",
        "to_hq",
        "due_working_days",
        "order",
        "is_active",
    ]
    with transaction.atomic():
        return update_object(actor=actor, obj=rule, data=data, fields=fields)
