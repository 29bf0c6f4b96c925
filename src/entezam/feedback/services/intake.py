"""Intake: a message from the web form, a phone call or the API; the operator's triage."""

from __future__ import annotations

import datetime
import secrets
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.utils import timezone

from entezam.core.persian import normalize
from entezam.core.scoping import require, require_model_action

from .. import classifier, routing
from ..choices import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Category,
    EventKind,
    Priority,
    Status,
)
from ..conf import int_setting
from ..models import (
    Feedback,
)
from .common import _error, _event, _record, clean_contact, clean_text, route

NAME_MAX_LENGTH = 100
PLACE_MAX_LENGTH = 200
DUPLICATE_SIMILARITY = 0.9


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


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
    urgent: bool = False,
) -> Feedback:
    """Take in one message (web form, phone call, API). The classifier suggests a category
    and urgency; a crime report or an urgent message is routed at once, the rest wait for
    an operator's triage. A near-duplicate is linked to the earlier message, not routed.

    `actor` is the operator entering a call (None for a citizen); an operator may set the
    category, which then counts as confirmed, and mark the call urgent.
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
    if operator is None:
        category, urgent = "", False
    prediction = classifier.classify(text)
    urgent = urgent or prediction.urgent or category == Category.CRIME_REPORT
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
