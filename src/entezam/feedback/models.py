"""Citizen messages to the 197 centre, who handles them, their history, and routing rules."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.models import BaseModel
from entezam.core.scoping import ALL, Scope, ScopedManager, reach_everywhere

from .choices import (
    ASSIGNEE_ROLES,
    OPERATOR_ROLES,
    READER_ROLES,
    Category,
    Channel,
    EventKind,
    Level,
    Priority,
    Status,
    SubjectKind,
)

TEXT_MAX_LENGTH = 4000
REPLY_MAX_LENGTH = 2000


class RoutingRule(BaseModel):
    """Category (and subject kind, priority) -> the levels a message goes to, and its deadline.

    Rules are tried by `order`; the first that matches routes the message. A level that
    cannot be resolved for a message (no institution in the subject) falls through to the
    next level up, so a message always has someone who can act.
    """

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject_kind = models.CharField(
        _("subject"), max_length=20, choices=SubjectKind.choices, default=SubjectKind.ANY
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Blank: any priority."),
    )
    to_institution = models.BooleanField(_("to the institution"), default=False)
    to_police_unit = models.BooleanField(_("to the police unit"), default=False)
    to_province = models.BooleanField(_("to the province"), default=False)
    to_hq = models.BooleanField(_("to HQ"), default=False)
    due_working_days = models.PositiveSmallIntegerField(
        _("working days to resolve"),
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    role_actions = {
        "view": frozenset({Role.HQ_ADMIN, Role.HQ_ANALYST, Role.CENTER_OPERATOR}),
        "add": frozenset({Role.HQ_ADMIN}),
        "change": frozenset({Role.HQ_ADMIN}),
    }
    scope_q = classmethod(reach_everywhere)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                name="routingrule_has_a_level",
                condition=Q(to_institution=True)
                | Q(to_police_unit=True)
                | Q(to_province=True)
                | Q(to_hq=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} / {self.get_subject_kind_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("feedback:rules")

    @property
    def levels(self) -> list[str]:
        chosen = {
            Level.INSTITUTION: self.to_institution,
            Level.POLICE_UNIT: self.to_police_unit,
            Level.PROVINCE: self.to_province,
            Level.HQ: self.to_hq,
        }
        return [level for level, on in chosen.items() if on]


def _active_assignments(field: str, value: int) -> Q:
    return Q(
        pk__in=Assignment.objects.filter(is_active=True, **{field: value}).values("feedback_id")
    )


class Feedback(BaseModel):
    """One message from a citizen: text, optional contact and place, its subject and case."""

    tracking_code = models.CharField(_("tracking code"), max_length=8, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    search_text = models.TextField(editable=False, default="")
    name = models.CharField(_("name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    contact_erased_at = models.DateTimeField(_("contact erased at"), null=True, blank=True)
    province = models.ForeignKey(
        "geo.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "geo.County",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    subject_person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("guard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    subject_institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    subject_police_unit = models.ForeignKey(
        "geo.PoliceUnit",
        verbose_name=_("police unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    suggested_category = models.CharField(
        _("suggested category"), max_length=20, choices=Category.choices, blank=True
    )
    suggested_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    category_confirmed_at = models.DateTimeField(_("category confirmed at"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    breached = models.BooleanField(_("deadline missed"), default=False)
    disputes = models.PositiveSmallIntegerField(_("disputes"), default=0)
    public_reply = models.TextField(_("public reply"), max_length=REPLY_MAX_LENGTH, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    role_actions = {
        "view": READER_ROLES,
        "triage": OPERATOR_ROLES,
        "handle": ASSIGNEE_ROLES,
    }
    view_scope_actions = ()

    class Meta:
        verbose_name = _("citizen message")
        verbose_name_plural = _("citizen messages")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "priority", "due_date"], name="feedback_queue"),
            models.Index(fields=["province", "created_at"], name="feedback_province_month"),
            models.Index(fields=["created_at"], name="feedback_created"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @classmethod
    def scope_q(cls, assignment, action):
        if assignment.scope == Scope.NATION:
            return ALL
        if assignment.role in (Role.CENTER_OPERATOR, Role.PROVINCE_OFFICER):
            return Q(province_id=assignment.scope_object_id)
        if assignment.role == Role.STATION_OFFICER:
            return _active_assignments("police_unit_id", assignment.scope_object_id)
        if assignment.role == Role.INSTITUTION_MANAGER:
            return _active_assignments("institution_id", assignment.scope_object_id)
        return None

    def audit_scope(self) -> dict:
        return {"province_id": self.province_id, "institution_id": self.subject_institution_id}

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)

    @property
    def is_urgent(self) -> bool:
        return self.priority == Priority.URGENT


class Assignment(models.Model):
    """Who handles a message: one level (institution, police unit, province or HQ).

    A message may have several active assignments (the institution and its station);
    re-routing and escalation end them and add new ones, keeping the old as history.
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="assignments")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    police_unit = models.ForeignKey(
        "geo.PoliceUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "geo.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["institution"],
                name="fb_assignment_institution",
                condition=Q(is_active=True),
            ),
            models.Index(
                fields=["police_unit"], name="fb_assignment_unit", condition=Q(is_active=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="fb_assignment_target_matches_level",
                condition=(Q(level=Level.INSTITUTION) & Q(institution__isnull=False))
                | (Q(level=Level.POLICE_UNIT) & Q(police_unit__isnull=False))
                | (Q(level=Level.PROVINCE) & Q(province__isnull=False))
                | Q(level=Level.HQ),
            )
        ]

    def __str__(self) -> str:
        return str(self.target or self.get_level_display())

    @property
    def target(self):
        return {
            Level.INSTITUTION: self.institution,
            Level.POLICE_UNIT: self.police_unit,
            Level.PROVINCE: self.province,
        }.get(self.level)

    @property
    def target_name(self) -> str:
        target = self.target
        return str(target) if target is not None else str(self.get_level_display())


class FeedbackEvent(models.Model):
    """One step in a message's history; `public` steps show on the citizen's status page."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("time"))

    objects = ScopedManager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def note_display(self) -> str:
        """The note as staff read it (a triage step names the category in words)."""
        if self.kind == EventKind.TRIAGED and self.note in Category.values:
            return str(Category(self.note).label)
        return self.note
