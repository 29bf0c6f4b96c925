"""Notifications, their e-mail and SMS deliveries, preferences and follows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.scoping import ALL, ScopedManager

from .choices import STATUS_COLORS, Channel, DeliveryStatus
from .events import event_label


def _own(field: str):
    """`scope_q` of rows that belong to one user: each of the user's assignments reaches
    the rows of that user, and nobody else's (an HQ administrator included)."""

    def scope_q(cls, assignment, action):
        return Q(**{field: assignment.user_id})

    return classmethod(scope_q)


class Notification(models.Model):
    """One message to one user, shown in the app; e-mail and SMS go as `Delivery` rows."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the inbox index below starts with the recipient
    )
    event = models.CharField(_("event"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The record it is about, when there is one ("institutions.institution", "42").
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The same key for the same recipient is the same notification: a reminder sent by a
    # task delivered twice, or by `entezam tick` run twice, is created once.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)

    objects = ScopedManager()
    role_actions = {"view": frozenset(Role.values), "change": frozenset(Role.values)}
    scope_q = _own("recipient_id")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_dedupe_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            # The bell's count reads this index only (and only the unread rows are in it).
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def get_event_display(self) -> str:
        return event_label(self.event)


class Delivery(models.Model):
    """One notification sent through one channel, exactly once as far as the provider
    allows: the send carries `idempotency_key`, the same at every attempt."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # While queued or sending: when the periodic round should take it up if it is still not
    # done (its task was lost, its worker died, or a retry is due). Empty once final.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    error_code = models.CharField(_("reason"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    role_actions = {"view": frozenset(Role.values), "retry": frozenset({Role.HQ_ADMIN})}

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["status", "-id"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @classmethod
    def scope_q(cls, assignment, action):
        # HQ administrators follow every delivery (failures show here); others their own.
        if assignment.role == Role.HQ_ADMIN:
            return ALL
        return Q(notification__recipient_id=assignment.user_id)

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this delivery, and digits only: Kavenegar takes
        it as `localid`, the file spool as the file name."""
        return str(self.pk)

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(self.status, "secondary")

    def get_error_display(self) -> str:
        from .errors import message

        return message(self.error_code, detail=self.error) if self.error_code else self.error


class Preference(models.Model):
    """A user's choice for one channel, for one category of events or one event.

    No row: the default (urgent events by e-mail and SMS, the rest in the app only). An
    event's row wins over its category's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    category = models.CharField(_("category"), max_length=40, blank=True)
    event = models.CharField(_("event"), max_length=80, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    role_actions = {"view": frozenset(Role.values), "change": frozenset(Role.values)}
    scope_q = _own("user_id")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                name="preference_category_or_event",
                condition=(Q(category="") & ~Q(event="")) | (~Q(category="") & Q(event="")),
            ),
            models.UniqueConstraint(
                fields=["user", "channel", "category"],
                condition=~Q(category=""),
                name="preference_one_per_category",
            ),
            models.UniqueConstraint(
                fields=["user", "channel", "event"],
                condition=~Q(event=""),
                name="preference_one_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.category or self.event} {self.channel}={self.enabled}"


class Follow(models.Model):
    """A user follows a record (any model): its changes reach them as notifications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedManager()
    role_actions = {"view": frozenset(Role.values), "change": frozenset(Role.values)}
    scope_q = _own("user_id")

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_once"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_object")]

    def __str__(self) -> str:
        return f"{self.user} → {self.content_type_id}#{self.object_id}"
