"""Courses, sessions, enrolments and certificates.

Scoping: courses are national (everyone who may read them reads all of them). A session
belongs to a province; scoped roles see the sessions of their province, and a trainer
only the sessions they teach. Enrolments and certificates are in scope through the
institution that enrolled the person (and the person's reach), and for a trainer through
their own sessions.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.accounts.choices import Role
from entezam.core.dates import DateRange
from entezam.core.models import BaseModel
from entezam.core.scoping import ALL, Scope, reach_everywhere
from entezam.institutions.models import VIA_INSTITUTION, Institution, institution_path
from entezam.personnel.choices import Position
from entezam.personnel.models import person_record_q

from .choices import (
    CERTIFICATE_COLORS,
    ENROLLERS,
    GRADERS,
    RESULT_COLORS,
    SESSION_MANAGERS,
    SESSION_STATUS_COLORS,
    TRAINING_VIEWERS,
    CertificateStatus,
    EnrolmentResult,
    SessionStatus,
)


class Course(BaseModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience"), max_length=20, choices=Position.choices)
    hours = models.PositiveSmallIntegerField(_("hours"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), help_text=_("Out of 100."))
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"))
    mandatory_for = models.JSONField(
        _("mandatory for"),
        default=list,
        blank=True,
        help_text=_("Positions whose holders must hold a valid certificate of this course."),
    )
    prerequisites = models.ManyToManyField(
        "self", verbose_name=_("prerequisites"), symmetrical=False, blank=True, related_name="+"
    )
    syllabus = models.TextField(_("syllabus"), blank=True)
    syllabus_version = models.PositiveSmallIntegerField(_("syllabus version"), default=1)
    is_active = models.BooleanField(_("offered"), default=True)

    role_actions = {
        "view": TRAINING_VIEWERS,
        "add": {Role.HQ_ADMIN},
        "change": {Role.HQ_ADMIN},
    }
    scope_q = classmethod(reach_everywhere)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("training:course_detail", args=[self.pk])

    def is_mandatory_for(self, position: str) -> bool:
        return position in (self.mandatory_for or [])

    def mandatory_display(self) -> list[str]:
        labels = dict(Position.choices)
        return [str(labels.get(p, p)) for p in self.mandatory_for or []]


class SyllabusVersion(models.Model):
    """Each revision of a course's syllabus, kept."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="syllabus_versions")
    version = models.PositiveSmallIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="syllabus_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.course_id} v{self.version}"


def _session_scope(assignment, action: str, prefix: str = ""):
    """Sessions an assignment reaches: a trainer the sessions they teach; nation roles all;
    a province, police unit or institution the sessions held in its province."""
    if assignment.role == Role.TRAINER:
        return Q(**{f"{prefix}trainers": assignment.user_id})
    scope = assignment.scope
    if scope == Scope.NATION:
        return ALL
    if scope == Scope.PROVINCE:
        return Q(**{f"{prefix}province": assignment.scope_object_id})
    if scope == Scope.POLICE_UNIT:
        from entezam.geo.models import PoliceUnit

        provinces = PoliceUnit.objects.filter(pk=assignment.scope_object_id).values("province")
        return Q(**{f"{prefix}province__in": provinces})
    if scope == Scope.INSTITUTION:
        provinces = Institution.objects.filter(pk=assignment.scope_object_id).values("province")
        return Q(**{f"{prefix}province__in": provinces})
    return None


