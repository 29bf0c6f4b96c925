"""What the command-line tools share: the user a command acts as."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import User
from .seed import system_actor


def command_actor(username: str | None) -> User:
    """`--as USERNAME` (an active user), or the system account when none is given."""
    if not username:
        return system_actor()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    return user
