"""Attendance, scores, certificates, their expiry, and the managing director's certificate
for activation."""

from __future__ import annotations

import datetime
import math
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entezam.core import audit
from entezam.core.errors import field_error
from entezam.core.persian import add_months
from entezam.core.scoping import require
from entezam.core.services import require_reason
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position

from ..choices import (
    RUNNING_STATUSES,
    CertificateStatus,
    EnrolmentResult,
)
from ..errors import MESSAGES
from ..models import (
    Certificate,
    Enrolment,
    valid_certificates,
)

if TYPE_CHECKING:
    from entezam.accounts.models import User

from .common import MIN_ATTENDANCE

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
