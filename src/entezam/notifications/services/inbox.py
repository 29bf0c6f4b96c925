"""Creating notifications (idempotent through `dedupe_key`) and marking them read."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone, translation

from entezam.core.persian.text import to_persian_digits
from entezam.core.scoping import can

from ..channels import NO_ADDRESS, address_of
from ..choices import Channel, DeliveryStatus
from ..events import event_type
from ..models import Delivery, Notification, Preference
from ..selectors import followers_of
from .deliveries import claim_window, deliveries_dispatch

_PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff]")


def _text(value) -> str:
    """Persian (the official language of the system's messages), with Persian digits when
    the text is Persian; a lazy translation is rendered in Persian."""
    with translation.override("fa"):
        text = str(value or "").strip()
    return to_persian_digits(text) if _PERSIAN_LETTERS.search(text) else text


def _recipients(recipients: Iterable) -> list:
    seen, users = set(), []
    for user in recipients:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            users.append(user)
    return users


def _object_fields(obj: Model | None) -> dict:
    if obj is None:
        return {"object_type": "", "object_id": ""}
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}


def _default_url(obj: Model | None) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def _insert(rows: list[Notification]) -> list[Notification]:
    """Insert the rows; under a race on the same dedupe key, the rows another transaction
    inserted first are left out (theirs stand)."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
        return created


def _channels_on(users: list, event: str, category: str, urgent: bool) -> dict[int, set[str]]:
    """For each user, the channels (besides the app) this event goes out on."""
    chosen: dict[tuple[int, str], tuple[bool | None, bool | None]] = {}
    rows = Preference.objects.filter(user__in=[u.pk for u in users]).filter(
        Q(event=event) | Q(category=category)
    )
    for user_id, row_event, channel, enabled in rows.values_list(
        "user_id", "event", "channel", "enabled"
    ):
        by_event, by_category = chosen.get((user_id, channel), (None, None))
        if row_event:
            by_event = enabled
        else:
            by_category = enabled
        chosen[(user_id, channel)] = (by_event, by_category)
    result: dict[int, set[str]] = {}
    for user in users:
        result[user.pk] = set()
        for channel in Channel.values:
            by_event, by_category = chosen.get((user.pk, channel), (None, None))
            on = by_event if by_event is not None else by_category
            if on if on is not None else urgent:
                result[user.pk].add(channel)
    return result


def notify(
    *,
    recipients: Iterable,
    event: str,
    title,
    body="",
    url: str = "",
    obj: Model | None = None,
    dedupe_key: str | None = None,
    urgent: bool = False,
) -> list[Notification]:
    """Notify each recipient (active users; duplicates and None left out) of `event`.

    Returns the notifications created. With a `dedupe_key`, a recipient who already has a
    notification of that key gets nothing new: calling again (a task delivered twice, a
    periodic round run twice) creates nothing and sends nothing. E-mail and SMS go out
    after the caller's transaction commits, by the recipient's preferences; an urgent
    event (or `urgent=True`) goes on both unless the recipient switched it off.
    """
    kind = event_type(event)
    urgent = urgent or kind.urgent
    users = _recipients(recipients)
    if not users:
        return []
    now = timezone.now()
    fields = {
        "event": event,
        "title": _text(title)[:200],
        "body": _text(body),
        "url": url or _default_url(obj),
        "urgent": urgent,
        "created_at": now,
        "dedupe_key": dedupe_key or None,
        **_object_fields(obj),
    }
    with transaction.atomic():
        if dedupe_key:
            already = set(
                Notification.objects.filter(
                    dedupe_key=dedupe_key, recipient__in=[u.pk for u in users]
                ).values_list("recipient_id", flat=True)
            )
            users = [u for u in users if u.pk not in already]
        by_id = {u.pk: u for u in users}
        created = _insert([Notification(recipient=u, **fields) for u in users])
        channels = _channels_on(users, event, kind.category, urgent)
        deliveries = []
        for notification in created:
            user = by_id[notification.recipient_id]
            for channel in sorted(channels[user.pk]):
                address = address_of(user, channel)
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=channel,
                        address=address,
                        status=DeliveryStatus.QUEUED if address else DeliveryStatus.SKIPPED,
                        error_code="" if address else NO_ADDRESS[channel],
                        next_attempt_at=now + claim_window() if address else None,
                        created_at=now,
                    )
                )
        Delivery.objects.bulk_create(deliveries)
        queued = [d.pk for d in deliveries if d.status == DeliveryStatus.QUEUED]
        if queued:
            transaction.on_commit(lambda: deliveries_dispatch(queued))
    return created


def notify_followers(
    *,
    obj: Model,
    event: str,
    title,
    body="",
    url: str = "",
    exclude: Iterable = (),
    dedupe_key: str | None = None,
    urgent: bool = False,
) -> list[Notification]:
    """Notify the users following `obj` who may still see it (scopes change), except
    `exclude` (usually the actor, who knows what they just did)."""
    excluded = {getattr(user, "pk", user) for user in exclude}
    recipients = [
        user for user in followers_of(obj).exclude(pk__in=excluded) if can(user, "view", obj)
    ]
    return notify(
        recipients=recipients,
        event=event,
        title=title,
        body=body,
        url=url,
        obj=obj,
        dedupe_key=dedupe_key,
        urgent=urgent,
    )


def notify_assignee(
    *,
    assignee,
    obj: Model,
    title,
    body="",
    url: str = "",
    actor=None,
    event: str = "assignment",
    dedupe_key: str | None = None,
    urgent: bool = False,
) -> list[Notification]:
    """Tell the user something was assigned to them (not when they assigned it themselves)."""
    if assignee is None or (actor is not None and assignee.pk == actor.pk):
        return []
    return notify(
        recipients=[assignee],
        event=event,
        title=title,
        body=body,
        url=url,
        obj=obj,
        dedupe_key=dedupe_key,
        urgent=urgent,
    )


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (someone else's is 404)."""
    if notification.recipient_id != actor.pk:
        raise Http404
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(
            pk=notification.pk, recipient=actor, read_at__isnull=True
        ).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
