"""Writes on training: courses, sessions, enrolments (one by one or in bulk), attendance,
scores, certificates, and the periodic expiry of certificates.

Each service runs in one transaction, checks the actor's scope, writes and records one
audit event. A passing score issues the certificate in the same transaction.
"""

from .common import COURSE_FIELDS, ENROLMENT, MIN_ATTENDANCE, RENEWAL_DAYS, SESSION_FIELDS
from .courses import (
    course_create,
    course_update,
    session_create,
    session_transition,
    session_update,
)
from .enrolment import (
    BulkEnrolment,
    bulk_candidates,
    enrolment_create,
    enrolment_refusal,
    enrolment_withdraw,
    enrolments_create_bulk,
    is_eligible,
)
from .grading import (
    attendance_enough,
    certificate_revoke,
    certificates_expire,
    check_managing_director,
    enrolment_record_attendance,
    enrolment_record_score,
)

__all__ = [
    "COURSE_FIELDS",
    "ENROLMENT",
    "MIN_ATTENDANCE",
    "RENEWAL_DAYS",
    "SESSION_FIELDS",
    "BulkEnrolment",
    "attendance_enough",
    "bulk_candidates",
    "certificate_revoke",
    "certificates_expire",
    "check_managing_director",
    "course_create",
    "course_update",
    "enrolment_create",
    "enrolment_record_attendance",
    "enrolment_record_score",
    "enrolment_refusal",
    "enrolment_withdraw",
    "enrolments_create_bulk",
    "is_eligible",
    "session_create",
    "session_transition",
    "session_update",
]
