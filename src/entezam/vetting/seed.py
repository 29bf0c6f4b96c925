"""Demo selection data: the version-1 standards (GUARD, MANAGER) and demo applicants."""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from entezam.core import audit
from entezam.core.bulk import adapted, column_defaults, insert_rows, next_ids
from entezam.institutions.choices import InstitutionStatus
from entezam.institutions.models import Institution
from entezam.institutions.seed import weighted
from entezam.personnel.choices import Education, Position
from entezam.personnel.models import Employment, Person
from entezam.personnel.reach import reach_link_many
from entezam.personnel.seed import PersonMaker

from . import board
from .choices import ApplicationStatus, CheckResult, RuleKind
from .models import Application, ApplicationStep, MedicalCertificate, Standard
from .providers import CheckOutcome, ManualProvider
from .services import (
    IngestReport,
    application_decide,
    applications_open_bulk,
    applications_screen,
    ingest_outcomes,
    standard_activate,
    standard_create_draft,
)
from .services.applications import APPLICATION

_COMMON_CHECKS = {
    RuleKind.MILITARY_SERVICE: {},
    RuleKind.BACKGROUND_CHECK: {"valid_days": 365},
    RuleKind.MEDICAL_FITNESS: {},
    RuleKind.NOT_EMPLOYED_ELSEWHERE: {},
    RuleKind.NOT_REVOKED_RECENTLY: {"years": 5},
}

STANDARDS = [
    {
        "code": "GUARD",
        "title": "ضوابط گزینش پلیس‌یار و سرشیفت",
        "positions": [Position.GUARD, Position.SUPERVISOR],
        "rules": {
            RuleKind.AGE_RANGE: {"min": 20, "max": 45},
            RuleKind.MIN_EDUCATION: {"level": Education.DIPLOMA},
            **_COMMON_CHECKS,
        },
    },
    {
        "code": "MANAGER",
        "title": "ضوابط گزینش مدیران موسسه",
        "positions": [Position.MANAGER],
        "rules": {
            RuleKind.AGE_RANGE: {"min": 25, "max": 60},
            RuleKind.MIN_EDUCATION: {"level": Education.BACHELOR},
            **_COMMON_CHECKS,
        },
    },
]


def seed_standards(*, actor) -> int:
    """Create and activate the version-1 standards that do not exist yet; returns how many."""
    created = 0
    for spec in STANDARDS:
        if Standard.objects.filter(code=spec["code"]).exists():
            continue
        draft = standard_create_draft(actor=actor, **spec)
        standard_activate(actor=actor, standard=draft)
        created += 1
    return created


