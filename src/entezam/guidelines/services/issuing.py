"""Issuing a version, also on the emergency path, and its later review."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.core import audit
from entezam.core.errors import validation_error
from entezam.core.persian.jalali import format_jalali
from entezam.core.scoping import require
from entezam.core.services import require_reason
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.notifications.services import notify

from .. import text
from ..choices import OPEN_ACK_STATUSES, AckStatus
from ..choices import VersionStatus as VS
from ..errors import MESSAGES
from ..models import (
    Acknowledgement,
    Issuance,
    Version,
)
from .common import _err, _hq_admins, _managers, default_deadline
from .drafting import _wrong_status

# --------------------------------------------------------------------------- issuing


def audience(*, province=None, kind: str = ""):
    """Institutions an issuance reaches: developing or active, optionally filtered."""
    rows = Institution.objects.filter(status__in=OPERATING_STATUSES)
    if province is not None:
        rows = rows.filter(province=province)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def _next_number(issued_on: datetime.date) -> str:
    year = format_jalali(issued_on, digits="en")[:4]
    taken = Issuance.objects.filter(number__startswith=f"{year}/").values_list("number", flat=True)
    last = max((int(n.split("/", 1)[1]) for n in taken), default=0)
    return f"{year}/{last + 1:04d}"


@transaction.atomic
def version_issue(
    *,
    actor,
    version: Version,
    issued_on: datetime.date | None = None,
    deadline: datetime.date | None = None,
    audience_province=None,
    audience_kind: str = "",
    emergency_reason: str = "",
) -> Issuance:
    """Issue an approved version to its audience: one acknowledgement per institution with
    the deadline (default two Jalali months). With `emergency_reason`, an HQ administrator
    issues a version not yet approved; a second administrator must review it afterwards.

    A later version supersedes the earlier issuance: its institutions confirm again only
    the changed clauses; a minor version is acknowledged as the earlier one was."""
    require(actor, "issue", version)
    version = Version.objects.select_for_update().get(pk=version.pk)
    guideline = version.guideline
    if guideline.is_procedure:
        raise validation_error("procedure_not_issued", MESSAGES)
    emergency_reason = (emergency_reason or "").strip()
    if emergency_reason:
        emergency_reason = require_reason(emergency_reason)
        if version.status not in (VS.DRAFT, VS.IN_REVIEW, VS.APPROVED):
            raise _wrong_status(version, _("issued"))
        if not version.clauses.filter(is_heading=False).exists():
            raise validation_error("no_clauses", MESSAGES)
    elif version.status != VS.APPROVED:
        raise _wrong_status(version, _("issued"))
    issued_on = issued_on or timezone.localdate()
    deadline = deadline or default_deadline(issued_on)
    if deadline <= issued_on:
        raise _err("deadline", "deadline_before_issue")
    institutions = list(
        audience(province=audience_province, kind=audience_kind).only(
            "pk", "province_id", "supervising_unit_id"
        )
    )
    if not institutions:
        raise _err("audience_province", "no_audience")
    clauses = list(version.clauses.all())
    previous = (
        Issuance.objects.filter(version__guideline=guideline, current=True)
        .select_related("version")
        .first()
    )
    for attempt in range(5):
        try:
            with transaction.atomic():
                issuance = Issuance.objects.create(
                    version=version,
                    number=_next_number(issued_on),
                    issued_on=issued_on,
                    deadline=deadline,
                    audience_province=audience_province,
                    audience_kind=audience_kind or "",
                    issued_by=actor,
                    content_hash=text.content_hash(version, clauses),
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    before = version.status
    version.status = VS.ISSUED
    version.emergency_reason = emergency_reason
    version.save()
    previous_acks = {}
    changed: list[str] = []
    if previous is not None:
        previous_acks = {a.institution_id: a for a in previous.acknowledgements.all()}
        changed = text.changed_keys(list(previous.version.clauses.all()), clauses)
        previous.current = False
        previous.save(update_fields=["current", "updated_at"])
        previous.version.status = VS.SUPERSEDED
        previous.version.save(update_fields=["status", "updated_at"])
        previous.acknowledgements.filter(status__in=OPEN_ACK_STATUSES).update(
            status=AckStatus.SUPERSEDED, updated_at=timezone.now()
        )
    acks = []
    for inst in institutions:
        prior = previous_acks.get(inst.pk)
        ack = Acknowledgement(
            issuance=issuance, institution=inst, joined_on=issued_on, deadline=deadline
        )
        if prior is not None and prior.status == AckStatus.ACKNOWLEDGED:
            if version.minor:
                ack.status = AckStatus.ACKNOWLEDGED
                ack.acknowledged_by_id = prior.acknowledged_by_id
                ack.acknowledged_at = prior.acknowledged_at
                ack.comment = prior.comment
            else:
                ack.clauses_to_confirm = changed
        elif prior is not None and version.minor:
            # Still owed: the earlier deadline stands (a wording change gives no more time).
            ack.joined_on, ack.deadline = prior.joined_on, prior.deadline
            ack.clauses_to_confirm = prior.clauses_to_confirm
        acks.append(ack)
    Acknowledgement.objects.bulk_create(acks, batch_size=1000)
    audit.record(
        actor=actor,
        action="version.issue_emergency" if emergency_reason else "version.issue",
        obj=version,
        changes={
            "status": [before, VS.ISSUED],
            "issuance": issuance.number,
            "deadline": deadline,
            "institutions": len(acks),
            "content_hash": issuance.content_hash,
        },
        reason=emergency_reason,
        permission="issue",
    )
    url = reverse("guidelines:pending")
    title = (
        _("Issued (wording only, no new acknowledgement): %(title)s, version %(number)s")
        if version.minor and previous is not None
        else _("Issued to your institution: %(title)s — acknowledge by %(deadline)s")
    )
    notify(
        recipients=_managers(inst.pk for inst in institutions),
        event="guideline.issued",
        title=title
        % {
            "title": guideline.title,
            "number": version.number,
            "deadline": format_jalali(deadline),
        },
        url=url,
        obj=issuance,
        dedupe_key=f"guideline-issued:{issuance.pk}",
    )
    if emergency_reason:
        notify(
            recipients=_hq_admins(exclude=actor),
            event="guideline.review",
            title=_("Issued without approval, review needed: %(title)s, version %(number)s")
            % {"title": guideline.title, "number": version.number},
            obj=version,
        )
    return issuance


@transaction.atomic
def version_review_emergency(*, actor, version: Version, note: str) -> Version:
    """A second HQ administrator reviews a version issued on the emergency path."""
    require(actor, "emergency_review", version)
    if not version.emergency_reason:
        raise validation_error("not_emergency", MESSAGES)
    if version.emergency_reviewed_at is not None:
        raise validation_error("already_reviewed", MESSAGES)
    issuance = getattr(version, "issuance", None)
    if issuance is not None and issuance.issued_by_id == actor.pk:
        raise validation_error("reviewer_is_issuer", MESSAGES)
    note = require_reason(note)
    version.emergency_reviewed_by = actor
    version.emergency_reviewed_at = timezone.now()
    version.emergency_review_note = note
    version.save()
    audit.record(
        actor=actor,
        action="version.emergency_review",
        obj=version,
        changes={"reviewed": [False, True]},
        reason=note,
        permission="emergency_review",
    )
    return version