class Session(BaseModel):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    province = models.ForeignKey(
        "geo.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    police_unit = models.ForeignKey(
        "geo.PoliceUnit",
        verbose_name=_("police unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue = models.CharField(_("training centre"), max_length=200)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), related_name="training_sessions"
    )
    start_date = models.DateField(_("start date"), validators=[DateRange("any")])
    end_date = models.DateField(_("end date"), validators=[DateRange("any")])
    capacity = models.PositiveIntegerField(_("capacity"))
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )

    role_actions = {
        "view": TRAINING_VIEWERS,
        "add": SESSION_MANAGERS,
        "change": SESSION_MANAGERS,
        "open": SESSION_MANAGERS,
        "start": SESSION_MANAGERS | {Role.TRAINER},
        "complete": SESSION_MANAGERS | {Role.TRAINER},
        "cancel": SESSION_MANAGERS,
        "enrol": ENROLLERS,
        "grade": GRADERS,
    }
    # The session actions scoped as "view" is (the trainer's own sessions, the province).
    view_scope_actions = frozenset({"change", "open", "start", "complete", "cancel", "enrol"})

    @classmethod
    def scope_q(cls, assignment, action):
        return _session_scope(assignment, action)

    class Meta:
        verbose_name = pgettext_lazy("training", "session")
        verbose_name_plural = pgettext_lazy("training", "sessions")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["province", "start_date"], name="session_province_start"),
            models.Index(fields=["start_date", "id"], name="session_start"),
        ]
        constraints = [
            models.CheckConstraint(
                name="session_dates_ordered", condition=Q(end_date__gte=F("start_date"))
            ),
            models.CheckConstraint(name="session_capacity_positive", condition=Q(capacity__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} — {self.venue}"

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def status_color(self) -> str:
        return SESSION_STATUS_COLORS.get(self.status, "secondary")

    def days(self) -> list[datetime.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + datetime.timedelta(days=i) for i in range(count)]

    def audit_scope(self) -> dict:
        return {"province_id": self.province_id, "police_unit_id": self.police_unit_id}


def _via_enrolling_institution(assignment, prefix: str = ""):
    path = institution_path(f"{prefix}institution", assignment.scope)
    return None if path is None else Q(**{path: assignment.scope_object_id})


class Enrolment(BaseModel):
    session = models.ForeignKey(
        Session,
        verbose_name=pgettext_lazy("training", "session"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    # The institution that enrolled the person: the person is reached through it.
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    # {"2026-12-01": true, ...}: one entry per session day recorded.
    attendance = models.JSONField(_("attendance"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=20, choices=EnrolmentResult.choices, default=EnrolmentResult.PENDING
    )

    role_actions = {
        "view": TRAINING_VIEWERS,
        "add": ENROLLERS,
        "withdraw": ENROLLERS,
        "grade": GRADERS,
    }
    scope_paths = VIA_INSTITUTION
    view_scope_actions = frozenset({"withdraw"})

    @classmethod
    def scope_q(cls, assignment, action):
        if assignment.role == Role.TRAINER:
            return Q(session__trainers=assignment.user_id)
        if assignment.scope == Scope.NATION:
            return ALL
        return _via_enrolling_institution(assignment)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(result="withdrawn"),
                name="one_enrolment_per_person_session",
            ),
            models.CheckConstraint(
                name="enrolment_score_range",
                condition=Q(score__isnull=True) | Q(score__lte=100),
            ),
        ]
        indexes = [models.Index(fields=["person", "result"], name="enrolment_person")]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.session_id])

    @property
    def result_color(self) -> str:
        return RESULT_COLORS.get(self.result, "secondary")

    def days_present(self) -> int:
        return sum(1 for present in (self.attendance or {}).values() if present)

    def audit_scope(self) -> dict:
        return self.institution.audit_scope()


class Certificate(BaseModel):
    person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="certificates"
    )
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issue date"), validators=[DateRange("any")])
    expires_on = models.DateField(_("expiry date"), validators=[DateRange("any")])
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    revoke_reason = models.TextField(_("revocation reason"), blank=True)

    role_actions = {
        "view": TRAINING_VIEWERS,
        "revoke": {Role.HQ_ADMIN},
    }

    @classmethod
    def scope_q(cls, assignment, action):
        """In scope where the person is reached (any institution link), or for a trainer
        through the sessions they taught."""
        if assignment.role == Role.TRAINER:
            return Q(enrolment__session__trainers=assignment.user_id)
        return person_record_q(assignment, action)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["person", "course", "-expires_on"], name="certificate_holder"),
            models.Index(fields=["status", "expires_on"], name="certificate_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                name="certificate_dates_ordered", condition=Q(expires_on__gt=F("issued_on"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("training:certificate_detail", args=[self.pk])

    @property
    def status_color(self) -> str:
        return CERTIFICATE_COLORS.get(self.status, "secondary")

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == CertificateStatus.VALID and self.expires_on >= day

    def audit_scope(self) -> dict:
        employment = (
            self.person.employments.filter(end_date__isnull=True)
            .select_related("institution")
            .first()
        )
        return employment.audit_scope() if employment else {}


def valid_certificates(today: datetime.date | None = None):
    """Certificates valid today (status valid and not past expiry)."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(status=CertificateStatus.VALID, expires_on__gte=today)


ACTIVE_ENROLMENT = ~Q(result=EnrolmentResult.WITHDRAWN)
