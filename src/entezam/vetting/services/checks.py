"""Background checks (recorded by an officer or imported from a results file) and medical
certificates."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from entezam.core import audit
from entezam.core.errors import RowError, field_error, row_error, validation_error
from entezam.core.models import Job
from entezam.core.scoping import ensure_still_visible, require_model_action
from entezam.personnel.models import Person

from ..choices import (
    CheckResult,
)
from ..errors import LABELS, MESSAGES
from ..models import (
    BackgroundCheck,
    MedicalCertificate,
)
from ..providers import CheckOutcome, ManualProvider, get_provider

if TYPE_CHECKING:
    from entezam.accounts.models import User


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


def ingest_outcomes(*, actor: User, provider, items: Iterable, report: IngestReport) -> None:
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
                    row_error(
                        item.row or 0,
                        "reference",
                        "duplicate_reference",
                        MESSAGES,
                        reference=item.reference,
                        earlier_row=earlier.row,
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


def _ingest_chunk(
    *, actor: User, provider, outcomes: list[CheckOutcome], report: IngestReport
) -> None:
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
                row_error(
                    outcome.row or 0,
                    "national_code",
                    "unknown_person",
                    MESSAGES,
                    national_code=outcome.national_code,
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
                row_error(
                    outcome.row or 0,
                    "reference",
                    "reference_other_person",
                    MESSAGES,
                    reference=outcome.reference,
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
    actor: User,
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
        errors["result"] = validation_error("unknown_result", MESSAGES)
    if checked_on is None or checked_on > timezone.localdate():
        errors["checked_on"] = validation_error("in_future", MESSAGES, label=LABELS["checked_on"])
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
    ingest_outcomes(actor=actor, provider=provider, items=provider.results(), report=report)
    if report.errors:
        raise report.errors[0].field_error()
    if not report.checks:
        raise field_error("reference", "already_recorded", MESSAGES)
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
    *, actor: User, content: bytes, filename: str = "", provider: str = "file"
) -> IngestReport:
    """Import a results file; good rows are stored, bad rows reported (row, column, reason).

    The import is kept as a finished job (its result holds the report); re-importing
    the same file adds nothing: (provider, reference) is unique.
    """
    require_model_action(actor, BackgroundCheck, "add")
    source = get_provider(provider, content=content, today=timezone.localdate())
    report = IngestReport()
    ingest_outcomes(actor=actor, provider=source, items=source.results(), report=report)
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


@transaction.atomic
def medical_certificate_record(
    *,
    actor: User,
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
        errors["issued_on"] = validation_error("in_future", MESSAGES, label=LABELS["issued_on"])
    if valid_until is None or (issued_on is not None and valid_until <= issued_on):
        errors["valid_until"] = validation_error("valid_until_before_issue", MESSAGES)
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
