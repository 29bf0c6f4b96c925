"""Writes of the notifications app. Other apps call:

    notify(recipients=…, event=…, title=…, body=…, url=…, obj=…, dedupe_key=…, urgent=…)
    notify_followers(obj=…, event=…, title=…, body=…, url=…, exclude=(actor,))
    notify_assignee(assignee=…, obj=…, title=…, actor=…)

from their own services, inside their transaction: notifications are written with it and
sent (e-mail, SMS) once it commits.
"""

from .deliveries import (
    deliveries_dispatch,
    deliveries_due,
    delivery_retry,
    delivery_send,
)
from .follows import follow, unfollow
from .inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    notify_assignee,
    notify_followers,
)
from .preferences import preference_set

__all__ = [
    "deliveries_dispatch",
    "deliveries_due",
    "delivery_retry",
    "delivery_send",
    "follow",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_assignee",
    "notify_followers",
    "preference_set",
    "unfollow",
]
