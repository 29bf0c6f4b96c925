"""Courses and sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import field_error, validation_error
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import create_object, require_reason, update_object
from entezam.personnel.choices import Position

from ..choices import (
    SESSION_TRANSITIONS,
    SessionStatus,
)
from ..errors import MESSAGES
from ..models import (
    Course,
    Session,
    SyllabusVersion,
)

if TYPE_CHECKING:
    from entezam.accounts.models import User

from .common import COURSE_FIELDS, SESSION_FIELDS, changes_any

# --------------------------------------------------------------------------- courses


def _check_course(data: dict) -> None:
    errors = {}
    for name, low, high in (
        ("hours", 1, 1000),
        ("pass_mark", 1, 100),
        ("validity_months", 1, 120),
    ):
        value = data.get(name)
        if value is not None and not low <= value <= high:
            errors[name] = validation_error("out_of_range", MESSAGES, min=low, max=high)
    positions = data.get("mandatory_for")
    if positions is not None:
        if not isinstance(positions, list) or any(p not in Position.values for p in positions):
            errors["mandatory_for"] = validation_error("unknown_position", MESSAGES)
        else:
            data["mandatory_for"] = sorted(set(positions), key=Position.values.index)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def course_create(
    *, actor: User, prerequisites: list[Course] | None = None, syllabus: str = "", **data: Any
) -> Course:
    _check_course(data)
    data["code"] = (data.get("code") or "").strip().upper()
    if Course.objects.filter(code=data["code"]).exists():
        raise field_error("code", "code_taken", MESSAGES)
    course = create_object(
        actor=actor, model=Course, data={**data, "syllabus": syllabus}, action="course.create"
    )
    if prerequisites:
        course.prerequisites.set(prerequisites)
    SyllabusVersion.objects.create(course=course, version=1, text=syllabus)
    return course


@transaction.atomic
def course_update(
    *,
    actor: User,
    course: Course,
    prerequisites: list[Course] | None = None,
    syllabus: str | None = None,
    **data: Any,
) -> Course:
    """Edit a course; a changed syllabus becomes a new version (the old ones are kept)."""
    _check_course(data)
    if "code" in data:
        data["code"] = (data["code"] or "").strip().upper()
        if Course.objects.filter(code=data["code"]).exclude(pk=course.pk).exists():
            raise field_error("code", "code_taken", MESSAGES)
    extra = {}
    if prerequisites is not None:
        if any(p.pk == course.pk for p in prerequisites):
            raise field_error("prerequisites", "prerequisite_self", MESSAGES)
        require(actor, "change", course)
        before = sorted(course.prerequisites.values_list("code", flat=True))
        after = sorted(p.code for p in prerequisites)
        if before != after:
            course.prerequisites.set(prerequisites)
            extra["prerequisites"] = [before, after]
    fields = [name for name in COURSE_FIELDS if name in data]
    if syllabus is not None and syllabus.strip() != course.syllabus.strip():
        data["syllabus"] = syllabus.strip()
        data["syllabus_version"] = course.syllabus_version + 1
        fields += ["syllabus", "syllabus_version"]
        SyllabusVersion.objects.create(
            course=course, version=data["syllabus_version"], text=data["syllabus"]
        )
    if extra and not changes_any(course, data, fields):
        audit.record(actor=actor, action="course.update", obj=course, changes=extra)
        return course
    return update_object(
        actor=actor,
        obj=course,
        data=data,
        fields=fields,
        action="course.update",
        record=[f for f in fields if f != "syllabus"],
        extra_changes=extra,
    )


# --------------------------------------------------------------------------- sessions


def _check_session(data: dict, trainers) -> None:
    errors = {}
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors["end_date"] = validation_error("end_before_start", MESSAGES)
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= capacity <= 1000:
        errors["capacity"] = validation_error("out_of_range", MESSAGES, min=1, max=1000)
    unit, province = data.get("police_unit"), data.get("province")
    if unit is not None and province is not None and unit.province_id != province.pk:
        errors["police_unit"] = validation_error("unit_in_other_province", MESSAGES)
    course = data.get("course")
    if course is not None and not course.is_active:
        errors["course"] = validation_error("course_inactive", MESSAGES)
    if trainers is not None:
        if not trainers:
            errors["trainers"] = validation_error("trainer_required", MESSAGES)
        for user in trainers:
            if not user.has_role(Role.TRAINER):
                errors["trainers"] = validation_error(
                    "not_a_trainer", MESSAGES, name=user.get_full_name() or user.username
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(*, actor: User, trainers: list, **data: Any) -> Session:
    _check_session(data, trainers)
    data["status"] = SessionStatus.PLANNED
    require_model_action(actor, Session, "add")
    session = Session(**data)
    session.full_clean()
    session.save()
    session.trainers.set(trainers)
    ensure_still_visible(actor, "add", session)
    audit.record(
        actor=actor,
        action="session.create",
        obj=session,
        changes={
            **{k: [None, v] for k, v in audit._jsonable(data).items() if v not in (None, "")},
            "trainers": [None, sorted(u.username for u in trainers)],
        },
        permission="add",
    )
    return session


@transaction.atomic
def session_update(*, actor: User, session: Session, trainers: list | None = None, **data):
    merged = {name: data.get(name, getattr(session, name)) for name in SESSION_FIELDS}
    _check_session(merged, trainers)
    session = Session.objects.select_for_update().get(pk=session.pk)
    require(actor, "change", session)
    extra = {}
    if trainers is not None:
        before = sorted(session.trainers.values_list("username", flat=True))
        after = sorted(u.username for u in trainers)
        if before != after:
            session.trainers.set(trainers)
            extra["trainers"] = [before, after]
    fields = [name for name in SESSION_FIELDS if name in data]
    if extra and not changes_any(session, data, fields):
        audit.record(actor=actor, action="session.update", obj=session, changes=extra)
        return session
    return update_object(
        actor=actor,
        obj=session,
        data=data,
        fields=fields,
        action="session.update",
        extra_changes=extra,
    )


@transaction.atomic
def session_transition(*, actor: User, session: Session, action: str, reason: str = "") -> Session:
    """Open, start, complete or cancel a session (a cancellation needs a reason)."""
    if action not in SESSION_TRANSITIONS:
        raise field_error("action", "invalid_transition", MESSAGES, status=action)
    session = Session.objects.select_for_update().get(pk=session.pk)
    require(actor, action, session)
    sources, target = SESSION_TRANSITIONS[action]
    if session.status not in sources:
        raise field_error(
            "status", "invalid_transition", MESSAGES, status=session.get_status_display()
        )
    if action == "cancel":
        reason = require_reason(reason)
    before = session.status
    session.status = target
    session.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=f"session.{action}",
        obj=session,
        changes={"status": [before, target]},
        reason=reason,
        permission=action,
    )
    return session
