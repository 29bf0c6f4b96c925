"""Reads of users for the product's own user management, scoped to the reader."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from entezam.core.models import AuditEvent
from entezam.core.persian import to_ascii_digits

from .choices import Role
from .models import User
from .services import officer_provinces


def manageable_users(*, actor: User) -> QuerySet[User]:
    """HQ administrators: every user; a province officer: the users holding a role within
    their province (their own account included, to read, not to manage); others: none."""
    if actor.has_role(Role.HQ_ADMIN):
        return User.objects.all()
    provinces = officer_provinces(actor) if actor.has_role(Role.PROVINCE_OFFICER) else set()
    if not provinces:
        return User.objects.none()
    in_province = (
        Q(role_assignments__province_id__in=provinces)
        | Q(role_assignments__police_unit__province_id__in=provinces)
        | Q(role_assignments__institution__province_id__in=provinces)
    )
    ids = User.objects.filter(in_province, role_assignments__is_active=True).values("pk").distinct()
    return User.objects.filter(pk__in=ids)


def user_search(users: QuerySet[User], text: str) -> QuerySet[User]:
    text = to_ascii_digits(text or "").strip()[:100]
    if not text:
        return users
    return users.filter(Q(username__icontains=text) | Q(display_name__icontains=text))


def user_access(*, actor: User, pk) -> User:
    """The user of the URL, 404 outside the actor's reach."""
    from entezam.core.scoping import parse_id

    user_id = parse_id(pk)
    user = manageable_users(actor=actor).filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404
    return user


def user_recent_actions(*, actor: User, user: User, limit: int = 20):
    """What `user` did lately, as far as `actor` may read the audit log."""
    return AuditEvent.objects.visible_to(actor).filter(actor_id=user.pk).order_by("-id")[:limit]
