"""Acknowledging with evidence, extensions, briefings."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import validation_error
from entezam.core.persian.jalali import format_jalali
from entezam.core.scoping import require
from entezam.core.services import require_reason
from entezam.notifications.services import notify
from entezam.personnel.models import Employment

from ..choices import AckStatus
from ..choices import ExtensionStatus as ES
from ..errors import MESSAGES
from ..models import (
    Acknowledgement,
    Briefing,
    Clause,
    ClauseConfirmation,
    Extension,
)
from .common import _err, _officers

# --------------------------------------------------------------------------- acknowledging


def clauses_to_confirm(ack: Acknowledgement) -> list[Clause]:
    """The clauses the institution confirms: all of them, or after a new version only the
    changed ones."""
    clauses = list(ack.issuance.version.clauses.all())
    if ack.clauses_to_confirm:
        keys = set(ack.clauses_to_confirm)
        clauses = [c for c in clauses if c.key in keys]
    return clauses


@transaction.atomic
def acknowledgement_acknowledge(
    *, actor, ack: Acknowledgement, evidence: dict[int, str], comment: str = ""
) -> Acknowledgement:
    """A manager acknowledges the issuance for the institution, with the evidence of every
    clause (to confirm) that asks for it, keyed by clause id."""
    require(actor, "acknowledge", ack)
    ack = Acknowledgement.objects.select_for_update().get(pk=ack.pk)
    if not ack.is_open:
        raise validation_error("not_pending", MESSAGES)
    confirmations = []
    for clause in clauses_to_confirm(ack):
        if not clause.requires_evidence:
            continue
        given = (evidence.get(clause.pk, "") or "").strip()
        if len(given) < 2:
            raise _err(
                f"evidence_{clause.pk}",
                "evidence_required",
                number=clause.number,
                label=clause.evidence_label,
            )
        confirmations.append(ClauseConfirmation(acknowledgement=ack, clause=clause, evidence=given))
    ClauseConfirmation.objects.bulk_create(confirmations)
    before = ack.status
    ack.status = AckStatus.ACKNOWLEDGED
    ack.acknowledged_by = actor
    ack.acknowledged_at = timezone.now()
    ack.comment = (comment or "").strip()
    ack.save()
    audit.record(
        actor=actor,
        action="acknowledgement.acknowledge",
        obj=ack,
        changes={
            "status": [before, AckStatus.ACKNOWLEDGED],
            "evidence": {c.clause.number: c.evidence for c in confirmations},
        },
        permission="acknowledge",
    )
    return ack


@transaction.atomic
def extension_request(*, actor, ack: Acknowledgement, reason: str) -> Extension:
    require(actor, "request_extension", ack)
    reason = require_reason(reason)
    if not ack.is_open:
        raise validation_error("not_pending", MESSAGES)
    if ack.extensions.filter(status=ES.REQUESTED).exists():
        raise validation_error("extension_open", MESSAGES)
    extension = Extension.objects.create(acknowledgement=ack, reason=reason, requested_by=actor)
    audit.record(
        actor=actor,
        action="extension.request",
        obj=ack,
        changes={"extension": extension.pk},
        reason=reason,
        permission="request_extension",
    )
    notify(
        recipients=[u for u in _officers(ack.institution) if u.has_role(Role.PROVINCE_OFFICER)],
        event="guideline.extension",
        title=_("%(institution)s asks for more time on %(number)s")
        % {"institution": ack.institution.name, "number": ack.issuance.number},
        obj=ack,
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    actor,
    extension: Extension,
    grant: bool,
    new_deadline: datetime.date | None = None,
    note: str = "",
) -> Extension:
    """The province officer (or HQ) grants a request with a new deadline, or refuses it."""
    ack = Acknowledgement.objects.select_for_update().get(pk=extension.acknowledgement_id)
    require(actor, "decide_extension", ack)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ES.REQUESTED:
        raise validation_error("extension_decided", MESSAGES)
    changes: dict = {}
    if grant:
        if new_deadline is None:
            raise _err("new_deadline", "empty", label=_("new deadline"))
        if new_deadline <= ack.deadline:
            raise _err("new_deadline", "extension_not_later")
        extension.new_deadline = new_deadline
        changes["deadline"] = [ack.deadline, new_deadline]
        ack.deadline = new_deadline
        if ack.is_open:
            changes["status"] = [ack.status, AckStatus.EXTENDED]
            ack.status = AckStatus.EXTENDED
            ack.overdue_since = None
        ack.save()
    else:
        note = require_reason(note)
    extension.status = ES.GRANTED if grant else ES.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_note = (note or "").strip()
    extension.full_clean()
    extension.save()
    audit.record(
        actor=actor,
        action="extension.grant" if grant else "extension.refuse",
        obj=ack,
        changes=changes,
        reason=extension.decision_note,
        permission="decide_extension",
    )
    notify(
        recipients=[extension.requested_by],
        event="guideline.extension",
        title=(
            _("More time granted on %(number)s: the new deadline is %(deadline)s")
            if grant
            else _("The request for more time on %(number)s was refused")
        )
        % {"number": ack.issuance.number, "deadline": format_jalali(new_deadline)},
        obj=ack,
    )
    return extension


def current_staff(institution_id: int):
    """Person ids of the institution's current staff (employments not ended)."""
    today = timezone.localdate()
    return (
        Employment.objects.filter(institution_id=institution_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values("person_id")
    )


@transaction.atomic
def briefing_record(
    *,
    actor,
    ack: Acknowledgement,
    held_on: datetime.date,
    person_ids: list[int],
    note: str = "",
) -> Briefing:
    """The institution briefed these people (current staff only) on the guideline."""
    require(actor, "brief", ack)
    if held_on > timezone.localdate():
        raise _err("held_on", "briefing_in_future")
    ids = {int(pk) for pk in person_ids}
    if not ids:
        raise _err("attendees", "no_attendees")
    staff = set(
        current_staff(ack.institution_id)
        .filter(person_id__in=ids)
        .values_list("person_id", flat=True)
    )
    if len(staff) != len(ids):
        raise _err("attendees", "not_staff", count=len(ids - staff))
    briefing = Briefing(acknowledgement=ack, held_on=held_on, note=note.strip(), recorded_by=actor)
    briefing.full_clean(exclude=["attendees"])
    briefing.save()
    briefing.attendees.set(sorted(ids))
    audit.record(
        actor=actor,
        action="briefing.record",
        obj=ack,
        changes={"held_on": held_on, "attendees": len(ids)},
        permission="brief",
    )
    return briefing


def briefing_counts(ack: Acknowledgement) -> dict:
    """ "Briefed 412 of 530 staff": current staff briefed on this guideline (at any of its
    issuances to the institution), and the current staff still to brief."""
    staff = current_staff(ack.institution_id)
    briefed = (
        Briefing.attendees.through.objects.filter(
            briefing__acknowledgement__institution_id=ack.institution_id,
            briefing__acknowledgement__issuance__version__guideline_id=ack.issuance.version.guideline_id,
            person_id__in=staff,
        )
        .values("person_id")
        .distinct()
        .count()
    )
    total = staff.count()
    return {"briefed": briefed, "staff": total, "to_brief": total - briefed}
