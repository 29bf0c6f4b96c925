"""A user's own choice of channels per category or event (no audit event: it is theirs)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from ..choices import Channel
from ..errors import error
from ..events import CATEGORIES, EVENTS
from ..models import Preference


@transaction.atomic
def preference_set(
    *,
    actor,
    channel: str,
    enabled: bool | None,
    category: str = "",
    event: str = "",
) -> Preference | None:
    """Switch `channel` on (True) or off (False) for one category or one event of the
    actor's notifications; None goes back to the default (urgent events only)."""
    if bool(category) == bool(event):
        raise ValueError("give a category or an event, not both")
    if category and category not in CATEGORIES:
        raise error("unknown_category", "category")
    if event and event not in EVENTS:
        raise error("unknown_category", "event")
    if channel not in Channel.values:
        raise ValidationError({"channel": ValidationError("unknown channel", code="invalid")})
    lookup = {"user": actor, "channel": channel, "category": category, "event": event}
    if enabled is None:
        Preference.objects.filter(**lookup).delete()
        return None
    preference, _created = Preference.objects.update_or_create(
        **lookup, defaults={"enabled": enabled}
    )
    return preference
