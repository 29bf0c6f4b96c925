"""Writes on selection: standards, applications, screening, checks and decisions.

Screening is set-based: `applications_screen` walks the candidate applications in
chunks, loads the facts every rule kind needs with one query per kind and chunk
(`rules.load_facts`), evaluates in Python, then replaces the chunk's rule results with
one delete and one bulk insert and moves statuses with one UPDATE per transition.

After screening an application moves forward only (or to rejected):

* any FAIL → `rejected` automatically; the decision names the failed rules and the
  standard version, and is recorded as made by the screening actor;
* a REVIEW on any rule but the background check (and no FAIL) → stays in `screening`,
  flagged `needs_review` for an officer, who rejects or moves it on by hand;
* otherwise, a background check that is missing or pending → `background_check`;
* everything PASS → `interview`.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entezam.core import audit
from entezam.core.models import Job
from entezam.core.persian.text import bilingual
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import require_reason, update_object
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position
from entezam.personnel.models import Employment, Person

from . import rules as rule_engine
from .choices import (
    ADVANCES,
    OPEN_APPLICATION_STATUSES,
    SCREENABLE_STATUSES,
    ApplicationStatus,
    CheckResult,
    Outcome,
    RuleKind,
    StandardStatus,
)
from .models import (
    Application,
    ApplicationStep,
    BackgroundCheck,
    MedicalCertificate,
    RuleResult,
    Standard,
    StandardRule,
)
from .providers import CheckOutcome, ManualProvider, RowError, get_provider

SCREEN_CHUNK = 5000
# Pipeline order: screening never moves an application backwards.
_ORDER = {status: i for i, status in enumerate(SCREENABLE_STATUSES)}


def active_standard_for(position: str) -> Standard | None:
    """The active standard that selects for `position` (each position has at most one)."""
    for standard in Standard.objects.filter(status=StandardStatus.ACTIVE).order_by("code"):
        if position in standard.positions:
            return standard
    return None


# --- standards ------------------------------------------------------------------------


def _clean_standard(*, code: str, title: str, positions, rules: dict[str, dict]) -> tuple:
    errors = {}
    code = (code or "").strip().upper()
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        errors["code"] = bilingual(
            "کد ضوابط باید با حروف لاتین و بدون فاصله باشد (مانند GUARD).",
            "The code must be Latin letters, digits or _ (like GUARD).",
        )
    if not (title or "").strip():
        errors["title"] = bilingual("عنوان ضوابط وارد نشده است.", "The title is missing.")
    positions = list(dict.fromkeys(positions or []))
    unknown = [p for p in positions if p not in Position.values]
    if not positions or unknown:
        errors["positions"] = bilingual(
            "دست‌کم یک سمت معتبر انتخاب کنید.", "Choose at least one valid position."
        )
    if not rules:
        errors["rules"] = bilingual(
            "ضوابط بدون هیچ قاعده‌ای معنا ندارد؛ دست‌کم یک قاعده را فعال کنید.",
            "A standard needs at least one rule.",
        )
    cleaned_rules = {}
    for kind, params in (rules or {}).items():
        try:
            cleaned_rules[kind] = rule_engine.clean_params(kind, params)
        except ValidationError as exc:
            errors.update(
                exc.message_dict if hasattr(exc, "error_dict") else {"rules": exc.messages}
            )
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
    actor,
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
        raise ValidationError(
            {
                "code": ValidationError(
                    bilingual(
                        f"برای {code} هم‌اکنون یک پیش‌نویس هست؛ همان را ویرایش کنید.",
                        f"{code} already has a draft; edit that one.",
                    ),
                    code="draft_exists",
                )
            }
        )
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
    actor,
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
        raise ValidationError(
            {
                "status": ValidationError(
                    bilingual(
                        "فقط پیش‌نویس ضوابط ویرایش‌پذیر است؛ برای تغییر، نسخه تازه بسازید.",
                        "Only a draft can be edited; make a new version to change it.",
                    ),
                    code="not_draft",
                )
            }
        )
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
def standard_activate(*, actor, standard: Standard) -> Standard:
    """Make a draft the active version of its code.

    The previous active version is retired; open applications under it switch to the
    new version and are screened again; approved staff (still employed through an
    application under the old version) who would fail the new rules are listed in
    `activation_report` for review. Nobody loses a job automatically.
    """
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    require(actor, "activate", standard)
    if standard.status != StandardStatus.DRAFT:
        raise ValidationError(
            {
                "status": ValidationError(
                    bilingual("فقط پیش‌نویس را می‌توان فعال کرد.", "Only a draft can be activated."),
                    code="not_draft",
                )
            }
        )
    if not standard.rules.exists():
        raise ValidationError({"rules": bilingual("این ضوابط قاعده‌ای ندارد.", "No rules.")})
    overlap = [
        str(other)
        for other in Standard.objects.filter(status=StandardStatus.ACTIVE).exclude(
            code=standard.code
        )
        if set(other.positions) & set(standard.positions)
    ]
    if overlap:
        raise ValidationError(
            {
                "positions": bilingual(
                    f"سمت‌های این ضوابط را ضوابط فعال دیگری پوشش می‌دهد: {'، '.join(overlap)}",
                    f"Another active standard covers these positions: {', '.join(overlap)}",
                )
            }
        )
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
        screening = _screen(
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
                if outcome == Outcome.FAIL:
                    failed.append({"kind": kind, "detail": code, "params": values})
            if failed:
                total += 1
                if len(listed) < WOULD_FAIL_LIMIT:
                    listed.append({"application": app["id"], "failed": failed})
    return listed, total


# --- applications ---------------------------------------------------------------------


@transaction.atomic
def application_open(
    *, actor, person: Person, institution: Institution, position: str
) -> Application:
    """Open one application of `person` at `institution` under the active standard."""
    require_model_action(actor, Application, "add")
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise Http404
    if position not in Position.values:
        raise ValidationError({"position": bilingual("سمت نامعتبر است.", "Unknown position.")})
    standard = active_standard_for(position)
    if standard is None:
        raise ValidationError(
            {
                "position": ValidationError(
                    bilingual(
                        "هیچ ضوابط گزینش فعالی این سمت را پوشش نمی‌دهد.",
                        "No active selection standard covers this position.",
                    ),
                    code="no_active_standard",
                )
            }
        )
    if Application.objects.filter(
        person=person,
        institution=institution,
        status__in=[*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED],
    ).exists():
        raise ValidationError(
            {
                "person": ValidationError(
                    bilingual(
                        "این فرد در همین موسسه پرونده گزینش باز یا پذیرفته‌شده دارد.",
                        "This person already has an open or approved application here.",
                    ),
                    code="application_exists",
                )
            }
        )
    now = timezone.now()
    application = Application.objects.create(
        person=person,
        institution=institution,
        position=position,
        standard=standard,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=now,
        status_changed_at=now,
    )
    ApplicationStep.objects.create(
        application=application, to_status=ApplicationStatus.SUBMITTED, at=now, actor=actor
    )
    ensure_still_visible(actor, "add", application)
    audit.record(
        actor=actor,
        action="application.open",
        obj=application,
        changes={"position": [None, position], "standard": [None, str(standard)]},
        permission="add",
    )
    return application


def _field_error(field: str, code: str, fa: str, en: str) -> ValidationError:
    return ValidationError({field: ValidationError(bilingual(fa, en), code=code)})


@transaction.atomic
def applicant_register(
    *, actor, institution: Institution, position: str, national_code: str, **details
) -> Application:
    """Register one applicant by hand: a one-row roster.

    Creates the person (or brings a registered person's details up to date, as a roster
    import would) and opens their application with `institution` for `position`. A person
    actively employed by another institution is refused; nobody is moved between
    institutions here. Audited as `person.create`/`person.update` and `application.open`.
    """
    from entezam.personnel.choices import Gender
    from entezam.personnel.roster import KEEP_WHEN_EMPTY, PERSON_FIELDS, importable_institutions
    from entezam.personnel.services import tidy_names

    unknown = set(details) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"applicant_register() got unexpected fields: {sorted(unknown)}")
    details = tidy_names(dict(details))
    require_model_action(actor, Application, "add")
    if not importable_institutions(actor).filter(pk=institution.pk).exists():
        if Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
            raise _field_error(
                "institution",
                "institution_not_hiring",
                "این موسسه فعال یا در حال تأسیس نیست و متقاضی نمی‌پذیرد.",
                "This institution is not active or developing and takes no applicants.",
            )
        raise Http404
    if details.get("gender") == Gender.MALE and not details.get("military_service"):
        raise _field_error(
            "military_service",
            "required_for_men",
            "وضعیت نظام وظیفه برای مردان لازم است.",
            "Military service status is required for men.",
        )
    person = Person.objects.select_for_update().filter(national_code=national_code).first()
    if (
        person is not None
        and Employment.objects.filter(person=person, end_date__isnull=True)
        .exclude(institution=institution)
        .exists()
    ):
        raise _field_error(
            "national_code",
            "employed_elsewhere",
            "این فرد هم‌اکنون در موسسه دیگری مشغول به کار است؛ ثبت متقاضی کسی را از "
            "موسسه‌ای به موسسه دیگر منتقل نمی‌کند.",
            "This person is actively employed by another institution; registering an "
            "applicant never moves anyone between institutions.",
        )
    created = person is None
    if created:
        person = Person(national_code=national_code, **details)
        person.full_clean()
        person.save()
    try:
        application = application_open(
            actor=actor, person=person, institution=institution, position=position
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "person" in exc.error_dict:
            raise ValidationError({"national_code": exc.error_dict["person"]}) from None
        raise
    if created:
        ensure_still_visible(actor, "add", person)
        given = audit._jsonable({"national_code": national_code, **details})
        audit.record(
            actor=actor,
            action="person.create",
            obj=person,
            changes={
                name: [None, value] for name, value in given.items() if value not in (None, "")
            },
            permission="add",
        )
        return application
    fields = [
        name
        for name in PERSON_FIELDS
        if name in details and not (name in KEEP_WHEN_EMPTY and details[name] in ("", None))
    ]
    # The open application has brought the person into the actor's scope.
    update_object(actor=actor, obj=person, data=details, fields=fields, action="person.update")
    return application


def applications_open_bulk(
    *, actor, institution, items: Iterable[tuple[int, str]]
) -> dict[int, str]:
    """Open applications for many (person_id, position) pairs at one institution.

    Set-based: one query finds the pairs that already have an open or approved
    application there, one insert creates the rest. Returns {person_id: "opened" |
    "exists"}. The caller records the audit event (one per import, not one per row).
    Raises ValidationError when a position has no active standard.
    """
    items = list(items)
    if not items:
        return {}
    existing = set(
        Application.objects.filter(
            institution=institution,
            person_id__in=[person_id for person_id, _position in items],
            status__in=HOLDING_STATUSES,
        ).values_list("person_id", flat=True)
    )
    standards: dict[str, Standard] = {}
    for _person_id, position in items:
        if position not in standards:
            standard = active_standard_for(position)
            if standard is None:
                raise ValidationError(
                    {"position": _("No active selection standard covers this position.")},
                    code="no_active_standard",
                )
            standards[position] = standard
    now = timezone.now()
    result = {person_id: "exists" for person_id in existing}
    if connection.vendor == "postgresql":
        # One statement inserts the applications and their first steps, without building
        # a model instance per row.
        fresh = [(person, position) for person, position in items if person not in existing]
        with transaction.atomic():
            opened = applications_open_from_sql(
                actor=actor,
                institution=institution,
                source_sql="SELECT * FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY",
                source_params=[[p for p, _ in fresh], [position for _, position in fresh]],
                standards={position: standard.pk for position, standard in standards.items()},
                now=now,
            )
        result.update(dict.fromkeys(opened, "opened"))
        return result
    to_create = [
        Application(
            person_id=person_id,
            institution=institution,
            position=position,
            standard=standards[position],
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now,
            status_changed_at=now,
        )
        for person_id, position in items
        if person_id not in existing
    ]
    with transaction.atomic():
        created = Application.objects.bulk_create(to_create, batch_size=2000)
        ApplicationStep.objects.bulk_create(
            (
                ApplicationStep(
                    application=app, to_status=ApplicationStatus.SUBMITTED, at=now, actor=actor
                )
                for app in created
            ),
            batch_size=2000,
        )
    result.update({app.person_id: "opened" for app in created})
    return result


# An application in one of these blocks opening another for the same person and institution.
HOLDING_STATUSES = (*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED)


def applications_open_from_sql(
    *,
    actor,
    institution,
    source_sql: str,
    source_params: list,
    standards: dict[str, int],
    now: datetime.datetime,
) -> list[int]:
    """PostgreSQL, set-based: the fast path behind `applications_open_bulk` and imports.

    `source_sql` selects (person_id, position, ordinal) rows; every person there without
    an open or approved application at `institution` gets a submitted application under
    the active standard of the position (`standards`: position → standard id) and its
    first step, in ordinal order, with one statement. Returns the person ids given an
    application. The caller checks the positions have a standard and records the audit
    event.
    """
    from entezam.core.bulk import column_defaults, quote

    if not standards:
        return []
    given = {
        "person_id": "src.person_id",
        "institution_id": "%(institution)s",
        "position": "src.position",
        "standard_id": "std.standard_id",
        "status": "%(submitted)s",
        "submitted_at": "%(now)s",
        "status_changed_at": "%(now)s",
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
    }
    app_defaults, app_values = column_defaults(Application, given, now)
    step_given = {
        "application_id": "created.id",
        "to_status": "%(submitted)s",
        "at": "%(now)s",
        "actor_id": "%(actor)s",
    }
    step_defaults, step_values = column_defaults(ApplicationStep, step_given, now)
    params: dict = {
        "institution": institution.pk,
        "submitted": ApplicationStatus.SUBMITTED.value,
        "now": now,
        "actor": actor.pk if actor is not None else None,
        "holding": list(HOLDING_STATUSES),
    }
    for index, value in enumerate(source_params):
        params[f"source{index}"] = value
    for index, value in enumerate(app_values):
        params[f"app_default{index}"] = value
    for index, value in enumerate(step_values):
        params[f"step_default{index}"] = value
    for index, (position, standard_id) in enumerate(standards.items()):
        params[f"position{index}"], params[f"standard{index}"] = position, standard_id
    source = source_sql % tuple(f"%(source{index})s" for index in range(len(source_params)))
    standard_rows = ", ".join(
        f"(%(position{index})s, %(standard{index})s::bigint)" for index in range(len(standards))
    )
    app_columns = [*given, *app_defaults]
    app_exprs = [*given.values(), *(f"%(app_default{i})s" for i in range(len(app_values)))]
    step_columns = [*step_given, *step_defaults]
    step_exprs = [*step_given.values(), *(f"%(step_default{i})s" for i in range(len(step_values)))]
    applications, steps = quote(Application._meta.db_table), quote(ApplicationStep._meta.db_table)
    sql = f"""
        WITH created AS (
            INSERT INTO {applications} ({", ".join(map(quote, app_columns))})
            SELECT {", ".join(app_exprs)}
            FROM ({source}) AS src (person_id, position, ordinal)
            JOIN (VALUES {standard_rows}) AS std (position, standard_id)
                ON std.position = src.position
            -- A scalar subquery, not NOT EXISTS: PostgreSQL runs it as one index probe per
            -- row whatever its (within a big import, stale) statistics say, where an
            -- anti-join could be planned as a loop over every open application.
            WHERE (
                SELECT 1 FROM {applications} AS a
                WHERE a.person_id = src.person_id
                    AND a.institution_id = %(institution)s
                    AND a.status = ANY(%(holding)s)
                LIMIT 1
            ) IS NULL
            ORDER BY src.ordinal
            RETURNING id, person_id
        ), steps AS (
            INSERT INTO {steps} ({", ".join(map(quote, step_columns))})
            SELECT {", ".join(step_exprs)} FROM created ORDER BY created.id
        )
        SELECT person_id FROM created
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [person_id for (person_id,) in cursor.fetchall()]


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
    if any(outcome == Outcome.FAIL for _kind, outcome in verdicts):
        return ApplicationStatus.REJECTED, False
    review = {kind for kind, outcome in verdicts if outcome == Outcome.REVIEW}
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


