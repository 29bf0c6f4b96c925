import datetime

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import STAFF_ROLES, Role
from entezam.core.dates import DateRange
from entezam.core.errors import validation_error
from entezam.core.models import BaseModel
from entezam.core.persian import normalize
from entezam.core.persian.validators import validate_national_code
from entezam.core.scoping import ScopedManager

from .choices import STATUS_COLORS, TRANSITIONS, InstitutionKind, InstitutionStatus
from .errors import MESSAGES

LICENCE_WARNING_DAYS = 60

# From an institution to each kind of scope object.
INSTITUTION_SCOPE_PATHS = {"province": "province", "police_unit": "supervising_unit"}


def institution_path(field: str, scope: str) -> str | None:
    """The lookup from a model's institution foreign key `field` to the scope object of
    `scope` (`institution__province` …), or None for nation scope."""
    if scope == "institution":
        return field
    tail = INSTITUTION_SCOPE_PATHS.get(scope)
    return None if tail is None else f"{field}__{tail}"


def via(field: str) -> dict[str, str]:
    """`scope_paths` of a model that belongs to one institution through `field`."""
    return {
        scope: path
        for scope in ("province", "police_unit", "institution")
        if (path := institution_path(field, scope)) is not None
    }


# `scope_paths` of any model that belongs to one institution (employments, applications).
VIA_INSTITUTION = via("institution")


class Institution(BaseModel):
    registration_number = models.CharField(_("registration number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.GUARDING
    )
    province = models.ForeignKey(
        "geo.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    county = models.ForeignKey(
        "geo.County",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    supervising_unit = models.ForeignKey(
        "geo.PoliceUnit",
        verbose_name=_("supervising police unit"),
        on_delete=models.PROTECT,
        related_name="supervised_institutions",
    )
    managing_director = models.CharField(_("managing director"), max_length=150)
    managing_director_national_code = models.CharField(
        _("managing director's national code"),
        max_length=10,
        blank=True,
        validators=[validate_national_code],
    )
    licence_number = models.CharField(
        _("licence number"), max_length=30, null=True, blank=True, unique=True
    )
    licence_issued_on = models.DateField(
        _("licence issued on"), null=True, blank=True, validators=[DateRange("any")]
    )
    licence_expires_on = models.DateField(
        _("licence expires on"), null=True, blank=True, validators=[DateRange("any")]
    )
    authorised_headcount = models.PositiveIntegerField(_("authorised headcount"), default=0)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InstitutionStatus.choices,
        default=InstitutionStatus.APPLICANT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)

    scope_paths = {
        "province": "province",
        "police_unit": "supervising_unit",
        "institution": "pk",
    }
    role_actions = {
        "view": STAFF_ROLES,
        "add": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
        "change": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
        **{action: roles for action, (_from, _to, roles) in TRANSITIONS.items()},
        # The managing director's national code, in full (the rule people's codes follow).
        "read_national_code": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER},
    }

    class Meta:
        verbose_name = _("security institution")
        verbose_name_plural = _("security institutions")
        ordering = ["name"]
        indexes = [
            GinIndex(
                name="institution_search_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"]
            ),
            models.Index(fields=["licence_expires_on"], name="institution_licence_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                name="institution_licence_dates_ordered",
                condition=Q(licence_expires_on__isnull=True)
                | Q(licence_issued_on__isnull=True)
                | Q(licence_expires_on__gt=F("licence_issued_on")),
            ),
            models.CheckConstraint(
                name="institution_licensed_when_operating",
                condition=~Q(status__in=["active", "suspended"])
                | (Q(licence_number__isnull=False) & Q(licence_expires_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.status in (InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED):
            if not self.licence_number:
                errors["licence_number"] = validation_error(
                    "operating_without_licence_number", MESSAGES
                )
            if not self.licence_expires_on:
                errors["licence_expires_on"] = validation_error(
                    "operating_without_licence_expiry", MESSAGES
                )
        if (
            self.licence_issued_on
            and self.licence_expires_on
            and self.licence_expires_on <= self.licence_issued_on
        ):
            errors["licence_expires_on"] = validation_error("expiry_before_issue", MESSAGES)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("institutions:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    def audit_scope(self) -> dict:
        return {
            "province_id": self.province_id,
            "police_unit_id": self.supervising_unit_id,
            "institution_id": self.pk,
        }

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(self.status, "secondary")

    @property
    def licence_days_left(self) -> int | None:
        if self.licence_expires_on is None:
            return None
        return (self.licence_expires_on - timezone.localdate()).days

    @property
    def licence_expiring(self) -> bool:
        days = self.licence_days_left
        return (
            days is not None
            and days <= LICENCE_WARNING_DAYS
            and self.status in (InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED)
        )

    @property
    def licence_expired(self) -> bool:
        days = self.licence_days_left
        return days is not None and days < 0

    @property
    def licence_lapsed(self) -> bool:
        """Operating (active or suspended) on a licence that has expired: a warning state
        shown beside the status wherever the institution appears."""
        return self.licence_expired and self.status in (
            InstitutionStatus.ACTIVE,
            InstitutionStatus.SUSPENDED,
        )

    def available_transitions(self) -> list[str]:
        return [a for a, (sources, _to, _r) in TRANSITIONS.items() if self.status in sources]


def licence_warning_date(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=LICENCE_WARNING_DAYS)


class LifecycleAttachment(models.Model):
    """The scanned letter that ordered a lifecycle action (suspend, revoke), kept in private
    storage; whoever may see the institution may download it."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("security institution"),
        on_delete=models.PROTECT,
        related_name="lifecycle_attachments",
    )
    action = models.CharField(_("action"), max_length=20)
    letter_number = models.CharField(_("letter number"), max_length=40, blank=True)
    # Stored under a name of ours with the extension its content showed, never the upload's.
    file = models.FileField(upload_to="institutions/letters/")
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    # Whoever may see the institution sees its letters.
    scope_paths = VIA_INSTITUTION
    role_actions = {"view": STAFF_ROLES}

    class Meta:
        verbose_name = _("lifecycle letter")
        verbose_name_plural = _("lifecycle letters")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("institutions:attachment", args=[self.pk])
