from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class RuleKind(models.TextChoices):
    AGE_RANGE = "age_range", _("Age range")
    MIN_EDUCATION = "min_education", _("Minimum education")
    MILITARY_SERVICE = "military_service", _("Military service resolved (men)")
    BACKGROUND_CHECK = "background_check", _("No disqualifying background-check result")
    MEDICAL_FITNESS = "medical_fitness", _("Valid medical fitness")
    NOT_EMPLOYED_ELSEWHERE = "not_employed_elsewhere", _("Not actively employed elsewhere")
    NOT_REVOKED_RECENTLY = "not_revoked_recently", _("No permit revoked in recent years")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    BACKGROUND_CHECK = "background_check", _("Background check")
    INTERVIEW = "interview", _("Interview")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.BACKGROUND_CHECK,
    ApplicationStatus.INTERVIEW,
)
# The pipeline board's columns, in order.
PIPELINE = (*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


class RuleOutcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    REVIEW = "review", _("Needs review")


class CheckResult(models.TextChoices):
    CLEAR = "clear", _("No record")
    DISQUALIFYING = "disqualifying", _("Disqualifying record")
    PENDING = "pending", _("Pending")


class Advance(models.TextChoices):
    """Manual moves forward through the pipeline (the screening moves the rest)."""

    TO_BACKGROUND_CHECK = "background_check", _("Send to background check")
    TO_INTERVIEW = "interview", _("Send to interview")


# from status -> statuses an officer may move an application to by hand.
# Looked up by the stored status (a plain string).
ADVANCES: dict[str, tuple[ApplicationStatus, ...]] = {
    ApplicationStatus.SCREENING: (ApplicationStatus.BACKGROUND_CHECK, ApplicationStatus.INTERVIEW),
    ApplicationStatus.BACKGROUND_CHECK: (ApplicationStatus.INTERVIEW,),
}
# Statuses the bulk screening picks up.
SCREENABLE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.BACKGROUND_CHECK,
    ApplicationStatus.INTERVIEW,
)

STATUS_COLORS = {
    ApplicationStatus.SUBMITTED: "secondary",
    ApplicationStatus.SCREENING: "info",
    ApplicationStatus.BACKGROUND_CHECK: "primary",
    ApplicationStatus.INTERVIEW: "warning",
    ApplicationStatus.APPROVED: "success",
    ApplicationStatus.REJECTED: "danger",
    ApplicationStatus.WITHDRAWN: "dark",
}
STATUS_CHART_COLORS = {
    ApplicationStatus.SUBMITTED: "#6c757d",
    ApplicationStatus.SCREENING: "#0dcaf0",
    ApplicationStatus.BACKGROUND_CHECK: "#0d6efd",
    ApplicationStatus.INTERVIEW: "#ffc107",
    ApplicationStatus.APPROVED: "#198754",
    ApplicationStatus.REJECTED: "#dc3545",
}
RULE_OUTCOME_COLORS = {
    RuleOutcome.PASS: "success",
    RuleOutcome.FAIL: "danger",
    RuleOutcome.REVIEW: "warning",
}
STANDARD_STATUS_COLORS = {
    StandardStatus.DRAFT: "secondary",
    StandardStatus.ACTIVE: "success",
    StandardStatus.RETIRED: "dark",
}
