from django.db import models
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("May work")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced")


CARD_COLORS = {
    CardStatus.ACTIVE: "success",
    CardStatus.SUSPENDED: "warning",
    CardStatus.REVOKED: "danger",
    CardStatus.EXPIRED: "secondary",
    CardStatus.REPLACED: "dark",
}
# Statuses a cause can still change (revoked, expired and replaced are final).
LIVE_STATUSES = (CardStatus.ACTIVE, CardStatus.SUSPENDED)


class CheckResult(models.TextChoices):
    ACTIVE = "active", _("May work")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced")
    UNKNOWN = "unknown", _("Unknown")
    LIMITED = "limited", _("Too many checks")
