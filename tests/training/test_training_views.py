"""Training pages as each role sees them: the session page, enrolment (one and bulk), the
trainer's sheet, the calendar, the lapsing list and its export, the home panels; pages of
another scope are 404."""

import datetime
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from entezam.core.persian import to_persian_digits
from entezam.training.models import Certificate, Enrolment
from entezam.training.selectors import capacity_planning, refresh_capacity_figures
from tests.accounts.factories import user_with_role
from tests.permissions import web
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def url(session, suffix=""):
    return f"/training/sessions/{session.pk}/{suffix}"


@pytest.mark.parametrize(
    "path",
    [
        "/training/",
        "/training/calendar/",
        "/training/courses/",
        "/training/certificates/",
        "/training/lapsing/",
    ],
)
@pytest.mark.parametrize("role", ["hq_admin", "province_officer", "manager", "trainer"])
def test_pages_open_for_the_roles_that_use_them(client, world, session, path, role):
    response = web(client, getattr(world, role)).get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["province_officer", "station_officer", "manager", "trainer"])
def test_a_session_of_another_scope_is_404(client, world, foreign_session, role):
    client = web(client, getattr(world, role))
    assert client.get(url(foreign_session)).status_code == 404
    assert client.post(url(foreign_session, "grade/"), {}).status_code == 404
    assert client.post(url(foreign_session, "enrol/"), {}).status_code == 404


