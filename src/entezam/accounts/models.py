from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.errors import validation_error
from entezam.core.models import BaseModel
from entezam.core.scoping import Scope

from .choices import ROLE_SCOPES, Role
from .errors import MESSAGES


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = pgettext_lazy("model", "users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def role_assignments_cached(self) -> list["RoleAssignment"]:
        cached = getattr(self, "_role_assignments", None)
        if cached is None:
            cached = list(
                self.role_assignments.filter(is_active=True).select_related(
                    "province", "police_unit", "institution"
                )
            )
            self._role_assignments = cached
        return cached

    def forget_role_assignments(self) -> None:
        self.__dict__.pop("_role_assignments", None)

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.role_assignments_cached()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


class RoleAssignment(BaseModel):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province", verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT
    )
    police_unit = models.ForeignKey(
        "geo.PoliceUnit",
        verbose_name=_("police unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    is_active = models.BooleanField(_("active"), default=True)

    role_actions = {"view": {Role.HQ_ADMIN}, "add": {Role.HQ_ADMIN}, "change": {Role.HQ_ADMIN}}

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_one_scope",
                condition=(
                    Q(province__isnull=True, police_unit__isnull=True)
                    | Q(province__isnull=True, institution__isnull=True)
                    | Q(police_unit__isnull=True, institution__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        target = self.province or self.police_unit or self.institution
        return f"{self.get_role_display()} — {target}" if target else self.get_role_display()

    @property
    def scope(self) -> str:
        if self.institution_id:
            return Scope.INSTITUTION
        if self.police_unit_id:
            return Scope.POLICE_UNIT
        if self.province_id:
            return Scope.PROVINCE
        return Scope.NATION

    @property
    def scope_object_id(self) -> int | None:
        return self.institution_id or self.police_unit_id or self.province_id

    def clean(self) -> None:
        if self.scope not in ROLE_SCOPES.get(self.role, set()):
            raise validation_error("role_scope_mismatch", MESSAGES)

    def audit_scope(self) -> dict:
        return {
            "province_id": self.province_id,
            "police_unit_id": self.police_unit_id,
            "institution_id": self.institution_id,
        }
