"""Reads: a user's own notifications, deliveries, preferences and follows, and the
recipient helpers other apps use to address a notification."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from entezam.accounts.models import RoleAssignment
from entezam.core.scoping import access, can

from .choices import Channel, ChannelChoice
from .events import categories
from .models import Delivery, Follow, Notification, Preference

BELL_CAP = 99


def users_with_role(role: str, *, province=None, police_unit=None, institution=None) -> QuerySet:
    """Active users holding an active assignment of `role` on the given scope object.

    With no scope object: every holder of the role, whatever their scope. Pass a model
    instance or an id. `users_with_role("institution_manager", institution=inst)` are the
    managers of one institution; `users_with_role("province_officer", province=p)` the
    officers of one province.
    """
    assignments = RoleAssignment.objects.filter(role=role, is_active=True)
    for field, value in (
        ("province", province),
        ("police_unit", police_unit),
        ("institution", institution),
    ):
        if value is not None:
            assignments = assignments.filter(**{f"{field}_id": getattr(value, "pk", value)})
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=assignments.values("user_id"))
        .order_by("pk")
    )


def followers_of(obj: Model) -> QuerySet:
    """Active users following `obj` (whether they still may see it is the caller's check)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            follows__content_type=ContentType.objects.get_for_model(obj),
            follows__object_id=obj.pk,
        )
        .order_by("pk")
    )


def is_following(user, obj: Model) -> bool:
    return Follow.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).exists()


def notification_list(*, user, read: str = "") -> QuerySet[Notification]:
    """The user's own notifications, newest first; `read` is "", "read" or "unread"."""
    notifications = Notification.objects.visible_to(user, "view")
    if read == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    elif read == "read":
        notifications = notifications.filter(read_at__isnull=False)
    return notifications.order_by("-id")


def notification_access(*, user, pk) -> Notification:
    """One of the user's own notifications: another user's is 404."""
    return access(Notification, user=user, pk=pk)


def unread_count(user) -> int:
    """The bell's number: one COUNT over the partial index of unread rows, capped."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[: BELL_CAP + 1].count()


def delivery_list(*, user, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    deliveries = Delivery.objects.visible_to(user, "view").select_related("notification__recipient")
    if status:
        deliveries = deliveries.filter(status=status)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return deliveries.order_by("-id")


def delivery_access(*, user, pk, action: str = "view") -> Delivery:
    return access(Delivery.objects.select_related("notification"), user=user, pk=pk, action=action)


def preference_rows(user) -> list[dict]:
    """The preferences page: for each category, what the user chose for each channel."""
    chosen = {
        (row.category, row.channel): row.enabled
        for row in Preference.objects.filter(user=user).exclude(category="")
    }
    rows = []
    for category in categories():
        choice = {}
        for channel in Channel.values:
            enabled = chosen.get((category.code, channel))
            choice[channel] = (
                ChannelChoice.DEFAULT
                if enabled is None
                else (ChannelChoice.ALL if enabled else ChannelChoice.NONE)
            )
        rows.append({"category": category, "choice": choice})
    return rows


def can_follow(user, obj: Model) -> bool:
    return can(user, "view", obj)
