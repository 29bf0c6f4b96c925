"""Row-level scoping: the one place that decides which rows a user may reach, per action.

Every domain model uses `ScopedManager`; `Model.objects.visible_to(user, action)` returns
the rows the user may act on with `action`. A model declares

* `role_actions`: for each action, the roles that may perform it within their scope
  (a higher app may add an action to a lower app's model with `register_model_action`);
* `scope_paths`: ORM lookups from the model to a province, a police unit and an
  institution (any may be absent: that scope then sees nothing of the model);
* optionally `action_scope_paths = {action: {scope: path}}`, when one action reaches
  other rows than the rest (NetBox's per-permission constraints);
* or a classmethod `scope_q(assignment, action)` returning a `Q`, `ALL` or None, which
  replaces the paths.

An app above a model may also grant one role an action on it by task
(`register_task_grant`): only on the rows its condition picks for the assignment (a station
officer reads the national code of the applicants whose background check awaits their
unit, not of everyone their unit sees).

A role assignment with nation scope sees every row (unless the model's `scope_q` says
otherwise); a province, police-unit or institution assignment sees the rows whose path
matches its scope object. `access(...)` fetches one object and authorises it in one call
(Zulip's `access_*`): 404 outside the view scope, 403 without the action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, Self, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from .errors import MESSAGES
from .persian.text import to_ascii_digits


class Scope:
    NATION = "nation"
    PROVINCE = "province"
    POLICE_UNIT = "police_unit"
    INSTITUTION = "institution"


class Assignment(Protocol):
    """What scoping reads of a role assignment (`accounts.RoleAssignment`)."""

    role: str
    user_id: int

    @property
    def scope(self) -> str: ...

    @property
    def scope_object_id(self) -> int | None: ...


NOTHING = Q(pk__in=[])


class _All:
    """Marker: the assignment reaches every row."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()


def assignments_of(user) -> list:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return user.role_assignments_cached()


def roles_for(model, action: str) -> frozenset[str]:
    return frozenset(getattr(model, "role_actions", {}).get(action, ()))


def register_model_action(model, action: str, roles: Iterable[str]) -> None:
    """Let `roles` perform a new `action` on `model` (an app above the model's own adds it)."""
    role_actions = dict(getattr(model, "role_actions", {}))
    role_actions[action] = frozenset(role_actions.get(action, ())) | frozenset(roles)
    model.role_actions = role_actions


# (model label, action) -> role -> `condition(assignment)`: a Q over the model, ALL or None
TASK_GRANTS: dict[tuple[str, str], dict[str, Callable[[Assignment], Any]]] = {}


def register_task_grant(
    model, action: str, role: str, condition: Callable[[Assignment], Any]
) -> None:
    """Let `role` perform `action` on `model` only on the rows `condition(assignment)`
    picks (a Q, ALL or None): a permission that follows a task, granted by the app that
    owns the task. `role` must not hold `action` through `role_actions` as well."""
    if role in roles_for(model, action):
        raise ValueError(f"{role} already holds {action} on {model.__name__}")
    TASK_GRANTS.setdefault((model._meta.label_lower, action), {})[role] = condition


def _task_grant(model, action: str, role: str):
    return TASK_GRANTS.get((model._meta.label_lower, action), {}).get(role)


def paths_for(model, action: str) -> dict[str, str]:
    overrides = getattr(model, "action_scope_paths", {})
    return overrides.get(action, getattr(model, "scope_paths", {}))


def assignment_q(model, assignment: Assignment, action: str):
    """The condition one role assignment gives on `model` for `action`: a Q, ALL, or None."""
    if assignment.role not in roles_for(model, action):
        grant = _task_grant(model, action, assignment.role)
        return None if grant is None else grant(assignment)
    custom = getattr(model, "scope_q", None)
    if custom is not None:
        return custom(assignment, action)
    scope = assignment.scope
    if scope == Scope.NATION:
        return ALL
    path = paths_for(model, action).get(scope)
    if path is None:
        return None
    return Q(**{path: assignment.scope_object_id})


def scope_objects(user, model, action: str = "view") -> list[tuple[str, str, int]] | None:
    """(scope, path, scope object id) for each of `user`'s assignments that grants `action`
    on `model` through the model's scope paths; None when one reaches rows another way
    (nation scope, the model's own `scope_q`, a task grant), so that no list of scope
    objects bounds what the user reaches."""
    if getattr(model, "scope_q", None) is not None:
        return None
    found = []
    for assignment in assignments_of(user):
        if assignment.role not in roles_for(model, action):
            if _task_grant(model, action, assignment.role) is not None:
                return None
            continue
        if assignment.scope == Scope.NATION:
            return None
        path = paths_for(model, action).get(assignment.scope)
        if path is not None:
            found.append((assignment.scope, path, assignment.scope_object_id))
    return found


def scope_condition(user, model, action: str = "view"):
    """ALL, a Q over `model`, or None (nothing) for `user` and `action`."""
    condition = NOTHING
    for assignment in assignments_of(user):
        scope_q = assignment_q(model, assignment, action)
        if scope_q is None:
            continue
        if scope_q is ALL:
            return ALL
        condition = scope_q if condition is NOTHING else condition | scope_q
    return None if condition is NOTHING else condition


ModelT = TypeVar("ModelT", bound=models.Model)


class ScopedQuerySet(models.QuerySet[ModelT]):
    def visible_to(self, user, action: str = "view") -> Self:
        condition = scope_condition(user, self.model, action)
        if condition is None:
            return self.none()
        if condition is ALL:
            return self.all()
        return self.filter(condition)


