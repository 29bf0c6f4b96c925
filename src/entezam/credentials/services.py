"""Writes on licence cards: issue (one, or all who qualify in an institution or a session),
replace, and the status that follows its causes (`cards_reconcile`, periodic).

`effective_status` answers from the causes themselves, so a verification is right even
between two reconcile runs: an institution suspended a second ago shows "suspended"."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from entezam.core import audit
from entezam.core.errors import field_error, validation_error
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import require_reason
from entezam.institutions.choices import OPERATING_STATUSES, InstitutionStatus
from entezam.personnel.models import Employment
from entezam.training.models import Session, valid_certificates
from entezam.training.selectors import mandatory_courses
from entezam.vetting.choices import ApplicationStatus
from entezam.vetting.models import Application

from .choices import LIVE_STATUSES, CardStatus
from .errors import MESSAGES
from .models import Card, CardNumberSequence

if TYPE_CHECKING:
    from entezam.accounts.models import User

TOKEN_BYTES = 24  # 192 random bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _next_number(province) -> str:
    sequence, _created = CardNumberSequence.objects.get_or_create(province=province)
    sequence = CardNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{province.code}-{sequence.last:07d}"


def card_conditions(
    employment: Employment, today: datetime.date
) -> tuple[list, datetime.date | None]:
    """(the missing conditions as ValidationErrors, the expiry a card would get)."""
    institution, person = employment.institution, employment.person
    missing = []
    if not Application.objects.filter(
        person=person, institution=institution, status=ApplicationStatus.APPROVED
    ).exists():
        missing.append(validation_error("no_approved_application", MESSAGES))
    if employment.end_date is not None:
        missing.append(validation_error("no_active_employment", MESSAGES))
    expiries = []
    lacking = []
    for course in mandatory_courses():
        if not course.is_mandatory_for(employment.position):
            continue
        newest = (
            valid_certificates(today)
            .filter(person=person, course=course)
            .order_by("-expires_on")
            .first()
        )
        if newest is None:
            lacking.append(course.title)
        else:
            expiries.append(newest.expires_on)
    if lacking:
        missing.append(validation_error("certificate_missing", MESSAGES, courses=lacking))
    if institution.status not in OPERATING_STATUSES:
        missing.append(
            validation_error(
                "institution_not_operating", MESSAGES, status=institution.get_status_display()
            )
        )
    if institution.licence_expires_on:
        expiries.append(institution.licence_expires_on)
    return missing, (min(expiries) if expiries else None)


def _issue(*, actor, employment: Employment, today, replaces: Card | None = None) -> Card:
    missing, expires_on = card_conditions(employment, today)
    if missing:
        raise ValidationError({"employment": missing})
    if expires_on is None or expires_on < today:
        raise field_error("employment", "certificate_missing", MESSAGES, courses="—")
    live = Card.objects.filter(employment=employment, status__in=LIVE_STATUSES)
    if replaces is not None:
        live = live.exclude(pk=replaces.pk)
    if live.exists():
        raise field_error("employment", "already_carded", MESSAGES)
    card = Card.objects.create(
        person=employment.person,
        institution=employment.institution,
        employment=employment,
        position=employment.position,
        number=_next_number(employment.institution.province),
        token=new_token(),
        issued_on=today,
        expires_on=expires_on,
    )
    ensure_still_visible(actor, "add", card)
    audit.record(
        actor=actor,
        action="card.issue",
        obj=card,
        changes={
            "number": [None, card.number],
            "expires_on": [None, card.expires_on.isoformat()],
            **({"replaces": [None, replaces.number]} if replaces else {}),
        },
        permission="add",
    )
    return card


@transaction.atomic
def card_issue(*, actor: User, employment: Employment) -> Card:
    """Issue a card for a current employment; the refusal names every missing condition."""
    employment = (
        Employment.objects.select_for_update(of=("self",))
        .select_related("person", "institution__province")
        .get(pk=employment.pk)
    )
    require(actor, "view", employment)
    require_model_action(actor, Card, "add")
    return _issue(actor=actor, employment=employment, today=timezone.localdate())


@dataclass
class BulkIssue:
    issued: list[Card] = field(default_factory=list)
    refused: list[tuple[Employment, str]] = field(default_factory=list)


@transaction.atomic
def cards_issue_bulk(*, actor: User, institution=None, session: Session | None = None) -> BulkIssue:
    """Issue a card to everyone who qualifies and holds none: the current staff of an
    institution, or the people who passed a session (at their current institution)."""
    require_model_action(actor, Card, "add")
    employments = Employment.objects.visible_to(actor).filter(end_date__isnull=True)
    if institution is not None:
        require(actor, "view", institution)
        employments = employments.filter(institution=institution)
    if session is not None:
        employments = employments.filter(
            person__enrolments__session=session, person__enrolments__result="passed"
        )
    employments = employments.exclude(cards__status__in=LIVE_STATUSES).select_related(
        "person", "institution__province"
    )
    report = BulkIssue()
    today = timezone.localdate()
    for employment in employments.order_by("pk").distinct()[:5000]:
        try:
            with transaction.atomic():
                report.issued.append(_issue(actor=actor, employment=employment, today=today))
        except ValidationError as exc:
            report.refused.append((employment, " ".join(exc.messages)))
    return report


@transaction.atomic
def card_replace(*, actor: User, card: Card, reason: str) -> Card:
    """A new card (new number and token) in place of a lost or damaged one; the old one
    becomes `replaced` and answers so when checked."""
    reason = require_reason(reason)
    card = Card.objects.select_for_update().get(pk=card.pk)
    require(actor, "replace", card)
    if card.status not in LIVE_STATUSES:
        raise field_error("status", "card_not_live", MESSAGES, status=card.get_status_display())
    employment = Employment.objects.select_related("person", "institution__province").get(
        pk=card.employment_id
    )
    new = _issue(actor=actor, employment=employment, today=timezone.localdate(), replaces=card)
    _set_status(card, CardStatus.REPLACED, reason=reason, actor=actor, replaced_by=new)
    return new


def _set_status(card: Card, status: str, *, reason: str, actor=None, replaced_by=None) -> None:
    before = card.status
    card.status, card.status_reason = status, reason[:300]
    card.status_changed_at = timezone.now()
    fields = ["status", "status_reason", "status_changed_at", "updated_at"]
    if replaced_by is not None:
        card.replaced_by = replaced_by
        fields.append("replaced_by")
    card.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=f"card.{status}" if status != CardStatus.ACTIVE else "card.restore",
        obj=card,
        changes={"status": [before, status]},
        reason=reason,
        permission="replace" if actor else None,
    )


def effective_status(card: Card, today: datetime.date | None = None) -> tuple[str, str]:
    """(status, cause) from the card and its causes as they are now."""
    return status_from_causes(
        status=card.status,
        status_reason=card.status_reason,
        expires_on=card.expires_on,
        employment_ended=card.employment.end_date is not None,
        institution_status=card.institution.status,
        today=today,
    )


def status_from_causes(
    *,
    status: str,
    status_reason: str,
    expires_on: datetime.date,
    employment_ended: bool,
    institution_status: str,
    today: datetime.date | None = None,
) -> tuple[str, str]:
    """The one rule: a live card's answer follows its employment, its institution and its
    expiry, whatever its stored status says (the periodic reconcile catches the store up)."""
    today = today or timezone.localdate()
    if status not in LIVE_STATUSES:
        return status, status_reason
    if employment_ended:
        return CardStatus.REVOKED, "employment_ended"
    if institution_status in (InstitutionStatus.REVOKED, InstitutionStatus.CLOSED):
        return CardStatus.REVOKED, f"institution_{institution_status}"
    if expires_on < today:
        return CardStatus.EXPIRED, "expired"
    if institution_status == InstitutionStatus.SUSPENDED:
        return CardStatus.SUSPENDED, "institution_suspended"
    return CardStatus.ACTIVE, ""


def cards_reconcile(today: datetime.date | None = None) -> int:
    """Bring every live card's stored status in line with its causes (periodic; each change
    one audit event by the system). Returns the cards changed."""
    today = today or timezone.localdate()
    ended = Q(employment__end_date__isnull=False)
    gone = Q(institution__status__in=[InstitutionStatus.REVOKED, InstitutionStatus.CLOSED])
    suspended = Q(institution__status=InstitutionStatus.SUSPENDED)
    due = Card.objects.filter(
        Q(status=CardStatus.ACTIVE) & (ended | gone | suspended | Q(expires_on__lt=today))
        | Q(status=CardStatus.SUSPENDED) & ~suspended
    ).select_related("employment", "institution")
    changed = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update(of=("self",), skip_locked=True).order_by("pk")[:500])
            if not batch:
                return changed
            moved = 0
            for card in batch:
                status, cause = effective_status(card, today)
                if status != card.status:
                    _set_status(card, status, reason=cause)
                    moved += 1
            changed += moved
            if not moved:
                return changed
