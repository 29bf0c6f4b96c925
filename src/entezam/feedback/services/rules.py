"""Routing rules HQ edits."""

from __future__ import annotations

from django.db import transaction

from entezam.core.services import create_object, update_object

from ..models import (
    RoutingRule,
)


def routing_rule_create(*, actor, data: dict) -> RoutingRule:
    with transaction.atomic():
        return create_object(actor=actor, model=RoutingRule, data=data)


def routing_rule_update(*, actor, rule: RoutingRule, data: dict) -> RoutingRule:
    fields = [
        "category",
        "subject_kind",
        "priority",
        "to_institution",
        "to_police_unit",
        "to_province",
        "to_hq",
        "due_working_days",
        "order",
        "is_active",
    ]
    with transaction.atomic():
        return update_object(actor=actor, obj=rule, data=data, fields=fields)
