"""Drafting and review: clauses, the two-person rule, procedures returned with comments."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.accounts.choices import Role
from entezam.core import audit
from entezam.core.errors import validation_error
from entezam.core.scoping import require
from entezam.core.services import create_object, require_reason, update_object
from entezam.institutions.models import Institution
from entezam.notifications.services import notify

from ..choices import VersionStatus as VS
from ..errors import MESSAGES
from ..models import (
    Clause,
    Guideline,
    Version,
)
from .common import _CLAUSE_NUMBER, _CODE, _err, _hq_admins, _officers

# --------------------------------------------------------------------------- drafting


@transaction.atomic
def guideline_create(
    *,
    actor,
    code: str,
    title: str,
    kind: str,
    owner_institution: Institution | None = None,
    mandate_due_on: datetime.date | None = None,
) -> Guideline:
    """A guideline with its first (empty) draft. A manager creates their institution's
    own procedure; HQ creates HQ guidelines (or, for an institution, its procedure)."""
    code = (code or "").strip()
    if not _CODE.fullmatch(code):
        raise _err("code", "invalid_code")
    if Guideline.objects.filter(code__iexact=code).exists():
        raise _err("code", "code_taken")
    title = (title or "").strip()
    if not title:
        raise _err("title", "empty", label=_("title"))
    guideline = create_object(
        actor=actor,
        model=Guideline,
        data={
            "code": code,
            "title": title,
            "kind": kind,
            "owner_institution": owner_institution,
            "mandate_due_on": mandate_due_on,
        },
        action="guideline.create",
    )
    Version.objects.create(guideline=guideline, number=1, author=actor)
    return guideline


@transaction.atomic
def guideline_update(*, actor, guideline: Guideline, data: dict) -> Guideline:
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
        if not data["title"]:
            raise _err("title", "empty", label=_("title"))
    return update_object(
        actor=actor,
        obj=guideline,
        data=data,
        fields=[f for f in ("title", "kind", "mandate_due_on") if f in data],
        action="guideline.update",
    )


@transaction.atomic
def version_start(*, actor, guideline: Guideline) -> Version:
    """A new draft, a copy of the latest version's clauses (their keys kept, so the new
    version compares clause by clause with the old)."""
    require(actor, "change", guideline)
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    if guideline.versions.filter(status__in=[VS.DRAFT, VS.IN_REVIEW, VS.APPROVED]).exists():
        raise validation_error("draft_exists", MESSAGES)
    latest = guideline.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    version = Version.objects.create(guideline=guideline, number=number, author=actor)
    if latest is not None:
        Clause.objects.bulk_create(
            Clause(
                version=version,
                key=c.key,
                number=c.number,
                position=c.position,
                title=c.title,
                body=c.body,
                is_heading=c.is_heading,
                requires_evidence=c.requires_evidence,
                evidence_label=c.evidence_label,
            )
            for c in latest.clauses.all()
        )
    audit.record(
        actor=actor,
        action="version.create",
        obj=version,
        changes={"number": [None, number]},
        permission="change",
    )
    return version


def _require_draft(actor, version: Version) -> None:
    require(actor, "change", version)
    if version.status != VS.DRAFT:
        raise validation_error("not_draft", MESSAGES)


@transaction.atomic
def version_update(*, actor, version: Version, summary: str, minor: bool) -> Version:
    _require_draft(actor, version)
    return update_object(
        actor=actor,
        obj=version,
        data={"summary": (summary or "").strip(), "minor": bool(minor)},
        fields=["summary", "minor"],
        action="version.update",
    )


@transaction.atomic
def clause_save(
    *,
    actor,
    version: Version,
    number: str,
    title: str = "",
    body: str = "",
    is_heading: bool = False,
    requires_evidence: bool = False,
    evidence_label: str = "",
    clause: Clause | None = None,
) -> Clause:
    """Add a clause to a draft, or change one (`clause`). Clauses stay in number order."""
    _require_draft(actor, version)
    number = (number or "").strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789."))
    if not _CLAUSE_NUMBER.fullmatch(number):
        raise _err("number", "invalid_clause_number")
    taken = version.clauses.filter(number=number)
    if clause is not None:
        taken = taken.exclude(pk=clause.pk)
    if taken.exists():
        raise _err("number", "clause_number_taken", number=number)
    title, body = (title or "").strip(), (body or "").strip()
    if not is_heading and not body:
        raise _err("body", "empty", label=_("clause text"))
    if is_heading and not title:
        raise _err("title", "empty", label=_("title"))
    evidence_label = (evidence_label or "").strip() if requires_evidence else ""
    if requires_evidence and not evidence_label:
        raise _err("evidence_label", "empty", label=_("evidence asked for"))
    fields = {
        "number": number,
        "title": title,
        "body": body,
        "is_heading": bool(is_heading),
        "requires_evidence": bool(requires_evidence) and not is_heading,
        "evidence_label": evidence_label,
    }
    if clause is None:
        clause = Clause(version=version, key=secrets.token_hex(8), position=0, **fields)
        before = {}
    else:
        if clause.version_id != version.pk:
            raise _err("number", "unknown_clause", number=number)
        before = audit.snapshot(clause, fields)
        for name, value in fields.items():
            setattr(clause, name, value)
    clause.save()
    _renumber(version)
    audit.record(
        actor=actor,
        action="clause.save",
        obj=version,
        changes={"clause": number, **audit.diff(before, audit.snapshot(clause, fields))},
        permission="change",
    )
    return clause


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _renumber(version: Version) -> None:
    clauses = sorted(version.clauses.all(), key=lambda c: _number_key(c.number))
    for position, clause in enumerate(clauses, start=1):
        clause.position = position
    Clause.objects.bulk_update(clauses, ["position"])


@transaction.atomic
def clause_delete(*, actor, clause: Clause) -> None:
    version = clause.version
    _require_draft(actor, version)
    number = clause.number
    clause.delete()
    _renumber(version)
    audit.record(
        actor=actor,
        action="clause.delete",
        obj=version,
        changes={"clause": [number, None]},
        permission="change",
    )


# --------------------------------------------------------------------------- review


def _wrong_status(version: Version, action) -> Exception:
    return validation_error(
        "wrong_status", MESSAGES, status=version.get_status_display(), action=action
    )


def _move(actor, version: Version, status: str, action: str, permission: str, **fields):
    before = version.status
    version.status = status
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    audit.record(
        actor=actor,
        action=action,
        obj=version,
        changes={"status": [before, status]},
        reason=fields.get("emergency_reason", "") or fields.get("emergency_review_note", ""),
        permission=permission,
    )
    return version


@transaction.atomic
def version_submit(*, actor, version: Version) -> Version:
    require(actor, "submit", version)
    if version.status != VS.DRAFT:
        raise _wrong_status(version, _("sent for review"))
    if not version.clauses.filter(is_heading=False).exists():
        raise validation_error("no_clauses", MESSAGES)
    version = _move(
        actor,
        version,
        VS.IN_REVIEW,
        "version.submit",
        "submit",
        submitted_at=timezone.now(),
        review_comments={},
    )
    guideline = version.guideline
    if guideline.is_procedure and guideline.owner_institution is not None:
        reviewers = [
            u for u in _officers(guideline.owner_institution) if u.has_role(Role.PROVINCE_OFFICER)
        ]
    else:
        reviewers = _hq_admins(exclude=actor)
    notify(
        recipients=reviewers,
        event="guideline.review",
        title=_("Waiting for your review: %(title)s, version %(number)s")
        % {"title": guideline.title, "number": version.number},
        obj=version,
    )
    return version


@transaction.atomic
def version_approve(*, actor, version: Version) -> Version:
    """Approve a version in review. Never by its author (the two-person rule). An HQ
    guideline is approved by a second HQ administrator; an institution's procedure by its
    province officer (or HQ), after which it is in force."""
    permission = "review" if version.guideline.is_procedure else "approve"
    require(actor, permission, version)
    if version.status != VS.IN_REVIEW:
        raise _wrong_status(version, _("approved"))
    if version.author_id == actor.pk:
        raise validation_error("approver_is_author", MESSAGES)
    version = _move(
        actor,
        version,
        VS.APPROVED,
        "version.approve",
        permission,
        approved_by=actor,
        approved_at=timezone.now(),
    )
    if version.guideline.is_procedure:
        _supersede_older(version)
    notify(
        recipients=[version.author],
        event="guideline.review",
        title=_("Approved: %(title)s, version %(number)s")
        % {"title": version.guideline.title, "number": version.number},
        obj=version,
    )
    return version


def _supersede_older(version: Version) -> None:
    Version.objects.filter(
        guideline=version.guideline,
        status__in=[VS.ISSUED, VS.APPROVED],
        number__lt=version.number,
    ).update(status=VS.SUPERSEDED, updated_at=timezone.now())


@transaction.atomic
def version_return(*, actor, version: Version, comments: dict[str, str]) -> Version:
    """Send a version in review back to its author with comments by clause number
    ("" for the whole text)."""
    permission = "review" if version.guideline.is_procedure else "approve"
    require(actor, permission, version)
    if version.status != VS.IN_REVIEW:
        raise _wrong_status(version, _("returned"))
    numbers = set(version.clauses.values_list("number", flat=True))
    cleaned = {}
    for number, comment in (comments or {}).items():
        comment = (comment or "").strip()
        if not comment:
            continue
        if number and number not in numbers:
            raise _err("comments", "unknown_clause", number=number)
        cleaned[number] = comment
    if not cleaned:
        raise _err("comments", "comments_required")
    version = _move(actor, version, VS.DRAFT, "version.return", permission)
    version.review_comments = cleaned
    version.save(update_fields=["review_comments", "updated_at"])
    notify(
        recipients=[version.author],
        event="guideline.review",
        title=_("Returned with comments: %(title)s, version %(number)s")
        % {"title": version.guideline.title, "number": version.number},
        obj=version,
    )
    return version


@transaction.atomic
def version_withdraw(*, actor, version: Version, reason: str) -> Version:
    require(actor, "change", version)
    reason = require_reason(reason)
    if version.status not in (VS.DRAFT, VS.IN_REVIEW, VS.APPROVED) or (
        version.guideline.is_procedure and version.status == VS.APPROVED
    ):
        raise _wrong_status(version, pgettext_lazy("guideline version", "withdrawn"))
    before = version.status
    version.status = VS.WITHDRAWN
    version.save()
    audit.record(
        actor=actor,
        action="version.withdraw",
        obj=version,
        changes={"status": [before, VS.WITHDRAWN]},
        reason=reason,
        permission="change",
    )
    return version
