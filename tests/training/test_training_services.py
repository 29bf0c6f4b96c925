"""Training rules: who may be enrolled, capacity, overlaps, prerequisites, bulk enrolment,
attendance and scores with certificates (and retakes), expiry, reminders, and the
managing director's certificate for activation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.core.persian import add_months
from entezam.institutions.services import institution_activate
from entezam.notifications.models import Notification
from entezam.personnel.models import Person
from entezam.training import services
from entezam.training.models import Certificate, Enrolment, Session
from entezam.training.reminders import lapsing_reminders, threshold_for
from tests.accounts.factories import user_with_role
from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import PersonFactory
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, CourseFactory, SessionFactory
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def enrol(world, session, person, institution=None, actor=None):
    return services.enrolment_create(
        actor=actor or world.manager,
        session=session,
        person=person,
        institution=institution or world.inst_a,
    )


def running(session, days_ago=2):
    """Move the session into the past and mark it in progress."""
    session.start_date = TODAY - datetime.timedelta(days=days_ago)
    session.end_date = TODAY
    session.status = "in_progress"
    session.save()
    return session


def attend_all(world, enrolment):
    return services.enrolment_record_attendance(
        actor=world.trainer,
        enrolment=enrolment,
        attendance={day: True for day in Session.objects.get(pk=enrolment.session_id).days()},
    )


class TestEnrolment:
    def test_an_approved_applicant_is_enrolled_and_reached_through_the_enrolment(
        self, world, session
    ):
        person = approved_applicant(world.inst_a)
        enrolment = enrol(world, session, person)
        assert enrolment.result == "pending"
        event = AuditEvent.objects.get(action="enrolment.create")
        assert event.actor == world.manager and event.role == "institution_manager"
        from entezam.personnel.models import PersonReach

        assert PersonReach.objects.filter(
            person=person, institution=world.inst_a, source="training.enrolment"
        ).exists()

    def test_a_person_without_an_approved_application_is_refused(self, world, session):
        person = PersonFactory(applicant=True)
        ApplicationFactory(person=person, institution=world.inst_a, status="interview")
        with pytest.raises(ValidationError) as exc:
            enrol(world, session, person)
        assert codes(exc.value) == {"not_eligible"}
        assert not Enrolment.objects.exists()

    def test_the_managing_director_may_be_enrolled(self, world, session):
        director = PersonFactory()
        world.inst_a.managing_director_national_code = director.national_code
        world.inst_a.save()
        assert enrol(world, session, director).person == director

    def test_capacity_is_enforced(self, world, session):
        session.capacity = 1
        session.save()
        enrol(world, session, approved_applicant(world.inst_a))
        with pytest.raises(ValidationError) as exc:
            enrol(world, session, approved_applicant(world.inst_a))
        assert codes(exc.value) == {"session_full"}
        assert Enrolment.objects.count() == 1

    def test_overlapping_sessions_are_refused(self, world, session):
        person = approved_applicant(world.inst_a)
        enrol(world, session, person)
        other = SessionFactory(
            course=CourseFactory(mandatory_for=[]),
            province=world.province_a,
            start_date=session.end_date,
            end_date=session.end_date + datetime.timedelta(days=3),
        )
        with pytest.raises(ValidationError) as exc:
            enrol(world, other, person)
        assert codes(exc.value) == {"overlapping_session"}
        later = SessionFactory(
            course=other.course,
            province=world.province_a,
            start_date=session.end_date + datetime.timedelta(days=1),
            end_date=session.end_date + datetime.timedelta(days=2),
        )
        assert enrol(world, later, person).session == later

    def test_enrolling_twice_is_refused(self, world, session):
        person = approved_applicant(world.inst_a)
        enrol(world, session, person)
        with pytest.raises(ValidationError) as exc:
            enrol(world, session, person)
        assert codes(exc.value) == {"already_enrolled"}

    def test_a_missing_prerequisite_is_named(self, world, session, course):
        advanced = CourseFactory(code="GRD-2", mandatory_for=[])
        advanced.prerequisites.set([course])
        advanced_session = SessionFactory(course=advanced, province=world.province_a)
        person = approved_applicant(world.inst_a)
        with pytest.raises(ValidationError) as exc:
            enrol(world, advanced_session, person)
        assert codes(exc.value) == {"missing_prerequisite"}
        assert "GRD-1" in " ".join(exc.value.messages)
        CertificateFactory(person=person, course=course)
        assert enrol(world, advanced_session, person)

    def test_a_closed_session_takes_no_enrolment(self, world, session):
        session.status = "in_progress"
        session.save()
        with pytest.raises(ValidationError) as exc:
            enrol(world, session, approved_applicant(world.inst_a))
        assert codes(exc.value) == {"session_not_enrolling"}

    def test_a_manager_cannot_enrol_for_another_institution(self, world, session):
        person = approved_applicant(world.inst_a2)
        with pytest.raises(Http404):
            enrol(world, session, person, institution=world.inst_a2)
        assert not Enrolment.objects.exists()

    def test_a_session_of_another_province_does_not_exist_for_the_manager(
        self, world, foreign_session
    ):
        with pytest.raises(Http404):
            enrol(world, foreign_session, approved_applicant(world.inst_a))

    def test_a_trainer_cannot_enrol(self, world, session):
        with pytest.raises(PermissionDenied):
            enrol(world, session, approved_applicant(world.inst_a), actor=world.trainer)


class TestBulkEnrolment:
    def test_approved_applicants_lacking_the_course_are_enrolled(self, world, session, course):
        lacking = [approved_applicant(world.inst_a) for _ in range(3)]
        certified = approved_applicant(world.inst_a)
        CertificateFactory(person=certified, course=course)
        approved_applicant(world.inst_a, position="manager")  # not mandatory for managers
        approved_applicant(world.inst_a2)  # another institution
        report = services.enrolments_create_bulk(
            actor=world.manager, session=session, institution=world.inst_a
        )
        assert {e.person for e in report.enrolled} == set(lacking)
        event = AuditEvent.objects.get(action="enrolment.bulk")
        assert event.changes["enrolled"] == 3
        again = services.enrolments_create_bulk(
            actor=world.manager, session=session, institution=world.inst_a
        )
        assert again.enrolled == [] and Enrolment.objects.count() == 3

    def test_bulk_stops_at_capacity(self, world, session):
        session.capacity = 2
        session.save()
        for _ in range(3):
            approved_applicant(world.inst_a)
        report = services.enrolments_create_bulk(
            actor=world.manager, session=session, institution=world.inst_a
        )
        assert len(report.enrolled) == 2 and report.left_out_for_capacity == 1


class TestScoresAndCertificates:
    def test_a_passing_score_issues_a_certificate(self, world, session, course):
        enrolment = enrol(world, session, approved_applicant(world.inst_a))
        running(session)
        attend_all(world, enrolment)
        enrolment = services.enrolment_record_score(
            actor=world.trainer, enrolment=enrolment, score=85
        )
        assert enrolment.result == "passed"
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert certificate.status == "valid" and certificate.number.startswith("TC-GRD-1-")
        assert certificate.expires_on == add_months(certificate.issued_on, 24)
        event = AuditEvent.objects.get(action="enrolment.score")
        assert event.role == "trainer" and event.changes["certificate"][1] == certificate.number
        with pytest.raises(ValidationError) as exc:
            services.enrolment_record_score(actor=world.trainer, enrolment=enrolment, score=40)
        assert codes(exc.value) == {"result_final"}

    def test_a_low_score_or_missed_days_fail(self, world, session):
        enrolment = enrol(world, session, approved_applicant(world.inst_a))
        running(session)
        attend_all(world, enrolment)
        failed = services.enrolment_record_score(actor=world.trainer, enrolment=enrolment, score=59)
        assert failed.result == "failed" and not Certificate.objects.exists()
        absent = enrol(
            world,
            SessionFactory(
                course=session.course,
                province=world.province_a,
                start_date=TODAY + datetime.timedelta(days=30),
                trainers=[world.trainer],
            ),
            approved_applicant(world.inst_a),
        )
        running(absent.session)
        services.enrolment_record_attendance(
            actor=world.trainer,
            enrolment=absent,
            attendance={absent.session.start_date: True},
        )
        result = services.enrolment_record_score(actor=world.trainer, enrolment=absent, score=95)
        assert result.result == "failed"

    def test_a_retake_after_expiry_issues_a_new_certificate_and_keeps_the_old(
        self, world, session, course
    ):
        person = approved_applicant(world.inst_a)
        old = CertificateFactory(
            person=person,
            course=course,
            issued_on=TODAY - datetime.timedelta(days=800),
            expires_on=TODAY - datetime.timedelta(days=70),
        )
        assert services.certificates_expire() == 1
        old.refresh_from_db()
        assert old.status == "expired"
        enrolment = enrol(world, session, person)
        running(session)
        attend_all(world, enrolment)
        services.enrolment_record_score(actor=world.trainer, enrolment=enrolment, score=70)
        history = list(Certificate.objects.filter(person=person).order_by("issued_on"))
        assert [c.status for c in history] == ["expired", "valid"]
        assert history[0].number != history[1].number

    def test_a_retake_after_failure_can_pass(self, world, session, course):
        person = approved_applicant(world.inst_a)
        first = enrol(world, session, person)
        running(session)
        attend_all(world, first)
        services.enrolment_record_score(actor=world.trainer, enrolment=first, score=30)
        session.status = "completed"
        session.save()
        second_session = SessionFactory(
            course=course,
            province=world.province_a,
            trainers=[world.trainer],
            start_date=TODAY + datetime.timedelta(days=1),
        )
        second = enrol(world, second_session, person)
        running(second_session, days_ago=0)
        attend_all(world, second)
        services.enrolment_record_score(actor=world.trainer, enrolment=second, score=90)
        assert Certificate.objects.get(person=person).enrolment == second

    def test_a_valid_certificate_blocks_a_new_enrolment_until_it_lapses_soon(
        self, world, session, course
    ):
        person = approved_applicant(world.inst_a)
        CertificateFactory(person=person, course=course)
        with pytest.raises(ValidationError) as exc:
            enrol(world, session, person)
        assert codes(exc.value) == {"already_certified"}

    def test_the_trainer_grades_only_their_own_sessions(self, world, foreign_session):
        person = approved_applicant(world.inst_b)
        enrolment = services.enrolment_create(
            actor=world.hq_admin, session=foreign_session, person=person, institution=world.inst_b
        )
        running(foreign_session)
        with pytest.raises(Http404):
            services.enrolment_record_score(actor=world.trainer, enrolment=enrolment, score=90)
        with pytest.raises(Http404):
            services.enrolment_record_attendance(
                actor=world.trainer, enrolment=enrolment, attendance={TODAY: True}
            )
        assert Enrolment.objects.get(pk=enrolment.pk).score is None

    def test_a_manager_cannot_record_scores(self, world, session):
        enrolment = enrol(world, session, approved_applicant(world.inst_a))
        running(session)
        with pytest.raises(PermissionDenied):
            services.enrolment_record_score(actor=world.manager, enrolment=enrolment, score=90)

    def test_attendance_for_a_day_outside_the_session_or_to_come_is_refused(self, world, session):
        enrolment = enrol(world, session, approved_applicant(world.inst_a))
        running(session)
        for day, code in (
            (TODAY + datetime.timedelta(days=1), "day_outside_session"),
            (TODAY - datetime.timedelta(days=10), "day_outside_session"),
        ):
            with pytest.raises(ValidationError) as exc:
                services.enrolment_record_attendance(
                    actor=world.trainer, enrolment=enrolment, attendance={day: True}
                )
            assert codes(exc.value) == {code}

    def test_a_score_out_of_range_is_refused(self, world, session):
        enrolment = enrol(world, session, approved_applicant(world.inst_a))
        running(session)
        for score in (-1, 101, "90", True):
            with pytest.raises(ValidationError):
                services.enrolment_record_score(
                    actor=world.trainer, enrolment=enrolment, score=score
                )


class TestExpiryAndReminders:
    def test_the_expiry_job_is_idempotent_and_audited(self, world, course):
        CertificateFactory(
            course=course,
            issued_on=TODAY - datetime.timedelta(days=800),
            expires_on=TODAY - datetime.timedelta(days=1),
        )
        keep = CertificateFactory(course=course)
        assert services.certificates_expire() == 1
        assert services.certificates_expire() == 0
        assert AuditEvent.objects.filter(action="certificate.expire").count() == 1
        keep.refresh_from_db()
        assert keep.status == "valid"

    @pytest.mark.parametrize(
        ("days", "threshold"), [(91, None), (90, 90), (61, 90), (60, 60), (30, 30), (1, 30)]
    )
    def test_thresholds(self, days, threshold):
        assert threshold_for(days) == threshold

    def test_the_institution_is_reminded_once_per_threshold(self, world, course):
        person = approved_applicant(world.inst_a)
        certificate = CertificateFactory(
            person=person,
            course=course,
            issued_on=TODAY - datetime.timedelta(days=600),
            expires_on=TODAY + datetime.timedelta(days=59),
        )
        assert lapsing_reminders() == 1
        assert lapsing_reminders() == 0
        note = Notification.objects.get(recipient=world.manager)
        assert note.dedupe_key == f"certificate-lapsing:{certificate.pk}:60"
        assert person.last_name in note.title
        assert lapsing_reminders(today=TODAY + datetime.timedelta(days=30)) == 1
        assert Notification.objects.filter(recipient=world.manager).count() == 2

    def test_no_reminder_for_a_renewed_certificate_or_another_institution(self, world, course):
        person = approved_applicant(world.inst_a)
        CertificateFactory(
            person=person, course=course, expires_on=TODAY + datetime.timedelta(days=20)
        )
        CertificateFactory(
            person=person,
            course=course,
            issued_on=TODAY,
            expires_on=TODAY + datetime.timedelta(days=700),
        )
        assert lapsing_reminders() == 0
        assert not Notification.objects.exists()


class TestManagingDirectorRule:
    @pytest.fixture
    def developing(self, world, settings):
        settings.TRAINING_MANAGER_CERTIFICATE_REQUIRED = True
        director = PersonFactory()
        institution = InstitutionFactory(
            status="developing",
            supervising_unit=world.station_a,
            managing_director=director.full_name,
            managing_director_national_code=director.national_code,
            licence_number="",
            licence_issued_on=None,
            licence_expires_on=None,
        )
        return institution, director

    def activate(self, world, institution):
        return institution_activate(
            actor=world.hq_admin,
            institution=institution,
            reason="همه مدارک تکمیل است",
            licence_number="1404-111",
            licence_expires_on=TODAY + datetime.timedelta(days=365),
        )

    def test_refused_without_the_certificate_and_the_refusal_says_so(self, world, developing):
        institution, director = developing
        with pytest.raises(ValidationError) as exc:
            self.activate(world, institution)
        assert codes(exc.value) == {"director_not_certified"}
        assert director.full_name in " ".join(exc.value.messages)
        institution.refresh_from_db()
        assert institution.status == "developing"
        assert not AuditEvent.objects.filter(action="institution.activate").exists()

    def test_allowed_with_a_valid_manager_certificate(self, world, developing):
        institution, director = developing
        CertificateFactory(person=director, course=CourseFactory(audience="manager"))
        assert self.activate(world, institution).status == "active"

    def test_an_expired_or_guard_certificate_does_not_count(self, world, developing):
        institution, director = developing
        CertificateFactory(person=director, course=CourseFactory(audience="guard"))
        CertificateFactory(
            person=director,
            course=CourseFactory(audience="manager"),
            issued_on=TODAY - datetime.timedelta(days=900),
            expires_on=TODAY - datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError):
            self.activate(world, institution)

    def test_a_missing_national_code_is_named(self, world, developing):
        institution, _ = developing
        institution.managing_director_national_code = ""
        institution.save()
        with pytest.raises(ValidationError) as exc:
            self.activate(world, institution)
        assert codes(exc.value) == {"director_code_missing"}

    def test_the_setting_turns_the_rule_off(self, world, developing, settings):
        settings.TRAINING_MANAGER_CERTIFICATE_REQUIRED = False
        institution, _ = developing
        assert self.activate(world, institution).status == "active"


class TestScope:
    def test_the_institution_reaches_enrolled_people_and_their_certificates(self, world, session):
        person = PersonFactory()
        director_inst = world.inst_a
        director_inst.managing_director_national_code = person.national_code
        director_inst.save()
        enrol(world, session, person)
        assert Person.objects.visible_to(world.manager).filter(pk=person.pk).exists()
        assert (
            not Person.objects.visible_to(
                user_with_role("institution_manager", world.inst_b, username="m_b")
            )
            .filter(pk=person.pk)
            .exists()
        )

    def test_trainers_see_only_their_sessions_and_enrolments(self, world, session, foreign_session):
        assert set(Session.objects.visible_to(world.trainer)) == {session}
        assert set(Session.objects.visible_to(world.manager)) == {session}
        assert set(Session.objects.visible_to(world.hq_analyst)) == {session, foreign_session}
        services.enrolment_create(
            actor=world.hq_admin,
            session=foreign_session,
            person=approved_applicant(world.inst_b),
            institution=world.inst_b,
        )
        assert not Enrolment.objects.visible_to(world.trainer).exists()
        assert not Enrolment.objects.visible_to(world.manager).exists()
        assert Enrolment.objects.visible_to(world.hq_analyst).count() == 1
