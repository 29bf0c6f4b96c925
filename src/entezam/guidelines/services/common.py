"""What the guideline services share: errors, deadlines, who is told."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.db.models import Q

from entezam.accounts.choices import Role
from entezam.accounts.models import RoleAssignment
from entezam.core.errors import field_error
from entezam.core.persian.jalali import add_months
from entezam.institutions.models import Institution

from ..choices import DEADLINE_MONTHS
from ..errors import MESSAGES

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,29}")
_CLAUSE_NUMBER = re.compile(r"\d{1,3}(\.\d{1,3}){0,3}")


def _err(field: str, code: str, **params):
    return field_error(field, code, MESSAGES, **params)


def default_deadline(issued_on: datetime.date) -> datetime.date:
    """Two Jalali months after `issued_on`, clamped to the end of a shorter month
    (1404/06/31 → 1404/08/30; 1403/12/30 → 1404/02/30)."""
    return add_months(issued_on, DEADLINE_MONTHS)


def _managers(institution_ids) -> list:
    ids = RoleAssignment.objects.filter(
        role=Role.INSTITUTION_MANAGER, is_active=True, institution_id__in=list(institution_ids)
    ).values("user_id")
    return list(get_user_model().objects.filter(is_active=True, pk__in=ids).order_by("pk"))


def _officers(institution: Institution) -> list:
    ids = RoleAssignment.objects.filter(is_active=True).filter(
        Q(role=Role.PROVINCE_OFFICER, province_id=institution.province_id)
        | Q(role=Role.STATION_OFFICER, police_unit_id=institution.supervising_unit_id)
    )
    return list(
        get_user_model().objects.filter(is_active=True, pk__in=ids.values("user_id")).order_by("pk")
    )


def _hq_admins(exclude=None) -> list:
    ids = RoleAssignment.objects.filter(role=Role.HQ_ADMIN, is_active=True).values("user_id")
    users = get_user_model().objects.filter(is_active=True, pk__in=ids).order_by("pk")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)
