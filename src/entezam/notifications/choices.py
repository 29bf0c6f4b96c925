from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """Channels besides the in-app list, which every notification reaches."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("delivery", "Queued")
    SENDING = "sending", pgettext_lazy("delivery", "Sending")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")
    SKIPPED = "skipped", pgettext_lazy("delivery", "Skipped")


# Statuses in which a delivery is still to be sent (by its task or by the periodic round).
PENDING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
FINAL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)

STATUS_COLORS = {
    DeliveryStatus.QUEUED: "secondary",
    DeliveryStatus.SENDING: "info",
    DeliveryStatus.SENT: "success",
    DeliveryStatus.FAILED: "danger",
    DeliveryStatus.SKIPPED: "warning",
}


class ReadFilter(models.TextChoices):
    ALL = "", _("All")
    UNREAD = "unread", pgettext_lazy("notifications", "Unread")
    READ = "read", pgettext_lazy("notifications", "Read")


class ChannelChoice(models.TextChoices):
    """What a user chose for one category and channel on the preferences page."""

    DEFAULT = "default", _("Urgent only")
    ALL = "all", _("Everything")
    NONE = "none", _("Nothing")
