from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.accounts.choices import Role


class Category(models.TextChoices):
    APPRECIATION = "appreciation", _("Appreciation")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    CRIME_REPORT = "crime_report", _("Crime report")
    INQUIRY = "inquiry", _("Inquiry")


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("feedback status", "Closed")


OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.IN_PROGRESS)
# Statuses in which an assignee works on the message (and its deadline runs).
HANDLING_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone (197)")
    API = "api", _("API")
    CARD = "card", _("Card verification page")


class Level(models.TextChoices):
    """Who can act, from the closest to the guard up to HQ (escalation goes up this list)."""

    INSTITUTION = "institution", _("Institution")
    POLICE_UNIT = "police_unit", _("Police unit")
    PROVINCE = "province", _("Province")
    HQ = "hq", _("HQ")


LEVEL_ORDER = [Level.INSTITUTION, Level.POLICE_UNIT, Level.PROVINCE, Level.HQ]


class SubjectKind(models.TextChoices):
    """What a routing rule matches on: the message's subject."""

    ANY = "any", _("Any subject")
    PERSON = "person", _("A guard")
    INSTITUTION = "institution", _("An institution")
    POLICE_UNIT = "police_unit", _("A police unit")
    NONE = "none", _("No subject")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("feedback event", "Submitted")
    TRIAGED = "triaged", _("Category confirmed")
    ASSIGNED = "assigned", _("Assigned")
    REROUTED = "rerouted", _("Re-routed")
    STARTED = "started", _("Work started")
    REPLIED = "replied", _("Public reply")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Resolution confirmed by the citizen")
    DISPUTED = "disputed", _("Resolution disputed by the citizen")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", pgettext_lazy("feedback status", "Closed")
    DUPLICATE = "duplicate", _("Linked to an earlier message")


# Roles that take calls and triage (the 197 centre) and roles that may handle a message
# assigned to their unit, institution or province.
OPERATOR_ROLES = frozenset({Role.CENTER_OPERATOR, Role.HQ_ADMIN})
ASSIGNEE_ROLES = frozenset(
    {Role.INSTITUTION_MANAGER, Role.STATION_OFFICER, Role.PROVINCE_OFFICER, Role.HQ_ADMIN}
)
READER_ROLES = OPERATOR_ROLES | ASSIGNEE_ROLES | {Role.HQ_ANALYST}

# The role that acts for each level.
LEVEL_ROLES = {
    Level.INSTITUTION: Role.INSTITUTION_MANAGER,
    Level.POLICE_UNIT: Role.STATION_OFFICER,
    Level.PROVINCE: Role.PROVINCE_OFFICER,
    Level.HQ: Role.HQ_ADMIN,
}

# Alphabet of tracking codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes.
TRACKING_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
TRACKING_LENGTH = 8
