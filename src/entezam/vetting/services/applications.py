"""Opening applications (one, a registered applicant, or in bulk) and moving them by hand."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from entezam.core import audit
from entezam.core.bulk import column_defaults, quote
from entezam.core.errors import field_error, validation_error
from entezam.core.scoping import ensure_still_visible, require, require_model_action
from entezam.core.services import require_reason, update_object
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.personnel.choices import Gender, Position
from entezam.personnel.errors import MESSAGES as PERSONNEL_MESSAGES
from entezam.personnel.identity import IDENTITY_FIELDS, editable_ids, identity_mismatches
from entezam.personnel.models import KEEP_WHEN_EMPTY, PERSON_FIELDS, Employment, Person
from entezam.personnel.reach import (
    lock_links,
    reach_insert_sql,
    reach_link,
    reach_link_many,
)
from entezam.personnel.services import tidy_names

from .. import rules as rule_engine
from ..choices import (
    ADVANCES,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    RuleKind,
    RuleOutcome,
)
from ..errors import MESSAGES
from ..models import (
    Application,
    ApplicationStep,
    Standard,
)
from .standards import active_standard_for

if TYPE_CHECKING:
    from entezam.accounts.models import User

APPLICATION = "vetting.application"

# An application in one of these blocks opening another for the same person and institution.
HOLDING_STATUSES = (*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED)


@transaction.atomic
def application_open(
    *, actor: User, person: Person, institution: Institution, position: str
) -> Application:
    """Open one application of `person` at `institution` under the active standard."""
    require_model_action(actor, Application, "add")
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise Http404
    if position not in Position.values:
        raise field_error("position", "unknown_position", MESSAGES)
    standard = active_standard_for(position)
    if standard is None:
        raise field_error("position", "no_active_standard", MESSAGES)
    if Application.objects.filter(
        person=person,
        institution=institution,
        status__in=[*OPEN_APPLICATION_STATUSES, ApplicationStatus.APPROVED],
    ).exists():
        raise field_error("person", "application_exists", MESSAGES)
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
    reach_link(person_id=person.pk, institution=institution, source=APPLICATION)
    ensure_still_visible(actor, "add", application)
    audit.record(
        actor=actor,
        action="application.open",
        obj=application,
        changes={"position": [None, position], "standard": [None, str(standard)]},
        permission="add",
    )
    return application


@transaction.atomic
def applicant_register(
    *, actor: User, institution: Institution, position: str, national_code: str, **details
) -> Application:
    """Register one applicant by hand: a one-row roster.

    Creates the person, or links a registered one, and opens their application with
    `institution` for `position`. A registered person's identity must match what is given
    unless the actor may edit that person (`personnel.identity`): then their details are
    brought up to date, audited as `person.update`; otherwise nothing of the person changes.
    A person actively employed by another institution is refused; nobody is moved between
    institutions here. Audited as `person.create` and `application.open`.
    """
    unknown = set(details) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"applicant_register() got unexpected fields: {sorted(unknown)}")
    details = tidy_names(dict(details))
    require_model_action(actor, Application, "add")
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise Http404
    if institution.status not in OPERATING_STATUSES:
        raise field_error(
            "institution",
            "institution_not_hiring",
            MESSAGES,
            status=institution.get_status_display(),
        )
    if details.get("gender") == Gender.MALE and not details.get("military_service"):
        raise field_error("military_service", "required_for_men", MESSAGES)
    person = Person.objects.select_for_update().filter(national_code=national_code).first()
    may_edit = False
    if person is not None:
        if (
            Employment.objects.filter(person=person, end_date__isnull=True)
            .exclude(institution=institution)
            .exists()
        ):
            raise field_error("national_code", "employed_elsewhere", MESSAGES)
        may_edit = bool(editable_ids(actor, [person.pk]))
        if not may_edit:
            stored = {name: getattr(person, name) for name in IDENTITY_FIELDS}
            mismatched = identity_mismatches(stored, details)
            if mismatched:
                raise ValidationError(
                    {
                        name: validation_error("identity_mismatch", PERSONNEL_MESSAGES)
                        for name in mismatched
                    }
                )
    created = person is None
    if person is None:
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
    if may_edit:
        fields = [
            name
            for name in PERSON_FIELDS
            if name in details and not (name in KEEP_WHEN_EMPTY and details[name] in ("", None))
        ]
        update_object(actor=actor, obj=person, data=details, fields=fields, action="person.update")
    return application


def applications_open_bulk(
    *, actor: User, institution, items: Iterable[tuple[int, str]]
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
                raise field_error("position", "no_active_standard", MESSAGES)
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
        reach_link_many(((app.person_id, institution.pk) for app in created), source=APPLICATION)
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


def applications_open_from_sql(
    *,
    actor: User,
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
    params["reach_source"] = APPLICATION
    lock_links([institution.pk])  # before the statement reads its scope (see reach)
    reach_sql = reach_insert_sql(
        pairs_sql="SELECT person_id, %(institution)s AS institution_id FROM created",
        source_param="%(reach_source)s",
        now_param="%(now)s",
    )
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
        ), reach AS (
            {reach_sql}
        )
        SELECT person_id FROM created
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [person_id for (person_id,) in cursor.fetchall()]


def locked_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("person", "institution", "standard")
        .get(pk=application.pk)
    )


def move_application(
    application: Application,
    *,
    actor: User,
    to_status: str,
    note: str,
    now,
    action: str,
    permission: str,
    reason: str = "",
    extra_changes: dict | None = None,
    **fields,
) -> str:
    """Move `application` to `to_status` through the shared update path (scope checked
    before and after, one audit event) and record the step; returns the status it left."""
    from_status = application.status
    update_object(
        actor=actor,
        obj=application,
        data={"status": to_status, "status_changed_at": now, **fields},
        fields=["status", "status_changed_at", *fields],
        action=action,
        reason=reason,
        permission=permission,
        record=["status"],
        extra_changes=extra_changes,
    )
    ApplicationStep.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor=actor,
        note=note,
    )
    return from_status


def invalid_status(application) -> ValidationError:
    return field_error(
        "status", "invalid_transition", MESSAGES, status=application.get_status_display()
    )


@transaction.atomic
def application_advance(
    *, actor: User, application: Application, to_status: str, note: str = ""
) -> Application:
    """Move an application on by hand (an officer resolved what screening could not).

    Leaving screening needs a note; entering the interview needs a clear background
    check, not older than the rule's `valid_days`, when the standard has that rule.
    """
    application = locked_application(application)
    require(actor, "advance", application)
    if to_status not in ADVANCES.get(application.status, ()):
        raise invalid_status(application)
    note = (note or "").strip()
    if application.status == ApplicationStatus.SCREENING:
        note = require_reason(note)
    failed = application.rule_results.filter(outcome=RuleOutcome.FAIL).exists()
    if failed:
        raise field_error("status", "rule_failed", MESSAGES)
    rule = application.standard.rules.filter(kind=RuleKind.BACKGROUND_CHECK).first()
    if to_status == ApplicationStatus.INTERVIEW and rule is not None:
        # The rule screening applies: a clear result older than `valid_days` is no pass.
        facts = rule_engine.load_facts(
            [application.person_id], {RuleKind.BACKGROUND_CHECK}, timezone.localdate()
        )
        outcome, code, _values = rule_engine.evaluate_rule(
            rule.kind,
            rule.params,
            {"person_id": application.person_id, "institution_id": application.institution_id},
            facts,
        )
        if code == "background_stale":
            raise field_error(
                "status", "background_too_old", MESSAGES, days=rule.params["valid_days"]
            )
        if outcome != RuleOutcome.PASS:
            raise field_error("status", "background_not_clear", MESSAGES)
    move_application(
        application,
        actor=actor,
        to_status=to_status,
        note=note,
        now=timezone.now(),
        action="application.advance",
        permission="advance",
        reason=note,
        needs_review=False,
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str) -> Application:
    application = locked_application(application)
    require(actor, "withdraw", application)
    reason = require_reason(reason)
    if application.status not in OPEN_APPLICATION_STATUSES:
        raise invalid_status(application)
    move_application(
        application,
        actor=actor,
        to_status=ApplicationStatus.WITHDRAWN,
        note=reason,
        now=timezone.now(),
        action="application.withdraw",
        permission="withdraw",
        reason=reason,
        decision_reason=reason,
        needs_review=False,
    )
    return application
