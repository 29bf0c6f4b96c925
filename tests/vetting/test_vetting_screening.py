"""Bulk screening: outcomes, status moves, audit events and a flat query count."""

import datetime

import pytest
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.vetting.models import Application, ApplicationStep, RuleResult
from entezam.vetting.services import applications_screen
from tests.personnel.factories import PersonFactory
from tests.vetting.factories import ApplicationFactory, BackgroundCheckFactory, eligible_applicant


def _apps(world, standard, n, **person_kwargs):
    return [
        ApplicationFactory(
            person=eligible_applicant(**person_kwargs), institution=world.inst_a, standard=standard
        )
        for _ in range(n)
    ]


def test_all_pass_goes_to_interview(world, guard_standard):
    (app,) = _apps(world, guard_standard, 1)
    report = applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "interview"
    assert not app.needs_review
    assert report.totals() == {"screened": 1, "interview": 1}
    assert RuleResult.objects.filter(application=app, outcome="pass").count() == 7
    assert list(app.steps.values_list("to_status", flat=True)) == [
        "submitted",
        "screening",
        "interview",
    ]


def test_fail_rejects_automatically_with_reasons(world, guard_standard):
    (app,) = _apps(world, guard_standard, 1, education="below_diploma")
    applications_screen(actor=world.province_officer)
    app.refresh_from_db()
    assert app.status == "rejected"
    assert app.decided_by == world.province_officer
    assert app.decided_at is not None
    assert "GUARD v1" in app.decision_reason
    assert "تحصیلات" in app.decision_reason  # the failed rule, in Persian


def test_pending_background_check_waits_in_background_check(world, guard_standard):
    person = PersonFactory(applicant=True)
    from tests.vetting.factories import MedicalCertificateFactory

    MedicalCertificateFactory(person=person)
    BackgroundCheckFactory(person=person, result="pending")
    app = ApplicationFactory(person=person, institution=world.inst_a, standard=guard_standard)
    applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "background_check"
    # The clear result arrives: the next run moves it on.
    BackgroundCheckFactory(person=person, result="clear", checked_on=timezone.localdate())
    applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "interview"


def test_other_review_stays_in_screening_flagged(world, guard_standard):
    (app,) = _apps(world, guard_standard, 1, military_service="")
    applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "screening" and app.needs_review
    assert RuleResult.objects.get(application=app, kind="military_service").outcome == "review"


def test_screening_again_replaces_results_and_never_moves_back(world, guard_standard):
    (app,) = _apps(world, guard_standard, 1)
    applications_screen(actor=world.hq_admin)
    applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "interview"
    assert RuleResult.objects.filter(application=app).count() == 7
    # A new disqualifying record rejects even at the interview stage.
    BackgroundCheckFactory(
        person=app.person, result="disqualifying", checked_on=timezone.localdate()
    )
    applications_screen(actor=world.hq_admin)
    app.refresh_from_db()
    assert app.status == "rejected"


def test_one_audit_event_per_institution_per_run(world, guard_standard):
    _apps(world, guard_standard, 3)
    ApplicationFactory(
        person=eligible_applicant(), institution=world.inst_b, standard=guard_standard
    )
    before = AuditEvent.objects.filter(action="application.screen").count()
    applications_screen(actor=world.hq_admin)
    events = AuditEvent.objects.filter(action="application.screen").order_by("id")[before:]
    assert [(e.object_type, e.object_id) for e in events] == [
        ("institutions.institution", str(world.inst_a.pk)),
        ("institutions.institution", str(world.inst_b.pk)),
    ]
    assert events[0].changes["screened"] == 3


def test_scope_of_screening(world, guard_standard):
    (mine,) = _apps(world, guard_standard, 1)
    foreign = ApplicationFactory(
        person=eligible_applicant(), institution=world.inst_b, standard=guard_standard
    )
    applications_screen(actor=world.province_officer)
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert mine.status == "interview" and foreign.status == "submitted"


def test_screening_refused_to_roles_without_it(world, guard_standard):
    from django.core.exceptions import PermissionDenied

    for user in (world.manager, world.station_officer, world.hq_analyst):
        with pytest.raises(PermissionDenied):
            applications_screen(actor=user)


def test_chunks_give_the_same_result(world, guard_standard):
    apps = _apps(world, guard_standard, 5) + _apps(
        world, guard_standard, 2, education="below_diploma"
    )
    applications_screen(actor=world.hq_admin, chunk_size=2)
    statuses = sorted(
        Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)
    )
    assert statuses == ["interview"] * 5 + ["rejected"] * 2
    assert ApplicationStep.objects.filter(application__in=apps, to_status="screening").count() == 7


def _count_queries(world, standard, n, django_assert_max_num_queries):
    _apps(world, standard, n // 2)
    _apps(world, standard, n - n // 2, birth_date=datetime.date(1950, 1, 1))
    world.province_officer.role_assignments_cached()
    with django_assert_max_num_queries(25) as captured:
        applications_screen(actor=world.province_officer)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_applications(
    world, guard_standard, django_assert_max_num_queries
):
    few = _count_queries(world, guard_standard, 5, django_assert_max_num_queries)
    Application.objects.all().delete()
    many = _count_queries(world, guard_standard, 50, django_assert_max_num_queries)
    assert many == few
