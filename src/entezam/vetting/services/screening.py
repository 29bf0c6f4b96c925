"""Screening open applications against their standard.

Screening is set-based: `applications_screen` walks the candidate applications in
chunks, loads the facts every rule kind needs with one query per kind and chunk
(`rules.load_facts`), evaluates in Python, then replaces the chunk's rule results with
one delete and one bulk insert and moves statuses with one UPDATE per transition.

After screening an application moves forward only (or to rejected):

* any FAIL → `rejected` automatically; the decision names the failed rules and the
  standard version, and is recorded as made by the screening actor;
* a REVIEW on any rule but the background check (and no FAIL) → stays in `screening`,
  flagged `needs_review` for an officer, who rejects or moves it on by hand;
* otherwise, a background check that is missing, pending or stale (a clear result older
  than the rule's `valid_days`) → `background_check`;
* everything PASS → `interview`.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entezam.core import audit
from entezam.core.bulk import column, insert_rows, quote
from entezam.core.jobs import job_start
from entezam.core.models import Job
from entezam.core.scoping import require_model_action
from entezam.institutions.models import Institution

from .. import rules as rule_engine
from ..choices import (
    SCREENABLE_STATUSES,
    ApplicationStatus,
    RuleKind,
    RuleOutcome,
)
from ..models import (
    Application,
    ApplicationStep,
    RuleResult,
    Standard,
    StandardRule,
)

if TYPE_CHECKING:
    from entezam.accounts.models import User

SCREEN_CHUNK = 5000


# Pipeline order: screening never moves an application backwards.
_ORDER: dict[str, int] = {status: i for i, status in enumerate(SCREENABLE_STATUSES)}


@dataclass
class ScreeningReport:
    """Counts of one screening run, per institution id."""

    by_institution: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def totals(self) -> dict[str, int]:
        total: Counter = Counter()
        for counts in self.by_institution.values():
            total.update(counts)
        return dict(total)

    def as_dict(self) -> dict:
        return {
            "totals": self.totals(),
            "institutions": {str(k): dict(v) for k, v in self.by_institution.items()},
        }


def _target_status(current: str, verdicts: list[tuple[str, str]]) -> tuple[str, bool]:
    """(new status, needs review) from the (kind, outcome) pairs of one application."""
    if any(outcome == RuleOutcome.FAIL for _kind, outcome in verdicts):
        return ApplicationStatus.REJECTED, False
    review = {kind for kind, outcome in verdicts if outcome == RuleOutcome.REVIEW}
    if review - {RuleKind.BACKGROUND_CHECK}:
        computed, flagged = ApplicationStatus.SCREENING, True
    elif review:
        computed, flagged = ApplicationStatus.BACKGROUND_CHECK, False
    else:
        computed, flagged = ApplicationStatus.INTERVIEW, False
    if _ORDER[current] > _ORDER[computed]:
        # An officer already moved it past this point; the results stay visible.
        return current, False
    return computed, flagged


def _rejection_reason(standard: Standard, failed: list[tuple[str, str, dict]]) -> str:
    """Call inside `translation.override("fa")`: decisions are records in the working
    language, whatever the screener's locale."""
    lines = [
        f"• {RuleKind(kind).label}: {rule_engine.describe(code, values)}"
        for kind, code, values in failed
    ]
    head = _("Rejected automatically by screening under %(standard)s. Rules not met:") % {
        "standard": f"{standard.code} v{standard.version}"
    }
    return "\n".join([head, *lines])


