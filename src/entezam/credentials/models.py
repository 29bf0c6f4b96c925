"""Licence cards and the record of every public check of one."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.models import BaseModel
from entezam.core.scoping import ScopedManager
from entezam.institutions.models import VIA_INSTITUTION, via
from entezam.personnel.choices import Position
from entezam.personnel.models import PEOPLE_VIEWERS

from .choices import CARD_COLORS, CardStatus, CheckResult

CARD_ISSUERS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER})


class Card(BaseModel):
    person = models.ForeignKey(
        "personnel.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cards"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="cards",
    )
    employment = models.ForeignKey(
        "personnel.Employment",
        verbose_name=_("employment"),
        on_delete=models.PROTECT,
        related_name="cards",
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    # Province code + a sequence per province: readable, unique, never reused.
    number = models.CharField(_("card number"), max_length=20, unique=True)
    # At least 128 random bits, URL-safe: what the QR code carries.
    token = models.CharField(max_length=64, unique=True, editable=False)
    issued_on = models.DateField(_("issue date"))
    expires_on = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    role_actions = {
        "view": PEOPLE_VIEWERS | {Role.CENTER_OPERATOR},
        "add": CARD_ISSUERS,
        "replace": CARD_ISSUERS,
    }
    scope_paths = VIA_INSTITUTION

    class Meta:
        verbose_name = _("licence card")
        verbose_name_plural = _("licence cards")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_on"], name="card_status_expiry"),
            models.Index(fields=["institution", "status"], name="card_institution"),
            models.Index(fields=["person", "status"], name="card_person"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("credentials:card_detail", args=[self.pk])

    def verification_path(self) -> str:
        return reverse("card_verify", args=[self.token])

    @property
    def status_color(self) -> str:
        return CARD_COLORS.get(self.status, "secondary")

    def audit_scope(self) -> dict:
        return self.institution.audit_scope()


class CardNumberSequence(models.Model):
    """The last card number given in a province (row-locked while a number is taken)."""

    province = models.OneToOneField("geo.Province", on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.province_id}: {self.last}"


# Who reads the checks' statistics (of the cards in their scope; unknown tokens and the
# addresses' activity are national).
CHECK_READERS = frozenset(
    {
        Role.HQ_ADMIN,
        Role.HQ_ANALYST,
        Role.PROVINCE_OFFICER,
        Role.STATION_OFFICER,
        Role.INSTITUTION_MANAGER,
    }
)


class VerificationCheck(models.Model):
    """One public check: when, what it answered, and a salted hash of the address (for
    statistics and abuse detection; the address itself is not kept)."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    card = models.ForeignKey(
        Card, null=True, blank=True, on_delete=models.CASCADE, related_name="checks"
    )
    result = models.CharField(max_length=20, choices=CheckResult.choices)
    ip_hash = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=10, default="page")
    # The id a buffered check carries from the request to the bulk store (a store repeated
    # after a crash finds it and adds nothing); empty for checks stored directly.
    ref = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ScopedManager()
    role_actions = {"view": CHECK_READERS}
    scope_paths = via("card__institution")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.result}"
