from django.db import models
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.personnel.models import PEOPLE_VIEWERS


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for enrolment")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Sessions people may still be enrolled in.
ENROLLING_STATUSES = (SessionStatus.PLANNED, SessionStatus.OPEN)
# Sessions whose attendance and scores a trainer records.
RUNNING_STATUSES = (SessionStatus.OPEN, SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED)

# action -> (from statuses, to status)
SESSION_TRANSITIONS = {
    "open": ((SessionStatus.PLANNED,), SessionStatus.OPEN),
    "start": ((SessionStatus.PLANNED, SessionStatus.OPEN), SessionStatus.IN_PROGRESS),
    "complete": ((SessionStatus.IN_PROGRESS,), SessionStatus.COMPLETED),
    "cancel": ((SessionStatus.PLANNED, SessionStatus.OPEN), SessionStatus.CANCELLED),
}

SESSION_STATUS_COLORS = {
    SessionStatus.PLANNED: "secondary",
    SessionStatus.OPEN: "primary",
    SessionStatus.IN_PROGRESS: "info",
    SessionStatus.COMPLETED: "success",
    SessionStatus.CANCELLED: "dark",
}


class EnrolmentResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


RESULT_COLORS = {
    EnrolmentResult.PENDING: "secondary",
    EnrolmentResult.PASSED: "success",
    EnrolmentResult.FAILED: "danger",
    EnrolmentResult.WITHDRAWN: "dark",
}


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


CERTIFICATE_COLORS = {
    CertificateStatus.VALID: "success",
    CertificateStatus.EXPIRED: "warning",
    CertificateStatus.REVOKED: "danger",
}

# Days before expiry at which the person's institution is reminded.
REMINDER_DAYS = (90, 60, 30)
LAPSING_WINDOWS = (30, 60, 90)
# Capacity planning looks this many days ahead (three months).
PLANNING_DAYS = 92

TRAINING_VIEWERS = frozenset({*PEOPLE_VIEWERS, Role.TRAINER})
SESSION_MANAGERS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER})
ENROLLERS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER})
GRADERS = frozenset({Role.HQ_ADMIN, Role.TRAINER})
