"""Writes on training: courses, sessions, enrolments (one by one or in bulk), attendance,
scores, certificates, and the periodic expiry of certificates.

Each service runs in one transaction, checks the actor's scope, writes and records one
audit event. A passing score issues the certificate in the same transaction.
"""

from __future__ import annotations

import datetime
import math
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import field_error, validation_error
from entezam.core.persian import add_months, format_jalali
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import create_object, require_reason, update_object
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position
from entezam.personnel.models import Employment, Person
from entezam.personnel.reach import reach_link
from entezam.vetting.choices import ApplicationStatus
from entezam.vetting.models import Application

from .choices import (
    ENROLLING_STATUSES,
    RUNNING_STATUSES,
    SESSION_TRANSITIONS,
    CertificateStatus,
    EnrolmentResult,
    SessionStatus,
)
from .errors import MESSAGES
from .models import (
    ACTIVE_ENROLMENT,
    Certificate,
    Course,
    Enrolment,
    Session,
    SyllabusVersion,
    valid_certificates,
)

if TYPE_CHECKING:
    from entezam.accounts.models import User

ENROLMENT = "training.enrolment"
COURSE_FIELDS = (
    "code",
    "title",
    "audience",
    "hours",
    "pass_mark",
    "validity_months",
    "mandatory_for",
    "is_active",
)
SESSION_FIELDS = (
    "course",
    "province",
    "police_unit",
    "venue",
    "start_date",
    "end_date",
    "capacity",
)
# A participant passes with at least this share of the session's days attended.
MIN_ATTENDANCE = 0.8
# A certificate this close to expiry may be renewed by a retake.
RENEWAL_DAYS = 90


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
    if extra and not _changes_any(course, data, fields):
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
    if extra and not _changes_any(session, data, fields):
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


def _changes_any(obj, data: dict, fields) -> bool:
    return any(getattr(obj, name) != data[name] for name in fields)


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


# --------------------------------------------------------------------------- enrolment


def is_eligible(person: Person, institution: Institution) -> bool:
    """An approved application at the institution, or one of its managers (the managing
    director, or a current employment as manager)."""
    if Application.objects.filter(
        person=person, institution=institution, status=ApplicationStatus.APPROVED
    ).exists():
        return True
    if (
        institution.managing_director_national_code
        and institution.managing_director_national_code == person.national_code
    ):
        return True
    return Employment.objects.filter(
        person=person, institution=institution, position=Position.MANAGER, end_date__isnull=True
    ).exists()


def enrolment_refusal(
    session: Session, person: Person, institution: Institution, today: datetime.date
) -> ValidationError | None:
    """Why `person` cannot be enrolled in `session` for `institution`, or None."""
    course = session.course
    if session.status not in ENROLLING_STATUSES:
        return field_error(
            "session", "session_not_enrolling", MESSAGES, status=session.get_status_display()
        )
    if not is_eligible(person, institution):
        return field_error("person", "not_eligible", MESSAGES)
    mine = Enrolment.objects.filter(ACTIVE_ENROLMENT, person=person)
    if mine.filter(session=session).exists():
        return field_error("person", "already_enrolled", MESSAGES)
    overlapping = (
        mine.exclude(session__status=SessionStatus.CANCELLED)
        .filter(
            session__start_date__lte=session.end_date, session__end_date__gte=session.start_date
        )
        .exclude(result=EnrolmentResult.FAILED, session__status=SessionStatus.COMPLETED)
        .select_related("session__course")
        .first()
    )
    if overlapping is not None:
        return field_error(
            "person", "overlapping_session", MESSAGES, session=str(overlapping.session)
        )
    held = set(
        valid_certificates(today)
        .filter(person=person, course__in=course.prerequisites.all())
        .values_list("course_id", flat=True)
    )
    missing = [c.code for c in course.prerequisites.all() if c.pk not in held]
    if missing:
        return field_error("person", "missing_prerequisite", MESSAGES, courses=missing)
    current = (
        valid_certificates(today)
        .filter(
            person=person,
            course=course,
            expires_on__gt=today + datetime.timedelta(days=RENEWAL_DAYS),
        )
        .order_by("-expires_on")
        .first()
    )
    if current is not None:
        return field_error(
            "person", "already_certified", MESSAGES, date=format_jalali(current.expires_on)
        )
    return None


def _enrol(*, session: Session, person: Person, institution: Institution, today) -> Enrolment:
    refusal = enrolment_refusal(session, person, institution, today)
    if refusal is not None:
        raise refusal
    taken = Enrolment.objects.filter(ACTIVE_ENROLMENT, session=session).count()
    if taken >= session.capacity:
        raise field_error("session", "session_full", MESSAGES, capacity=session.capacity)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                session=session, person=person, institution=institution
            )
    except IntegrityError:
        raise field_error("person", "already_enrolled", MESSAGES) from None
    reach_link(person_id=person.pk, institution_id=institution.pk, source=ENROLMENT)
    return enrolment


def _locked_session(actor, session: Session) -> Session:
    # The row lock serialises enrolments in one session, so the capacity holds.
    locked = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    require(actor, "enrol", locked)
    return locked


