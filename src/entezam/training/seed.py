"""Demo training data: Persian courses, trainers, sessions across provinces (one running in
Tehran with the demo trainer, one held two years ago whose certificates now lapse), and the
approved applicants of the demo institutions enrolled, graded and certified through the
services. Runs once: a second run finds the courses and stops."""

from __future__ import annotations

import datetime
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from entezam.accounts.choices import Role
from entezam.accounts.models import User
from entezam.accounts.services import role_assign, user_create
from entezam.core.persian import add_months
from entezam.geo.models import Province
from entezam.personnel.choices import Position
from entezam.vetting.choices import ApplicationStatus
from entezam.vetting.models import Application

from . import services
from .models import Course, Enrolment, Session
from .reminders import lapsing_reminders

COURSES = [
    {
        "code": "GRD-101",
        "title": "آموزش پایه پلیس‌یار",
        "audience": Position.GUARD,
        "hours": 40,
        "pass_mark": 60,
        "validity_months": 24,
        "mandatory_for": [Position.GUARD, Position.SUPERVISOR],
        "syllabus": "۱. قوانین و مقررات انتظامی\n۲. اصول نگهبانی و گشت\n۳. برخورد با شهروندان\n"
        "۴. کمک‌های اولیه\n۵. گزارش‌نویسی رخداد",
    },
    {
        "code": "SUP-201",
        "title": "دوره سرشیفت و فرماندهی نگهبانان",
        "audience": Position.SUPERVISOR,
        "hours": 24,
        "pass_mark": 65,
        "validity_months": 24,
        "mandatory_for": [Position.SUPERVISOR],
        "syllabus": "۱. سازمان‌دهی شیفت\n۲. هماهنگی با کلانتری\n۳. مدیریت رخداد",
        "prerequisites": ["GRD-101"],
    },
    {
        "code": "MGR-301",
        "title": "دوره مدیران موسسات انتظامی",
        "audience": Position.MANAGER,
        "hours": 32,
        "pass_mark": 70,
        "validity_months": 36,
        "mandatory_for": [Position.MANAGER],
        "syllabus": "۱. شیوه‌نامه همکاری با پلیس\n۲. مسئولیت حقوقی موسسه\n۳. گزینش و آموزش کارکنان",
    },
    {
        "code": "REF-110",
        "title": "بازآموزی برخورد با شهروندان",
        "audience": Position.GUARD,
        "hours": 8,
        "pass_mark": 50,
        "validity_months": 12,
        "mandatory_for": [],
        "syllabus": "رفتار حرفه‌ای، پاسخ به شکایت و تقدیر مردمی",
    },
]
TRAINERS = [
    ("trainer_karimi", "سرهنگ محمد کریمی"),
    ("trainer_ahmadi", "سرگرد زهرا احمدی"),
]
VENUES = {
    "23": "مرکز آموزش انتظامی تهران",
    "10": "مرکز آموزش فرماندهی انتظامی اصفهان",
    "09": "آموزشگاه انتظامی مشهد",
    "07": "مرکز آموزش فرماندهی انتظامی فارس",
}


def demo_seed(*, actor, rng: random.Random, options) -> str | None:
    if Course.objects.exists():
        return None
    with transaction.atomic():
        courses = _courses(actor)
        trainers = _trainers()
    sessions = _sessions(actor, courses, trainers, rng)
    certified = _train(actor, courses["GRD-101"], trainers[0], rng)
    return f"courses: {len(courses)}, sessions: {sessions}, certificates: {certified}"


def _courses(actor) -> dict[str, Course]:
    made: dict[str, Course] = {}
    for spec in COURSES:
        spec = dict(spec)
        prerequisites = [made[code] for code in spec.pop("prerequisites", [])]
        syllabus = spec.pop("syllabus")
        made[spec["code"]] = services.course_create(
            actor=actor, prerequisites=prerequisites, syllabus=syllabus, **spec
        )
    return made


