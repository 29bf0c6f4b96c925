"""A user follows a record they may see, and stops following it.

Following is the user's own setting (like marking a notification read): it changes
nothing anyone else sees, so it records no audit event.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model

from entezam.core.scoping import require

from ..models import Follow


def follow(*, actor, obj: Model) -> Follow:
    """Follow `obj`; 404 when the actor may not see it. Following twice is one follow."""
    require(actor, "view", obj)
    content_type = ContentType.objects.get_for_model(obj)
    try:
        with transaction.atomic():
            follow_row, _created = Follow.objects.get_or_create(
                user=actor, content_type=content_type, object_id=obj.pk
            )
    except IntegrityError:  # a second click raced the first
        follow_row = Follow.objects.get(user=actor, content_type=content_type, object_id=obj.pk)
    return follow_row


def unfollow(*, actor, obj: Model) -> bool:
    """Stop following `obj`; returns whether there was a follow to end."""
    deleted, _ = Follow.objects.filter(
        user=actor, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()
    return bool(deleted)