@transaction.atomic
def enrolment_create(
    *, actor: User, session: Session, person: Person, institution: Institution
) -> Enrolment:
    """Enrol one person, for the institution they are (to be) working at."""
    session = _locked_session(actor, session)
    require(actor, "view", institution)
    enrolment = _enrol(
        session=session, person=person, institution=institution, today=timezone.localdate()
    )
    ensure_still_visible(actor, "add", enrolment)
    audit.record(
        actor=actor,
        action="enrolment.create",
        obj=enrolment,
        changes={"session": [None, session.pk], "person": [None, person.pk]},
        permission="add",
    )
    return enrolment


def bulk_candidates(session: Session, institution: Institution, today: datetime.date):
    """People with an approved application at the institution for a position the course is
    mandatory for, who lack a valid certificate of it (or hold one lapsing soon) and are not
    enrolled in a session of the course still to be held."""
    course = session.course
    positions = course.mandatory_for or []
    renewal = today + datetime.timedelta(days=RENEWAL_DAYS)
    certified = valid_certificates(today).filter(course=course, expires_on__gt=renewal)
    pending = Enrolment.objects.filter(
        result=EnrolmentResult.PENDING,
        session__course=course,
        session__status__in=[*ENROLLING_STATUSES, SessionStatus.IN_PROGRESS],
    )
    person_ids = Application.objects.filter(
        institution=institution, status=ApplicationStatus.APPROVED, position__in=positions
    ).values("person_id")
    return (
        Person.objects.filter(pk__in=person_ids)
        .exclude(pk__in=certified.values("person_id"))
        .exclude(pk__in=pending.values("person_id"))
        .order_by("last_name", "first_name", "pk")
    )


@dataclass
class BulkEnrolment:
    enrolled: list[Enrolment] = field(default_factory=list)
    # (person, reason message)
    refused: list[tuple[Person, str]] = field(default_factory=list)
    left_out_for_capacity: int = 0


@transaction.atomic
def enrolments_create_bulk(
    *, actor: User, session: Session, institution: Institution
) -> BulkEnrolment:
    """Enrol every approved applicant of `institution` who lacks the (mandatory) course,
    as far as the seats go; one audit event for the whole operation."""
    session = _locked_session(actor, session)
    require(actor, "view", institution)
    require_model_action(actor, Enrolment, "add")
    today = timezone.localdate()
    report = BulkEnrolment()
    free = session.capacity - Enrolment.objects.filter(ACTIVE_ENROLMENT, session=session).count()
    for person in bulk_candidates(session, institution, today).iterator(chunk_size=500):
        if len(report.enrolled) >= free:
            report.left_out_for_capacity += 1
            continue
        try:
            with transaction.atomic():
                report.enrolled.append(
                    _enrol(session=session, person=person, institution=institution, today=today)
                )
        except ValidationError as exc:
            report.refused.append((person, " ".join(exc.messages)))
    for enrolment in report.enrolled[:1]:
        ensure_still_visible(actor, "add", enrolment)
    if report.enrolled:
        audit.record(
            actor=actor,
            action="enrolment.bulk",
            obj=session,
            changes={
                "institution": institution.registration_number,
                "enrolled": len(report.enrolled),
                "refused": len(report.refused),
                "left_out_for_capacity": report.left_out_for_capacity,
            },
            permission="enrol",
        )
    return report


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment, reason: str) -> Enrolment:
    reason = require_reason(reason)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    require(actor, "withdraw", enrolment)
    if enrolment.result != EnrolmentResult.PENDING:
        raise field_error("result", "result_final", MESSAGES)
    enrolment.result = EnrolmentResult.WITHDRAWN
    enrolment.save(update_fields=["result", "updated_at"])
    audit.record(
        actor=actor,
        action="enrolment.withdraw",
        obj=enrolment,
        changes={"result": [EnrolmentResult.PENDING, EnrolmentResult.WITHDRAWN]},
        reason=reason,
        permission="withdraw",
    )
    return enrolment


# --------------------------------------------------------------------------- attendance, scores


def _graded(actor, enrolment: Enrolment) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("session__course", "person")
        .get(pk=enrolment.pk)
    )
    require(actor, "grade", enrolment)
    session = enrolment.session
    if session.status not in RUNNING_STATUSES:
        raise field_error(
            "session", "session_not_running", MESSAGES, status=session.get_status_display()
        )
    if session.start_date > timezone.localdate():
        raise field_error("session", "not_started", MESSAGES)
    if enrolment.result == EnrolmentResult.WITHDRAWN:
        raise field_error("result", "enrolment_withdrawn", MESSAGES)
    return enrolment


