"""Writes on police units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from entezam.core.errors import validation_error
from entezam.core.services import create_object, update_object

from .choices import PARENT_KINDS
from .errors import MESSAGES
from .models import PoliceUnit

if TYPE_CHECKING:
    from entezam.accounts.models import User

EDITABLE_FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "parent",
    "province",
    "county",
    "address",
    "phone",
    "latitude",
    "longitude",
    "is_active",
)


def _check_hierarchy(data: dict, unit: PoliceUnit | None = None) -> None:
    kind, parent = data.get("kind"), data.get("parent")
    province, county = data.get("province"), data.get("county")
    errors = {}
    allowed = PARENT_KINDS.get(kind or "", set())
    if allowed and (parent is None or parent.kind not in allowed):
        errors["parent"] = validation_error(
            "parent_kind", MESSAGES, kinds=[kind.label for kind in allowed]
        )
    if not allowed and parent is not None:
        errors["parent"] = validation_error("hq_has_no_parent", MESSAGES)
    if parent is not None and unit is not None and parent.pk == unit.pk:
        errors["parent"] = validation_error("own_parent", MESSAGES)
    if (
        parent is not None
        and province is not None
        and parent.province_id not in (None, province.pk)
    ):
        errors["parent"] = validation_error("parent_in_other_province", MESSAGES)
    if county is not None and province is not None and county.province_id != province.pk:
        errors["county"] = validation_error("county_in_other_province", MESSAGES)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def police_unit_create(*, actor: User, **data: Any) -> PoliceUnit:
    _check_hierarchy(data)
    return create_object(actor=actor, model=PoliceUnit, data=data, action="police_unit.create")


@transaction.atomic
def police_unit_update(*, actor: User, unit: PoliceUnit, **data: Any) -> PoliceUnit:
    merged = {name: data.get(name, getattr(unit, name)) for name in EDITABLE_FIELDS}
    _check_hierarchy(merged, unit)
    return update_object(
        actor=actor,
        obj=unit,
        data=data,
        fields=[name for name in EDITABLE_FIELDS if name in data],
        action="police_unit.update",
    )
