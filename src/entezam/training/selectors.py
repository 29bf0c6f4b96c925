"""Reads of training that are more than `visible_to`: lapsing certificates per
institution, capacity planning per province, the session calendar, and the panels."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from entezam.accounts.choices import Role
from entezam.core.scoping import ALL, access, allowed_roles, assignments_of
from entezam.institutions.models import Institution
from entezam.personnel.models import Employment
from entezam.vetting.choices import ApplicationStatus
from entezam.vetting.models import Application

from .choices import ENROLLING_STATUSES, PLANNING_DAYS, EnrolmentResult
from .models import Certificate, Course, Enrolment, Session, valid_certificates


def session_list(*, user, action: str = "view") -> QuerySet[Session]:
    return Session.objects.visible_to(user, action).select_related("course", "province")


def session_access(*, user, pk, action: str = "view") -> Session:
    return access(
        Session.objects.visible_to(user, "view").select_related(
            "course", "province", "police_unit"
        ),
        user=user,
        action=action,
        pk=pk,
    )


def with_seats_taken(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.annotate(
        seats_taken=Count("enrolments", filter=~Q(enrolments__result=EnrolmentResult.WITHDRAWN))
    )


def mandatory_courses() -> list[Course]:
    return [c for c in Course.objects.filter(is_active=True) if c.mandatory_for]


@dataclass
class LapsingRow:
    employment: Employment
    certificate: Certificate
    days_left: int


def lapsing_certificates(
    institution: Institution, *, days: int, today: datetime.date | None = None, limit: int = 2000
) -> list[LapsingRow]:
    """People employed at `institution` now whose certificate of a course mandatory for
    their position lapses within `days` (the newest certificate of each course counts)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    rows: list[LapsingRow] = []
    for course in mandatory_courses():
        staff = Employment.objects.filter(
            institution=institution, end_date__isnull=True, position__in=course.mandatory_for
        )
        later = valid_certificates(today).filter(
            person=OuterRef("person"), course=course, expires_on__gt=horizon
        )
        lapsing = (
            valid_certificates(today)
            .filter(course=course, expires_on__lte=horizon, person__in=staff.values("person"))
            .exclude(Exists(later))
            .select_related("person", "course")
            .order_by("expires_on", "pk")[:limit]
        )
        employments = {
            e.person_id: e for e in staff.filter(person__in=[c.person_id for c in lapsing])
        }
        for certificate in lapsing:
            rows.append(
                LapsingRow(
                    employment=employments[certificate.person_id],
                    certificate=certificate,
                    days_left=(certificate.expires_on - today).days,
                )
            )
    rows.sort(key=lambda row: (row.certificate.expires_on, row.certificate.pk))
    return rows[:limit]


@dataclass
class ProvinceCapacity:
    province_id: int
    name: str
    seats: int
    need: int


def capacity_planning(user, today: datetime.date | None = None) -> list[ProvinceCapacity]:
    """For each province the user sees: training seats planned in the next three months
    (sessions of mandatory courses, planned or open) against the people who need such a
    course (approved applicants without a valid certificate, and certificates lapsing in
    that time). Read from `capacity_figures`: computed for every province at once, at most
    `BOARD_REFRESH_SECONDS` old."""
    from entezam.geo.models import Province

    provinces = _planning_provinces(user)
    if provinces is None:
        return []
    figures = capacity_figures(today)
    seats, need = figures["seats"], figures["need"]
    names = (
        Province.objects.all() if provinces is ALL else Province.objects.filter(pk__in=provinces)
    )
    rows = [
        ProvinceCapacity(p.pk, p.name, seats.get(p.pk, 0), need.get(p.pk, 0))
        for p in names.order_by("code")
    ]
    return [row for row in rows if row.seats or row.need] if provinces is ALL else rows


CAPACITY_KEY = "training:capacity-figures"


def capacity_figures(today: datetime.date | None = None) -> dict:
    """{"seats": {province id: n}, "need": {province id: n}, "computed_at"} of every
    province, shared by every reader through the cache: counting the approved applicants
    without a certificate reads every approved application (1.5 s at a million), so a home
    page must not do it. Recomputed when older than `BOARD_REFRESH_SECONDS` (and by the
    periodic `refresh_capacity_figures`); the panel states the time."""
    today = today or timezone.localdate()
    key = f"{CAPACITY_KEY}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _compute_capacity(today)
        cache.set(key, figures, settings.BOARD_REFRESH_SECONDS)
    return figures


def refresh_capacity_figures() -> None:
    """Periodic: recompute today's figures, so readers rarely wait for them."""
    today = timezone.localdate()
    cache.set(
        f"{CAPACITY_KEY}:{today.isoformat()}",
        _compute_capacity(today),
        settings.BOARD_REFRESH_SECONDS,
    )


def _compute_capacity(today: datetime.date) -> dict:
    horizon = today + datetime.timedelta(days=PLANNING_DAYS)
    courses = mandatory_courses()
    seats: dict[int, int] = {}
    need: dict[int, int] = {}
    if courses:
        planned = (
            Session.objects.filter(
                course__in=courses,
                status__in=ENROLLING_STATUSES,
                start_date__gte=today,
                start_date__lte=horizon,
            )
            .values("province_id")
            .annotate(seats=Sum("capacity"))
            .order_by()
        )
        seats = {row["province_id"]: row["seats"] for row in planned}
    for course in courses:
        certified_beyond = valid_certificates(today).filter(
            person=OuterRef("person"), course=course, expires_on__gt=horizon
        )
        approved = Application.objects.filter(
            status=ApplicationStatus.APPROVED, position__in=course.mandatory_for
        ).exclude(Exists(certified_beyond))
        for row in (
            approved.values("institution__province_id")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        ):
            key = row["institution__province_id"]
            need[key] = need.get(key, 0) + row["n"]
    return {"seats": seats, "need": need, "computed_at": timezone.now()}


def _planning_provinces(user):
    """ALL for HQ, the province ids of province officers, or None."""
    provinces = set()
    for assignment in assignments_of(user):
        if assignment.role in (Role.HQ_ADMIN, Role.HQ_ANALYST):
            return ALL
        if assignment.role == Role.PROVINCE_OFFICER:
            provinces.add(assignment.scope_object_id)
    return provinces or None


def capacity_panel(request) -> dict | None:
    rows = capacity_planning(request.user)
    if not rows:
        return None
    return {
        "rows": rows,
        "computed_at": capacity_figures()["computed_at"],
        "chart": {
            "labels": [row.name for row in rows],
            "seats": [row.seats for row in rows],
            "need": [row.need for row in rows],
        },
    }


def trainer_sessions_panel(request) -> dict | None:
    user = request.user
    if not user.has_role(Role.TRAINER):
        return None
    today = timezone.localdate()
    sessions = with_seats_taken(
        Session.objects.filter(trainers=user, end_date__gte=today - datetime.timedelta(days=14))
        .select_related("course")
        .order_by("start_date", "pk")
    )[:10]
    return {"sessions": list(sessions)}


def person_training_panel(request, person) -> dict | None:
    """On a person's page (already in the reader's scope): their certificates, which are
    in scope exactly where the person is, and the enrolments the reader may see."""
    user = request.user
    if not allowed_roles(user, Certificate, "view"):
        return None
    certificates = Certificate.objects.filter(person=person).select_related("course")
    enrolments = (
        Enrolment.objects.visible_to(user)
        .filter(person=person)
        .select_related("session__course")
        .order_by("-session__start_date")[:20]
    )
    return {"certificates": list(certificates[:50]), "enrolments": list(enrolments)}
