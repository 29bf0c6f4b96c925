"""Guidelines, their versions and clauses, issuances, acknowledgements, briefings.

A guideline is owned by HQ (the cooperation guideline, issued to institutions) or by one
institution (its own selection procedure, reviewed by its province officer). HQ
guidelines are read by every staff role; an institution's procedure by the scopes above
that institution. Issuances follow their guideline; acknowledgements, extensions and
briefings belong to one institution (`VIA_INSTITUTION`).
"""

from __future__ import annotations

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
from entezam.core.scoping import ALL, Scope, ScopedManager
from entezam.institutions.models import VIA_INSTITUTION, institution_path

from .choices import (
    ACK_STATUS_COLORS,
    AUTHORS,
    EXTENSION_DECIDERS,
    HQ,
    PROCEDURE_REVIEWERS,
    READERS,
    VERSION_STATUS_COLORS,
    AckStatus,
    ExtensionStatus,
    GuidelineKind,
    VersionStatus,
)


def _guideline_q(prefix: str):
    """`scope_q` of a guideline reached through `prefix` ("" for the guideline itself).

    Nation roles reach every row their action allows. Otherwise: everyone who reads
    guidelines reads HQ's; an institution's own procedure is read, written (its manager)
    and reviewed (its province officer) within the scopes above that institution.
    """
    owner = f"{prefix}owner_institution"

    def scope_q(cls, assignment, action):
        if assignment.scope == Scope.NATION:
            return ALL
        path = institution_path(owner, assignment.scope)
        own = Q(**{path: assignment.scope_object_id}) if path else None
        if action == "view":
            hq_owned = Q(**{f"{owner}__isnull": True})
            return hq_owned if own is None else hq_owned | own
        return own

    return classmethod(scope_q)


class Guideline(BaseModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=GuidelineKind.choices)
    # Empty: HQ's guideline. Set: an institution's own procedure.
    owner_institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("owning institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_guidelines",
    )
    # When HQ itself must present it (a countdown on HQ's home page).
    mandate_due_on = models.DateField(
        _("mandate due date"), null=True, blank=True, validators=[DateRange("any")]
    )

    objects = ScopedManager()
    role_actions = {
        "view": READERS,
        "add": AUTHORS,
        "change": AUTHORS,
        "issue": HQ,
        "review": PROCEDURE_REVIEWERS,
    }
    scope_q = _guideline_q("")

    class Meta:
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guidelines:guideline_detail", args=[self.pk])

    def audit_scope(self) -> dict:
        inst = self.owner_institution
        if inst is None:
            return {}
        return {
            "province_id": inst.province_id,
            "police_unit_id": inst.supervising_unit_id,
            "institution_id": inst.pk,
        }

    @property
    def is_procedure(self) -> bool:
        return self.owner_institution_id is not None

    @property
    def mandate_days_left(self) -> int | None:
        if self.mandate_due_on is None:
            return None
        return (self.mandate_due_on - timezone.localdate()).days


