"""Writes on users, role assignments and API tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from entezam.core import audit
from entezam.core.errors import field_error

from .choices import PROVINCE_GRANTABLE, Role
from .errors import MESSAGES
from .models import RoleAssignment, User


def _require_hq_admin(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.HQ_ADMIN):
        raise PermissionDenied(MESSAGES["not_hq_admin"])


def _require_user_manager(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.HQ_ADMIN, Role.PROVINCE_OFFICER):
        raise PermissionDenied(MESSAGES["not_user_manager"])


def _scope_province_id(*, role: str, province=None, police_unit=None, institution=None):
    """The province a role assignment lies in (None: a national one)."""
    if province is not None:
        return province.pk
    if police_unit is not None:
        return police_unit.province_id
    if institution is not None:
        return institution.province_id
    return None


def may_grant(actor: User | None, *, role: str, province=None, police_unit=None, institution=None):
    """HQ administrators grant any role; a province officer grants the roles of their
    province (station, institution, 197 centre) within it, never HQ or province roles."""
    if actor is None or actor.has_role(Role.HQ_ADMIN):
        return True
    if role not in PROVINCE_GRANTABLE:
        return False
    where = _scope_province_id(
        role=role, province=province, police_unit=police_unit, institution=institution
    )
    return where is not None and where in officer_provinces(actor)


def officer_provinces(actor: User) -> set[int]:
    return {
        a.province_id
        for a in actor.role_assignments_cached()
        if a.role == Role.PROVINCE_OFFICER and a.province_id
    }


def may_manage_user(actor: User | None, user: User) -> bool:
    """Whether `actor` may reset `user`'s password, unlock them or revoke their roles:
    HQ administrators anyone; a province officer a user whose every role lies within
    their province and is one they may grant."""
    if actor is None or actor.has_role(Role.HQ_ADMIN):
        return True
    if not actor.has_role(Role.PROVINCE_OFFICER) or user.pk == actor.pk:
        return False
    return all(
        may_grant(
            actor,
            role=a.role,
            province=a.province,
            police_unit=a.police_unit,
            institution=a.institution,
        )
        for a in user.role_assignments.filter(is_active=True).select_related(
            "province", "police_unit", "institution"
        )
    )


def _acting_role(actor: User | None) -> str:
    if actor is None:
        return ""
    return Role.HQ_ADMIN if actor.has_role(Role.HQ_ADMIN) else Role.PROVINCE_OFFICER


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
    """Create a user. `actor=None` is the installer (seed, demo, createsuperuser scripts);
    a province officer creates users to grant them a role in their province."""
    _require_user_manager(actor)
    username = (username or "").strip()
    if len(password or "") < MIN_PASSWORD:
        raise field_error("password", "password_too_short", MESSAGES, n=MIN_PASSWORD)
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", "unique", MESSAGES)
    user = User(username=username, display_name=display_name, email=email, mobile=mobile)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"username": [None, username]},
        role=_acting_role(actor),
    )
    return user


MIN_PASSWORD = 10


@transaction.atomic
def user_password_reset(*, actor: User, user: User, password: str) -> User:
    """Set a new password for `user` (who then signs in with it)."""
    if not may_manage_user(actor, user):
        raise PermissionDenied(MESSAGES["user_outside_scope"])
    if len(password or "") < MIN_PASSWORD:
        raise field_error("password", "password_too_short", MESSAGES, n=MIN_PASSWORD)
    user.set_password(password)
    user.save(update_fields=["password"])
    # The password itself never enters the log.
    audit.record(
        actor=actor, action="user.password_reset", obj=user, changes={}, role=_acting_role(actor)
    )
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Clear the failed sign-ins that locked `user` out; returns how many were cleared."""
    from axes.utils import reset

    if not may_manage_user(actor, user):
        raise PermissionDenied(MESSAGES["user_outside_scope"])
    cleared = reset(username=user.username.lower()) or 0
    audit.record(
        actor=actor,
        action="user.unlock",
        obj=user,
        changes={"failures_cleared": cleared},
        role=_acting_role(actor),
    )
    return cleared


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
    """Grant `role` in a scope. `actor=None` is the installer (seed, demo); a province
    officer grants their province's roles within it (`may_grant`)."""
    _require_user_manager(actor)
    if not may_grant(
        actor, role=role, province=province, police_unit=police_unit, institution=institution
    ):
        raise PermissionDenied(MESSAGES["grant_outside_province"])
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
        role=_acting_role(actor),
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment, reason: str) -> RoleAssignment:
    _require_user_manager(actor)
    if not may_grant(
        actor,
        role=assignment.role,
        province=assignment.province,
        police_unit=assignment.police_unit,
        institution=assignment.institution,
    ):
        raise PermissionDenied(MESSAGES["grant_outside_province"])
    assignment.is_active = False
    assignment.save(update_fields=["is_active", "updated_at"])
    assignment.user.forget_role_assignments()
    audit.record(
        actor=actor,
        action="role_assignment.revoke",
        obj=assignment,
        changes={"is_active": [True, False]},
        reason=reason,
        role=_acting_role(actor),
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
