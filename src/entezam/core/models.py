"""Framework models: the base model and the audit log. No domain models live here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .registry import action_label, role_label
from .scoping import ALL, Scope, ScopedManager, roles_for


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A changed row may have left the scope `access` checked when it read it.
        self.__dict__.pop("_entezam_visible_to", None)
        super().save(*args, **kwargs)

    def audit_scope(self) -> dict:
        """Province, police unit and institution an audit event about this object belongs to."""
        return {}


class AuditEvent(models.Model):
    """One recorded change. Append-only: PostgreSQL refuses UPDATE and DELETE by trigger."""

    time = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(pgettext_lazy("audit event", "object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    province_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    police_unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    institution_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The HMAC of the event's content under the audit key `key_id` (kept outside the
    # database): an event changed or inserted by hand does not carry a valid one.
    key_id = models.CharField(max_length=8, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    objects = ScopedManager()

    # Granted by `accounts`, which defines the roles.
    role_actions: dict = {}

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def get_action_display(self) -> str:
        return action_label(self.action)

    def changes_display(self) -> list[dict]:
        """Changed fields with their labels, values as the pages show them (core.history)."""
        from .history import changes_display

        return changes_display(self)

    def get_role_display(self) -> str:
        return role_label(self.role)

    def object_type_display(self) -> str:
        from .history import object_type_label

        return object_type_label(self.object_type)

    def object_url(self) -> str | None:
        from .history import object_url

        return object_url(self.object_type, self.object_id)

    def actor_url(self) -> str | None:
        from .history import object_url

        if self.actor_id is None:
            return None
        return object_url(settings.AUTH_USER_MODEL, str(self.actor_id))

    @classmethod
    def scope_q(cls, assignment, action):
        scope = assignment.scope
        if scope == Scope.NATION:
            return ALL
        field = {
            Scope.PROVINCE: "province_id",
            Scope.POLICE_UNIT: "police_unit_id",
            Scope.INSTITUTION: "institution_id",
        }.get(scope)
        return Q(**{field: assignment.scope_object_id}) if field else None


class Job(models.Model):
    """A long-running piece of work (an import, a bulk screening) with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    input_file = models.FileField(upload_to="jobs/input/", blank=True)
    output_file = models.FileField(upload_to="jobs/output/", blank=True)

    objects = ScopedManager()

    # Everyone sees the jobs they started; roles granted `view_all` see every job. Both
    # are granted by `accounts`, which defines the roles.
    role_actions: dict = {}

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @classmethod
    def scope_q(cls, assignment, action):
        if assignment.role in roles_for(cls, "view_all"):
            return ALL
        return Q(created_by_id=assignment.user_id)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class AuditSeal(models.Model):
    """A batch of audit events sealed into the hash chain."""

    number = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    event_count = models.PositiveIntegerField()
    last_event_id = models.BigIntegerField()
    previous_hash = models.CharField(max_length=64)
    # HMAC under audit key `key_id` of the previous hash, the batch's digests and the id
    # ranges found absent when it was made (empty key: a seal made before keys, a plain
    # SHA-256 chain).
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=8, blank=True)
    # [[first, last], …]: ids of its range nobody wrote (rolled-back transactions).
    absent_ranges = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"seal {self.number}"


class AuditSealEntry(models.Model):
    """The digest of one event as it was when sealed."""

    seal = models.ForeignKey(AuditSeal, on_delete=models.PROTECT, related_name="entries")
    event_id = models.BigIntegerField(unique=True)
    position = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["seal_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["seal", "position"], name="audit_entry_position")
        ]

    def __str__(self) -> str:
        return f"{self.seal_id}:{self.event_id}"


class PeriodicRun(models.Model):
    """When each registered periodic task (`core.registry.register_periodic`) last ran.

    The row is locked while its task runs, so beat, the in-process ticker and a
    hand-run `entezam tick` never run one task twice at the same time.
    """

    name = models.CharField(max_length=80, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditLink(models.Model):
    """An object one audit event concerns besides its own (the people a roster import
    created or linked), so the event shows in each one's history.

    A bulk operation adds its links as it goes, under a run key, and ties them to its event
    when it records it (`audit.LinkRecorder`); the event's changes carry the links' count
    and a SHA-256 over them, in order, so they are sealed with it."""

    event = models.ForeignKey(
        AuditEvent,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="links",
    )
    run_key = models.CharField(max_length=32)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_link_object"),
            models.Index(fields=["run_key"], name="audit_link_run"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.object_type}#{self.object_id}"
