"""Shared machinery for services: one transaction, scope checks, one audit event."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from . import audit
from .errors import MESSAGES, field_error
from .scoping import ModelT, ensure_still_visible, require, require_model_action


def create_object(
    *, actor: AbstractBaseUser, model: type[ModelT], data: dict, action: str | None = None
) -> ModelT:
    """Create a scoped object: the actor must be allowed to add it where it lands.

    Call inside `transaction.atomic()`: a failed scope re-check rolls the insert back.
    """
    require_model_action(actor, model, "add")
    obj = model(**data)
    obj.full_clean()
    obj.save()
    ensure_still_visible(actor, "add", obj)
    audit.record(
        actor=actor,
        action=action or f"{model._meta.model_name}.create",
        obj=obj,
        changes={k: [None, v] for k, v in audit._jsonable(data).items() if v not in (None, "", [])},
        permission="add",
    )
    return obj


def update_object(
    *,
    actor: AbstractBaseUser,
    obj: ModelT,
    data: dict,
    fields: Iterable[str],
    action: str | None = None,
    reason: str = "",
    permission: str = "change",
    record: Iterable[str] | None = None,
    extra_changes: dict | None = None,
) -> ModelT:
    """Update the given fields; the object must be in the scope of `permission` before and
    after the write (inside the caller's transaction, so a failed re-check rolls it back).

    The audit event lists the changed fields (only those in `record`, when given: a status
    move need not list its timestamps) plus `extra_changes`. Nothing changed: no write and
    no event.
    """
    require(actor, permission, obj)
    fields = list(fields)
    before = audit.snapshot(obj, fields)
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])
    obj.full_clean()
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if not changes:
        return obj
    update_fields = [*fields, "updated_at"] if _has_field(obj, "updated_at") else fields
    obj.save(update_fields=update_fields)
    ensure_still_visible(actor, permission, obj)
    if record is not None:
        recorded = set(record)
        changes = {name: value for name, value in changes.items() if name in recorded}
    audit.record(
        actor=actor,
        action=action or f"{obj._meta.model_name}.update",
        obj=obj,
        changes={**changes, **audit._jsonable(extra_changes or {})},
        reason=reason,
        permission=permission,
    )
    return obj


def _has_field(obj: models.Model, name: str) -> bool:
    try:
        obj._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise field_error("reason", "reason_required", MESSAGES)
    return reason
