"""Enrolment, one by one or in bulk."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from entezam.core import audit
from entezam.core.errors import field_error
from entezam.core.persian import format_jalali
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import require_reason
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position
from entezam.personnel.models import Employment, Person
from entezam.personnel.reach import reach_link
from entezam.vetting.choices import ApplicationStatus
from entezam.vetting.models import Application

from ..choices import (
    ENROLLING_STATUSES,
    EnrolmentResult,
    SessionStatus,
)
from ..errors import MESSAGES
from ..models import (
    ACTIVE_ENROLMENT,
    Enrolment,
    Session,
    valid_certificates,
)

if TYPE_CHECKING:
    from entezam.accounts.models import User

from .common import ENROLMENT, RENEWAL_DAYS

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
    reach_link(person_id=person.pk, institution=institution, source=ENROLMENT)
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