def _trainers() -> list[User]:
    people = list(User.objects.filter(username="trainer"))
    for username, name in TRAINERS:
        user = User.objects.filter(username=username).first() or user_create(
            actor=None, username=username, password=secrets.token_urlsafe(24), display_name=name
        )
        role_assign(actor=None, user=user, role=Role.TRAINER)
        people.append(user)
    return people


def _sessions(actor, courses, trainers, rng) -> int:
    today = timezone.localdate()
    count = 0
    for code, venue in VENUES.items():
        province = Province.objects.filter(code=code).first()
        if province is None:
            continue
        for course_code, weeks, capacity in (
            ("GRD-101", 2, 40),
            ("GRD-101", 7, 40),
            ("SUP-201", 5, 20),
            ("MGR-301", 9, 25),
        ):
            start = today + datetime.timedelta(weeks=weeks, days=rng.randint(0, 4))
            session = services.session_create(
                actor=actor,
                trainers=[rng.choice(trainers)],
                course=courses[course_code],
                province=province,
                police_unit=None,
                venue=venue,
                start_date=start,
                end_date=start + datetime.timedelta(days=4),
                capacity=capacity,
            )
            if weeks < 6:
                services.session_transition(actor=actor, session=session, action="open")
            count += 1
    return count


def _train(actor, course: Course, trainer: User, rng) -> int:
    """Two sessions in Tehran: one held two years ago (its certificates lapse within
    months) and one running now with the demo trainer, half of it graded."""
    tehran = Province.objects.filter(code="23").first()
    if tehran is None:
        return 0
    approved = list(
        Application.objects.filter(
            status=ApplicationStatus.APPROVED,
            position__in=course.mandatory_for,
            institution__province=tehran,
            person__employments__end_date__isnull=True,
        )
        .select_related("person", "institution")
        .order_by("institution_id", "pk")[:60]
    )
    if not approved:
        return 0
    today = timezone.localdate()
    past_start = add_months(today, -course.validity_months) + datetime.timedelta(days=40)
    old = _session(actor, course, tehran, trainer, past_start, capacity=40)
    now = _session(actor, course, tehran, trainer, today - datetime.timedelta(days=2), capacity=40)
    half = len(approved) // 2
    certified = 0
    for session, group, graded in ((old, approved[:half], True), (now, approved[half:], False)):
        enrolments = []
        for application in group:
            try:
                enrolments.append(
                    services.enrolment_create(
                        actor=actor,
                        session=session,
                        person=application.person,
                        institution=application.institution,
                    )
                )
            except ValidationError:
                continue  # a demo person who cannot be enrolled (already enrolled) is skipped
        services.session_transition(actor=actor, session=session, action="start")
        for enrolment in enrolments:
            certified += _attend(actor, session, enrolment, rng, graded)
    services.session_transition(actor=actor, session=old, action="complete")
    lapsing_reminders()
    return certified


def _session(actor, course, province, trainer, start, capacity) -> Session:
    session = services.session_create(
        actor=actor,
        trainers=[trainer],
        course=course,
        province=province,
        police_unit=None,
        venue=VENUES["23"],
        start_date=start,
        end_date=start + datetime.timedelta(days=4),
        capacity=capacity,
    )
    return services.session_transition(actor=actor, session=session, action="open")


def _attend(actor, session: Session, enrolment: Enrolment, rng, graded: bool) -> int:
    today = timezone.localdate()
    days = [day for day in Session.objects.get(pk=session.pk).days() if day <= today]
    enrolment = services.enrolment_record_attendance(
        actor=actor, enrolment=enrolment, attendance={d: rng.random() > 0.04 for d in days}
    )
    if not graded:
        return 0
    enrolment = services.enrolment_record_score(
        actor=actor, enrolment=enrolment, score=rng.randint(45, 98)
    )
    return int(enrolment.result == "passed")
