"""The system account that seeding and scheduled jobs act as."""

from __future__ import annotations

from entezam.core import audit

from .choices import Role
from .models import User
from .services import role_assign

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The account seeding and scheduled jobs act as (no password: it cannot sign in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name="سامانه")
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=None, action="user.create", obj=user, changes={"username": [None, user.username]}
        )
    role_assign(actor=None, user=user, role=Role.HQ_ADMIN)
    user.forget_role_assignments()
    return user
