"""The training API: scoped lists, enrolment by national code, the trainer's attendance and
score, bulk enrolment, transitions; another scope's rows are 404."""

import pytest
from django.utils import timezone

from entezam.training.models import Certificate, Enrolment
from tests.permissions import api
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def ids(response):
    body = response.json()
    return {row["id"] for row in body.get("results", body)}


def test_lists_are_scoped(world, session, foreign_session):
    mine = EnrolmentFactory(
        session=session, person=approved_applicant(world.inst_a), institution=world.inst_a
    )
    theirs = EnrolmentFactory(
        session=foreign_session, person=approved_applicant(world.inst_b), institution=world.inst_b
    )
    assert ids(api(world.manager).get("/api/v1/sessions/")) == {session.pk}
    assert ids(api(world.trainer).get("/api/v1/sessions/")) == {session.pk}
    assert ids(api(world.hq_analyst).get("/api/v1/sessions/")) == {session.pk, foreign_session.pk}
    assert ids(api(world.manager).get("/api/v1/enrolments/")) == {mine.pk}
    assert ids(api(world.trainer).get("/api/v1/enrolments/")) == {mine.pk}
    assert api(world.manager).get(f"/api/v1/enrolments/{theirs.pk}/").status_code == 404
    assert api(world.trainer).get(f"/api/v1/sessions/{foreign_session.pk}/").status_code == 404
    assert api(world.operator).get("/api/v1/enrolments/").json()["results"] == []
    assert api().get("/api/v1/courses/").status_code in (401, 403)


def test_certificates_are_scoped_by_the_persons_reach(world, course):
    mine = CertificateFactory(person=approved_applicant(world.inst_a), course=course)
    theirs = CertificateFactory(person=approved_applicant(world.inst_b), course=course)
    assert ids(api(world.manager).get("/api/v1/certificates/")) == {mine.pk}
    assert ids(api(world.hq_admin).get("/api/v1/certificates/")) == {mine.pk, theirs.pk}
    assert api(world.manager).get(f"/api/v1/certificates/{theirs.pk}/").status_code == 404


def test_enrol_then_grade_through_the_api(world, session):
    person = approved_applicant(world.inst_a)
    response = api(world.manager).post(
        "/api/v1/enrolments/",
        {
            "session": session.pk,
            "institution": world.inst_a.registration_number,
            "national_code": person.national_code,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    enrolment = Enrolment.objects.get(pk=response.json()["id"])
    session.start_date, session.end_date, session.status = TODAY, TODAY, "in_progress"
    session.save()
    trainer = api(world.trainer)
    response = trainer.post(
        f"/api/v1/enrolments/{enrolment.pk}/attendance/",
        {"attendance": {TODAY.isoformat(): True}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = trainer.post(
        f"/api/v1/enrolments/{enrolment.pk}/score/", {"score": 90}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["result"] == "passed"
    assert response.json()["certificate"] == Certificate.objects.get().number
    assert (
        api(world.manager)
        .post(f"/api/v1/enrolments/{enrolment.pk}/score/", {"score": 10}, format="json")
        .status_code
        == 403
    )


def test_refusals_are_400_with_the_field(world, session):
    person = approved_applicant(world.inst_a)
    EnrolmentFactory(session=session, person=person, institution=world.inst_a)
    response = api(world.manager).post(
        "/api/v1/enrolments/",
        {
            "session": session.pk,
            "institution": world.inst_a.registration_number,
            "national_code": person.national_code,
        },
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()
    for bad in ({"session": "x"}, {"session": 10**30}, {"national_code": "12"}, {}):
        payload = {
            "session": session.pk,
            "institution": world.inst_a.registration_number,
            "national_code": person.national_code,
            **bad,
        }
        assert (
            api(world.manager).post("/api/v1/enrolments/", payload, format="json").status_code
            == 400
        )


def test_a_foreign_session_cannot_be_enrolled_or_graded(world, foreign_session):
    person = approved_applicant(world.inst_a)
    response = api(world.manager).post(
        "/api/v1/enrolments/",
        {
            "session": foreign_session.pk,
            "institution": world.inst_a.registration_number,
            "national_code": person.national_code,
        },
        format="json",
    )
    assert response.status_code == 400 and "session" in response.json()
    assert not Enrolment.objects.exists()


def test_bulk_enrolment_and_transitions(world, session):
    people = [approved_applicant(world.inst_a) for _ in range(2)]
    response = api(world.manager).post(
        f"/api/v1/sessions/{session.pk}/enrol-bulk/",
        {"institution": world.inst_a.registration_number},
        format="json",
    )
    assert response.status_code == 200
    assert len(response.json()["enrolled"]) == len(people)
    response = api(world.manager).post(
        f"/api/v1/sessions/{session.pk}/enrol-bulk/",
        {"institution": world.inst_b.registration_number},
        format="json",
    )
    assert response.status_code == 400
    officer = api(world.province_officer)
    response = officer.post(
        f"/api/v1/sessions/{session.pk}/transition/", {"action": "start"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = officer.post(
        f"/api/v1/sessions/{session.pk}/transition/", {"action": "open"}, format="json"
    )
    assert response.status_code == 400


def test_courses_are_written_by_hq_only(world, course):
    payload = {
        "code": "mgr-9",
        "title": "دوره مدیران",
        "audience": "manager",
        "hours": 20,
        "pass_mark": 70,
        "validity_months": 36,
        "mandatory_for": ["manager"],
        "prerequisites": [course.code],
    }
    assert (
        api(world.province_officer).post("/api/v1/courses/", payload, format="json").status_code
        == 403
    )
    response = api(world.hq_admin).post("/api/v1/courses/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "MGR-9" and response.json()["prerequisites"] == [course.code]
    response = api(world.hq_admin).patch(
        f"/api/v1/courses/{response.json()['id']}/", {"syllabus": "نسخه دوم"}, format="json"
    )
    assert response.json()["syllabus_version"] == 2