class Version(BaseModel):
    guideline = models.ForeignKey(
        Guideline, verbose_name=_("guideline"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("summary of changes"), blank=True)
    # Wording only: issued and notified, but nobody needs to acknowledge it again.
    minor = models.BooleanField(_("minor (wording only)"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("sent for review at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # A procedure returned to its institution: the reviewer's comments, by clause number.
    review_comments = models.JSONField(_("review comments"), default=dict, blank=True)
    # The emergency path: issued without approval, with a reason, reviewed afterwards by a
    # second HQ administrator.
    emergency_reason = models.TextField(_("reason for issuing without approval"), blank=True)
    emergency_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("emergency issue reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    emergency_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    emergency_review_note = models.TextField(_("review note"), blank=True)

    objects = ScopedManager()
    role_actions = {
        "view": READERS,
        "change": AUTHORS,
        "submit": AUTHORS,
        "approve": HQ,
        "issue": HQ,
        "emergency_review": HQ,
        "review": PROCEDURE_REVIEWERS,
    }
    scope_q = _guideline_q("guideline__")

    class Meta:
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        ordering = ["guideline", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="version_number_unique"),
            # The two-person rule, also below the service.
            models.CheckConstraint(
                name="version_approver_not_author",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")),
            ),
            # At most one version of a guideline is being written or reviewed at a time.
            models.UniqueConstraint(
                fields=["guideline"],
                condition=Q(status__in=["draft", "in_review", "approved"]),
                name="version_one_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline.title} — v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("guidelines:version_detail", args=[self.pk])

    def audit_scope(self) -> dict:
        return self.guideline.audit_scope()

    @property
    def status_color(self) -> str:
        return VERSION_STATUS_COLORS.get(self.status, "secondary")

    @property
    def review_pending(self) -> bool:
        """Issued on the emergency path and not yet reviewed by a second administrator."""
        return bool(self.emergency_reason) and self.emergency_reviewed_at is None


class Clause(models.Model):
    """One numbered clause of one version ("4.2"), Markdown text; a heading (a section
    title, "4") has no text of its own. `key` is the clause's identity across versions:
    copied into the next draft, so versions compare clause by clause even when renumbered."""

    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="clauses"
    )
    key = models.CharField(max_length=32)
    number = models.CharField(pgettext_lazy("clause", "number"), max_length=20)
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    is_heading = models.BooleanField(_("section heading"), default=False)
    requires_evidence = models.BooleanField(_("asks for evidence"), default=False)
    evidence_label = models.CharField(_("evidence asked for"), max_length=200, blank=True)

    objects = ScopedManager()
    role_actions = Version.role_actions
    scope_q = _guideline_q("version__guideline__")

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="clause_number_unique"),
            models.UniqueConstraint(fields=["version", "key"], name="clause_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def depth(self) -> int:
        return self.number.count(".")


class Issuance(BaseModel):
    """A version issued (ابلاغ) to an audience as an official letter, with its number."""

    version = models.OneToOneField(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, related_name="issuance"
    )
    number = models.CharField(_("issuance number"), max_length=20, unique=True)
    issued_on = models.DateField(_("issue date"), validators=[DateRange("any")])
    deadline = models.DateField(_("deadline"), validators=[DateRange("any")])
    # The audience: institutions developing or active, optionally one province and kind.
    audience_province = models.ForeignKey(
        "geo.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_kind = models.CharField(_("institution kind"), max_length=20, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    # False once a later version is issued: late joiners then receive the later one.
    current = models.BooleanField(_("current"), default=True)

    objects = ScopedManager()
    role_actions = {"view": READERS, "change": HQ}
    scope_q = _guideline_q("version__guideline__")

    class Meta:
        verbose_name = _("issuance")
        verbose_name_plural = _("issuances")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="issuance_deadline_after_issue", condition=Q(deadline__gt=F("issued_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("guidelines:issuance_detail", args=[self.pk])

    def audit_scope(self) -> dict:
        return {"province_id": self.audience_province_id} if self.audience_province_id else {}


class Acknowledgement(BaseModel):
    issuance = models.ForeignKey(
        Issuance,
        verbose_name=_("issuance"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AckStatus.choices, default=AckStatus.PENDING
    )
    # The day the institution entered the audience (the issue date, or later for an
    # institution licensed afterwards): its deadline counts from it.
    joined_on = models.DateField(_("received on"))
    deadline = models.DateField(_("deadline"))
    # Keys of the clauses to confirm again after a new version; empty: the whole text.
    clauses_to_confirm = models.JSONField(default=list, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    objects = ScopedManager()
    scope_paths = VIA_INSTITUTION
    role_actions = {
        "view": READERS,
        "acknowledge": frozenset({Role.INSTITUTION_MANAGER}),
        "brief": frozenset({Role.INSTITUTION_MANAGER}),
        "request_extension": frozenset({Role.INSTITUTION_MANAGER}),
        "decide_extension": EXTENSION_DECIDERS,
    }

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuance", "institution"], name="acknowledgement_once_per_institution"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="ack_status_deadline"),
            models.Index(fields=["institution", "status"], name="ack_institution_status"),
        ]

    def __str__(self) -> str:
        return f"{self.issuance.number} — {self.institution.name}"

    def get_absolute_url(self) -> str:
        return reverse("guidelines:ack_detail", args=[self.pk])

    def audit_scope(self) -> dict:
        inst = self.institution
        return {
            "province_id": inst.province_id,
            "police_unit_id": inst.supervising_unit_id,
            "institution_id": inst.pk,
        }

    @property
    def status_color(self) -> str:
        return ACK_STATUS_COLORS.get(self.status, "secondary")

    @property
    def is_open(self) -> bool:
        return self.status in (AckStatus.PENDING, AckStatus.OVERDUE, AckStatus.EXTENDED)

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days


class ClauseConfirmation(models.Model):
    """The institution confirms one clause that asks for evidence, with that evidence."""

    acknowledgement = models.ForeignKey(
        Acknowledgement,
        verbose_name=_("acknowledgement"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField(_("evidence"))

    objects = ScopedManager()
    scope_paths = {k: f"acknowledgement__{v}" for k, v in VIA_INSTITUTION.items()}
    role_actions = {"view": READERS}

    class Meta:
        verbose_name = _("clause confirmation")
        verbose_name_plural = _("clause confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["acknowledgement", "clause"], name="confirmation_once_per_clause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause.number}: {self.evidence[:50]}"


class Extension(BaseModel):
    acknowledgement = models.ForeignKey(
        Acknowledgement,
        verbose_name=_("acknowledgement"),
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    new_deadline = models.DateField(
        _("new deadline"), null=True, blank=True, validators=[DateRange("any")]
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedManager()
    scope_paths = {k: f"acknowledgement__{v}" for k, v in VIA_INSTITUTION.items()}
    role_actions = {"view": READERS}

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["acknowledgement"],
                condition=Q(status="requested"),
                name="extension_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acknowledgement} — {self.get_status_display()}"


class Briefing(BaseModel):
    """The institution briefed (some of) its staff on the guideline."""

    acknowledgement = models.ForeignKey(
        Acknowledgement,
        verbose_name=_("acknowledgement"),
        on_delete=models.PROTECT,
        related_name="briefings",
    )
    held_on = models.DateField(_("held on"), validators=[DateRange("past")])
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        "personnel.Person", verbose_name=_("attendees"), related_name="+", blank=True
    )

    objects = ScopedManager()
    scope_paths = {k: f"acknowledgement__{v}" for k, v in VIA_INSTITUTION.items()}
    role_actions = {"view": READERS}

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.acknowledgement} — {self.held_on}"
