from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.dates import DateRange
from entezam.core.models import BaseModel
from entezam.core.scoping import reach_everywhere
from entezam.institutions.models import VIA_INSTITUTION
from entezam.personnel.choices import Position
from entezam.personnel.models import PEOPLE_VIEWERS, person_record_q

from .choices import (
    OPEN_APPLICATION_STATUSES,
    RULE_OUTCOME_COLORS,
    STANDARD_STATUS_COLORS,
    STATUS_COLORS,
    ApplicationStatus,
    CheckResult,
    RuleKind,
    RuleOutcome,
    StandardStatus,
)


class Standard(BaseModel):
    """One version of written selection criteria (e.g. GUARD v3)."""

    code = models.CharField(_("code"), max_length=30)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=StandardStatus.choices, default=StandardStatus.DRAFT
    )
    effective_date = models.DateField(
        _("effective date"), null=True, blank=True, validators=[DateRange("any")]
    )
    positions = models.JSONField(
        _("positions"), default=list, help_text=_("Positions this standard selects for.")
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # What activation found: re-screening counts and the approved staff who would now fail.
    activation_report = models.JSONField(_("activation report"), default=dict, blank=True)

    role_actions = {
        "view": PEOPLE_VIEWERS | {Role.CENTER_OPERATOR},
        "add": {Role.HQ_ADMIN},
        "change": {Role.HQ_ADMIN},
        "activate": {Role.HQ_ADMIN},
    }

    class Meta:
        verbose_name = _("selection standard")
        verbose_name_plural = _("selection standards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_code_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="active"),
                name="one_active_standard_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    # Standards are national rules: everyone who may read them reads all of them.
    scope_q = classmethod(reach_everywhere)

    def get_absolute_url(self) -> str:
        return reverse("vetting:standard_detail", args=[self.pk])

    @property
    def status_color(self) -> str:
        return STANDARD_STATUS_COLORS.get(self.status, "secondary")

    def positions_display(self) -> list[str]:
        labels = dict(Position.choices)
        return [str(labels.get(p, p)) for p in self.positions]


class StandardRule(BaseModel):
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    role_actions = Standard.role_actions

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["standard", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "kind"], name="standard_rule_kind_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    scope_q = classmethod(reach_everywhere)

    def params_display(self) -> list[tuple[str, str]]:
        from .rules import params_display

        return params_display(self.kind, self.params)


class Application(BaseModel):
    """One person's selection case with one institution.

    Indexes are kept to what queries use: roster imports open up to a million applications
    at a time, and every index is paid for on each of them. Foreign keys whose referenced
    rows are never deleted while referenced (users, standards) carry no index of their own.
    """

    person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="applications",
        # Covered by the (institution, status) index below.
        db_index=False,
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    status_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    decision_reason = models.TextField(_("decision reasons"), blank=True)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Screening found a rule it could not decide; an officer must look at it."),
    )

    scope_paths = VIA_INSTITUTION
    role_actions = {
        "view": PEOPLE_VIEWERS,
        "add": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
        "withdraw": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
        "screen": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
        "record_check": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.STATION_OFFICER},
        "advance": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.STATION_OFFICER},
        # Institution managers never decide on their own staff.
        "decide": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
    }

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        # The list's default order (newest first, keyset pages) alone and under the common
        # filters; the board and screening read by institution and status.
        indexes = [
            models.Index(
                fields=["institution", "status", "status_changed_at"],
                name="application_inst_status",
            ),
            models.Index(
                fields=["status", "status_changed_at", "id"], name="application_stage_wait"
            ),
            models.Index(fields=["submitted_at", "id"], name="application_submitted"),
            models.Index(
                fields=["institution", "submitted_at", "id"], name="application_inst_submitted"
            ),
            models.Index(
                fields=["status", "submitted_at", "id"], name="application_stat_submitted"
            ),
            # The API's order (newest first by id, cursor pages) under an institution filter.
            models.Index(fields=["institution", "id"], name="application_inst_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "institution"],
                condition=Q(status__in=[*OPEN_APPLICATION_STATUSES, "approved"]),
                name="one_open_application_per_person_institution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.institution}"

    def get_absolute_url(self) -> str:
        return reverse("vetting:application_detail", args=[self.pk])

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(self.status, "secondary")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    def audit_scope(self) -> dict:
        return self.institution.audit_scope()


class ApplicationStep(models.Model):
    """Who moved an application into which stage, and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class RuleResult(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="rule_results"
    )
    rule = models.ForeignKey(StandardRule, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=RuleOutcome.choices)
    # A message code and its values: the text is rendered in the reader's language.
    detail = models.CharField(_("detail"), max_length=60, blank=True)
    detail_params = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rule"], name="rule_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.outcome}"

    @property
    def outcome_color(self) -> str:
        return RULE_OUTCOME_COLORS.get(self.outcome, "secondary")

    def detail_display(self) -> str:
        from .rules import describe

        return describe(self.detail, self.detail_params)


class BackgroundCheck(BaseModel):
    """A result from the records service, an officer, or an imported results file."""

    person = models.ForeignKey(
        "personnel.Person", on_delete=models.PROTECT, related_name="background_checks"
    )
    provider = models.CharField(_("provider"), max_length=30)
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_on = models.DateField(_("checked on"), validators=[DateRange("past")])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    role_actions = {
        "view": PEOPLE_VIEWERS - {Role.INSTITUTION_MANAGER},
        "add": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.STATION_OFFICER},
    }

    class Meta:
        verbose_name = _("background check")
        verbose_name_plural = _("background checks")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~Q(reference=""),
                name="background_check_reference_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_result_display()}"

    @classmethod
    def scope_q(cls, assignment, action):
        return person_record_q(assignment, action)


class MedicalCertificate(BaseModel):
    person = models.ForeignKey(
        "personnel.Person", on_delete=models.PROTECT, related_name="medical_certificates"
    )
    fit = models.BooleanField(_("fit for duty"))
    issued_on = models.DateField(_("issued on"), validators=[DateRange("past")])
    valid_until = models.DateField(_("valid until"), validators=[DateRange("any")])
    issuer = models.CharField(_("issuer"), max_length=150, blank=True)

    # The applicant brings the certificate to the institution; officers may record it too.
    role_actions = {
        "view": PEOPLE_VIEWERS,
        "add": {
            Role.HQ_ADMIN,
            Role.PROVINCE_OFFICER,
            Role.STATION_OFFICER,
            Role.INSTITUTION_MANAGER,
        },
    }

    class Meta:
        verbose_name = _("medical certificate")
        verbose_name_plural = _("medical certificates")
        ordering = ["-valid_until"]

    def __str__(self) -> str:
        return f"{self.person} — {self.valid_until}"

    def audit_scope(self) -> dict:
        return self.person.audit_scope()

    @classmethod
    def scope_q(cls, assignment, action):
        return person_record_q(assignment, action)


class StageSummary(models.Model):
    """The selection board's figures for one scope and stage, recomputed by a periodic job
    (`vetting.board.refresh_stage_summary`) so that a board never reads every application.

    `median_since` is the median time the stage's open applications entered it: the median
    days in stage is `now - median_since`, which stays right as time passes and only goes
    stale as applications move (by at most the refresh interval, which the page states).
    """

    class Scope(models.TextChoices):
        NATION = "nation"
        PROVINCE = "province"
        POLICE_UNIT = "police_unit"
        INSTITUTION = "institution"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(default=0)  # 0 for the nation
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    count = models.PositiveIntegerField(default=0)
    needs_review = models.PositiveIntegerField(default=0)
    median_since = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "status"], name="stage_summary_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.status} = {self.count}"
