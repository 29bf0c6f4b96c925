from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import STAFF_ROLES, Role
from entezam.core.models import BaseModel
from entezam.core.persian import normalize
from entezam.core.scoping import reach_everywhere

from .choices import UnitKind

EVERYONE = STAFF_ROLES | {Role.TRAINER}


class BilingualName(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        if (get_language() or "fa").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalize(f"{self.name} {self.name_en}")
        super().save(*args, **kwargs)


class Province(BilingualName, BaseModel):
    code = models.CharField(_("code"), max_length=2, unique=True)
    capital = models.CharField(_("capital"), max_length=100, blank=True)

    # Reference data: every signed-in user reads it; only seeding writes it.
    role_actions = {"view": EVERYONE}

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    scope_q = classmethod(reach_everywhere)

    def audit_scope(self) -> dict:
        return {"province_id": self.pk}


class County(BilingualName, BaseModel):
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="counties"
    )

    role_actions = {"view": EVERYONE}

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["province__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="county_unique_name")
        ]

    scope_q = classmethod(reach_everywhere)

    def audit_scope(self) -> dict:
        return {"province_id": self.province_id}


class PoliceUnit(BilingualName, BaseModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="police_units",
    )
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="police_units",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_paths = {
        "province": "province",
        "police_unit": "pk",
        "institution": "supervised_institutions",
    }
    role_actions = {
        "view": STAFF_ROLES,
        "add": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
        "change": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER},
    }

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")
        ordering = ["province__code", "kind", "code"]
        indexes = [
            GinIndex(
                name="policeunit_search_trgm",
                fields=["search_name"],
                opclasses=["gin_trgm_ops"],
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="policeunit_province_unless_hq",
                condition=Q(kind=UnitKind.HQ) | Q(province__isnull=False),
            ),
            models.CheckConstraint(
                name="policeunit_latitude_range",
                condition=Q(latitude__isnull=True) | Q(latitude__gte=24, latitude__lte=40),
            ),
            models.CheckConstraint(
                name="policeunit_longitude_range",
                condition=Q(longitude__isnull=True) | Q(longitude__gte=44, longitude__lte=64),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("geo:unit_detail", args=[self.pk])

    def audit_scope(self) -> dict:
        return {"province_id": self.province_id, "police_unit_id": self.pk}