def allowed_roles(user, model, action: str) -> set[str]:
    """Roles in which `user` may perform `action` on some row of `model`."""
    return {a.role for a in assignments_of(user) if assignment_q(model, a, action) is not None}


def can(user, action: str, obj: models.Model, *, fresh: bool = False) -> bool:
    """Whether `user` may perform `action` on `obj`. With `fresh`, the database is always
    asked (never the check `access` made when it read the instance): after a write."""
    model = type(obj)
    condition = scope_condition(user, model, action)
    if condition is None:
        return False
    if condition is ALL:
        return True
    if not fresh and checked_visible(user, obj) and same_scope_as_view(user, model, action):
        # `access` fetched this very instance through the same condition a moment ago.
        return True
    return model._default_manager.filter(condition, pk=obj.pk).exists()


def same_scope_as_view(user, model, action: str) -> bool:
    """Whether `action` reaches, for `user`, exactly the rows "view" reaches: every role of
    theirs holds both or neither, and the model scopes both the same way (the same paths, or
    a custom `scope_q` that names `action` in `view_scope_actions`)."""
    if action == "view":
        return True
    if getattr(model, "scope_q", None) is not None:
        if action not in getattr(model, "view_scope_actions", ()):
            return False
    elif paths_for(model, action) != paths_for(model, "view"):
        return False
    view_roles, action_roles = roles_for(model, "view"), roles_for(model, action)
    assignments = assignments_of(user)
    if any(_task_grant(model, action, a.role) is not None for a in assignments):
        return False  # a task grant reaches rows of its own
    return all((a.role in view_roles) == (a.role in action_roles) for a in assignments)


def checked_visible(user, obj: models.Model) -> bool:
    """Whether `obj` is an instance `access` fetched for `user` in this request and not
    saved since (its view scope was checked as it was read: checks that reuse that
    condition need no query). `BaseModel.save` drops the stamp."""
    return getattr(obj, "_entezam_visible_to", None) == user.pk


def acting_role(user, action: str, obj: models.Model | None, model=None) -> str:
    """The role under which `user` performs `action` on `obj` (for the audit log)."""
    model = model or type(obj)
    candidates = [a for a in assignments_of(user) if assignment_q(model, a, action) is not None]
    if len(candidates) == 1:
        # One role gives the action at all: whatever was done was done in it.
        return candidates[0].role
    for assignment in candidates:
        scope_q = assignment_q(model, assignment, action)
        if (
            obj is None
            or scope_q is ALL
            or model._default_manager.filter(scope_q, pk=obj.pk).exists()
        ):
            return assignment.role
    return ""


def require(user, action: str, obj: models.Model) -> None:
    """Raise 404 when `obj` is outside the user's view scope, 403 when the action is not theirs."""
    if not can(user, "view", obj):
        raise Http404
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied(MESSAGES["not_allowed"])


def require_model_action(user, model, action: str) -> None:
    if not allowed_roles(user, model, action):
        raise PermissionDenied(MESSAGES["not_allowed"])


def ensure_still_visible(user, action: str, obj: models.Model) -> None:
    """After a write inside a transaction: the object must remain in the actor's scope.

    Raising here rolls the surrounding transaction back, so an actor can neither create
    nor move an object outside the scope they act in.
    """
    if not can(user, action, obj, fresh=True):
        raise PermissionDenied(MESSAGES["outside_scope"])


def parse_id(value: Any) -> int | None:
    """A positive database id from user input (ASCII or Persian digits), or None.

    `str.isdigit()` accepts superscripts and other digit-like characters that `int()`
    refuses; only the ten digits of each script are accepted here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    text = to_ascii_digits(str(value or "")).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    number = int(text)
    return number if number > 0 else None


def access(
    queryset_or_model: ScopedQuerySet | type[models.Model],
    *,
    user,
    action: str = "view",
    **lookup: Any,
) -> Any:
    """Fetch one object the user may see and authorise `action` on it, in one call.

    `lookup` is the fields identifying the object (`pk=…`, `registration_number=…`). An
    object that does not exist, or lies outside the user's view scope, is 404 (its
    existence is not disclosed); a visible object without the action is 403.
    """
    queryset = (
        queryset_or_model
        if isinstance(queryset_or_model, ScopedQuerySet)
        else scoped_rows(queryset_or_model)
    )
    if "pk" in lookup:
        lookup["pk"] = parse_id(lookup["pk"])
        if lookup["pk"] is None:
            raise Http404
    try:
        obj = queryset.visible_to(user, "view").get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned):
        raise Http404 from None
    except (ValueError, TypeError):
        raise Http404 from None
    obj._entezam_visible_to = user.pk
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied(MESSAGES["not_allowed"])
    return obj


_ScopedManagerBase = models.Manager.from_queryset(ScopedQuerySet)


class ScopedManager(_ScopedManagerBase):
    pass


def scoped_rows(model: type[models.Model]) -> ScopedQuerySet:
    """All rows of a scoped model, for code that serves any model (generic views, viewsets)."""
    # Every model scoping serves declares `objects = ScopedManager()`; the type of a
    # model given as a variable does not say so.
    return cast(ScopedQuerySet, model._default_manager.all())


def reach_everywhere(cls, assignment: Assignment, action: str) -> _All:
    """`scope_q` of reference data and national rules: whoever holds the action sees all."""
    return ALL