def screen_candidates(
    *,
    actor: User,
    candidates,
    now: datetime.datetime | None = None,
    chunk_size: int = SCREEN_CHUNK,
    progress=None,
    record_audit: bool = True,
) -> ScreeningReport:
    """Screen every application of `candidates` (a queryset), chunk by chunk."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = ScreeningReport()
    standards: dict[int, Standard] = {}
    rules_by_standard: dict[int, list[tuple[int, str, dict]]] = {}
    if progress is not None:
        progress.set_total(candidates.count())
    db_now = Application._meta.get_field("status_changed_at").get_db_prep_save(now, connection)
    actor_id = actor.pk if actor is not None else None
    note_screen, note_reject = _("Screening"), _("Automatic rejection")
    adapt_params = _params_adapter()
    last_id = 0
    while True:
        chunk = list(
            candidates.filter(id__gt=last_id)
            .order_by("id")
            .values("id", "person_id", "institution_id", "standard_id", "status", "needs_review")[
                :chunk_size
            ]
        )
        if not chunk:
            break
        last_id = chunk[-1]["id"]
        missing = {app["standard_id"] for app in chunk} - standards.keys()
        if missing:
            standards.update(Standard.objects.in_bulk(missing))
            for standard_id in missing:
                rules_by_standard[standard_id] = []
            for rule_id, standard_id, kind, params in StandardRule.objects.filter(
                standard_id__in=missing
            ).values_list("id", "standard_id", "kind", "params"):
                rules_by_standard[standard_id].append((rule_id, kind, params))
        kinds = {
            kind
            for sid in {a["standard_id"] for a in chunk}
            for _r, kind, _p in rules_by_standard[sid]
        }
        facts = rule_engine.load_facts([a["person_id"] for a in chunk], kinds, today)

        results: list[tuple] = []
        moves: dict[tuple[str, bool], list[int]] = defaultdict(list)
        flag_only: dict[bool, list[int]] = defaultdict(list)
        rejections: list[tuple] = []
        steps: list[tuple] = []
        for app in chunk:
            verdicts = []
            failed = []
            for rule_id, kind, params in rules_by_standard[app["standard_id"]]:
                outcome, code, values = rule_engine.evaluate_rule(kind, params, app, facts)
                verdicts.append((kind, outcome))
                if outcome == RuleOutcome.FAIL:
                    failed.append((kind, code, values))
                results.append(
                    (app["id"], rule_id, kind, outcome, code, adapt_params(values), db_now)
                )
            current = app["status"]
            target, flagged = _target_status(current, verdicts)
            counts = report.by_institution[app["institution_id"]]
            counts["screened"] += 1
            counts["needs_review" if flagged else str(target)] += 1
            if target != current:
                moves[(target, flagged)].append(app["id"])
                if current == ApplicationStatus.SUBMITTED:
                    steps.append(
                        (
                            app["id"],
                            current,
                            ApplicationStatus.SCREENING,
                            db_now,
                            actor_id,
                            note_screen,
                        )
                    )
                    current = ApplicationStatus.SCREENING
                if target != current:
                    note = note_reject if target == ApplicationStatus.REJECTED else note_screen
                    steps.append((app["id"], current, target, db_now, actor_id, note))
                if target == ApplicationStatus.REJECTED:
                    rejections.append((app["id"], standards[app["standard_id"]], failed))
            elif flagged != app["needs_review"]:
                flag_only[flagged].append(app["id"])

        ids = [app["id"] for app in chunk]
        RuleResult.objects.filter(application_id__in=ids).delete()
        insert_rows(RuleResult, RULE_RESULT_COLUMNS, results)
        for (target, flagged), moved_ids in moves.items():
            if target == ApplicationStatus.REJECTED:
                continue  # written below, each with its own reasons
            Application.objects.filter(id__in=moved_ids).update(
                status=target, status_changed_at=now, needs_review=flagged, updated_at=now
            )
        for flagged, flag_ids in flag_only.items():
            Application.objects.filter(id__in=flag_ids).update(needs_review=flagged, updated_at=now)
        if rejections:
            _write_rejections(rejections, actor=actor, now=now)
        insert_rows(ApplicationStep, STEP_COLUMNS, steps)
        if progress is not None:
            progress.advance(len(chunk))

    if record_audit and report.by_institution:
        institutions = Institution.objects.in_bulk(list(report.by_institution))
        for institution_id, counts in sorted(report.by_institution.items()):
            audit.record(
                actor=actor,
                action="application.screen",
                obj=institutions[institution_id],
                changes=dict(counts),
                permission="view",
            )
    return report


def _write_rejections(rejections: list, *, actor: User, now) -> None:
    """Reject with each application's own reasons: one UPDATE statement run per row."""
    with translation.override("fa"):
        rows = [
            (_rejection_reason(standard, failed), app_id) for app_id, standard, failed in rejections
        ]
    assignments = {
        "status": ApplicationStatus.REJECTED.value,
        "status_changed_at": now,
        "needs_review": False,
        "decided_at": now,
        "decided_by": actor.pk if actor is not None else None,
        "updated_at": now,
    }
    concrete = {field.name: field for field in Application._meta.concrete_fields}
    prepared = [
        concrete[name].get_db_prep_save(value, connection) for name, value in assignments.items()
    ]
    sql = "UPDATE {} SET {}, {} = %s WHERE {} = %s".format(
        quote(Application._meta.db_table),
        ", ".join(f"{quote(column(Application, name))} = %s" for name in assignments),
        quote(column(Application, "decision_reason")),
        quote("id"),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*prepared, reason, app_id] for reason, app_id in rows])


RULE_RESULT_COLUMNS = (
    "application_id",
    "rule_id",
    "kind",
    "outcome",
    "detail",
    "detail_params",
    "evaluated_at",
)


STEP_COLUMNS = ("application_id", "from_status", "to_status", "at", "actor_id", "note")


def _params_adapter():
    """Adapt rule-result parameters for the database, once per distinct value."""
    field = RuleResult._meta.get_field("detail_params")
    cache: dict[str, object] = {}

    def adapt(values: dict):
        key = json.dumps(values, sort_keys=True)
        if key not in cache:
            cache[key] = field.get_db_prep_save(values, connection)
        return cache[key]

    return adapt


@transaction.atomic
def applications_screen(
    *,
    actor: User,
    institution: Institution | None = None,
    applications: Iterable[int] | None = None,
    progress=None,
    chunk_size: int = SCREEN_CHUNK,
) -> ScreeningReport:
    """Screen the open applications the actor may screen (one institution, or given ids).

    One audit event per institution screened, with the counts as its changes.
    """
    require_model_action(actor, Application, "screen")
    candidates = Application.objects.visible_to(actor, "screen").filter(
        status__in=SCREENABLE_STATUSES
    )
    if institution is not None:
        if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
            raise Http404
        candidates = candidates.filter(institution=institution)
    if applications is not None:
        candidates = candidates.filter(id__in=list(applications))
    return screen_candidates(
        actor=actor, candidates=candidates, progress=progress, chunk_size=chunk_size
    )


def applications_screen_start(*, actor: User, institution: Institution | None = None) -> Job:
    """Start a screening run as a background job (`vetting_screen`)."""
    require_model_action(actor, Application, "screen")
    if (
        institution is not None
        and not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists()
    ):
        raise Http404
    return job_start(
        actor=actor,
        kind="vetting_screen",
        params={"institution": institution.pk if institution is not None else None},
    )
