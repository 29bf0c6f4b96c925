"""Row-level scoping: the one place that decides which rows a user may reach.

Every domain model uses `ScopedManager`; `Model.objects.visible_to(user, action)` returns
the rows the user may act on. A model declares

* `scope_paths`: ORM lookups from the model to a province, a police unit and an
  institution (any may be absent: that scope then sees nothing of the model);
* `role_actions`: for each action, the roles that may perform it within their scope.

A role assignment with nation scope sees every row; a province, police-unit or
institution assignment sees the rows whose path matches its scope object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from entezam.accounts.models import RoleAssignment


class Scope:
    NATION = "nation"
    PROVINCE = "province"
    POLICE_UNIT = "police_unit"
    INSTITUTION = "institution"


NOTHING = Q(pk__in=[])


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = NOTHING
        for assignment in user.role_assignments_cached():
            scope_q = assignment_q(self.model, assignment, action)
            if scope_q is None:
                continue
            if scope_q is ALL:
                return self.all()
            condition |= scope_q
        if condition is NOTHING:
            return self.none()
        return self.filter(condition)


class _All:
    """Marker: the assignment reaches every row."""


ALL = _All()


def roles_for(model, action: str) -> frozenset[str]:
    return frozenset(getattr(model, "role_actions", {}).get(action, ()))


def assignment_q(model, assignment: RoleAssignment, action: str):
    """The condition one role assignment gives on `model` for `action`, ALL, or None."""
    if assignment.role not in roles_for(model, action):
        return None
    custom = getattr(model, "scope_q", None)
    if custom is not None:
        return custom(assignment)
    scope = assignment.scope
    if scope == Scope.NATION:
        return ALL
    path = getattr(model, "scope_paths", {}).get(scope)
    if path is None:
        return None
    return Q(**{path: assignment.scope_object_id})


def allowed_roles(user, model, action: str) -> set[str]:
    """Roles in which `user` may perform `action` on some row of `model`."""
    if user is None or not user.is_authenticated:
        return set()
    return {
        a.role for a in user.role_assignments_cached() if assignment_q(model, a, action) is not None
    }


def can(user, action: str, obj: models.Model) -> bool:
    model = type(obj)
    return model.objects.visible_to(user, action).filter(pk=obj.pk).exists()


def acting_role(user, action: str, obj: models.Model | None, model=None) -> str:
    """The role under which `user` performs `action` on `obj` (for the audit log)."""
    model = model or type(obj)
    if user is None:
        return ""
    for assignment in user.role_assignments_cached():
        scope_q = assignment_q(model, assignment, action)
        if scope_q is None:
            continue
        if (
            obj is None
            or scope_q is ALL
            or model._default_manager.filter(scope_q, pk=obj.pk).exists()
        ):
            return assignment.role
    return ""


def require(user, action: str, obj: models.Model) -> None:
    """Raise 404 when `obj` is outside the user's view scope, 403 when the action is not theirs."""
    model = type(obj)
    if not model.objects.visible_to(user, "view").filter(pk=obj.pk).exists():
        raise Http404
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied(_("You may not do this."))


def require_model_action(user, model, action: str) -> None:
    if not allowed_roles(user, model, action):
        raise PermissionDenied(_("You may not do this."))


def ensure_still_visible(user, action: str, obj: models.Model) -> None:
    """After a write inside a transaction: the object must remain in the actor's scope.

    Raising here rolls the surrounding transaction back, so an actor can neither create
    nor move an object outside the scope they act in.
    """
    if not can(user, action, obj):
        raise PermissionDenied(_("The result would be outside your area of responsibility."))


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
