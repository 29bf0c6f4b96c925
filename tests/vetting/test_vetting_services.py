"""Standards, activation, decisions, withdrawal and advancing, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from entezam.core.models import AuditEvent
from entezam.core.persian.text import to_persian_digits
from entezam.personnel.models import Employment
from entezam.vetting import services
from entezam.vetting.models import Standard
from entezam.vetting.seed import seed_standards
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.vetting.factories import (
    GUARD_RULES,
    ApplicationFactory,
    BackgroundCheckFactory,
    MedicalCertificateFactory,
    eligible_applicant,
)


def _interview(world, standard, institution=None, **person_kwargs):
    app = ApplicationFactory(
        person=eligible_applicant(**person_kwargs),
        institution=institution or world.inst_a,
        standard=standard,
    )
    services.applications_screen(actor=world.hq_admin, applications=[app.pk])
    app.refresh_from_db()
    assert app.status == "interview"
    return app


def test_seed_standards_is_idempotent(world):
    assert seed_standards(actor=world.hq_admin) == 2
    assert seed_standards(actor=world.hq_admin) == 0
    guard = Standard.objects.get(code="GUARD")
    assert guard.status == "active" and guard.version == 1
    assert {r.kind: r.params for r in guard.rules.all()}["age_range"] == {"min": 20, "max": 45}
    manager = Standard.objects.get(code="MANAGER")
    assert manager.positions == ["manager"]
    assert {r.kind: r.params for r in manager.rules.all()}["min_education"] == {"level": "bachelor"}


def test_only_hq_drafts_standards(world):
    for user in (world.province_officer, world.manager, world.hq_analyst):
        with pytest.raises(PermissionDenied):
            services.standard_create_draft(
                actor=user, code="X", title="t", positions=["guard"], rules=GUARD_RULES
            )


def test_draft_validation_names_fields(world):
    with pytest.raises(ValidationError) as exc:
        services.standard_create_draft(
            actor=world.hq_admin,
            code="bad code",
            title="",
            positions=[],
            rules={"age_range": {"min": 40, "max": 30}},
        )
    assert {"code", "title", "positions", "age_range_max"} <= set(exc.value.message_dict)


def test_active_standard_cannot_be_edited(world, guard_standard):
    with pytest.raises(ValidationError) as exc:
        services.standard_update_draft(
            actor=world.hq_admin,
            standard=guard_standard,
            title="x",
            positions=["guard"],
            rules=GUARD_RULES,
        )
    assert "status" in exc.value.message_dict


def test_activation_retires_rescreens_and_lists_would_fail(world, guard_standard):
    open_young = _interview(world, guard_standard, birth_date=_years_ago(21))
    open_old = ApplicationFactory(
        person=eligible_applicant(), institution=world.inst_a2, standard=guard_standard
    )
    approved_ok = _interview(world, guard_standard)
    services.application_decide(actor=world.hq_admin, application=approved_ok, approve=True)
    approved_young = _interview(world, guard_standard, birth_date=_years_ago(22))
    services.application_decide(actor=world.hq_admin, application=approved_young, approve=True)

    draft = services.standard_create_draft(
        actor=world.hq_admin,
        code="GUARD",
        title="نسخه دوم",
        positions=["guard", "supervisor"],
        rules={**GUARD_RULES, "age_range": {"min": 23, "max": 45}},
    )
    assert draft.version == 2
    services.standard_activate(actor=world.hq_admin, standard=draft)

    guard_standard.refresh_from_db()
    draft.refresh_from_db()
    assert guard_standard.status == "retired" and draft.status == "active"
    open_young.refresh_from_db()
    open_old.refresh_from_db()
    assert open_young.standard == draft and open_young.status == "rejected"
    assert "GUARD v2" in open_young.decision_reason
    assert open_old.standard == draft and open_old.status == "interview"
    report = draft.activation_report
    assert report["previous"] == "GUARD v1"
    assert report["would_fail_total"] == 1
    assert [row["application"] for row in report["would_fail"]] == [approved_young.pk]
    approved_young.refresh_from_db()
    assert approved_young.status == "approved" and approved_young.standard == guard_standard
    event = AuditEvent.objects.filter(action="standard.activate").latest("id")
    assert event.changes["would_fail"] == 1


def test_overlapping_positions_are_refused(world, guard_standard):
    other = services.standard_create_draft(
        actor=world.hq_admin, code="PATROL", title="t", positions=["guard"], rules=GUARD_RULES
    )
    with pytest.raises(ValidationError) as exc:
        services.standard_activate(actor=world.hq_admin, standard=other)
    assert "positions" in exc.value.message_dict


def test_approval_starts_employment_and_second_approval_is_refused(world, guard_standard):
    app = _interview(world, guard_standard)
    services.application_decide(actor=world.province_officer, application=app, approve=True)
    app.refresh_from_db()
    assert app.status == "approved" and app.decided_by == world.province_officer
    employment = Employment.objects.get(person=app.person, end_date__isnull=True)
    assert employment.institution == world.inst_a and employment.start_date == timezone.localdate()

    elsewhere = ApplicationFactory(
        person=app.person, institution=world.inst_a2, standard=guard_standard, status="interview"
    )
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.hq_admin, application=elsewhere, approve=True)
    assert exc.value.message_dict["person"]
    assert Employment.objects.filter(person=app.person).count() == 1
    elsewhere.refresh_from_db()
    assert elsewhere.status == "interview"


def test_approval_records_the_employment_start(world, guard_standard):
    app = _interview(world, guard_standard)
    services.application_decide(actor=world.province_officer, application=app, approve=True)
    employment = Employment.objects.get(person=app.person, end_date__isnull=True)
    event = AuditEvent.objects.get(action="employment.start", object_id=str(employment.pk))
    assert event.actor == world.province_officer and event.institution_id == world.inst_a.pk


def test_an_application_at_a_suspended_institution_cannot_be_approved(world, guard_standard):
    app = _interview(world, guard_standard)
    world.inst_a.status = "suspended"
    world.inst_a.save()
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.hq_admin, application=app, approve=True)
    assert exc.value.error_dict["institution"][0].code == "institution_not_operating"
    app.refresh_from_db()
    assert app.status == "interview"
    assert not Employment.objects.filter(person=app.person).exists()
    assert not AuditEvent.objects.filter(action__in=["application.approve", "employment.start"])


def test_approval_keeps_existing_employment_at_same_institution(world, guard_standard):
    person = eligible_applicant()
    EmploymentFactory(person=person, institution=world.inst_a)
    app = _interview(world, guard_standard, institution=world.inst_a)
    app.person = person
    app.save()
    services.application_decide(actor=world.hq_admin, application=app, approve=True)
    assert Employment.objects.filter(person=person).count() == 1


def test_rejection_needs_reasons_and_managers_cannot_decide(world, guard_standard):
    app = _interview(world, guard_standard)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.hq_admin, application=app, approve=False, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=world.manager, application=app, approve=True)
    services.application_decide(
        actor=world.hq_admin, application=app, approve=False, reason="مدارک ناقص است"
    )
    app.refresh_from_db()
    assert app.status == "rejected" and app.decision_reason == "مدارک ناقص است"
    assert app.steps.last().actor == world.hq_admin


def test_approve_only_from_interview(world, guard_standard):
    app = ApplicationFactory(person=eligible_applicant(), institution=world.inst_a)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.hq_admin, application=app, approve=True)
    assert "status" in exc.value.message_dict


def test_withdraw_by_manager_only_in_own_institution(world, guard_standard):
    app = ApplicationFactory(person=eligible_applicant(), institution=world.inst_a)
    foreign = ApplicationFactory(person=eligible_applicant(), institution=world.inst_b)
    with pytest.raises(Http404):
        services.application_withdraw(actor=world.manager, application=foreign, reason="انصراف فرد")
    with pytest.raises(PermissionDenied):
        services.application_withdraw(
            actor=world.station_officer, application=app, reason="انصراف فرد"
        )
    services.application_withdraw(actor=world.manager, application=app, reason="انصراف فرد")
    app.refresh_from_db()
    assert app.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.application_withdraw(actor=world.manager, application=app, reason="دوباره")


def test_advance_from_review_and_background_check(world, guard_standard):
    person = eligible_applicant(military_service="")
    app = ApplicationFactory(person=person, institution=world.inst_a, standard=guard_standard)
    services.applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "screening" and app.needs_review
    with pytest.raises(ValidationError):  # a note is needed to override screening
        services.application_advance(
            actor=world.station_officer, application=app, to_status="interview"
        )
    services.application_advance(
        actor=world.station_officer,
        application=app,
        to_status="background_check",
        note="کارت پایان خدمت دیده شد",
    )
    app.refresh_from_db()
    assert app.status == "background_check" and not app.needs_review
    BackgroundCheckFactory(person=person, result="pending", checked_on=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        services.application_advance(
            actor=world.station_officer, application=app, to_status="interview"
        )
    assert "status" in exc.value.message_dict
    BackgroundCheckFactory(person=person, result="clear", checked_on=timezone.localdate())
    services.application_advance(
        actor=world.station_officer, application=app, to_status="interview"
    )
    app.refresh_from_db()
    assert app.status == "interview"
    with pytest.raises(PermissionDenied):
        services.application_advance(actor=world.manager, application=app, to_status="interview")


def test_a_stale_clear_check_does_not_open_the_interview(world, guard_standard):
    """Screening parks an application whose newest clear check is older than the
    standard's `valid_days` at the background check; the officer cannot move it on to the
    interview on that same old check, only once a new one is recorded."""
    today = timezone.localdate()
    person = PersonFactory(applicant=True)
    MedicalCertificateFactory(person=person)
    valid_days = guard_standard.rules.get(kind="background_check").params["valid_days"]
    BackgroundCheckFactory(
        person=person, result="clear", checked_on=today - datetime.timedelta(days=valid_days + 1)
    )
    app = ApplicationFactory(person=person, institution=world.inst_a, standard=guard_standard)
    services.applications_screen(actor=world.hq_admin, applications=[app.pk])
    app.refresh_from_db()
    assert app.status == "background_check"
    with pytest.raises(ValidationError) as exc:
        services.application_advance(
            actor=world.station_officer, application=app, to_status="interview"
        )
    with translation.override("fa"):
        message = exc.value.message_dict["status"][0]
    assert "استعلام" in message and to_persian_digits(valid_days) in message
    app.refresh_from_db()
    assert app.status == "background_check"
    BackgroundCheckFactory(person=person, result="clear", checked_on=today)
    services.application_advance(
        actor=world.station_officer, application=app, to_status="interview"
    )
    app.refresh_from_db()
    assert app.status == "interview"


def test_open_application_by_manager(world, guard_standard):
    person = EmploymentFactory(institution=world.inst_a).person
    app = services.application_open(
        actor=world.manager, person=person, institution=world.inst_a, position="guard"
    )
    assert app.standard == guard_standard and app.status == "submitted"
    with pytest.raises(ValidationError):
        services.application_open(
            actor=world.manager, person=person, institution=world.inst_a, position="guard"
        )
    with pytest.raises(Http404):
        services.application_open(
            actor=world.manager, person=person, institution=world.inst_b, position="guard"
        )
    with pytest.raises(ValidationError) as exc:
        services.application_open(
            actor=world.hq_admin, person=person, institution=world.inst_a2, position="manager"
        )
    assert "position" in exc.value.message_dict


def _years_ago(years):
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)
