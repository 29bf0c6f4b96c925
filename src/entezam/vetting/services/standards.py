"""Selection standards: drafts, edits and activation (which re-screens)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from entezam.core import audit
from entezam.core.errors import field_error, validation_error
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.personnel.choices import Position

from .. import rules as rule_engine
from ..choices import (
    OPEN_APPLICATION_STATUSES,
    SCREENABLE_STATUSES,
    ApplicationStatus,
    RuleKind,
    RuleOutcome,
    StandardStatus,
)
from ..errors import LABELS, MESSAGES
from ..models import (
    Application,
    Standard,
    StandardRule,
)
from .screening import SCREEN_CHUNK, screen_candidates

if TYPE_CHECKING:
    from entezam.accounts.models import User


def active_standard_for(position: str) -> Standard | None:
    """The active standard that selects for `position` (each position has at most one)."""
    for standard in Standard.objects.filter(status=StandardStatus.ACTIVE).order_by("code"):
        if position in standard.positions:
            return standard
    return None


def _clean_standard(*, code: str, title: str, positions, rules: dict[str, dict]) -> tuple:
    errors: dict[str, Any] = {}
    code = (code or "").strip().upper()
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        errors["code"] = validation_error("invalid_code", MESSAGES)
    if not (title or "").strip():
        errors["title"] = validation_error("empty", MESSAGES, label=LABELS["title"])
    positions = list(dict.fromkeys(positions or []))
    unknown = [p for p in positions if p not in Position.values]
    if not positions or unknown:
        errors["positions"] = validation_error("positions_required", MESSAGES)
    if not rules:
        errors["rules"] = validation_error("rules_required", MESSAGES)
    cleaned_rules = {}
    for kind, params in (rules or {}).items():
        try:
            cleaned_rules[kind] = rule_engine.clean_params(kind, params)
        except ValidationError as exc:
            errors.update(exc.error_dict)  # `clean_params` names the parameter
    if errors:
        raise ValidationError(errors)
    return code, title.strip(), positions, cleaned_rules


def _write_rules(standard: Standard, rules: dict[str, dict]) -> None:
    standard.rules.all().delete()
    order = {kind: i for i, kind in enumerate(RuleKind.values)}
    StandardRule.objects.bulk_create(
        StandardRule(standard=standard, kind=kind, params=params, position=order[kind])
        for kind, params in sorted(rules.items(), key=lambda item: order[item[0]])
    )


def _rules_snapshot(standard: Standard) -> dict:
    return {rule.kind: rule.params for rule in standard.rules.all()}


@transaction.atomic
def standard_create_draft(
    *,
    actor: User,
    code: str,
    title: str,
    positions: Iterable[str],
    rules: dict[str, dict],
    effective_date: datetime.date | None = None,
) -> Standard:
    """A new draft version of `code` (version = the highest so far + 1)."""
    require_model_action(actor, Standard, "add")
    code, title, positions, rules = _clean_standard(
        code=code, title=title, positions=positions, rules=rules
    )
    if Standard.objects.filter(code=code, status=StandardStatus.DRAFT).exists():
        raise field_error("code", "draft_exists", MESSAGES, code=code)
    last = Standard.objects.filter(code=code).order_by("-version").first()
    standard = Standard.objects.create(
        code=code,
        version=(last.version + 1) if last else 1,
        title=title,
        positions=positions,
        effective_date=effective_date,
        status=StandardStatus.DRAFT,
    )
    _write_rules(standard, rules)
    ensure_still_visible(actor, "change", standard)
    audit.record(
        actor=actor,
        action="standard.create",
        obj=standard,
        changes={"positions": [None, positions], "rules": [None, rules]},
        permission="add",
    )
    return standard


@transaction.atomic
def standard_update_draft(
    *,
    actor: User,
    standard: Standard,
    title: str,
    positions: Iterable[str],
    rules: dict[str, dict],
    effective_date: datetime.date | None = None,
) -> Standard:
    """Edit a draft; active and retired versions are fixed (decisions refer to them)."""
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    require(actor, "change", standard)
    if standard.status != StandardStatus.DRAFT:
        raise field_error("status", "not_draft", MESSAGES)
    _code, title, positions, rules = _clean_standard(
        code=standard.code, title=title, positions=positions, rules=rules
    )
    before = {
        "title": standard.title,
        "positions": standard.positions,
        "effective_date": standard.effective_date,
        "rules": _rules_snapshot(standard),
    }
    standard.title, standard.positions, standard.effective_date = title, positions, effective_date
    standard.save(update_fields=["title", "positions", "effective_date", "updated_at"])
    _write_rules(standard, rules)
    after = {**audit.snapshot(standard, ["title", "positions", "effective_date"]), "rules": rules}
    ensure_still_visible(actor, "change", standard)
    audit.record(
        actor=actor,
        action="standard.update",
        obj=standard,
        changes=audit.diff(before, after),
        permission="change",
    )
    return standard


@transaction.atomic
def standard_activate(*, actor: User, standard: Standard) -> Standard:
    """Make a draft the active version of its code.

    The previous active version is retired; open applications under it switch to the
    new version and are screened again; approved staff (still employed through an
    application under the old version) who would fail the new rules are listed in
    `activation_report` for review. Nobody loses a job automatically.
    """
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    require(actor, "activate", standard)
    if standard.status != StandardStatus.DRAFT:
        raise field_error("status", "not_draft", MESSAGES)
    if not standard.rules.exists():
        raise field_error("rules", "rules_required", MESSAGES)
    overlap = [
        str(other)
        for other in Standard.objects.filter(status=StandardStatus.ACTIVE).exclude(
            code=standard.code
        )
        if set(other.positions) & set(standard.positions)
    ]
    if overlap:
        raise field_error("positions", "positions_covered", MESSAGES, standards=overlap)
    previous = (
        Standard.objects.select_for_update()
        .filter(code=standard.code, status=StandardStatus.ACTIVE)
        .first()
    )
    now = timezone.now()
    if previous is not None:
        previous.status = StandardStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
    standard.status = StandardStatus.ACTIVE
    standard.activated_at = now
    if standard.effective_date is None or standard.effective_date > timezone.localdate():
        standard.effective_date = timezone.localdate()
    standard.save(update_fields=["status", "activated_at", "effective_date", "updated_at"])

    report: dict = {
        "previous": str(previous) if previous else "",
        "rescreened": {},
        "would_fail": [],
    }
    if previous is not None:
        moved = Application.objects.filter(standard=previous, status__in=OPEN_APPLICATION_STATUSES)
        switched = moved.update(standard=standard, updated_at=now)
        screening = screen_candidates(
            actor=actor,
            candidates=Application.objects.filter(
                standard=standard, status__in=SCREENABLE_STATUSES
            ),
            now=now,
            record_audit=False,
        )
        report["switched"] = switched
        report["rescreened"] = screening.totals()
        report["would_fail"], report["would_fail_total"] = _approved_who_would_fail(
            previous=previous, standard=standard, today=timezone.localdate()
        )
    standard.activation_report = audit._jsonable(report)
    standard.save(update_fields=["activation_report"])
    audit.record(
        actor=actor,
        action="standard.activate",
        obj=standard,
        changes={
            "status": [StandardStatus.DRAFT, StandardStatus.ACTIVE],
            "retired": report["previous"],
            "rescreened": report["rescreened"],
            "would_fail": report.get("would_fail_total", 0),
        },
        permission="activate",
    )
    return standard


WOULD_FAIL_LIMIT = 1000


def _approved_who_would_fail(*, previous, standard, today) -> tuple[list[dict], int]:
    """Approved applications under `previous` whose person is still employed there and
    fails a rule of `standard`; at most WOULD_FAIL_LIMIT listed, all counted."""
    rules = list(standard.rules.values_list("id", "kind", "params"))
    kinds = {kind for _id, kind, _params in rules}
    approved = (
        Application.objects.filter(
            standard=previous,
            status=ApplicationStatus.APPROVED,
            person__employments__end_date__isnull=True,
            person__employments__institution_id=F("institution_id"),
        )
        .order_by("id")
        .values("id", "person_id", "institution_id")
    )
    listed: list[dict] = []
    total = 0
    last_id = 0
    while True:
        chunk = list(approved.filter(id__gt=last_id)[:SCREEN_CHUNK])
        if not chunk:
            break
        last_id = chunk[-1]["id"]
        facts = rule_engine.load_facts([a["person_id"] for a in chunk], kinds, today)
        for app in chunk:
            failed = []
            for _rule_id, kind, params in rules:
                outcome, code, values = rule_engine.evaluate_rule(kind, params, app, facts)
                if outcome == RuleOutcome.FAIL:
                    failed.append({"kind": kind, "detail": code, "params": values})
            if failed:
                total += 1
                if len(listed) < WOULD_FAIL_LIMIT:
                    listed.append({"application": app["id"], "failed": failed})
    return listed, total
