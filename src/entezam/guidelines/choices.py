from django.db import models
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role


class GuidelineKind(models.TextChoices):
    COOPERATION = "cooperation", _("Cooperation")
    SELECTION = "selection", _("Staff selection")
    TRAINING = "training", _("Training")
    CONDUCT = "conduct", _("Conduct")
    OTHER = "other", _("Other")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AckStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    OVERDUE = "overdue", _("Overdue")
    EXTENDED = "extended", _("Extended")
    # A later version replaced the issuance before the institution acknowledged it: the
    # new issuance's acknowledgement carries the duty on.
    SUPERSEDED = "superseded", _("Replaced by a later version")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


# Acknowledgements that still owe something (reminders, the pending list, overdue checks).
OPEN_ACK_STATUSES = (AckStatus.PENDING, AckStatus.OVERDUE, AckStatus.EXTENDED)
# Days before the deadline on which the managers are reminded (0: on the day).
REMINDER_DAYS = (14, 3, 0)
# Default time to acknowledge an issuance, in Jalali months.
DEADLINE_MONTHS = 2

VERSION_STATUS_COLORS = {
    VersionStatus.DRAFT: "secondary",
    VersionStatus.IN_REVIEW: "info",
    VersionStatus.APPROVED: "primary",
    VersionStatus.ISSUED: "success",
    VersionStatus.SUPERSEDED: "dark",
    VersionStatus.WITHDRAWN: "danger",
}
ACK_STATUS_COLORS = {
    AckStatus.PENDING: "warning",
    AckStatus.ACKNOWLEDGED: "success",
    AckStatus.OVERDUE: "danger",
    AckStatus.EXTENDED: "info",
    AckStatus.SUPERSEDED: "secondary",
}

HQ = frozenset({Role.HQ_ADMIN})
READERS = frozenset(
    {
        Role.HQ_ADMIN,
        Role.HQ_ANALYST,
        Role.PROVINCE_OFFICER,
        Role.STATION_OFFICER,
        Role.INSTITUTION_MANAGER,
    }
)
# Who writes a guideline's text: HQ for its own, a manager for the institution's procedure.
AUTHORS = frozenset({Role.HQ_ADMIN, Role.INSTITUTION_MANAGER})
# Who reviews an institution's procedure: its province officer (or HQ).
PROCEDURE_REVIEWERS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER})
EXTENSION_DECIDERS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER})
