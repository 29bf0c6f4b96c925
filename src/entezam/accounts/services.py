"""Writes on users, role assignments and API tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from entezam.core import audit
from entezam.core.errors import field_error

from .choices import Role
from .errors import MESSAGES
from .models import RoleAssignment, User


def _require_hq_admin(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.HQ_ADMIN):
        raise PermissionDenied(MESSAGES["not_hq_admin"])


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    mobile: str = "",
) -> User:
    """Create a user. `actor=None` is the installer (seed, demo, createsuperuser scripts)."""
    _require_hq_admin(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", "unique", MESSAGES)
    user = User(username=username, display_name=display_name, email=email, mobile=mobile)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor, action="user.create", obj=user, changes={"username": [None, username]}
    )
    return user


@transaction.atomic
def user_save_from_admin(*, actor: User, user: User, changed: list[str], created: bool) -> User:
    """Save a user edited in the Django admin, with the audit event the admin would skip."""
    _require_hq_admin(actor)
    user.save()
    audit.record(
        actor=actor,
        action="user.create" if created else "user.update",
        obj=user,
        # Field names only: password hashes and the like stay out of the log.
        changes={
            name: [None, "•••" if "password" in name else getattr(user, name, None)]
            for name in changed
        },
        role=Role.HQ_ADMIN,
    )
    return user


@transaction.atomic
def user_password_set(*, actor: User | None, user: User, password: str) -> User:
    """Set a user's password for them (the admin's password page). The event says who set
    it and for whom; the password and its hash stay out of the log."""
    if actor is None:
        raise PermissionDenied(MESSAGES["not_hq_admin"])
    _require_hq_admin(actor)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action="user.password_set",
        obj=user,
        changes={"password": [None, "•••"]},
        role=Role.HQ_ADMIN,
    )
    return user


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    user: User,
    role: str,
    province=None,
    police_unit=None,
    institution=None,
) -> RoleAssignment:
    """Grant `role` in a scope. `actor=None` is the installer (seed, demo)."""
    _require_hq_admin(actor)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        province=province,
        police_unit=police_unit,
        institution=institution,
        defaults={"is_active": True},
    )
    assignment.full_clean()
    if not created and assignment.is_active:
        return assignment
    if not created:
        assignment.is_active = True
        assignment.save(update_fields=["is_active", "updated_at"])
    if role == Role.HQ_ADMIN and not user.is_staff:
        # The Django admin (for HQ administrators only) signs in staff users.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.forget_role_assignments()
    audit.record(
        actor=actor,
        action="role_assignment.grant",
        obj=assignment,
        changes={"user": [None, user.username], "role": [None, role]},
        role=Role.HQ_ADMIN if actor else "",
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment, reason: str) -> RoleAssignment:
    _require_hq_admin(actor)
    assignment.is_active = False
    assignment.save(update_fields=["is_active", "updated_at"])
    assignment.user.forget_role_assignments()
    audit.record(
        actor=actor,
        action="role_assignment.revoke",
        obj=assignment,
        changes={"is_active": [True, False]},
        reason=reason,
        role=Role.HQ_ADMIN,
    )
    return assignment


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User) -> Token:
    """Issue (or replace) the API token of a machine client. `actor=None` is the installer
    (`entezam token issue`)."""
    if actor is None or (actor.pk != user.pk and not actor.has_role(Role.HQ_ADMIN)):
        _require_hq_admin(actor)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(actor=actor, action="api_token.issue", obj=user, changes={}, role="")
    return token
