"""Demo selection data: the version-1 standards (GUARD, MANAGER) and demo applicants."""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from entezam.institutions.choices import InstitutionStatus
from entezam.institutions.models import Institution
from entezam.institutions.seed import weighted
from entezam.personnel.choices import Education, Position
from entezam.personnel.models import Person
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


def demo_seed_applicants(*, actor, rng, options) -> str | None:
    """Demo step: `--applicants` applicants taken through selection."""
    count = options.get("applicants") or 0
    if not count:
        return None
    created = seed_applications(actor=actor, count=count, rng=rng)
    board.refresh_stage_summary()
    return f"applicants created: {created}"
