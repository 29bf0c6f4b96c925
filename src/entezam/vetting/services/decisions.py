"""Decisions on applications: approval (which starts the employment) and rejection."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from entezam.core.errors import field_error
from entezam.core.scoping import require
from entezam.core.services import require_reason
from entezam.personnel.models import Employment
from entezam.personnel.services import employment_start

from ..choices import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
)
from ..errors import MESSAGES
from ..models import (
    Application,
)
from .applications import invalid_status, locked_application, move_application

if TYPE_CHECKING:
    from entezam.accounts.models import User


@transaction.atomic
def application_decide(
    *, actor: User, application: Application, approve: bool, reason: str = ""
) -> Application:
    """Approve (from interview; starts the employment) or reject (with reasons)."""
    application = locked_application(application)
    require(actor, "decide", application)
    now = timezone.now()
    changes = {}
    if approve:
        if application.status != ApplicationStatus.INTERVIEW:
            raise invalid_status(application)
        reason = (reason or "").strip()
        employment = _start_employment(application, actor=actor, today=timezone.localdate(now))
        to_status, changes["employment"] = ApplicationStatus.APPROVED, employment.pk
    else:
        reason = require_reason(reason)
        if application.status not in OPEN_APPLICATION_STATUSES:
            raise invalid_status(application)
        to_status = ApplicationStatus.REJECTED
    move_application(
        application,
        actor=actor,
        to_status=to_status,
        note=reason,
        now=now,
        action="application.approve" if approve else "application.reject",
        # The decided application must stay where the actor may decide.
        permission="decide",
        reason=reason,
        extra_changes={"standard": str(application.standard), **changes},
        decided_at=now,
        decided_by=actor,
        decision_reason=reason,
        needs_review=False,
    )
    return application


def _start_employment(application: Application, *, actor: User, today: datetime.date) -> Employment:
    """The employment an approval starts, through the personnel service and its rules
    (only an operating institution hires; one active employment; audited)."""
    active = Employment.objects.filter(
        person_id=application.person_id, end_date__isnull=True
    ).first()
    if active is not None:
        if active.institution_id != application.institution_id:
            raise field_error("person", "employed_elsewhere", MESSAGES)
        return active  # already on this institution's staff
    try:
        return employment_start(
            actor=actor,
            person=application.person,
            institution=application.institution,
            position=application.position,
            start_date=today,
        )
    except ValidationError as exc:
        if getattr(exc, "error_dict", {}).get("person") and any(
            error.code == "already_employed" for error in exc.error_dict["person"]
        ):
            # Another approval started an employment in the meantime.
            raise field_error("person", "employed_elsewhere", MESSAGES) from None
        raise