def test_the_manager_enrols_one_person_by_national_code(client, world, session):
    person = approved_applicant(world.inst_a)
    client = web(client, world.manager)
    response = client.post(
        url(session, "enrol/"),
        {"institution": world.inst_a.pk, "national_code": to_persian_digits(person.national_code)},
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(session=session, person=person).exists()
    page = client.get(url(session)).content.decode()
    assert person.full_name in page


def test_a_refused_enrolment_says_why(client, world, session):
    person = approved_applicant(world.inst_a)
    EnrolmentFactory(session=session, person=person, institution=world.inst_a)
    response = web(client, world.manager).post(
        url(session, "enrol/"),
        {"institution": world.inst_a.pk, "national_code": person.national_code},
    )
    assert response.status_code == 200
    assert "already enrolled" in response.content.decode() or "پیش‌تر" in response.content.decode()


def test_a_person_outside_the_scope_cannot_be_found(client, world, session):
    stranger = approved_applicant(world.inst_b)
    response = web(client, world.manager).post(
        url(session, "enrol/"),
        {"institution": world.inst_a.pk, "national_code": stranger.national_code},
    )
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_bulk_enrolment_from_the_page(client, world, session):
    people = [approved_applicant(world.inst_a) for _ in range(2)]
    response = web(client, world.manager).post(
        url(session, "enrol/"), {"institution": world.inst_a.pk, "bulk": "1"}
    )
    assert response.status_code == 200
    assert set(Enrolment.objects.values_list("person", flat=True)) == {p.pk for p in people}
    assert "bulk-report" in response.content.decode()


def test_the_trainer_records_attendance_and_passing_scores(client, world, session):
    enrolments = [
        EnrolmentFactory(
            session=session, person=approved_applicant(world.inst_a), institution=world.inst_a
        )
        for _ in range(2)
    ]
    session.start_date, session.end_date, session.status = (
        TODAY - datetime.timedelta(days=1),
        TODAY,
        "in_progress",
    )
    session.save()
    data = {}
    for e in enrolments:
        for day in session.days():
            data[f"att-{e.pk}-{day.isoformat()}"] = "on"
    data[f"score-{enrolments[0].pk}"] = "۸۵"
    data[f"score-{enrolments[1].pk}"] = "40"
    client = web(client, world.trainer)
    response = client.post(url(session, "grade/"), data)
    assert response.status_code == 302
    assert Certificate.objects.get().person == enrolments[0].person
    results = dict(Enrolment.objects.values_list("pk", "result"))
    assert results == {enrolments[0].pk: "passed", enrolments[1].pk: "failed"}
    page = client.get(url(session)).content.decode()
    assert Certificate.objects.get().number in page


def test_a_bad_score_is_listed_by_person_and_nothing_else_breaks(client, world, session):
    e = EnrolmentFactory(
        session=session, person=approved_applicant(world.inst_a), institution=world.inst_a
    )
    session.start_date, session.status = TODAY, "in_progress"
    session.end_date = TODAY
    session.save()
    response = web(client, world.trainer).post(url(session, "grade/"), {f"score-{e.pk}": "1000"})
    assert response.status_code == 200
    assert e.person.full_name in response.content.decode()
    assert Enrolment.objects.get(pk=e.pk).score is None


def test_the_manager_cannot_grade(client, world, session):
    assert web(client, world.manager).post(url(session, "grade/"), {}).status_code == 403


def test_the_calendar_shows_the_month_and_its_sessions(client, world, session):
    import jdatetime

    start = jdatetime.date.fromgregorian(date=session.start_date)
    response = web(client, world.manager).get(
        f"/training/calendar/?month={start.year}-{start.month:02d}"
    )
    page = response.content.decode()
    assert session.course.title in page
    for bad in ("9999-99", "../..", "۱۴۰۴-۰۹", "x" * 500):
        assert web(client, world.manager).get(f"/training/calendar/?month={bad}").status_code == 200


def test_the_lapsing_list_and_its_export(client, world, course):
    person = approved_applicant(world.inst_a)
    certificate = CertificateFactory(
        person=person,
        course=course,
        issued_on=TODAY - datetime.timedelta(days=700),
        expires_on=TODAY + datetime.timedelta(days=45),
    )
    client = web(client, world.manager)
    page = client.get("/training/lapsing/?days=30").content.decode()
    assert certificate.number not in page
    page = client.get("/training/lapsing/?days=60").content.decode()
    assert certificate.number in page
    response = client.get(f"/training/lapsing/export.xlsx?institution={world.inst_a.pk}&days=60")
    assert response.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[1][0] == person.full_name and rows[1][3] == certificate.number
    assert client.get(f"/training/lapsing/?institution={world.inst_b.pk}").status_code == 404
    assert (
        client.get(f"/training/lapsing/export.xlsx?institution={world.inst_b.pk}").status_code
        == 404
    )


def test_capacity_panel_on_hq_and_province_homes(client, world, session, course):
    approved_applicant(world.inst_a)
    page = web(client, world.hq_admin).get("/").content.decode()
    assert "training-capacity" in page and world.province_a.name in page
    page = web(client, world.province_officer).get("/").content.decode()
    assert "training-capacity" in page
    assert "training-capacity" not in web(client, world.manager).get("/").content.decode()


def test_the_capacity_panel_reads_figures_of_a_stated_time_until_they_are_recomputed(
    client, world, session, course
):
    approved_applicant(world.inst_a)
    hq = web(client, world.hq_admin)
    first = capacity_planning(world.hq_admin)
    assert [(row.name, row.need) for row in first] == [(world.province_a.name, 1)]
    assert "capacity-as-of" in hq.get("/").content.decode()
    # A second approved applicant: the home page does not count every approved application
    # again on each visit; it shows the figures computed a moment ago ...
    approved_applicant(world.inst_a)
    assert capacity_planning(world.hq_admin)[0].need == 1
    # ... until they are recomputed (the periodic job, or their age).
    refresh_capacity_figures()
    assert capacity_planning(world.hq_admin)[0].need == 2
    assert capacity_planning(world.province_officer)[0].need == 2
    officer_b = user_with_role("province_officer", world.province_b)
    assert [(row.name, row.need) for row in capacity_planning(officer_b)] == [
        (world.province_b.name, 0)
    ]


def test_the_trainer_home_lists_their_sessions(client, world, session, foreign_session):
    page = web(client, world.trainer).get("/").content.decode()
    assert session.get_absolute_url() in page and foreign_session.get_absolute_url() not in page


def test_session_transitions_from_the_page(client, world, session):
    client = web(client, world.province_officer)
    assert client.post(url(session, "start/")).status_code == 302
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert client.post(url(session, "explode/")).status_code == 404


def test_hq_creates_a_course_and_a_province_officer_a_session(client, world, course):
    response = web(client, world.hq_admin).post(
        "/training/courses/new/",
        {
            "code": "mgr-1",
            "title": "دوره مدیران",
            "audience": "manager",
            "hours": "24",
            "pass_mark": "70",
            "validity_months": "36",
            "mandatory_for": ["manager"],
            "syllabus": "قوانین و مقررات",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = web(client, world.province_officer).post(
        "/training/sessions/new/",
        {
            "course": course.pk,
            "province": world.province_a.pk,
            "venue": "مرکز آموزش تهران",
            "trainers": [world.trainer.pk],
            "start_date": "1405/10/01",
            "end_date": "1405/10/03",
            "capacity": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    foreign = web(client, world.province_officer).post(
        "/training/sessions/new/",
        {
            "course": course.pk,
            "province": world.province_b.pk,
            "venue": "x",
            "trainers": [world.trainer.pk],
            "start_date": "1405/10/01",
            "end_date": "1405/10/03",
            "capacity": "30",
        },
    )
    assert foreign.status_code == 200
    from entezam.training.models import Session

    assert Session.objects.filter(province=world.province_b).count() == 0


def test_sessions_seen_by_a_trainer_are_only_their_own(client, world, session, foreign_session):
    other = SessionFactory(course=session.course, province=world.province_a)
    page = web(client, world.trainer).get("/training/").content.decode()
    assert session.get_absolute_url() in page
    assert other.get_absolute_url() not in page and foreign_session.get_absolute_url() not in page


def test_hq_chooses_any_institution_for_the_lapsing_list_by_search(client, world, course):
    # Institutions are searched (the scoped lookup), not listed: the page holds only the
    # one chosen, and any institution may be chosen, not only the first fifty by name.
    client = web(client, world.hq_admin)
    page = client.get("/training/lapsing/").content.decode()
    start = page.index('<select name="institution"')
    select = page[start : page.index("</select>", start)]
    assert 'data-lookup="/lookup/institution/"' in select and select.count("<option") == 1
    page = client.get(f"/training/lapsing/?institution={world.inst_b.pk}").content.decode()
    assert f'<option value="{world.inst_b.pk}" selected>{world.inst_b.name}</option>' in page
    assert world.inst_a.name not in page