@transaction.atomic
def enrolment_record_attendance(
    *, actor: User, enrolment: Enrolment, attendance: dict[datetime.date, bool]
) -> Enrolment:
    """Record presence (True) or absence (False) for some of the session's days."""
    enrolment = _graded(actor, enrolment)
    if hasattr(enrolment, "certificate"):
        raise field_error("attendance", "result_final", MESSAGES)
    days, today = set(enrolment.session.days()), timezone.localdate()
    recorded = dict(enrolment.attendance or {})
    for day, present in attendance.items():
        if day not in days:
            raise field_error("attendance", "day_outside_session", MESSAGES)
        if day > today:
            raise field_error("attendance", "day_in_future", MESSAGES)
        recorded[day.isoformat()] = bool(present)
    if recorded == enrolment.attendance:
        return enrolment
    before = enrolment.attendance
    enrolment.attendance = dict(sorted(recorded.items()))
    enrolment.save(update_fields=["attendance", "updated_at"])
    audit.record(
        actor=actor,
        action="enrolment.attendance",
        obj=enrolment,
        changes={"attendance": [before, enrolment.attendance]},
        permission="grade",
    )
    return enrolment


def attendance_enough(enrolment: Enrolment) -> bool:
    days = len(enrolment.session.days())
    return enrolment.days_present() >= math.ceil(MIN_ATTENDANCE * days)


@transaction.atomic
def enrolment_record_score(*, actor: User, enrolment: Enrolment, score: int) -> Enrolment:
    """Record the score; the result follows (pass mark and attendance), and a pass issues
    the certificate. A result with a certificate is final."""
    enrolment = _graded(actor, enrolment)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        raise field_error("score", "out_of_range", MESSAGES, min=0, max=100)
    if hasattr(enrolment, "certificate"):
        raise field_error("score", "result_final", MESSAGES)
    course = enrolment.session.course
    passed = score >= course.pass_mark and attendance_enough(enrolment)
    result = EnrolmentResult.PASSED if passed else EnrolmentResult.FAILED
    changes = audit.diff(
        {"score": enrolment.score, "result": enrolment.result}, {"score": score, "result": result}
    )
    if not changes:
        return enrolment
    enrolment.score, enrolment.result = score, result
    enrolment.save(update_fields=["score", "result", "updated_at"])
    certificate = _issue_certificate(enrolment) if passed else None
    if certificate is not None:
        changes["certificate"] = [None, certificate.number]
    audit.record(
        actor=actor, action="enrolment.score", obj=enrolment, changes=changes, permission="grade"
    )
    return enrolment


def _issue_certificate(enrolment: Enrolment) -> Certificate:
    """A new certificate for a pass: a retake gets its own number; earlier ones stay as
    they are (expired, or valid until their own expiry) in the person's history."""
    course = enrolment.session.course
    issued_on = min(enrolment.session.end_date, timezone.localdate())
    certificate = Certificate(
        person=enrolment.person,
        course=course,
        enrolment=enrolment,
        number=f"pending-{secrets.token_hex(8)}",
        issued_on=issued_on,
        expires_on=add_months(issued_on, course.validity_months),
    )
    certificate.full_clean(exclude=["number"])
    certificate.save()
    certificate.number = f"TC-{course.code}-{issued_on.year}-{certificate.pk:07d}"
    certificate.save(update_fields=["number"])
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    reason = require_reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    require(actor, "revoke", certificate)
    if certificate.status != CertificateStatus.VALID:
        raise field_error("status", "certificate_not_valid", MESSAGES)
    certificate.status = CertificateStatus.REVOKED
    certificate.status_changed_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.save(update_fields=["status", "status_changed_at", "revoke_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="certificate.revoke",
        obj=certificate,
        changes={"status": [CertificateStatus.VALID, CertificateStatus.REVOKED]},
        reason=reason,
        permission="revoke",
    )
    return certificate


def certificates_expire(today: datetime.date | None = None) -> int:
    """Mark valid certificates past their expiry as expired (periodic, idempotent); one
    audit event per certificate, recorded by the system."""
    today = today or timezone.localdate()
    count = 0
    due = Certificate.objects.filter(status=CertificateStatus.VALID, expires_on__lt=today)
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update(skip_locked=True).order_by("pk")[:500])
            if not batch:
                return count
            now = timezone.now()
            Certificate.objects.filter(pk__in=[c.pk for c in batch]).update(
                status=CertificateStatus.EXPIRED, status_changed_at=now, updated_at=now
            )
            for certificate in batch:
                audit.record(
                    actor=None,
                    action="certificate.expire",
                    obj=certificate,
                    changes={
                        "status": [CertificateStatus.VALID, CertificateStatus.EXPIRED],
                        "expires_on": certificate.expires_on.isoformat(),
                    },
                )
            count += len(batch)


# --------------------------------------------------------------------------- managers


def check_managing_director(institution: Institution) -> None:
    """The rule for `developing → active`: the managing director holds a valid certificate
    of a manager course. `ENTEZAM_TRAINING_MANAGER_CERTIFICATE_REQUIRED=false` turns it off."""
    if not settings.TRAINING_MANAGER_CERTIFICATE_REQUIRED:
        return
    code = institution.managing_director_national_code
    if not code:
        raise field_error("managing_director_national_code", "director_code_missing", MESSAGES)
    holds = valid_certificates().filter(
        person__national_code=code, course__audience=Position.MANAGER
    )
    if not holds.exists():
        raise field_error(
            "managing_director",
            "director_not_certified",
            MESSAGES,
            name=institution.managing_director,
        )