def _screen(
    *,
    actor,
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
                if outcome == Outcome.FAIL:
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
        _insert_rows(RuleResult, RULE_RESULT_COLUMNS, results)
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
        _insert_rows(ApplicationStep, STEP_COLUMNS, steps)
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


def _write_rejections(rejections: list, *, actor, now) -> None:
    """Reject with each application's own reasons: one UPDATE statement run per row."""
    with translation.override("fa"):
        rows = [
            (_rejection_reason(standard, failed), app_id) for app_id, standard, failed in rejections
        ]
    fields = Application._meta
    quote = connection.ops.quote_name
    assignments = {
        "status": ApplicationStatus.REJECTED.value,
        "status_changed_at": now,
        "needs_review": False,
        "decided_at": now,
        "decided_by": actor.pk if actor is not None else None,
        "updated_at": now,
    }
    prepared = [
        fields.get_field(name).get_db_prep_save(value, connection)
        for name, value in assignments.items()
    ]
    columns = [fields.get_field(name).column for name in assignments]
    sql = "UPDATE {} SET {}, {} = %s WHERE {} = %s".format(
        quote(fields.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns),
        quote(fields.get_field("decision_reason").column),
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


def _insert_rows(model, columns: tuple[str, ...], rows: list) -> None:
    """Insert rows of already-adapted values with one statement for the whole chunk.

    `bulk_create` builds a model instance per row and splits the rows into batches of
    999 parameters on SQLite, so its cost and query count grow with the chunk; here it
    is one statement per chunk: COPY on PostgreSQL, executemany on SQLite.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: several times faster than batched INSERTs.
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
    actor,
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
    return _screen(actor=actor, candidates=candidates, progress=progress, chunk_size=chunk_size)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("person", "institution", "standard")
        .get(pk=application.pk)
    )


def _move(application, *, actor, to_status, note, now, **fields) -> str:
    from_status = application.status
    application.status = to_status
    application.status_changed_at = now
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "status_changed_at", "updated_at", *fields.keys()])
    ApplicationStep.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor=actor,
        note=note,
    )
    return from_status


def _invalid_status(application) -> ValidationError:
    return ValidationError(
        {
            "status": ValidationError(
                bilingual(
                    f"در وضعیت «{application.get_status_display()}» این کار ممکن نیست.",
                    f"This is not possible while the status is '{application.status}'.",
                ),
                code="invalid_transition",
            )
        }
    )


@transaction.atomic
def application_advance(
    *, actor, application: Application, to_status: str, note: str = ""
) -> Application:
    """Move an application on by hand (an officer resolved what screening could not).

    Leaving screening needs a note; entering the interview needs a clear background
    check when the standard has that rule.
    """
    application = _locked(application)
    require(actor, "advance", application)
    if to_status not in ADVANCES.get(application.status, ()):
        raise _invalid_status(application)
    note = (note or "").strip()
    if application.status == ApplicationStatus.SCREENING:
        note = require_reason(note)
    failed = application.rule_results.filter(outcome=Outcome.FAIL).exists()
    if failed:
        raise ValidationError(
            {
                "status": bilingual(
                    "این پرونده قاعده ردشده دارد؛ باید رد شود یا دوباره بررسی شود.",
                    "A rule failed: reject the application or screen it again.",
                )
            }
        )
    if (
        to_status == ApplicationStatus.INTERVIEW
        and application.standard.rules.filter(kind=RuleKind.BACKGROUND_CHECK).exists()
    ):
        latest = application.person.background_checks.order_by("-checked_on", "-id").first()
        if latest is None or latest.result != CheckResult.CLEAR:
            raise ValidationError(
                {
                    "status": ValidationError(
                        bilingual(
                            "نتیجه استعلام سوابق هنوز «پاک» ثبت نشده است.",
                            "The background check has no clear result yet.",
                        ),
                        code="background_not_clear",
                    )
                }
            )
    from_status = _move(
        application,
        actor=actor,
        to_status=to_status,
        note=note,
        now=timezone.now(),
        needs_review=False,
    )
    audit.record(
        actor=actor,
        action="application.advance",
        obj=application,
        changes={"status": [from_status, to_status]},
        reason=note,
        permission="advance",
    )
    return application


@transaction.atomic
def application_decide(
    *, actor, application: Application, approve: bool, reason: str = ""
) -> Application:
    """Approve (from interview; starts the employment) or reject (with reasons)."""
    application = _locked(application)
    require(actor, "decide", application)
    now = timezone.now()
    changes = {}
    if approve:
        if application.status != ApplicationStatus.INTERVIEW:
            raise _invalid_status(application)
        reason = (reason or "").strip()
        employment = _start_employment(application, today=timezone.localdate(now))
        to_status, changes["employment"] = ApplicationStatus.APPROVED, employment.pk
    else:
        reason = require_reason(reason)
        if application.status not in OPEN_APPLICATION_STATUSES:
            raise _invalid_status(application)
        to_status = ApplicationStatus.REJECTED
    from_status = _move(
        application,
        actor=actor,
        to_status=to_status,
        note=reason,
        now=now,
        decided_at=now,
        decided_by=actor,
        decision_reason=reason,
        needs_review=False,
    )
    ensure_still_visible(actor, "view", application)
    audit.record(
        actor=actor,
        action="application.approve" if approve else "application.reject",
        obj=application,
        changes={
            "status": [from_status, to_status],
            "standard": str(application.standard),
            **changes,
        },
        reason=reason,
        permission="decide",
    )
    return application


def _employed_elsewhere_error(employment) -> ValidationError:
    name = employment.institution.name if employment is not None else ""
    return ValidationError(
        {
            "person": ValidationError(
                bilingual(
                    f"این فرد اکنون در «{name}» شاغل است؛ تا پایان آن اشتغال، پذیرش ممکن نیست.",
                    f"This person is actively employed at '{name}'; "
                    "end that employment before approving.",
                ),
                code="employed_elsewhere",
            )
        }
    )


def _start_employment(application: Application, *, today: datetime.date) -> Employment:
    active = (
        Employment.objects.select_for_update()
        .filter(person_id=application.person_id, end_date__isnull=True)
        .select_related("institution")
        .first()
    )
    if active is not None:
        if active.institution_id != application.institution_id:
            raise _employed_elsewhere_error(active)
        return active  # already on this institution's staff (e.g. from a roster)
    try:
        with transaction.atomic():
            return Employment.objects.create(
                person_id=application.person_id,
                institution_id=application.institution_id,
                position=application.position,
                start_date=today,
            )
    except IntegrityError:
        # Another approval started an employment in the meantime.
        other = (
            Employment.objects.filter(person_id=application.person_id, end_date__isnull=True)
            .select_related("institution")
            .first()
        )
        raise _employed_elsewhere_error(other) from None


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str) -> Application:
    application = _locked(application)
    require(actor, "withdraw", application)
    reason = require_reason(reason)
    if application.status not in OPEN_APPLICATION_STATUSES:
        raise _invalid_status(application)
    from_status = _move(
        application,
        actor=actor,
        to_status=ApplicationStatus.WITHDRAWN,
        note=reason,
        now=timezone.now(),
        decision_reason=reason,
        needs_review=False,
    )
    audit.record(
        actor=actor,
        action="application.withdraw",
        obj=application,
        changes={"status": [from_status, ApplicationStatus.WITHDRAWN]},
        reason=reason,
        permission="withdraw",
    )
    return application


# --- background checks ------------------------------------------------------------------


@dataclass
class IngestReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    checks: list[BackgroundCheck] = field(default_factory=list)
    job_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "job": self.job_id,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "errors": [e.as_dict() for e in self.errors],
        }


def _ingest(*, actor, provider, items: Iterable, report: IngestReport) -> None:
    """Store a provider's results: upsert on (provider, reference), people in scope only."""
    outcomes: list[CheckOutcome] = []
    seen: dict[str, CheckOutcome] = {}
    for item in items:
        if isinstance(item, RowError):
            report.errors.append(item)
            continue
        earlier = seen.get(item.reference)
        if earlier is not None:
            if earlier != replace(item, row=earlier.row):
                report.errors.append(
                    RowError(
                        item.row or 0,
                        "reference",
                        "duplicate_reference",
                        f"شماره مرجع {item.reference} پیش‌تر در سطر {earlier.row} "
                        "با مقادیر دیگری آمده است.",
                        f"Reference {item.reference} already appears in row {earlier.row} "
                        "with other values.",
                    )
                )
            else:
                report.unchanged += 1
            continue
        seen[item.reference] = item
        outcomes.append(item)
    for start in range(0, len(outcomes), 5000):
        _ingest_chunk(
            actor=actor, provider=provider, outcomes=outcomes[start : start + 5000], report=report
        )


def _ingest_chunk(*, actor, provider, outcomes: list[CheckOutcome], report: IngestReport) -> None:
    people = dict(
        Person.objects.visible_to(actor)
        .filter(national_code__in={o.national_code for o in outcomes})
        .values_list("national_code", "id")
    )
    existing = {
        check.reference: check
        for check in BackgroundCheck.objects.filter(
            provider=provider.name, reference__in=[o.reference for o in outcomes]
        )
    }
    to_create, to_update = [], []
    for outcome in outcomes:
        person_id = people.get(outcome.national_code)
        if person_id is None:
            report.errors.append(
                RowError(
                    outcome.row or 0,
                    "national_code",
                    "unknown_person",
                    f"فردی با کد ملی {outcome.national_code} در حوزه شما ثبت نشده است.",
                    f"No person with national code {outcome.national_code} in your area.",
                )
            )
            continue
        check = existing.get(outcome.reference)
        if check is None:
            to_create.append(
                BackgroundCheck(
                    person_id=person_id,
                    provider=provider.name,
                    result=outcome.result,
                    reference=outcome.reference,
                    detail=outcome.detail,
                    checked_on=outcome.checked_on,
                    recorded_by=actor,
                )
            )
        elif check.person_id != person_id:
            report.errors.append(
                RowError(
                    outcome.row or 0,
                    "reference",
                    "reference_other_person",
                    f"شماره مرجع {outcome.reference} پیش‌تر برای فرد دیگری ثبت شده است.",
                    f"Reference {outcome.reference} was recorded for another person.",
                )
            )
        elif (check.result, check.checked_on, check.detail) == (
            outcome.result,
            outcome.checked_on,
            outcome.detail,
        ):
            report.unchanged += 1
        else:
            check.result, check.checked_on, check.detail = (
                outcome.result,
                outcome.checked_on,
                outcome.detail,
            )
            check.recorded_by = actor
            to_update.append(check)
    created = BackgroundCheck.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        BackgroundCheck.objects.bulk_update(
            to_update,
            ["result", "checked_on", "detail", "recorded_by", "updated_at"],
            batch_size=1000,
        )
    report.created += len(created)
    report.updated += len(to_update)
    report.checks.extend(created)
    report.checks.extend(to_update)


@transaction.atomic
def background_check_record(
    *,
    actor,
    person: Person,
    result: str,
    checked_on: datetime.date,
    reference: str = "",
    detail: str = "",
) -> BackgroundCheck:
    """An officer records the answer of the records office (the manual provider)."""
    require_model_action(actor, BackgroundCheck, "add")
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise Http404
    errors = {}
    if result not in CheckResult.values:
        errors["result"] = bilingual("نتیجه استعلام نامعتبر است.", "Unknown check result.")
    if checked_on is None or checked_on > timezone.localdate():
        errors["checked_on"] = bilingual(
            "تاریخ استعلام باید امروز یا پیش از آن باشد.",
            "The check date must be today or earlier.",
        )
    if errors:
        raise ValidationError(errors)
    provider = ManualProvider()
    reference = (reference or "").strip() or provider.request(person).reference
    provider.record(
        CheckOutcome(
            national_code=person.national_code,
            result=result,
            reference=reference,
            checked_on=checked_on,
            detail=(detail or "").strip()[:300],
        )
    )
    report = IngestReport()
    _ingest(actor=actor, provider=provider, items=provider.results(), report=report)
    if report.errors:
        error = report.errors[0]
        raise ValidationError(
            {error.column or "reference": bilingual(error.message_fa, error.message_en)}
        )
    if not report.checks:
        raise ValidationError(
            {
                "reference": bilingual(
                    "همین نتیجه با همین شماره مرجع پیش‌تر ثبت شده است.",
                    "This result was already recorded with this reference.",
                )
            }
        )
    check = report.checks[0]
    ensure_still_visible(actor, "view", check)
    audit.record(
        actor=actor,
        action="background_check.record",
        obj=check,
        changes={
            "result": [None, result],
            "reference": [None, reference],
            "checked_on": [None, checked_on],
        },
        permission="add",
    )
    return check


@transaction.atomic
def background_checks_import(
    *, actor, content: bytes, filename: str = "", provider: str = "file"
) -> IngestReport:
    """Import a results file; good rows are stored, bad rows reported (row, column, reason).

    The import is kept as a finished job (its result holds the report); re-importing
    the same file adds nothing: (provider, reference) is unique.
    """
    require_model_action(actor, BackgroundCheck, "add")
    source = get_provider(provider, content=content, today=timezone.localdate())
    report = IngestReport()
    _ingest(actor=actor, provider=source, items=source.results(), report=report)
    now = timezone.now()
    job = Job.objects.create(
        kind="background_check_import",
        status=Job.Status.SUCCEEDED,
        created_by=actor,
        params={"filename": filename[:200], "provider": provider},
        started_at=now,
        finished_at=now,
        done=report.created + report.updated + report.unchanged + len(report.errors),
        total=report.created + report.updated + report.unchanged + len(report.errors),
    )
    report.job_id = job.pk
    job.result = report.as_dict()
    job.save(update_fields=["result"])
    audit.record(
        actor=actor,
        action="background_check.import",
        obj=job,
        changes={k: v for k, v in report.as_dict().items() if k not in ("errors", "job")},
        role=None,
        permission="view",
    )
    return report


def applications_screen_start(*, actor, institution: Institution | None = None) -> Job:
    """Start a screening run as a background job (`vetting_screen`)."""
    from entezam.core.jobs import job_start

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


@transaction.atomic
def medical_certificate_record(
    *,
    actor,
    person: Person,
    fit: bool,
    issued_on: datetime.date,
    valid_until: datetime.date,
    issuer: str = "",
) -> MedicalCertificate:
    """Record a medical fitness certificate the applicant presented."""
    require_model_action(actor, MedicalCertificate, "add")
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise Http404
    errors = {}
    today = timezone.localdate()
    if issued_on is None or issued_on > today:
        errors["issued_on"] = bilingual(
            "تاریخ صدور باید امروز یا پیش از آن باشد.", "The issue date must be today or earlier."
        )
    if valid_until is None or (issued_on is not None and valid_until <= issued_on):
        errors["valid_until"] = bilingual(
            "تاریخ اعتبار باید پس از تاریخ صدور باشد.",
            "The valid-until date must be after the issue date.",
        )
    if errors:
        raise ValidationError(errors)
    certificate = MedicalCertificate.objects.create(
        person=person, fit=fit, issued_on=issued_on, valid_until=valid_until, issuer=issuer.strip()
    )
    ensure_still_visible(actor, "view", certificate)
    audit.record(
        actor=actor,
        action="medical_certificate.record",
        obj=certificate,
        changes={
            "fit": [None, fit],
            "issued_on": [None, issued_on],
            "valid_until": [None, valid_until],
        },
        permission="add",
    )
    return certificate