def seed_applications(*, actor, count: int, rng: random.Random) -> int:
    """Demo applicants at active institutions, taken through the real selection services.

    Most applicants have a medical certificate and a background-check answer; screening
    then spreads them over the pipeline (rejected, waiting for a check, interview), and a
    share of the interviews is approved, which starts their employment.
    """
    if count <= 0 or Application.objects.exists():
        return 0
    institutions = list(
        Institution.objects.filter(status=InstitutionStatus.ACTIVE).order_by("pk")[:60]
    )
    if not institutions:
        return 0
    maker = PersonMaker(rng)
    people = []
    for _ in range(count):
        person = maker.person(rng.choice(institutions).province.name)
        people.append(person)
    # With a million people registered, a few drawn codes are taken already.
    maker.make_codes_unique(people)
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(
        Person.objects.filter(national_code__in=[p.national_code for p in people]).order_by("pk")
    )
    today = timezone.localdate()
    certificates = [
        MedicalCertificate(
            person=person,
            fit=rng.random() > 0.04,
            issued_on=today - datetime.timedelta(days=rng.randint(5, 200)),
            valid_until=today + datetime.timedelta(days=rng.randint(-30, 330)),
            issuer="مرکز بهداشت شهرستان",
        )
        for person in people
        if rng.random() < 0.85
    ]
    MedicalCertificate.objects.bulk_create(certificates, batch_size=2000)
    checks = ManualProvider()
    for index, person in enumerate(people):
        if rng.random() < 0.7:
            checks.record(
                CheckOutcome(
                    national_code=person.national_code,
                    result=weighted(
                        rng,
                        [
                            (CheckResult.CLEAR, 90),
                            (CheckResult.DISQUALIFYING, 4),
                            (CheckResult.PENDING, 6),
                        ],
                    ),
                    reference=f"DEMO-{index:06d}",
                    checked_on=today - datetime.timedelta(days=rng.randint(0, 60)),
                )
            )
    by_institution: dict[int, list[Person]] = {}
    for person in people:
        by_institution.setdefault(rng.choice(institutions).pk, []).append(person)
    for institution in institutions:
        applicants = by_institution.get(institution.pk, [])
        if not applicants:
            continue
        positions = [
            Position.MANAGER if rng.random() < 0.03 else Position.GUARD for _ in applicants
        ]
        applications_open_bulk(
            actor=actor,
            institution=institution,
            items=[(p.pk, pos) for p, pos in zip(applicants, positions, strict=True)],
        )
    ingest_outcomes(actor=actor, provider=checks, items=checks.results(), report=IngestReport())
    applications_screen(actor=actor)
    interviews = list(Application.objects.filter(status=ApplicationStatus.INTERVIEW).order_by("pk"))
    for application in interviews[: len(interviews) // 2]:
        try:
            application_decide(
                actor=actor,
                application=application,
                approve=True,
                reason="مصاحبه حضوری با موفقیت انجام شد.",
            )
        except ValidationError:
            continue  # already employed elsewhere: stays at interview for a person to decide
    spread_over_past_weeks(rng)
    return len(people)


def spread_over_past_weeks(rng: random.Random) -> None:
    """The services ran a few seconds ago; a real pipeline has months behind it. Move each
    application's submission 5-90 days back and its steps (the last one: its entry into
    the current stage) across that span, so the board's waiting times and the lists' dates
    look like a working office's."""
    now = timezone.now()
    applications = list(Application.objects.order_by("pk"))
    steps_of: dict[int, list[ApplicationStep]] = {}
    for step in ApplicationStep.objects.order_by("at", "pk"):
        steps_of.setdefault(step.application_id, []).append(step)
    moved_steps = []
    for application in applications:
        age = datetime.timedelta(days=rng.uniform(5, 90))
        in_stage = age * rng.uniform(0.05, 0.6)
        application.submitted_at = now - age
        application.status_changed_at = now - in_stage
        if application.decided_at is not None:
            application.decided_at = application.status_changed_at
        steps = steps_of.get(application.pk, [])
        for index, step in enumerate(steps):
            share = index / (len(steps) - 1) if len(steps) > 1 else 0
            step.at = application.submitted_at + (age - in_stage) * share
            moved_steps.append(step)
    Application.objects.bulk_update(
        applications, ["submitted_at", "status_changed_at", "decided_at"], batch_size=2000
    )
    ApplicationStep.objects.bulk_update(moved_steps, ["at"], batch_size=2000)


def demo_seed_standards(*, actor, rng, options) -> None:
    """Demo step: the version-1 standards, before any institution or person exists."""
    with transaction.atomic():
        seed_standards(actor=actor)


def demo_seed_bulk_applications(*, actor, rng, options) -> str | None:
    """Demo step: applications up to `--applications`, written in bulk (the benchmark's)."""
    count = options.get("applications") or 0
    if not count:
        return None
    added = seed_bulk_applications(actor=actor, count=count, rng=rng)
    board.refresh_stage_summary()
    return f"applications added in bulk: {added}"


def demo_seed_applicants(*, actor, rng, options) -> str | None:
    """Demo step: `--applicants` applicants taken through selection."""
    count = options.get("applicants") or 0
    if not count:
        return None
    created = seed_applications(actor=actor, count=count, rng=rng)
    board.refresh_stage_summary()
    return f"applicants created: {created}"


# Stages of the bulk applications of people not employed now (approval employs a person, so
# those employed now applied and were approved where they work).
BULK_STATUS_WEIGHTS = [
    (ApplicationStatus.SUBMITTED, 8),
    (ApplicationStatus.SCREENING, 5),
    (ApplicationStatus.BACKGROUND_CHECK, 12),
    (ApplicationStatus.INTERVIEW, 7),
    (ApplicationStatus.REJECTED, 52),
    (ApplicationStatus.WITHDRAWN, 16),
]
BULK_CHUNK = 20_000
REJECTION_REASON = "احراز نشدن شرایط ضوابط گزینش"
APPROVAL_REASON = "مصاحبه حضوری با موفقیت انجام شد."


def seed_bulk_applications(*, actor, count: int, rng: random.Random) -> int:
    """Bring the applications up to `count` (the benchmark's million), written in bulk:
    COPY on PostgreSQL (ids drawn from the sequence first), one statement elsewhere.

    Each registered person without an application gets one, in id order: those employed now
    were approved at their institution; the others are spread over the pipeline at a
    random active institution. Every application has its steps and reaches its person; one
    audit event per institution. Deterministic for a given `rng` and database. The board's
    summary is recomputed by the caller. Returns the applications added.
    """
    wanted = count - Application.objects.count()
    institutions = list(
        Institution.objects.filter(status=InstitutionStatus.ACTIVE).order_by("registration_number")
    )
    if wanted <= 0 or not institutions:
        return 0
    standards = {s.code: s.pk for s in Standard.objects.filter(status="active")}
    standard_of = {
        Position.GUARD: standards.get("GUARD"),
        Position.SUPERVISOR: standards.get("GUARD"),
        Position.MANAGER: standards.get("MANAGER"),
    }
    if None in standard_of.values():
        return 0
    by_institution: dict[int, int] = {}
    now = timezone.now()
    added, after = 0, 0
    while added < wanted:
        people = _people_without_application(after, min(BULK_CHUNK, wanted - added))
        if not people:
            break
        after = people[-1][0]
        rows = [
            _bulk_application(rng, now, person_id, employment, institutions, standard_of)
            for person_id, employment in people
        ]
        with transaction.atomic():
            _write_bulk_applications(rows, actor=actor, now=now)
        for row in rows:
            by_institution[row["institution_id"]] = by_institution.get(row["institution_id"], 0) + 1
        added += len(rows)
    with transaction.atomic():
        for institution in Institution.objects.filter(pk__in=by_institution).order_by("pk"):
            audit.record(
                actor=actor,
                action="application.seed",
                obj=institution,
                role="",
                changes={"applications": [None, by_institution[institution.pk]]},
                reason="داده نمایشی",
            )
    return added


def _people_without_application(after: int, limit: int) -> list[tuple[int, tuple | None]]:
    """(person id, (institution id, position) of the current employment or None) of up to
    `limit` people with an id above `after` and no application."""
    # An anti-join probing the applications' person index: NOT IN over a million
    # applications would be re-scanned per person once it outgrows work_mem.
    applied = Application.objects.filter(person_id=OuterRef("pk"))
    people = list(
        Person.objects.filter(~Exists(applied), pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    employed = {
        person_id: (institution_id, position)
        for person_id, institution_id, position in Employment.objects.filter(
            person_id__in=people, end_date__isnull=True
        ).values_list("person_id", "institution_id", "position")
    }
    return [(pk, employed.get(pk)) for pk in people]


def _bulk_application(rng, now, person_id, employment, institutions, standard_of) -> dict:
    age = datetime.timedelta(days=rng.uniform(3, 400))
    submitted_at = now - age
    changed_at = submitted_at + age * rng.uniform(0.1, 0.9)
    if employment is not None:
        institution_id, position = employment
        status = ApplicationStatus.APPROVED
    else:
        institution_id = rng.choice(institutions).pk
        position = Position.MANAGER if rng.random() < 0.03 else Position.GUARD
        status = weighted(rng, BULK_STATUS_WEIGHTS)
        if status == ApplicationStatus.SUBMITTED:
            changed_at = submitted_at
    decided = status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
    reason = {ApplicationStatus.APPROVED: APPROVAL_REASON}.get(status, "")
    return {
        "person_id": person_id,
        "institution_id": institution_id,
        "position": position,
        "standard_id": standard_of[position],
        "status": status,
        "status_changed_at": changed_at,
        "submitted_at": submitted_at,
        "decided_at": changed_at if decided else None,
        "decision_reason": REJECTION_REASON if status == ApplicationStatus.REJECTED else reason,
        "needs_review": status == ApplicationStatus.SCREENING and rng.random() < 0.2,
    }


def _write_bulk_applications(rows: list[dict], *, actor, now) -> None:
    ids = next_ids(Application, len(rows))
    given = ["id", *rows[0]]
    defaults, default_values = column_defaults(Application, given, now)
    values = adapted(
        Application, given, ((pk, *row.values()) for pk, row in zip(ids, rows, strict=True))
    )
    # `column_defaults` gives database values already.
    insert_rows(Application, [*given, *defaults], [(*row, *default_values) for row in values])
    steps = []
    actor_id = actor.pk if actor is not None else None
    for pk, row in zip(ids, rows, strict=True):
        steps.append((pk, "", ApplicationStatus.SUBMITTED, row["submitted_at"], actor_id, ""))
        if row["status"] != ApplicationStatus.SUBMITTED:
            steps.append((pk, "submitted", row["status"], row["status_changed_at"], actor_id, ""))
    step_columns = ["application_id", "from_status", "to_status", "at", "actor_id", "note"]
    insert_rows(ApplicationStep, step_columns, adapted(ApplicationStep, step_columns, steps))
    reach_link_many(((row["person_id"], row["institution_id"]) for row in rows), source=APPLICATION)
